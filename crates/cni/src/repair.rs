//! Repairs for known plugin leaks (PROTOCOLS §9.6): the bridge plugin's DEL
//! finds the addresses to un-masquerade on the interface inside the netns,
//! so a DEL after the netns is gone releases the IP but leaves the
//! per-container nat chain `CNI-<hash>` and its POSTROUTING jump behind.
//! berth knows the addresses from the stored ADD result and removes them.

use std::ffi::OsString;
use std::fmt::Write;
use std::process::Command;

use sha2::{Digest, Sha512};

use crate::netns::NetNs;
use crate::result::CniResult;

/// The chain name libcni's utils give a (network, container) pair:
/// `CNI-` and the first 24 hex digits of sha512(network + container id).
pub fn masq_chain_name(network: &str, container_id: &str) -> String {
    let digest = Sha512::digest(format!("{network}{container_id}").as_bytes());
    let mut name = String::from("CNI-");
    for b in &digest[..12] {
        let _ = write!(name, "{b:02x}");
    }
    name
}

/// The comment bridge puts on those rules.
pub fn masq_comment(network: &str, container_id: &str) -> String {
    format!("name: \"{network}\" id: \"{container_id}\"")
}

/// Removes the masquerade jump(s) and chain bridge ADD made for this
/// container, if still present. Best effort: absent rules are fine.
pub(crate) fn remove_ipmasq(
    network: &str,
    container_id: &str,
    result: &CniResult,
    path_env: &OsString,
    host_netns: Option<&NetNs>,
) {
    let chain = masq_chain_name(network, container_id);
    let comment = masq_comment(network, container_id);
    let run = |prog: &str, args: &[&str]| {
        let mut cmd = Command::new(prog);
        cmd.args(args).env("PATH", path_env);
        if let Some(ns) = host_netns {
            if ns.enter_command(&mut cmd).is_err() {
                return;
            }
        }
        let _ = cmd.output();
    };
    for ip in &result.ips {
        let addr = ip.ip();
        let (prog, host) = if addr.contains(':') {
            ("ip6tables", format!("{addr}/128"))
        } else {
            ("iptables", format!("{addr}/32"))
        };
        run(
            prog,
            &[
                "-w",
                "-t",
                "nat",
                "-D",
                "POSTROUTING",
                "-s",
                &host,
                "-j",
                &chain,
                "-m",
                "comment",
                "--comment",
                &comment,
            ],
        );
    }
    for prog in ["iptables", "ip6tables"] {
        if prog == "ip6tables" && !result.ips.iter().any(|i| i.address.contains(':')) {
            continue;
        }
        run(prog, &["-w", "-t", "nat", "-F", &chain]);
        run(prog, &["-w", "-t", "nat", "-X", &chain]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_name_matches_libcni() {
        // Observed on this host: network "podmanlike", container "p1".
        assert_eq!(
            masq_chain_name("podmanlike", "p1"),
            "CNI-1094026b4cc1be94f269441c"
        );
        assert_eq!(masq_comment("n", "c"), r#"name: "n" id: "c""#);
    }
}

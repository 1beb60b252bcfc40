//! Repairs for known plugin leaks (PROTOCOLS §9.6): the bridge plugin's DEL
//! finds the addresses to un-masquerade on the interface inside the netns,
//! so a DEL after the netns is gone (or without the ADD's result, after a
//! crash mid-ADD) releases the IP but leaves the per-container nat chain
//! `CNI-<hash>` and its POSTROUTING jump behind. berth finds them by the
//! chain name and the rule comment bridge writes, and removes them.

use std::ffi::OsString;

use crate::iptables::{chain_name, Iptables};
use crate::netns::NetNs;
use crate::result::CniResult;

/// The chain name libcni's utils give a (network, container) pair:
/// `CNI-` and the first 24 hex digits of sha512(network + container id).
pub fn masq_chain_name(network: &str, container_id: &str) -> String {
    chain_name("", network, container_id)
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
    result: Option<&CniResult>,
    path_env: &OsString,
    host_netns: Option<&NetNs>,
) {
    let chain = masq_chain_name(network, container_id);
    let netns = host_netns.map(|n| n.path().to_path_buf());
    let v4 = Iptables::new(path_env.clone(), netns);
    let mut tables = vec![v4.clone()];
    if result.is_some_and(|r| r.ips.iter().any(|i| i.address.contains(':'))) {
        tables.push(v4.v6());
    }
    for ipt in tables {
        if let Ok((_, rules)) = ipt.list("nat") {
            for r in rules.iter().filter(|r| {
                r.chain == "POSTROUTING"
                    && r.target() == Some(chain.as_str())
                    && r.container_id() == Some(container_id)
            }) {
                let _ = ipt.delete(r);
            }
        }
        let _ = ipt.delete_chain("nat", &chain);
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

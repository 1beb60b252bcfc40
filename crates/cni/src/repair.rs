//! Repairs for known plugin leaks (PROTOCOLS §9.6): the bridge plugin's DEL
//! finds the addresses to un-masquerade on the interface inside the netns,
//! so a DEL after the netns is gone (or without the ADD's result, after a
//! crash mid-ADD) releases the IP but leaves the per-container nat chain
//! `CNI-<hash>` and its POSTROUTING jump behind. berth finds them by the
//! chain name and the rule comment bridge writes, and removes them.
//!
//! The firewall plugin's DEL removes its `CNI-FORWARD` rules by the addresses in
//! `prevResult` and does nothing without one; after a crash between ADD and saving the
//! result, [`result_from_lease`] rebuilds the addresses from host-local's lease so that
//! DEL can still find them.

use std::ffi::OsString;
use std::net::Ipv4Addr;

use serde_json::Value;

use crate::config::NetworkConfigList;
use crate::iptables::{chain_name, Iptables};
use crate::netns::NetNs;
use crate::result::{CniResult, IpConfig};
use crate::subnet::Subnet;

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

/// A `prevResult` rebuilt from host-local's store: the addresses leased to
/// (`container_id`, `ifname`) on this network, each with its range's prefix and gateway.
/// `None` when the network's IPAM is not host-local or holds no lease for the pair.
pub fn result_from_lease(
    list: &NetworkConfigList,
    container_id: &str,
    ifname: &str,
) -> Option<CniResult> {
    let ranges = host_local_ranges(list);
    let old_version = list.cni_version.starts_with("0.");
    let mut ips = Vec::new();
    let leased = list.host_local_leases().into_iter().filter(|l| {
        l.container_id == container_id && l.ifname.as_deref().is_none_or(|i| i == ifname)
    });
    for ip in leased.map(|l| l.ip) {
        let Some((subnet, gateway)) = ranges.iter().find(|(s, _)| s.contains_host(ip)) else {
            continue;
        };
        ips.push(IpConfig {
            version: old_version.then(|| "4".to_string()),
            interface: None,
            address: format!("{ip}/{}", subnet.prefix),
            gateway: Some(gateway.to_string()),
        });
    }
    (!ips.is_empty()).then(|| CniResult {
        cni_version: list.cni_version.clone(),
        ips,
        ..CniResult::default()
    })
}

/// (subnet, gateway) of every host-local range in the list (`ranges` and legacy `subnet`).
fn host_local_ranges(list: &NetworkConfigList) -> Vec<(Subnet, Ipv4Addr)> {
    list.ipam_ranges()
        .filter_map(|r| {
            let subnet = Subnet::parse(r.get("subnet")?.as_str()?).ok()?;
            let gateway = r
                .get("gateway")
                .and_then(Value::as_str)
                .and_then(|g| g.parse().ok())
                .unwrap_or_else(|| subnet.first_host());
            Some((subnet, gateway))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn chain_name_matches_libcni() {
        // Observed on this host: network "podmanlike", container "p1".
        assert_eq!(
            masq_chain_name("podmanlike", "p1"),
            "CNI-1094026b4cc1be94f269441c"
        );
        assert_eq!(masq_comment("n", "c"), r#"name: "n" id: "c""#);
    }

    fn list_with_store(store: &Path, version: &str) -> NetworkConfigList {
        NetworkConfigList::from_value(
            serde_json::json!({
                "cniVersion": version,
                "name": "n1",
                "plugins": [
                    {"type": "bridge", "bridge": "b1", "ipam": {
                        "type": "host-local",
                        "dataDir": store,
                        "ranges": [[{"subnet": "10.77.3.0/24", "gateway": "10.77.3.1"}],
                                   [{"subnet": "10.78.0.0/16"}]]
                    }},
                    {"type": "firewall"}
                ]
            }),
            true,
            Path::new("n1.conflist"),
        )
        .unwrap()
    }

    #[test]
    fn a_lease_gives_the_addresses_firewall_del_needs() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("n1");
        std::fs::create_dir_all(&store).unwrap();
        std::fs::write(store.join("10.77.3.9"), "c1\r\neth0").unwrap();
        std::fs::write(store.join("10.78.4.2"), "c1\r\neth0").unwrap();
        std::fs::write(store.join("10.77.3.10"), "c1\r\neth1").unwrap();
        std::fs::write(store.join("10.77.3.11"), "c2\r\neth0").unwrap();
        std::fs::write(store.join("last_reserved_ip.0"), "10.77.3.11").unwrap();
        std::fs::write(store.join("lock"), "").unwrap();

        let r = result_from_lease(&list_with_store(dir.path(), "1.0.0"), "c1", "eth0").unwrap();
        assert_eq!(r.cni_version, "1.0.0");
        let got: Vec<(&str, Option<&str>, Option<&str>)> = r
            .ips
            .iter()
            .map(|i| {
                (
                    i.address.as_str(),
                    i.gateway.as_deref(),
                    i.version.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("10.77.3.9/24", Some("10.77.3.1"), None),
                ("10.78.4.2/16", Some("10.78.0.1"), None)
            ]
        );

        // 0.4.0 results carry the IP version.
        let r = result_from_lease(&list_with_store(dir.path(), "0.4.0"), "c2", "eth0").unwrap();
        assert_eq!(r.ips.len(), 1);
        assert_eq!(r.ips[0].version.as_deref(), Some("4"));

        assert!(result_from_lease(&list_with_store(dir.path(), "1.0.0"), "c3", "eth0").is_none());
    }
}

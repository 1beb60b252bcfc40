//! Network management as the runtime sees it: the [`NetworkManager`] trait (create, list,
//! inspect, remove named networks) and the typed [`Network`] description it returns. Every
//! read of a CNI file happens below this seam; callers never see a conflist.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::{HostLocalLease, NetworkConfigList};
use crate::error::Result;
use crate::network::{CreateNetwork, Networks};
use crate::subnet::Subnet;

/// One network, as `network inspect` describes it (podman's `types.Network`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// Its name.
    pub name: String,
    /// Its id: under CNI, the hex sha256 of the name (podman's rule).
    pub id: String,
    /// The driver: the type of the list's first plugin (`bridge`).
    pub driver: String,
    /// The bridge device, when the driver has one.
    pub network_interface: Option<String>,
    /// Subnets of its IPAM ranges, in order.
    pub subnets: Vec<NetworkSubnet>,
    /// Whether IPv6 is enabled (never, for berth's IPv4 bridges).
    pub ipv6_enabled: bool,
    /// Whether external access is cut off (a bridge that is not the gateway: `--internal`).
    pub internal: bool,
    /// Whether a DNS plugin answers for container names (berth runs none).
    pub dns_enabled: bool,
    /// Labels (`network create --label`).
    pub labels: BTreeMap<String, String>,
    /// Driver options: the bridge's `mtu` and `vlan` when set.
    pub options: BTreeMap<String, String>,
    /// The IPAM plugin type (`host-local`).
    pub ipam_driver: String,
    /// When its config was written (the file's modification time), when known.
    pub created: Option<SystemTime>,
}

/// One subnet of a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSubnet {
    /// The subnet in CIDR form, as configured.
    pub subnet: String,
    /// Its gateway, when configured.
    pub gateway: Option<IpAddr>,
    /// The part of the subnet addresses are handed out from, when restricted.
    pub lease_range: Option<LeaseRange>,
}

/// `rangeStart`/`rangeEnd` of an IPAM range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRange {
    /// First address handed out.
    pub start_ip: Option<IpAddr>,
    /// Last address handed out.
    pub end_ip: Option<IpAddr>,
}

/// podman's network id under CNI: the hex sha256 of the name.
pub fn network_id(name: &str) -> String {
    use std::fmt::Write as _;
    Sha256::digest(name.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl Network {
    /// The description of a config list (its file's time as `created`).
    pub fn from_config(list: &NetworkConfigList) -> Self {
        let ip = |r: &Value, key: &str| r.get(key).and_then(Value::as_str)?.parse().ok();
        let subnets = list
            .ipam_ranges()
            .filter_map(|r| {
                let subnet = r.get("subnet").and_then(Value::as_str)?.to_string();
                let (start_ip, end_ip) = (ip(r, "rangeStart"), ip(r, "rangeEnd"));
                Some(NetworkSubnet {
                    subnet,
                    gateway: ip(r, "gateway"),
                    lease_range: (start_ip.is_some() || end_ip.is_some())
                        .then_some(LeaseRange { start_ip, end_ip }),
                })
            })
            .collect();
        let ipam_driver = list
            .plugins
            .iter()
            .find_map(|p| p.raw.get("ipam"))
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("host-local")
            .to_string();
        let created = list
            .path
            .as_ref()
            .and_then(|p| std::fs::metadata(p).ok())
            .and_then(|m| m.modified().ok());
        let bridge = list.plugins.iter().find(|p| p.plugin_type == "bridge");
        // podman's rule: a bridge that is not the gateway makes an internal network.
        let internal = bridge.is_some_and(|b| {
            !b.raw
                .get("isGateway")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        });
        let options: BTreeMap<String, String> = ["mtu", "vlan"]
            .into_iter()
            .filter_map(|k| {
                let v = bridge?.raw.get(k)?.as_u64()?;
                Some((k.to_string(), v.to_string()))
            })
            .collect();
        Self {
            id: network_id(&list.name),
            name: list.name.clone(),
            driver: list
                .plugins
                .first()
                .map_or_else(String::new, |p| p.plugin_type.clone()),
            network_interface: list.bridge_name(),
            subnets,
            ipv6_enabled: false,
            internal,
            dns_enabled: false,
            labels: list
                .raw
                .get("args")
                .and_then(|a| a.get(crate::network::LABELS_ARG))
                .and_then(|l| serde_json::from_value(l.clone()).ok())
                .unwrap_or_default(),
            options,
            ipam_driver,
            created,
        }
    }
}

/// Named networks: what `network create/ls/inspect/rm` need from the network layer.
/// Implemented for real by [`Networks`] (conflists in a CNI config dir) and, for the
/// runtime's unit tests, by `testing::FakeNetworkManager`.
pub trait NetworkManager: Send + Sync + std::fmt::Debug {
    /// The default network's name.
    fn default_network(&self) -> &str;

    /// The default network, made (its config written) when missing.
    fn ensure_default(&self) -> Result<Network>;

    /// Every readable network, by name.
    fn list(&self) -> Result<Vec<Network>>;

    /// One network by name; [`crate::Error::NetworkNotFound`] when there is none.
    fn inspect(&self, name: &str) -> Result<Network>;

    /// Creates a network (unset fields of `req` are picked: bridge, subnet, gateway).
    /// Refuses a name in use, a bad name or subnet, and a subnet that overlaps another
    /// network or a host route.
    fn create(&self, req: &CreateNetwork) -> Result<Network>;

    /// Removes a network. Refused for the default network and, unless `force`, while
    /// `in_use` (ids of the containers that join it) is not empty.
    fn remove(&self, name: &str, in_use: &[String], force: bool) -> Result<()>;

    /// The host-local leases of every network (by network name), each inside one of its
    /// network's subnets: what `system check` compares with the live containers.
    fn leases(&self) -> Result<Vec<(String, HostLocalLease)>>;
}

impl NetworkManager for Networks {
    fn default_network(&self) -> &str {
        Networks::default_network(self)
    }

    fn ensure_default(&self) -> Result<Network> {
        Networks::ensure_default(self).map(|l| Network::from_config(&l))
    }

    fn list(&self) -> Result<Vec<Network>> {
        Ok(Networks::list(self)?
            .iter()
            .map(Network::from_config)
            .collect())
    }

    fn inspect(&self, name: &str) -> Result<Network> {
        Networks::inspect(self, name).map(|l| Network::from_config(&l))
    }

    fn create(&self, req: &CreateNetwork) -> Result<Network> {
        Networks::create(self, req).map(|l| Network::from_config(&l))
    }

    fn remove(&self, name: &str, in_use: &[String], force: bool) -> Result<()> {
        Networks::remove(self, name, in_use, force)
    }

    fn leases(&self) -> Result<Vec<(String, HostLocalLease)>> {
        let mut out = Vec::new();
        for list in Networks::list(self)? {
            let subnets: Vec<Subnet> = list
                .subnets()
                .iter()
                .filter_map(|s| Subnet::parse(s).ok())
                .collect();
            out.extend(
                list.host_local_leases()
                    .into_iter()
                    .filter(|l| subnets.iter().any(|s| s.contains_host(l.ip)))
                    .map(|l| (list.name.clone(), l)),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn id_is_the_sha256_of_the_name() {
        // podman's id of its default CNI network "podman".
        assert_eq!(
            network_id("podman"),
            "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
        );
    }

    #[test]
    fn describes_a_conflist() {
        let list = NetworkConfigList::from_value(
            json!({
                "cniVersion": "1.0.0",
                "name": "web",
                "plugins": [
                    {"type": "bridge", "bridge": "brweb0", "isGateway": true,
                     "ipam": {"type": "host-local",
                      "ranges": [[{"subnet": "10.77.0.0/24", "gateway": "10.77.0.1"},
                                  {"subnet": "10.78.0.0/24", "rangeStart": "10.78.0.10"}]]}},
                    {"type": "portmap", "capabilities": {"portMappings": true}}
                ]
            }),
            true,
            std::path::Path::new("/nowhere/web.conflist"),
        )
        .unwrap();
        let n = Network::from_config(&list);
        assert_eq!(
            (n.name.as_str(), n.driver.as_str(), n.ipam_driver.as_str()),
            ("web", "bridge", "host-local")
        );
        assert_eq!(n.id, network_id("web"));
        assert_eq!(n.network_interface.as_deref(), Some("brweb0"));
        assert_eq!(n.subnets.len(), 2);
        assert_eq!(n.subnets[0].subnet, "10.77.0.0/24");
        assert_eq!(n.subnets[0].gateway, Some("10.77.0.1".parse().unwrap()));
        assert_eq!(n.subnets[0].lease_range, None);
        assert_eq!(n.subnets[1].gateway, None);
        assert_eq!(
            n.subnets[1].lease_range,
            Some(LeaseRange {
                start_ip: Some("10.78.0.10".parse().unwrap()),
                end_ip: None
            })
        );
        assert_eq!(n.created, None, "no file");
        assert!(!n.dns_enabled && !n.internal && !n.ipv6_enabled);
    }
}

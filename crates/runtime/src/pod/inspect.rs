//! `pod inspect`'s `InfraConfig`.

use std::collections::BTreeMap;

use serde::Serialize;

/// `InfraConfig` of `podman pod inspect`: the infra container's network
/// settings, which every member shares.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct InspectInfraConfig {
    /// Published ports, `80/tcp` -> host addresses.
    pub port_bindings: BTreeMap<String, Vec<crate::PortBinding>>,
    /// Uses the host's network namespace (`--network host`).
    pub host_network: bool,
    /// Static IP (berth sets none).
    #[serde(rename = "StaticIP")]
    pub static_ip: String,
    /// Static MAC (berth sets none).
    #[serde(rename = "StaticMAC")]
    pub static_mac: String,
    /// DNS servers (`--dns`); `None` when not set.
    #[serde(rename = "DNSServer")]
    pub dns_server: Option<Vec<String>>,
    /// DNS search domains; `None` when not set.
    #[serde(rename = "DNSSearch")]
    pub dns_search: Option<Vec<String>>,
    /// DNS options; `None` when not set.
    #[serde(rename = "DNSOption")]
    pub dns_option: Option<Vec<String>>,
    /// Leaves `/etc/resolv.conf` alone (berth always writes it).
    pub no_manage_resolv_conf: bool,
    /// Leaves `/etc/hosts` alone (berth always writes it).
    pub no_manage_hosts: bool,
    /// Extra `/etc/hosts` entries; `None` when not set.
    pub host_add: Option<Vec<String>>,
    /// Networks joined.
    pub networks: Vec<String>,
    /// Per-network driver options (berth takes none).
    pub network_options: Option<BTreeMap<String, Vec<String>>>,
}

fn non_empty(v: &[String]) -> Option<Vec<String>> {
    (!v.is_empty()).then(|| v.to_vec())
}

/// The `InfraConfig` of a pod whose infra container is `infra`.
pub(super) fn infra_config(infra: &berth_state::ContainerRecord) -> InspectInfraConfig {
    let c = &infra.config;
    let mut ports: BTreeMap<String, Vec<crate::PortBinding>> = BTreeMap::new();
    for p in &c.port_mappings {
        ports
            .entry(format!("{}/{}", p.container_port, p.protocol))
            .or_default()
            .push(crate::PortBinding {
                host_ip: p.host_ip.map(|ip| ip.to_string()).unwrap_or_default(),
                host_port: p.host_port.to_string(),
            });
    }
    let host = matches!(c.network_mode, Some(berth_state::NetworkMode::Host));
    InspectInfraConfig {
        port_bindings: ports,
        host_network: host,
        static_ip: String::new(),
        static_mac: String::new(),
        dns_server: non_empty(&c.dns_servers),
        dns_search: non_empty(&c.dns_search),
        dns_option: non_empty(&c.dns_options),
        no_manage_resolv_conf: false,
        no_manage_hosts: false,
        host_add: non_empty(&c.hosts_add),
        networks: match &c.network_mode {
            Some(berth_state::NetworkMode::Networks(n)) => n.clone(),
            None => c.networks.clone(),
            _ => Vec::new(),
        },
        network_options: None,
    }
}

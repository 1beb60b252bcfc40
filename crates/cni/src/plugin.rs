//! The seam the runtime uses: [`NetworkPlugin`], the network modes it asks
//! for and the attachment records it stores.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ports::PortMapping;
use crate::result::CniResult;

/// How a container is networked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "value")]
pub enum NetworkMode {
    /// Its own netns attached to these CNI networks (empty = the default
    /// network), `eth0`, `eth1`, ... in this order.
    Networks(Vec<String>),
    /// Its own netns with only `lo` (brought up by the loopback plugin).
    None,
    /// The host's namespace: no netns, no plugins.
    Host,
    /// Join an existing namespace (another container's), by path.
    Container(PathBuf),
}

impl NetworkMode {
    /// Parses podman's `--network` values: `none`, `host`, `bridge`
    /// (default network), `container:PATH` (the runtime turns a container
    /// name into its netns path first), or comma-separated network names.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(Self::None),
            "host" => Ok(Self::Host),
            "" | "bridge" | "default" => Ok(Self::Networks(Vec::new())),
            _ => {
                if let Some(path) = s.strip_prefix("container:") {
                    if path.is_empty() {
                        return Err(Error::InvalidArgument {
                            what: "network mode",
                            value: s.to_string(),
                            reason: "container: needs a namespace path".into(),
                        });
                    }
                    return Ok(Self::Container(PathBuf::from(path)));
                }
                let names: Vec<String> = s.split(',').map(str::to_string).collect();
                for n in &names {
                    crate::config::check_network_name(n)?;
                }
                Ok(Self::Networks(names))
            }
        }
    }

    /// The networks `setup` should receive: the given names, the default
    /// network for an empty list, nothing for the other modes.
    pub fn networks(&self, default_network: &str) -> Vec<String> {
        match self {
            Self::Networks(n) if n.is_empty() => vec![default_network.to_string()],
            Self::Networks(n) => n.clone(),
            _ => Vec::new(),
        }
    }

    /// True when the runtime must create a fresh netns for the container.
    pub fn needs_own_netns(&self) -> bool {
        matches!(self, Self::Networks(_) | Self::None)
    }
}

/// One network attached to one container: everything teardown needs, so
/// the runtime can store it in its state and hand it back later, even after
/// the network's config file was changed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAttachment {
    /// Network name.
    pub network: String,
    /// Interface name inside the container (`eth0`, ...).
    pub interface: String,
    /// The final ADD result (prevResult for DEL and CHECK).
    pub result: CniResult,
    /// Port mappings passed as `runtimeConfig.portMappings` at ADD (DEL
    /// must receive the same). Stored in portmap's form.
    #[serde(default, with = "crate::ports::wire")]
    pub port_mappings: Vec<PortMapping>,
    /// The network config list exactly as used at ADD.
    pub config: serde_json::Value,
    /// A static address asked for (host-local's `IP` in `CNI_ARGS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_ip: Option<std::net::IpAddr>,
    /// A static MAC address asked for (bridge's and tuning's `MAC` in `CNI_ARGS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_mac: Option<String>,
}

impl NetworkAttachment {
    /// An attachment planned but not (known to be) added yet: [`NetworkPlugin::plan`]'s
    /// output, stored before ADD so a crash mid-ADD leaves a record teardown can follow.
    pub fn planned(
        network: &str,
        interface: &str,
        config: serde_json::Value,
        port_mappings: &[PortMapping],
    ) -> Self {
        Self {
            network: network.to_string(),
            interface: interface.to_string(),
            result: CniResult::default(),
            port_mappings: port_mappings.to_vec(),
            config,
            static_ip: None,
            static_mac: None,
        }
    }

    /// `CNI_ARGS` for this attachment: `IgnoreUnknown=1` (every plugin gets the same
    /// arguments and only some know each), then `IP=` and `MAC=` when static ones are set.
    pub fn cni_args(&self) -> String {
        let mut args = vec![crate::cni::CNI_ARGS.to_string()];
        if let Some(ip) = self.static_ip {
            args.push(format!("IP={ip}"));
        }
        if let Some(mac) = &self.static_mac {
            args.push(format!("MAC={mac}"));
        }
        args.join(";")
    }

    /// Whether the ADD's result is known (false for a planned attachment).
    pub fn has_result(&self) -> bool {
        !self.result.cni_version.is_empty()
            || !self.result.interfaces.is_empty()
            || !self.result.ips.is_empty()
    }

    /// The MAC address of the container's interface, when reported.
    pub fn mac(&self) -> Option<&str> {
        self.result
            .sandbox_interface(&self.interface)
            .map(|i| i.mac.as_str())
            .filter(|m| !m.is_empty())
    }

    /// The gateway of the container's first address, when reported.
    pub fn gateway(&self) -> Option<&str> {
        self.result
            .ips_of(&self.interface)
            .first()
            .and_then(|ip| ip.gateway.as_deref())
    }

    /// The container's addresses on this network, without prefix length.
    pub fn ips(&self) -> Vec<String> {
        self.result
            .ips_of(&self.interface)
            .into_iter()
            .map(|ip| ip.ip().to_string())
            .collect()
    }
}

/// Health of the network layer, from [`NetworkPlugin::status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkStatus {
    /// The default network's name.
    pub default_network: String,
    /// Networks found in the config dir.
    pub networks: Vec<String>,
    /// Plugin types the default network needs, each with the binary found.
    pub plugins: Vec<(String, PathBuf)>,
}

/// The network layer as the runtime sees it. Implemented for real by
/// [`crate::CniNetworkPlugin`] and, for tests of the layers above, by
/// `testing::FakeNetworkPlugin`.
pub trait NetworkPlugin: Send + Sync + std::fmt::Debug {
    /// Where `create_netns(name)` puts the namespace (so a caller can record it first).
    fn netns_path(&self, name: &str) -> PathBuf;

    /// Creates a named network namespace and returns its path.
    fn create_netns(&self, name: &str) -> Result<PathBuf>;

    /// Unmounts and removes a namespace made by `create_netns`; succeeds
    /// when it is already gone.
    fn remove_netns(&self, path: &Path) -> Result<()>;

    /// What [`NetworkPlugin::setup_planned`] would attach, without running a plugin: one
    /// attachment per network (`eth0`, `eth1`, ...) carrying the config list as it will be
    /// used and the port mappings, no result yet. Bad names and duplicates fail here. The
    /// runtime stores this before ADD, so teardown can follow it after a crash mid-ADD.
    fn plan(
        &self,
        container_id: &str,
        networks: &[String],
        port_mappings: &[PortMapping],
    ) -> Result<Vec<NetworkAttachment>>;

    /// Brings `lo` up in `netns` and runs ADD for each planned attachment, returning them
    /// with their results. On failure everything this call added is deleted again (DEL)
    /// before the error is returned; failures of that DEL are part of the error.
    fn setup_planned(
        &self,
        container_id: &str,
        netns: &Path,
        planned: &[NetworkAttachment],
    ) -> Result<Vec<NetworkAttachment>>;

    /// [`NetworkPlugin::plan`], then [`NetworkPlugin::setup_planned`] (empty
    /// `networks` = only loopback, the `none` mode).
    fn setup(
        &self,
        container_id: &str,
        netns: &Path,
        networks: &[String],
        port_mappings: &[PortMapping],
    ) -> Result<Vec<NetworkAttachment>> {
        let planned = self.plan(container_id, networks, port_mappings)?;
        self.setup_planned(container_id, netns, &planned)
    }

    /// Deletes the attachments (last first), trying every one even when
    /// some fail; tolerant of resources already gone, so it can be repeated.
    /// A planned attachment (no result) gets a DEL without `prevResult`.
    fn teardown(
        &self,
        container_id: &str,
        netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()>;

    /// Runs CHECK for each attachment (skipped for lists with `disableCheck`).
    fn check(
        &self,
        container_id: &str,
        netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()>;

    /// Binds the host side of `port_mappings` (TCP listens, UDP binds; SCTP is left to the
    /// rules) and returns the sockets, for the container's monitor to hold while it runs so
    /// nothing else takes those ports. Fails on the first port already taken.
    fn reserve_ports(&self, port_mappings: &[PortMapping]) -> Result<Vec<std::os::fd::OwnedFd>>;

    /// Decides the host ports of a container being created: a host port of 0 gets a free
    /// one (in no container's record, `recorded`, and held until the returned value is
    /// dropped, so no concurrent choice gets it), every other must be free now (not in
    /// `taken`, the ports running containers publish, and not held by any program). Returns
    /// `wanted` with every host port set. See [`crate::ports::prepare_ports`].
    fn prepare_ports(
        &self,
        wanted: &[PortMapping],
        taken: &[PortMapping],
        recorded: &[PortMapping],
    ) -> Result<crate::ports::PreparedPorts>;

    /// Reports whether the default network and its plugins are usable
    /// (each found, and each supporting the list's `cniVersion`).
    fn status(&self) -> Result<NetworkStatus>;

    /// The default network's name (what an empty network list means).
    fn default_network(&self) -> &str;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_resolve() {
        assert_eq!(NetworkMode::parse("none").unwrap(), NetworkMode::None);
        assert_eq!(NetworkMode::parse("host").unwrap(), NetworkMode::Host);
        let def = NetworkMode::parse("bridge").unwrap();
        assert_eq!(def.networks("berth"), ["berth"]);
        assert!(def.needs_own_netns());
        let two = NetworkMode::parse("a,b").unwrap();
        assert_eq!(two.networks("berth"), ["a", "b"]);
        let c = NetworkMode::parse("container:/run/berth/netns/x").unwrap();
        assert_eq!(c, NetworkMode::Container("/run/berth/netns/x".into()));
        assert!(!c.needs_own_netns() && c.networks("berth").is_empty());
        assert!(NetworkMode::None.needs_own_netns());
        assert!(NetworkMode::None.networks("berth").is_empty());
        assert!(!NetworkMode::Host.needs_own_netns());
        for bad in ["container:", "a,,b", "bad name", "-x"] {
            let e = NetworkMode::parse(bad).unwrap_err().to_string();
            assert!(e.contains("invalid"), "{bad:?}: {e}");
        }
        let json = serde_json::to_string(&two).unwrap();
        assert_eq!(serde_json::from_str::<NetworkMode>(&json).unwrap(), two);
    }
}

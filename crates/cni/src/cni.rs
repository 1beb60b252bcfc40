//! [`CniNetworkPlugin`]: the real [`NetworkPlugin`], driving CNI plugin
//! binaries for the networks in a config dir.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use tracing::debug;

use crate::config::NetworkConfigList;
use crate::error::{Error, Result};
use crate::exec::{check_container_id, PluginExec, Target};
use crate::netns::NetNs;
use crate::network::{Networks, DEFAULT_BRIDGE, DEFAULT_NETWORK, DEFAULT_SUBNET};
use crate::plugin::{NetworkAttachment, NetworkPlugin, NetworkStatus};
use crate::ports::PortMapping;

/// `CNI_ARGS` given to every plugin.
pub const CNI_ARGS: &str = "IgnoreUnknown=1";

/// Everything the network layer needs, as plain data (the runtime fills it
/// from its configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CniOptions {
    /// Where conflists live (`cni_config_dir`, /etc/cni/net.d).
    pub config_dir: PathBuf,
    /// Where plugin binaries are searched, first hit wins.
    pub plugin_dirs: Vec<PathBuf>,
    /// Where named namespaces are mounted (`tmp_dir`/netns).
    pub netns_dir: PathBuf,
    /// The default network's name (`cni_default_network`, "berth").
    pub default_network: String,
    /// Bridge of the default network when berth writes it ("berth0").
    pub default_bridge: String,
    /// Subnet of the default network when berth writes it ("10.89.0.0/24").
    pub default_subnet: String,
    /// host-local store written into new conflists (None = the plugin's
    /// default /var/lib/cni/networks). Tests point it at a temp dir.
    pub ipam_data_dir: Option<PathBuf>,
    /// A plugin still running after this long is killed.
    pub timeout: Duration,
    /// Run plugins inside this namespace instead of the caller's. The
    /// runtime leaves it `None`; tests use a private "host" namespace.
    pub host_netns: Option<PathBuf>,
}

impl CniOptions {
    /// Options with berth's defaults for everything but the three paths.
    pub fn new(
        config_dir: impl Into<PathBuf>,
        plugin_dirs: Vec<PathBuf>,
        netns_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            config_dir: config_dir.into(),
            plugin_dirs,
            netns_dir: netns_dir.into(),
            default_network: DEFAULT_NETWORK.into(),
            default_bridge: DEFAULT_BRIDGE.into(),
            default_subnet: DEFAULT_SUBNET.into(),
            ipam_data_dir: None,
            timeout: Duration::from_secs(60),
            host_netns: None,
        }
    }
}

/// The real network plugin.
#[derive(Debug)]
pub struct CniNetworkPlugin {
    opts: CniOptions,
    exec: PluginExec,
    networks: Networks,
}

impl CniNetworkPlugin {
    /// Builds the plugin. Nothing is written yet: the default network's
    /// conflist appears on first use ([`Networks::ensure_default`]).
    pub fn new(opts: CniOptions) -> Result<Self> {
        crate::config::check_network_name(&opts.default_network)?;
        let mut exec = PluginExec::new(opts.plugin_dirs.clone(), opts.timeout);
        if let Some(ns) = &opts.host_netns {
            exec = exec.with_host_netns(NetNs::open(ns)?);
        }
        let networks = Networks::new(&opts.config_dir, &opts.default_network)
            .with_default_bridge(&opts.default_bridge, &opts.default_subnet)
            .with_ipam_data_dir(opts.ipam_data_dir.clone())
            .with_host_netns(opts.host_netns.clone());
        Ok(Self {
            opts,
            exec,
            networks,
        })
    }

    /// Network management (create, list, inspect, remove).
    pub fn networks(&self) -> &Networks {
        &self.networks
    }

    /// The plugin executor.
    pub fn exec(&self) -> &PluginExec {
        &self.exec
    }

    /// The options it was built with.
    pub fn options(&self) -> &CniOptions {
        &self.opts
    }

    fn load(&self, name: &str) -> Result<NetworkConfigList> {
        if name == self.opts.default_network {
            self.networks.ensure_default()
        } else {
            self.networks.inspect(name)
        }
    }

    /// Brings `lo` up with the loopback plugin.
    fn loopback_up(&self, container_id: &str, netns: &Path) -> Result<()> {
        let list = NetworkConfigList::from_value(
            json!({"cniVersion": "1.0.0", "name": "berth-loopback", "type": "loopback"}),
            false,
            Path::new("<loopback>"),
        )?;
        self.exec
            .add_list(&list, target(container_id, netns, "lo", CNI_ARGS), &[])
            .map(drop)
    }

    /// DEL of each attachment, last first, with the lock already held.
    fn teardown_locked(
        &self,
        container_id: &str,
        netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()> {
        let mut errors = Vec::new();
        for a in attachments.iter().rev() {
            debug!(container_id, network = %a.network, ifname = %a.interface, "CNI DEL");
            let args = a.cni_args();
            let res = NetworkConfigList::from_stored(&a.config).and_then(|list| {
                self.exec.del_list(
                    &list,
                    target(container_id, netns, &a.interface, &args),
                    &a.port_mappings,
                    a.has_result().then_some(&a.result),
                )
            });
            if let Err(e) = res {
                errors.push(e);
            }
        }
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Teardown(errors)),
        }
    }
}

fn target<'a>(
    container_id: &'a str,
    netns: &'a Path,
    ifname: &'a str,
    args: &'a str,
) -> Target<'a> {
    Target {
        container_id,
        netns: Some(netns),
        ifname,
        args,
    }
}

impl NetworkPlugin for CniNetworkPlugin {
    fn netns_path(&self, name: &str) -> PathBuf {
        self.opts.netns_dir.join(name)
    }

    fn create_netns(&self, name: &str) -> Result<PathBuf> {
        NetNs::create(&self.opts.netns_dir, name).map(|ns| ns.path().to_path_buf())
    }

    fn remove_netns(&self, path: &Path) -> Result<()> {
        // Only namespaces this layer made: a joined container's namespace
        // (mode container:) must never be unmounted through here.
        if path.parent() != Some(self.opts.netns_dir.as_path()) {
            return Err(Error::InvalidArgument {
                what: "network namespace path",
                value: path.display().to_string(),
                reason: format!("not under {}", self.opts.netns_dir.display()),
            });
        }
        NetNs::remove(path)
    }

    fn plan(
        &self,
        container_id: &str,
        networks: &[String],
        port_mappings: &[PortMapping],
    ) -> Result<Vec<NetworkAttachment>> {
        check_container_id(container_id)?;
        for (i, n) in networks.iter().enumerate() {
            if networks[..i].contains(n) {
                return Err(Error::InvalidArgument {
                    what: "network list",
                    value: networks.join(","),
                    reason: format!("network {n:?} is given twice"),
                });
            }
        }
        // Load every config first so a bad name fails before any ADD.
        networks
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let list = self.load(n)?;
                Ok(NetworkAttachment::planned(
                    &list.name,
                    &format!("eth{i}"),
                    list.raw,
                    port_mappings,
                ))
            })
            .collect()
    }

    fn setup_planned(
        &self,
        container_id: &str,
        netns: &Path,
        planned: &[NetworkAttachment],
    ) -> Result<Vec<NetworkAttachment>> {
        check_container_id(container_id)?;
        NetNs::open(netns)?;
        let lists = planned
            .iter()
            .map(|a| NetworkConfigList::from_stored(&a.config))
            .collect::<Result<Vec<_>>>()?;
        // One plugin run at a time on this host: portmap 1.1.1 creates its
        // shared top-level chains check-then-insert, so parallel first
        // ADDs duplicate the PREROUTING/OUTPUT jumps (seen in tests).
        let _lock = self.networks.lock()?;
        self.loopback_up(container_id, netns)?;
        let mut done: Vec<NetworkAttachment> = Vec::new();
        for (plan, list) in planned.iter().zip(lists) {
            debug!(container_id, network = %list.name, ifname = %plan.interface, "CNI ADD");
            let args = plan.cni_args();
            match self.exec.add_list(
                &list,
                target(container_id, netns, &plan.interface, &args),
                &plan.port_mappings,
            ) {
                Ok(result) => done.push(NetworkAttachment {
                    result,
                    ..plan.clone()
                }),
                Err(e) => {
                    // add_list already deleted its own partial attachment (and reported
                    // that DEL's failures in `e`); the earlier networks go too.
                    let del = self
                        .teardown_locked(container_id, netns, &done)
                        .err()
                        .map(Error::into_list)
                        .unwrap_or_default();
                    return Err(Error::add_failed(e, del));
                }
            }
        }
        Ok(done)
    }

    fn teardown(
        &self,
        container_id: &str,
        netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()> {
        if attachments.is_empty() {
            return Ok(());
        }
        let _lock = self.networks.lock()?;
        self.teardown_locked(container_id, netns, attachments)
    }

    fn check(
        &self,
        container_id: &str,
        netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()> {
        for a in attachments {
            let list = NetworkConfigList::from_stored(&a.config)?;
            let args = a.cni_args();
            self.exec.check_list(
                &list,
                target(container_id, netns, &a.interface, &args),
                &a.port_mappings,
                &a.result,
            )?;
        }
        Ok(())
    }

    fn reserve_ports(&self, port_mappings: &[PortMapping]) -> Result<Vec<std::os::fd::OwnedFd>> {
        crate::ports::reserve_ports(port_mappings)
    }

    fn prepare_ports(
        &self,
        wanted: &[PortMapping],
        taken: &[PortMapping],
        recorded: &[PortMapping],
    ) -> Result<crate::ports::PreparedPorts> {
        crate::ports::prepare_ports(wanted, taken, recorded)
    }

    fn status(&self) -> Result<NetworkStatus> {
        let default = self.networks.ensure_default()?;
        let mut plugins = Vec::new();
        let mut types: Vec<String> = default
            .plugins
            .iter()
            .map(|p| p.plugin_type.clone())
            .collect();
        types.push("loopback".into());
        if let Some(ipam) = default.plugins[0]
            .raw
            .get("ipam")
            .and_then(|i| i.get("type"))
        {
            types.push(ipam.as_str().unwrap_or_default().to_string());
        }
        for t in types {
            let path = self.exec.find_plugin(&t)?;
            let version = self.exec.version(&t)?;
            if t != "loopback" && !version.supported_versions.contains(&default.cni_version) {
                return Err(Error::Plugin {
                    plugin: t,
                    network: default.name.clone(),
                    command: "VERSION".into(),
                    code: 1,
                    msg: format!("plugin does not support cniVersion {}", default.cni_version),
                    details: Some(format!("supported: {:?}", version.supported_versions)),
                });
            }
            plugins.push((t, path));
        }
        Ok(NetworkStatus {
            default_network: self.opts.default_network.clone(),
            networks: self.networks.list()?.into_iter().map(|l| l.name).collect(),
            plugins,
        })
    }

    fn default_network(&self) -> &str {
        &self.opts.default_network
    }
}

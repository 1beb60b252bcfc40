//! Fakes of the network layer for the runtime crate's unit tests: [`FakeNetworkPlugin`] and
//! [`FakeNetworkManager`].
//!
//! The fake [`NetworkPlugin`]: no root, no
//! plugins, no namespaces. It records every call, tracks what is "live"
//! (namespaces, attachments) so a test can prove teardown, and fails on
//! request at any step through [`InjectFailures`], like the other layers' fakes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use berth_config::testing::{Failures, InjectFailures, Strike};

use crate::error::{Error, Result};
use crate::manager::{network_id, Network, NetworkManager, NetworkSubnet};
use crate::network::CreateNetwork;
use crate::plugin::{NetworkAttachment, NetworkPlugin, NetworkStatus};
use crate::ports::PortMapping;
use crate::result::{CniResult, Interface, IpConfig};
use crate::subnet::Subnet;

/// The operations the fake can be told to fail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FakeStep {
    /// `create_netns`.
    CreateNetns,
    /// `remove_netns`.
    RemoveNetns,
    /// `plan`.
    Plan,
    /// `setup`, before anything is attached.
    Setup,
    /// `setup`, when attaching this network (earlier ones are rolled back).
    SetupNetwork(String),
    /// `teardown`.
    Teardown,
    /// `check`.
    Check,
    /// `status`.
    Status,
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeCall {
    /// `create_netns(name)`.
    CreateNetns(String),
    /// `remove_netns(path)`.
    RemoveNetns(PathBuf),
    /// `plan(container, networks)`.
    Plan {
        /// Container id.
        container_id: String,
        /// Networks asked for.
        networks: Vec<String>,
    },
    /// `setup_planned(container, netns, networks and port mappings of the plan)`.
    Setup {
        /// Container id.
        container_id: String,
        /// Netns path.
        netns: PathBuf,
        /// Networks asked for.
        networks: Vec<String>,
        /// Port mappings.
        port_mappings: Vec<PortMapping>,
    },
    /// `teardown(container, netns, networks of the attachments)`.
    Teardown {
        /// Container id.
        container_id: String,
        /// Netns path.
        netns: PathBuf,
        /// Networks of the attachments given.
        networks: Vec<String>,
    },
    /// `check(container, networks)`.
    Check {
        /// Container id.
        container_id: String,
        /// Networks of the attachments given.
        networks: Vec<String>,
    },
    /// `status()`.
    Status,
}

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<FakeCall>,
    fail: Failures<FakeStep>,
    netns: BTreeSet<PathBuf>,
    attached: BTreeSet<(String, String)>,
    next_ip: u32,
    /// Host ports "some program" holds (`hold_port`).
    held_ports: BTreeSet<u16>,
    /// The next host port handed out for a host port of 0.
    next_port: u16,
}

/// The first host port the fake hands out for a host port of 0.
pub const FIRST_CHOSEN_PORT: u16 = 40_000;

/// The fake network plugin. Namespaces are paths under a made-up directory
/// (no files are created); every container gets `10.99.x.y` addresses.
#[derive(Debug)]
pub struct FakeNetworkPlugin {
    netns_dir: PathBuf,
    default_network: String,
    inner: Mutex<Inner>,
}

impl Default for FakeNetworkPlugin {
    fn default() -> Self {
        Self::new("berth")
    }
}

impl FakeNetworkPlugin {
    /// A fake whose default network is `default_network`.
    pub fn new(default_network: &str) -> Self {
        Self {
            netns_dir: PathBuf::from("/fake/netns"),
            default_network: default_network.to_string(),
            inner: Mutex::new(Inner {
                next_ip: 2,
                next_port: FIRST_CHOSEN_PORT,
                ..Inner::default()
            }),
        }
    }

    /// Pretends a program holds host port `port` (any protocol, any address), so
    /// `prepare_ports` refuses it.
    pub fn hold_port(&self, port: u16) {
        self.lock().held_ports.insert(port);
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<FakeCall> {
        self.lock().calls.clone()
    }

    /// Namespaces created and not removed yet.
    pub fn live_netns(&self) -> Vec<PathBuf> {
        self.lock().netns.iter().cloned().collect()
    }

    /// `(container id, network)` pairs set up and not torn down yet.
    pub fn live_attachments(&self) -> Vec<(String, String)> {
        self.lock().attached.iter().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn take_failure(inner: &mut Inner, step: &FakeStep) -> Result<()> {
    if inner.fail.strikes(step) {
        return Err(Error::Injected(format!("{step:?}")));
    }
    Ok(())
}

/// Failures by [`FakeStep`]; a failing call is recorded and returns [`Error::Injected`].
impl InjectFailures for FakeNetworkPlugin {
    type Op = FakeStep;

    fn inject(&self, step: FakeStep, strike: Strike) {
        self.lock().fail.add(step, strike);
    }

    fn clear_failure(&self, step: &FakeStep) {
        self.lock().fail.clear(step);
    }
}

impl NetworkPlugin for FakeNetworkPlugin {
    fn netns_path(&self, name: &str) -> PathBuf {
        self.netns_dir.join(name)
    }

    fn create_netns(&self, name: &str) -> Result<PathBuf> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::CreateNetns(name.to_string()));
        take_failure(&mut inner, &FakeStep::CreateNetns)?;
        let path = self.netns_dir.join(name);
        if !inner.netns.insert(path.clone()) {
            return Err(Error::Netns {
                path,
                reason: "already exists".into(),
            });
        }
        Ok(path)
    }

    fn remove_netns(&self, path: &Path) -> Result<()> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::RemoveNetns(path.to_path_buf()));
        take_failure(&mut inner, &FakeStep::RemoveNetns)?;
        inner.netns.remove(path);
        Ok(())
    }

    fn plan(
        &self,
        container_id: &str,
        networks: &[String],
        port_mappings: &[PortMapping],
    ) -> Result<Vec<NetworkAttachment>> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::Plan {
            container_id: container_id.to_string(),
            networks: networks.to_vec(),
        });
        take_failure(&mut inner, &FakeStep::Plan)?;
        Ok(networks
            .iter()
            .enumerate()
            .map(|(i, net)| {
                NetworkAttachment::planned(
                    net,
                    &format!("eth{i}"),
                    serde_json::json!({"cniVersion": "1.0.0", "name": net, "plugins": []}),
                    port_mappings,
                )
            })
            .collect())
    }

    fn setup_planned(
        &self,
        container_id: &str,
        netns: &Path,
        planned: &[NetworkAttachment],
    ) -> Result<Vec<NetworkAttachment>> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::Setup {
            container_id: container_id.to_string(),
            netns: netns.to_path_buf(),
            networks: planned.iter().map(|a| a.network.clone()).collect(),
            port_mappings: planned
                .first()
                .map(|a| a.port_mappings.clone())
                .unwrap_or_default(),
        });
        take_failure(&mut inner, &FakeStep::Setup)?;
        let mut out = Vec::new();
        for plan in planned {
            let net = &plan.network;
            if let Err(e) = take_failure(&mut inner, &FakeStep::SetupNetwork(net.clone())) {
                for a in &out {
                    let a: &NetworkAttachment = a;
                    inner
                        .attached
                        .remove(&(container_id.to_string(), a.network.clone()));
                }
                return Err(e);
            }
            let n = inner.next_ip;
            inner.next_ip += 1;
            let ifname = plan.interface.clone();
            inner
                .attached
                .insert((container_id.to_string(), net.clone()));
            out.push(NetworkAttachment {
                result: CniResult {
                    cni_version: "1.0.0".into(),
                    interfaces: vec![Interface {
                        name: ifname,
                        mac: String::new(),
                        sandbox: Some(netns.to_string_lossy().into_owned()),
                    }],
                    ips: vec![IpConfig {
                        version: None,
                        interface: Some(0),
                        address: format!("10.99.{}.{}/16", n / 250, n % 250 + 2),
                        gateway: Some("10.99.0.1".into()),
                    }],
                    ..CniResult::default()
                },
                ..plan.clone()
            });
        }
        Ok(out)
    }

    fn teardown(
        &self,
        container_id: &str,
        netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::Teardown {
            container_id: container_id.to_string(),
            netns: netns.to_path_buf(),
            networks: attachments.iter().map(|a| a.network.clone()).collect(),
        });
        take_failure(&mut inner, &FakeStep::Teardown)?;
        for a in attachments {
            inner
                .attached
                .remove(&(container_id.to_string(), a.network.clone()));
        }
        Ok(())
    }

    fn check(
        &self,
        container_id: &str,
        _netns: &Path,
        attachments: &[NetworkAttachment],
    ) -> Result<()> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::Check {
            container_id: container_id.to_string(),
            networks: attachments.iter().map(|a| a.network.clone()).collect(),
        });
        take_failure(&mut inner, &FakeStep::Check)
    }

    /// Binds nothing: the fake's containers publish no real ports.
    fn reserve_ports(&self, _port_mappings: &[PortMapping]) -> Result<Vec<std::os::fd::OwnedFd>> {
        Ok(Vec::new())
    }

    /// The real rules without sockets: a host port of 0 gets the next of 40000, 40001, ...
    /// (skipping held, taken and recorded ones); any other must be neither held
    /// (`hold_port`) nor in `taken`.
    fn prepare_ports(
        &self,
        wanted: &[PortMapping],
        taken: &[PortMapping],
        recorded: &[PortMapping],
    ) -> Result<crate::ports::PreparedPorts> {
        let mut inner = self.lock();
        let in_list = |list: &[PortMapping], p: &PortMapping| {
            list.iter()
                .any(|t| t.host_port == p.host_port && t.protocol == p.protocol)
        };
        let busy = |inner: &Inner, p: &PortMapping| {
            inner.held_ports.contains(&p.host_port) || in_list(taken, p)
        };
        let mut out = Vec::with_capacity(wanted.len());
        let mut chosen = Vec::new();
        for (i, p) in wanted.iter().enumerate() {
            let mut p = p.clone();
            if p.host_port == 0 {
                loop {
                    p.host_port = inner.next_port;
                    inner.next_port = inner.next_port.wrapping_add(1).max(FIRST_CHOSEN_PORT);
                    if !busy(&inner, &p) && !in_list(recorded, &p) && !in_list(wanted, &p) {
                        break;
                    }
                }
                chosen.push(i);
            } else if busy(&inner, &p) {
                return Err(Error::PortInUse {
                    protocol: p.protocol,
                    address: std::net::SocketAddr::new(p.bind_ip(), p.host_port),
                });
            }
            out.push(p);
        }
        Ok(crate::ports::PreparedPorts::unheld(out, chosen))
    }

    fn status(&self) -> Result<NetworkStatus> {
        let mut inner = self.lock();
        inner.calls.push(FakeCall::Status);
        take_failure(&mut inner, &FakeStep::Status)?;
        Ok(NetworkStatus {
            default_network: self.default_network.clone(),
            networks: vec![self.default_network.clone()],
            plugins: Vec::new(),
        })
    }

    fn default_network(&self) -> &str {
        &self.default_network
    }
}

/// A fake [`NetworkManager`] for the runtime crate's unit tests: networks in memory, no
/// config dir, no bridge. It keeps the real rules that callers see (names checked, a name or
/// subnet used twice refused, the default network kept, a network in use kept unless
/// forced) and records the names it was asked to create and remove.
#[derive(Debug)]
pub struct FakeNetworkManager {
    default_network: String,
    inner: Mutex<FakeNetworks>,
}

#[derive(Debug, Default)]
struct FakeNetworks {
    networks: BTreeMap<String, Network>,
    next: u8,
    calls: Vec<String>,
}

impl Default for FakeNetworkManager {
    fn default() -> Self {
        Self::new("berth")
    }
}

impl FakeNetworkManager {
    /// A fake whose default network is `default_network` (made on first use, 10.89.0.0/24).
    pub fn new(default_network: &str) -> Self {
        Self {
            default_network: default_network.to_string(),
            inner: Mutex::new(FakeNetworks::default()),
        }
    }

    /// The calls that changed something, in order: `create NAME`, `remove NAME`.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FakeNetworks> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn add(inner: &mut FakeNetworks, req: &CreateNetwork) -> Result<Network> {
        crate::config::check_network_name(&req.name)?;
        if inner.networks.contains_key(&req.name) {
            return Err(Error::NetworkExists {
                name: req.name.clone(),
                what: "a config with this name is in the config dir".into(),
            });
        }
        let subnet = match &req.subnet {
            Some(s) => Subnet::parse(s)?,
            // 10.89.0.0/24 stays the default network's.
            None => loop {
                inner.next = inner.next.wrapping_add(1).max(1);
                let cand = Subnet::parse(&format!("10.89.{}.0/24", inner.next))?;
                if !Self::overlapping(inner, cand) {
                    break cand;
                }
            },
        };
        if let Some(other) = inner.networks.values().find(|n| {
            n.subnets
                .iter()
                .any(|s| Subnet::parse(&s.subnet).is_ok_and(|o| o.overlaps(subnet)))
        }) {
            return Err(Error::NetworkExists {
                name: req.name.clone(),
                what: format!("subnet {subnet} overlaps network {:?}", other.name),
            });
        }
        let gateway = match &req.gateway {
            Some(g) => g.parse().map_err(|_| Error::InvalidArgument {
                what: "gateway",
                value: g.clone(),
                reason: "not an IPv4 address".into(),
            })?,
            None => subnet.first_host(),
        };
        let bridge = req
            .bridge
            .clone()
            .unwrap_or_else(|| format!("fake{}", inner.networks.len()));
        let net = Network {
            name: req.name.clone(),
            id: network_id(&req.name),
            driver: "bridge".into(),
            network_interface: Some(bridge),
            subnets: vec![NetworkSubnet {
                subnet: subnet.to_string(),
                gateway: Some(std::net::IpAddr::V4(gateway)),
                lease_range: None,
            }],
            ipv6_enabled: false,
            internal: req.internal,
            dns_enabled: false,
            labels: req.labels.clone(),
            options: BTreeMap::new(),
            ipam_driver: "host-local".into(),
            created: Some(std::time::SystemTime::now()),
        };
        inner.networks.insert(req.name.clone(), net.clone());
        Ok(net)
    }

    fn overlapping(inner: &FakeNetworks, cand: Subnet) -> bool {
        inner.networks.values().any(|n| {
            n.subnets
                .iter()
                .any(|s| Subnet::parse(&s.subnet).is_ok_and(|o| o.overlaps(cand)))
        })
    }

    fn not_found(name: &str) -> Error {
        Error::NetworkNotFound {
            name: name.to_string(),
            dir: PathBuf::from("/fake/cni"),
        }
    }
}

impl NetworkManager for FakeNetworkManager {
    fn default_network(&self) -> &str {
        &self.default_network
    }

    fn ensure_default(&self) -> Result<Network> {
        let mut inner = self.lock();
        if let Some(n) = inner.networks.get(&self.default_network) {
            return Ok(n.clone());
        }
        Self::add(
            &mut inner,
            &CreateNetwork {
                name: self.default_network.clone(),
                subnet: Some("10.89.0.0/24".into()),
                gateway: None,
                bridge: Some("berth0".into()),
                ..Default::default()
            },
        )
    }

    fn list(&self) -> Result<Vec<Network>> {
        Ok(self.lock().networks.values().cloned().collect())
    }

    fn inspect(&self, name: &str) -> Result<Network> {
        self.lock()
            .networks
            .get(name)
            .cloned()
            .ok_or_else(|| Self::not_found(name))
    }

    fn create(&self, req: &CreateNetwork) -> Result<Network> {
        let mut inner = self.lock();
        inner.calls.push(format!("create {}", req.name));
        Self::add(&mut inner, req)
    }

    fn remove(&self, name: &str, in_use: &[String], force: bool) -> Result<()> {
        let mut inner = self.lock();
        inner.calls.push(format!("remove {name}"));
        if name == self.default_network {
            return Err(Error::InvalidArgument {
                what: "network",
                value: name.to_string(),
                reason: "the default network cannot be removed".into(),
            });
        }
        if !inner.networks.contains_key(name) {
            return Err(Self::not_found(name));
        }
        if !in_use.is_empty() && !force {
            return Err(Error::NetworkInUse {
                name: name.to_string(),
                containers: in_use.to_vec(),
            });
        }
        inner.networks.remove(name);
        Ok(())
    }

    /// The fake hands out no addresses: no leases.
    fn leases(&self) -> Result<Vec<(String, crate::config::HostLocalLease)>> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_fails_on_request() {
        let fake = FakeNetworkPlugin::default();
        let ns = fake.create_netns("c1").unwrap();
        fake.fail_next(FakeStep::SetupNetwork("b".into()));
        let err = fake
            .setup("c1", &ns, &["a".into(), "b".into()], &[])
            .unwrap_err();
        assert!(err.to_string().contains("SetupNetwork"));
        assert!(fake.live_attachments().is_empty(), "rolled back");
        let atts = fake
            .setup(
                "c1",
                &ns,
                &["a".into(), "b".into()],
                &[PortMapping::tcp(1, 2)],
            )
            .unwrap();
        assert_eq!(atts[1].interface, "eth1");
        assert_eq!(fake.live_attachments().len(), 2);
        let json = serde_json::to_string(&atts).unwrap();
        let back: Vec<NetworkAttachment> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, atts);
        fake.teardown("c1", &ns, &back).unwrap();
        fake.remove_netns(&ns).unwrap();
        assert!(fake.live_attachments().is_empty());
        assert!(fake.live_netns().is_empty());
        assert_eq!(fake.calls().len(), 7, "{:?}", fake.calls());
    }

    #[test]
    fn the_fake_manager_keeps_the_rules() {
        let m = FakeNetworkManager::default();
        assert_eq!(
            m.ensure_default().unwrap().subnets[0].subnet,
            "10.89.0.0/24"
        );
        let req = |name: &str| CreateNetwork {
            name: name.into(),
            ..CreateNetwork::default()
        };
        let a = m.create(&req("a")).unwrap();
        assert_eq!(a.subnets[0].subnet, "10.89.1.0/24");
        assert!(matches!(
            m.create(&req("a")),
            Err(Error::NetworkExists { .. })
        ));
        assert!(m.create(&req("bad/name")).is_err());
        assert!(matches!(
            m.remove("a", &["c1".into()], false),
            Err(Error::NetworkInUse { .. })
        ));
        m.remove("a", &["c1".into()], true).unwrap();
        assert!(matches!(m.inspect("a"), Err(Error::NetworkNotFound { .. })));
        assert!(m.remove("berth", &[], true).is_err());
        assert_eq!(
            m.calls(),
            [
                "create a",
                "create a",
                "create bad/name",
                "remove a",
                "remove a",
                "remove berth"
            ]
        );
    }
}

//! A fake [`NetworkPlugin`] for the runtime crate's unit tests: no root, no
//! plugins, no namespaces. It records every call, tracks what is "live"
//! (namespaces, attachments) so a test can prove teardown, and fails on
//! request at any step through [`InjectFailures`], like the other layers' fakes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use berth_config::testing::{Failures, InjectFailures, Strike};

use crate::error::{Error, Result};
use crate::plugin::{NetworkAttachment, NetworkPlugin, NetworkStatus};
use crate::ports::PortMapping;
use crate::result::{CniResult, Interface, IpConfig};

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
}

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
                ..Inner::default()
            }),
        }
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
}

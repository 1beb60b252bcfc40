//! Unit tests with the layers' fakes: the order of operations and every failure point.

mod builder;
mod containers;
mod copy;
mod errors;
mod events;
mod failures;
mod filters;
mod health;
mod images;
mod networks;
mod options;
mod pods;
mod processes;
mod prune;
mod refresh;
mod registry;
mod run_settings;
mod single_sources;
mod volumes;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use berth_cni::testing::{FakeNetworkManager, FakeNetworkPlugin};
use berth_config::{Environment, RuntimeConfig};
use berth_oci::testing::FakeOciRuntime;
use berth_state::MemoryState;
use berth_storage::registry::testing::FakeRegistry;
use berth_storage::testing::FakeStorage;

use crate::{ContainerCreateOptions, EngineOptions, Layers, ProcessProbe, Runtime};

/// A probe whose dead pids the test chooses; every other pid is alive (unless it follows
/// a fake OCI runtime: then the processes of the containers it stopped are dead too).
#[derive(Debug, Default)]
pub(crate) struct FakeProbe {
    dead: Mutex<BTreeSet<u32>>,
    oci: Mutex<Option<Arc<FakeOciRuntime>>>,
}

impl FakeProbe {
    pub(crate) fn kill(&self, pid: u32) {
        self.dead.lock().unwrap().insert(pid);
    }

    /// The processes of containers `oci` stops count as dead.
    pub(crate) fn follow(&self, oci: Arc<FakeOciRuntime>) {
        *self.oci.lock().unwrap() = Some(oci);
    }
}

impl ProcessProbe for FakeProbe {
    fn is_alive(&self, pid: u32, _start_time: u64) -> bool {
        pid != 0
            && !self.dead.lock().unwrap().contains(&pid)
            && !self
                .oci
                .lock()
                .unwrap()
                .as_ref()
                .is_some_and(|o| o.pid_stopped(pid))
    }
}

pub(crate) struct Fx {
    pub rt: Runtime,
    pub state: Arc<MemoryState>,
    pub storage: Arc<FakeStorage>,
    pub oci: Arc<FakeOciRuntime>,
    pub net: Arc<FakeNetworkPlugin>,
    pub registry: Arc<FakeRegistry>,
    pub nets: Arc<FakeNetworkManager>,
    pub probe: Arc<FakeProbe>,
    pub dir: tempfile::TempDir,
}

pub(crate) fn config_in(dir: &std::path::Path) -> RuntimeConfig {
    let mut cfg = RuntimeConfig::defaults(&Environment::new(0)).unwrap();
    cfg.tmp_dir = dir.join("tmp");
    cfg.static_dir = dir.join("static");
    cfg.storage.graph_root = dir.join("graph");
    cfg.storage.run_root = dir.join("run");
    cfg.hooks_dir = dir.join("no-hooks");
    cfg.hooks_dir_not_exist_fatal = false;
    cfg
}

impl Fx {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(MemoryState::new());
        let storage = Arc::new(FakeStorage::with_mount_base(dir.path().join("mnt")));
        storage.add_image(
            &["busybox"],
            berth_storage::ImageConfig {
                cmd: Some(vec!["sh".into()]),
                env: vec!["PATH=/bin".into()],
                ..Default::default()
            },
        );
        let oci = Arc::new(FakeOciRuntime::new());
        let net = Arc::new(FakeNetworkPlugin::new("berth"));
        let registry = Arc::new(FakeRegistry::new());
        let nets = Arc::new(FakeNetworkManager::new("berth"));
        let probe = Arc::new(FakeProbe::default());
        let rt = Self::runtime(
            dir.path(),
            &state,
            &storage,
            &oci,
            (&net, &nets, &registry),
            &probe,
            "",
        );
        Fx {
            rt,
            state,
            storage,
            oci,
            net,
            registry,
            nets,
            probe,
            dir,
        }
    }

    #[allow(clippy::too_many_arguments)] // one per layer of the fixture
    pub(crate) fn runtime(
        dir: &std::path::Path,
        state: &Arc<MemoryState>,
        storage: &Arc<FakeStorage>,
        oci: &Arc<FakeOciRuntime>,
        (net, nets, registry): (
            &Arc<FakeNetworkPlugin>,
            &Arc<FakeNetworkManager>,
            &Arc<FakeRegistry>,
        ),
        probe: &Arc<FakeProbe>,
        namespace: &str,
    ) -> Runtime {
        let mut cfg = config_in(dir);
        cfg.namespace = namespace.to_string();
        let layers = Layers {
            state: state.clone(),
            storage: storage.clone(),
            oci: oci.clone(),
            network: net.clone(),
            registry: registry.clone(),
            networks: nets.clone(),
        };
        let engine = EngineOptions {
            probe: probe.clone(),
            ..EngineOptions::default()
        };
        Runtime::from_layers(cfg, layers, engine).unwrap()
    }

    /// Another runtime over the same layers (a second process, or after a reboot).
    pub(crate) fn again(&self) -> Runtime {
        self.in_namespace("")
    }

    /// Another runtime over the same layers, in `namespace`.
    pub(crate) fn in_namespace(&self, namespace: &str) -> Runtime {
        Self::runtime(
            self.dir.path(),
            &self.state,
            &self.storage,
            &self.oci,
            (&self.net, &self.nets, &self.registry),
            &self.probe,
            namespace,
        )
    }

    pub(crate) fn create(&self, name: &str) -> String {
        let mut o = ContainerCreateOptions::new("busybox", &["sleep", "100"]);
        o.name = Some(name.into());
        self.rt.create_container(&o).unwrap().config.id
    }

    pub(crate) fn status(&self, id: &str) -> berth_state::ContainerStatus {
        self.rt.container(id).unwrap().state.status
    }

    pub(crate) fn storage_methods(&self) -> Vec<&'static str> {
        self.storage
            .calls()
            .iter()
            .map(berth_storage::testing::Call::method)
            .collect()
    }

    pub(crate) fn net_calls(&self) -> Vec<String> {
        self.net
            .calls()
            .iter()
            .map(|c| {
                let s = format!("{c:?}");
                s.split([' ', '(', '{']).next().unwrap().to_string()
            })
            .collect()
    }

    pub(crate) fn oci_calls(&self) -> Vec<String> {
        self.oci
            .calls()
            .iter()
            .map(|c| {
                let s = format!("{c:?}");
                s.split([' ', '(', '{']).next().unwrap().to_string()
            })
            .filter(|c| c != "ExitCode")
            .collect()
    }
}

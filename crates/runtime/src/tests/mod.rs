//! Unit tests with the layers' fakes: the order of operations and every failure point.

mod builder;
mod containers;
mod copy;
mod failures;
mod networks;
mod pods;
mod processes;
mod refresh;
mod registry;
mod volumes;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use berth_cni::testing::{FakeNetworkManager, FakeNetworkPlugin};
use berth_config::{Environment, RuntimeConfig};
use berth_oci::testing::FakeOciRuntime;
use berth_state::MemoryState;
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

/// Delegates to a [`MemoryState`]; can fail the Nth `save_container_state` from now on
/// (MemoryState's own `fail_next` only reaches the next call).
#[derive(Debug)]
pub(crate) struct FlakyState {
    inner: Arc<MemoryState>,
    save_countdown: Mutex<Option<usize>>,
}

impl FlakyState {
    /// Fails the `n`th (1-based) save from now.
    pub(crate) fn fail_save(&self, n: usize) {
        *self.save_countdown.lock().unwrap() = Some(n);
    }
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $t:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&self, $($arg: $t),*) -> berth_state::Result<$ret> { self.inner.$name($($arg),*) })*
    };
}

impl berth_state::State for FlakyState {
    delegate! {
        namespace() -> String;
        set_namespace(ns: &str) -> ();
        refresh() -> ();
        close() -> ();
        add_container(c: &berth_state::ContainerConfig, s: &berth_state::ContainerState) -> ();
        remove_container(id: &str) -> ();
        container(id: &str) -> berth_state::ContainerRecord;
        has_container(id: &str) -> bool;
        lookup_container(id: &str) -> berth_state::ContainerRecord;
        all_containers() -> Vec<berth_state::ContainerRecord>;
        all_containers_in_every_namespace() -> Vec<berth_state::ContainerRecord>;
        container_state(id: &str) -> berth_state::ContainerState;
        container_dependents(id: &str) -> Vec<String>;
        add_pod(c: &berth_state::PodConfig, s: &berth_state::PodState) -> ();
        remove_pod(id: &str) -> ();
        pod(id: &str) -> berth_state::PodRecord;
        has_pod(id: &str) -> bool;
        lookup_pod(id: &str) -> berth_state::PodRecord;
        pod_containers(id: &str) -> Vec<berth_state::ContainerRecord>;
        all_pods() -> Vec<berth_state::PodRecord>;
        pod_state(id: &str) -> berth_state::PodState;
        save_pod_state(id: &str, s: &berth_state::PodState) -> ();
    }

    fn save_container_state(
        &self,
        id: &str,
        state: &berth_state::ContainerState,
    ) -> berth_state::Result<()> {
        let mut c = self.save_countdown.lock().unwrap();
        if let Some(n) = c.as_mut() {
            *n -= 1;
            if *n == 0 {
                *c = None;
                return Err(berth_state::StateError::Injected {
                    operation: "save_container_state".into(),
                });
            }
        }
        drop(c);
        self.inner.save_container_state(id, state)
    }
}

pub(crate) struct Fx {
    pub rt: Runtime,
    pub state: Arc<MemoryState>,
    pub flaky: Arc<FlakyState>,
    pub storage: Arc<FakeStorage>,
    pub oci: Arc<FakeOciRuntime>,
    pub net: Arc<FakeNetworkPlugin>,
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
        let nets = Arc::new(FakeNetworkManager::new("berth"));
        let probe = Arc::new(FakeProbe::default());
        let flaky = Arc::new(FlakyState {
            inner: state.clone(),
            save_countdown: Mutex::new(None),
        });
        let rt = Self::runtime(
            dir.path(),
            &flaky,
            &storage,
            &oci,
            (&net, &nets),
            &probe,
            "",
        );
        Fx {
            rt,
            state,
            flaky,
            storage,
            oci,
            net,
            nets,
            probe,
            dir,
        }
    }

    pub(crate) fn runtime(
        dir: &std::path::Path,
        state: &Arc<FlakyState>,
        storage: &Arc<FakeStorage>,
        oci: &Arc<FakeOciRuntime>,
        (net, nets): (&Arc<FakeNetworkPlugin>, &Arc<FakeNetworkManager>),
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
            &self.flaky,
            &self.storage,
            &self.oci,
            (&self.net, &self.nets),
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

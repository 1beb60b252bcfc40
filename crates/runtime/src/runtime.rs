//! The [`Runtime`]: the layers behind their traits, the per-boot directories, the `valid` flag,
//! `config()`, `shutdown()` and the alive check that triggers a refresh after a reboot.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use berth_cni::{NetworkManager, NetworkPlugin};
use berth_config::RuntimeConfig;
use berth_oci::hooks::HookSet;
use berth_oci::OciRuntime;
use berth_state::State;
use berth_storage::registry::ImageRegistry;
use berth_storage::Storage;

use crate::error::{Error, Result};
use crate::lock::LockGuard;

/// How long `shutdown(force)` lets each container stop before SIGKILL (the seed's CtrRemoveTimeout).
pub const CTR_REMOVE_TIMEOUT: Duration = Duration::from_secs(10);

/// The layers the runtime composes, each behind its trait.
#[derive(Clone, Debug)]
pub struct Layers {
    /// Records of containers and pods.
    pub state: Arc<dyn State>,
    /// Images and container root filesystems.
    pub storage: Arc<dyn Storage>,
    /// The OCI runtime driver (conmon + runc).
    pub oci: Arc<dyn OciRuntime>,
    /// Network namespaces and CNI.
    pub network: Arc<dyn NetworkPlugin>,
    /// Registry client: pull, push, login, logout.
    pub registry: Arc<dyn ImageRegistry>,
    /// Named networks (`network create/ls/inspect/rm`).
    pub networks: Arc<dyn NetworkManager>,
}

/// Tells whether a host process exists. The real probe asks the kernel; tests substitute one
/// whose answers they choose (fake OCI pids are not host pids).
pub trait ProcessProbe: std::fmt::Debug + Send + Sync {
    /// Whether `pid` names a live process that started at `start_time` (clock ticks after
    /// boot; `0` = not recorded, any start time matches). A pid reused by another process
    /// is not alive.
    fn is_alive(&self, pid: u32, start_time: u64) -> bool;

    /// When `pid` started, to keep beside it; `None` when unknown.
    fn start_time(&self, pid: u32) -> Option<u64> {
        let _ = pid;
        None
    }

    /// Sleeps for `timeout`, or less when the process ends first (the real probe wakes the
    /// moment it does; this default just sleeps).
    fn wait_exit(&self, pid: u32, start_time: u64, timeout: Duration) {
        let _ = (pid, start_time);
        std::thread::sleep(timeout);
    }
}

/// The real [`ProcessProbe`]: `/proc/PID/stat` (zombies and other processes that got the
/// pid count as dead) and a pidfd to wait on.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostProbe;

impl ProcessProbe for HostProbe {
    fn is_alive(&self, pid: u32, start_time: u64) -> bool {
        crate::process::is_same_live_process(pid, start_time)
    }

    fn start_time(&self, pid: u32) -> Option<u64> {
        crate::process::proc_stat(pid).map(|s| s.start_time)
    }

    /// Polls a pidfd of the process, which becomes readable when it exits.
    fn wait_exit(&self, pid: u32, start_time: u64, timeout: Duration) {
        use rustix::event::{poll, PollFd, PollFlags, Timespec};
        let Some(handle) = crate::process::ProcessHandle::open(pid, start_time) else {
            // Gone already (or the pid is someone else's): nothing to wait for. Alive but
            // no pidfd (a kernel without pidfd_open): just sleep.
            if self.is_alive(pid, start_time) {
                std::thread::sleep(timeout);
            }
            return;
        };
        let ts = Timespec {
            tv_sec: i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: timeout.subsec_nanos().into(),
        };
        let mut fds = [PollFd::new(handle.fd(), PollFlags::IN)];
        if poll(&mut fds, Some(&ts)).is_err() {
            std::thread::sleep(timeout);
        }
    }
}

/// Settings of the runtime that are not part of berth.conf: they come from the embedding
/// program (the CLI) or the tests.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The argv prefix conmon runs when a container exits; the runtime appends the container
    /// id. E.g. `["/usr/bin/berth", "--root", "...", "container", "cleanup"]`. `None`: no
    /// exit command (cleanup happens on the next command that looks at the container).
    pub exit_command: Option<Vec<String>>,
    /// The argv prefix of the healthcheck scheduler `start` spawns for a container with a
    /// healthcheck interval (the id is appended), e.g. `["/usr/bin/berth", "--root", "...",
    /// "healthcheck", "scheduler"]`. `None`: checks run only when asked for.
    pub healthcheck_command: Option<Vec<String>>,
    /// runc's `--root` (state dir), for the real OCI layer built by [`crate::RuntimeBuilder`].
    pub runtime_root: Option<PathBuf>,
    /// The cgroup file system root (`/sys/fs/cgroup`), read by `stats` and `top`.
    pub cgroup_root: PathBuf,
    /// The cgroup parent of containers created without `--cgroup-parent` (`berth`, so
    /// cgroupfs puts a container at `/berth/ID`). Recorded with each container at creation.
    pub cgroup_parent: String,
    /// Name of the pod infra image berth builds itself.
    pub infra_image: String,
    /// The catatonit binary put into the infra image.
    pub catatonit_path: PathBuf,
    /// Liveness of conmon and container pids.
    pub probe: Arc<dyn ProcessProbe>,
    /// The default seccomp profiles, most preferred first (the first that exists is used):
    /// `berth_config::seccomp_profile_candidates`.
    pub seccomp_profiles: Vec<PathBuf>,
    /// The host resolv.conf copied into containers.
    pub host_resolv_conf: PathBuf,
    /// Hook directories read after the configuration's `hooks_dir` (later ones win on equal
    /// file names), for podman's repeated `--hooks-dir`.
    pub extra_hooks_dirs: Vec<PathBuf>,
    /// Where volumes live (podman's `--volumepath`); `None` = `GRAPH_ROOT/volumes`.
    pub volume_path: Option<PathBuf>,
    /// Global flags for the OCI runtime on every call (podman's `--runtime-flag`), with their
    /// dashes.
    pub runtime_flags: Vec<String>,
    /// The OCI runtime's name as the user gave it (podman's `--runtime`: a name, or a path
    /// kept as given); `None` = the default, `runc`.
    pub oci_runtime_name: Option<String>,
    /// The configuration file the settings were read from (`info`'s
    /// `store.configFile`); set by [`crate::RuntimeBuilder::build`].
    pub config_file: Option<PathBuf>,
    /// The files read and every setting's origin (`info`'s `settings`); set by
    /// [`crate::RuntimeBuilder::build`].
    pub config_origins: crate::ConfigInfo,
    /// Where events are recorded (backend, log path, size limit).
    pub events: crate::events::EventsOptions,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            exit_command: None,
            healthcheck_command: None,
            runtime_root: None,
            cgroup_root: PathBuf::from("/sys/fs/cgroup"),
            cgroup_parent: "berth".into(),
            infra_image: crate::pod::INFRA_IMAGE.to_string(),
            catatonit_path: PathBuf::from("/usr/bin/catatonit"),
            probe: Arc::new(HostProbe),
            seccomp_profiles: berth_config::seccomp_profile_candidates(),
            host_resolv_conf: PathBuf::from("/etc/resolv.conf"),
            extra_hooks_dirs: Vec::new(),
            volume_path: None,
            oci_runtime_name: None,
            runtime_flags: Vec::new(),
            config_file: None,
            config_origins: crate::ConfigInfo::default(),
            events: crate::events::EventsOptions::default(),
        }
    }
}

/// berth's engine: containers, pods and volumes over the state, storage, OCI and network layers.
///
/// Build one with [`crate::RuntimeBuilder`] (real layers from the configuration) or
/// [`Runtime::from_layers`] (layers you built, e.g. fakes). Every method takes `&self`; a
/// `Runtime` may be shared between threads. After [`Runtime::shutdown`] every method fails
/// with [`Error::RuntimeStopped`].
pub struct Runtime {
    pub(crate) config: RuntimeConfig,
    pub(crate) state: Arc<dyn State>,
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) oci: Arc<dyn OciRuntime>,
    pub(crate) network: Arc<dyn NetworkPlugin>,
    pub(crate) networks: Arc<dyn NetworkManager>,
    /// Registry client (pull/push/login).
    pub(crate) registry: Arc<dyn ImageRegistry>,
    pub(crate) engine: EngineOptions,
    pub(crate) hooks: HookSet,
    pub(crate) lock_dir: PathBuf,
    pub(crate) refreshed: bool,
    /// The events writer and reader.
    pub(crate) events: crate::events::Eventer,
    /// Containers attached to before their start: `start` records their `attach` event
    /// after its own, in podman's order.
    pub(crate) pending_attach: std::sync::Mutex<std::collections::HashSet<String>>,
    valid: AtomicBool,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("tmp_dir", &self.config.tmp_dir)
            .field("namespace", &self.config.namespace)
            .field("valid", &self.valid)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Composes a runtime from layers already built (tests, embedders). Does what `build()`
    /// does after opening the layers: creates the tmp, lock and static dirs, sets the state's
    /// namespace and, under the `alive.lck` flock, refreshes when `alive` is missing.
    pub fn from_layers(
        config: RuntimeConfig,
        layers: Layers,
        engine: EngineOptions,
    ) -> Result<Self> {
        let lock_dir = crate::dirs::create_engine_dirs(&config)?;
        let hooks = load_hooks(&config, &engine.extra_hooks_dirs)?;
        let events = crate::events::Eventer::new(&engine.events, &config.tmp_dir)?;
        layers.state.set_namespace(&config.namespace)?;
        let mut rt = Self {
            config,
            state: layers.state,
            storage: layers.storage,
            oci: layers.oci,
            network: layers.network,
            networks: layers.networks,
            registry: layers.registry,
            engine,
            hooks,
            lock_dir,
            refreshed: false,
            events,
            pending_attach: std::sync::Mutex::default(),
            valid: AtomicBool::new(false),
        };
        rt.refreshed = rt.refresh_if_rebooted()?;
        rt.valid.store(true, Ordering::SeqCst);
        Ok(rt)
    }

    /// A copy of the resolved configuration.
    pub fn config(&self) -> Result<RuntimeConfig> {
        self.check()?;
        Ok(self.config.clone())
    }

    /// `--detach-keys`' default: containers.conf's `engine.detach_keys`, else podman's
    /// `ctrl-p,ctrl-q`.
    pub fn default_detach_keys(&self) -> &str {
        self.config
            .containers_conf
            .string("engine.detach_keys")
            .unwrap_or("ctrl-p,ctrl-q")
    }

    /// `--http-proxy`'s default: containers.conf's `containers.http_proxy`, else true.
    pub fn default_http_proxy(&self) -> bool {
        self.config
            .containers_conf
            .bool("containers.http_proxy")
            .unwrap_or(true)
    }

    /// The engine options this runtime was made with.
    pub fn engine_options(&self) -> Result<EngineOptions> {
        self.check()?;
        Ok(self.engine.clone())
    }

    /// Whether building this runtime ran the refresh (the `alive` file was missing).
    pub fn refreshed(&self) -> bool {
        self.refreshed
    }

    /// The libpod namespace this runtime works in (`""` = all).
    pub fn namespace(&self) -> Result<&str> {
        self.check()?;
        Ok(&self.config.namespace)
    }

    /// Fails with [`Error::RuntimeStopped`] after shutdown.
    pub(crate) fn check(&self) -> Result<()> {
        if self.valid.load(Ordering::SeqCst) {
            Ok(())
        } else {
            Err(Error::RuntimeStopped)
        }
    }

    /// Shuts the runtime down. With `force`, stops every container of the namespace first
    /// (10 s each, then SIGKILL). Shuts storage down (`force` as given; without force,
    /// mounted root filesystems are left alone, not an error) and closes the state. Returns the first error and logs the others; afterwards every method fails
    /// with [`Error::RuntimeStopped`].
    pub fn shutdown(&self, force: bool) -> Result<()> {
        if !self.valid.swap(false, Ordering::SeqCst) {
            return Err(Error::RuntimeStopped);
        }
        let mut errors: Vec<Error> = Vec::new();
        if force {
            match self.state.all_containers() {
                Ok(all) => {
                    for rec in all {
                        if let Err(e) = self.stop_inner(&rec.config.id, Some(CTR_REMOVE_TIMEOUT)) {
                            errors.push(e);
                        }
                    }
                }
                Err(e) => errors.push(e.into()),
            }
        }
        match self.storage.shutdown(force) {
            Ok(()) => {}
            // Without force, root filesystems still mounted (by running containers, maybe of
            // other processes) are not this runtime's business: the store stays as it is.
            Err(berth_storage::Error::Busy(what)) if !force => {
                tracing::debug!(%what, "storage busy at shutdown; left as is");
            }
            Err(e) => errors.push(e.into()),
        }
        if let Err(e) = self.state.close() {
            errors.push(e.into());
        }
        let mut it = errors.into_iter();
        let first = it.next();
        for e in it {
            tracing::error!(error = %e, "shutting the runtime down");
        }
        first.map_or(Ok(()), Err)
    }

    /// The OCI runtime's name as recorded with new containers (podman's `OCIRuntime`).
    pub(crate) fn oci_runtime_name(&self) -> String {
        self.engine
            .oci_runtime_name
            .clone()
            .unwrap_or_else(|| "runc".to_owned())
    }

    /// Directory of a container's per-boot files (bundle: `config.json`, conmon's files).
    pub(crate) fn bundle_dir(&self, id: &str) -> PathBuf {
        self.config.tmp_dir.join("containers").join(id)
    }

    /// Directory of a container's persistent files (its log).
    pub(crate) fn static_container_dir(&self, id: &str) -> PathBuf {
        self.config.static_dir.join("containers").join(id)
    }

    /// The container's lock file.
    pub(crate) fn lock_container(&self, id: &str) -> Result<LockGuard> {
        LockGuard::exclusive(&self.lock_dir.join(format!("{id}.lock")))
    }

    /// The pod's lock file.
    pub(crate) fn lock_pod(&self, id: &str) -> Result<LockGuard> {
        LockGuard::exclusive(&self.lock_dir.join(format!("pod-{id}.lock")))
    }

    /// The alive file (missing = refresh needed).
    pub fn alive_path(&self) -> PathBuf {
        alive_path(&self.config.tmp_dir)
    }

    /// The per-boot tmp dir.
    pub(crate) fn tmp_dir(&self) -> &Path {
        &self.config.tmp_dir
    }
}

pub(crate) fn alive_path(tmp_dir: &Path) -> PathBuf {
    tmp_dir.join("alive")
}

fn load_hooks(config: &RuntimeConfig, extra: &[PathBuf]) -> Result<HookSet> {
    let dirs: Vec<PathBuf> = std::iter::once(&config.hooks_dir)
        .filter(|d| !d.as_os_str().is_empty())
        .chain(extra)
        .cloned()
        .collect();
    if dirs.is_empty() {
        return Ok(HookSet::default());
    }
    Ok(HookSet::load(&dirs, config.hooks_dir_not_exist_fatal)?)
}

#[cfg(test)]
mod probe_tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn the_host_probe_wakes_when_the_process_ends() {
        let mut child = std::process::Command::new("sleep")
            .arg("0.2")
            .spawn()
            .expect("sleep(1) is needed");
        let pid = child.id();
        assert!(HostProbe.is_alive(pid, 0));
        let start = Instant::now();
        HostProbe.wait_exit(pid, 0, Duration::from_secs(20));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{:?}",
            start.elapsed()
        );
        // Ended but not reaped: a zombie counts as gone.
        assert!(!HostProbe.is_alive(pid, 0));
        child.wait().unwrap();
        let start = Instant::now();
        HostProbe.wait_exit(pid, 0, Duration::from_secs(20));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "a gone pid does not wait"
        );
    }
}

//! [`RuntimeBuilder`]: the seed's functional options (each validated) and `makeRuntime`'s
//! order of construction.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use berth_config::{
    CgroupManager, ConfigLoader, ConfigOptions, Environment, NameKind, StateType, StorageConfig,
    StorageDriver,
};

use crate::error::{Error, Result};
use crate::runtime::{EngineOptions, Layers, Runtime};

/// Builds a [`Runtime`] from berth's configuration: built-in defaults, then the discovered
/// (or given) berth.conf, then the options set here. Every option checks its value; the
/// first invalid one is reported by [`RuntimeBuilder::build`].
#[derive(Debug, Clone)]
pub struct RuntimeBuilder {
    env: Environment,
    file: Option<PathBuf>,
    options: ConfigOptions,
    engine: EngineOptions,
    default_bridge: Option<(String, String)>,
    ipam_data_dir: Option<PathBuf>,
    lazy_state: bool,
    events_backend_given: bool,
    error: Option<(&'static str, String)>,
}

impl Default for RuntimeBuilder {
    fn default() -> Self {
        Self::new()
    }
}

fn absolute(option: &'static str, p: &Path) -> std::result::Result<(), (&'static str, String)> {
    if p.as_os_str().is_empty() {
        return Err((option, "the path is empty; give an absolute path".into()));
    }
    if !p.is_absolute() {
        return Err((
            option,
            format!("{} is relative; give an absolute path", p.display()),
        ));
    }
    Ok(())
}

impl RuntimeBuilder {
    /// A builder for this process's environment (user, `XDG_*`, `BERTH_CONFIG`).
    pub fn new() -> Self {
        Self::with_environment(Environment::from_process())
    }

    /// A builder for the given environment (tests, embedders).
    pub fn with_environment(env: Environment) -> Self {
        Self {
            env,
            file: None,
            options: ConfigOptions::default(),
            engine: EngineOptions::default(),
            default_bridge: None,
            ipam_data_dir: None,
            lazy_state: false,
            events_backend_given: false,
            error: None,
        }
    }

    fn fail(mut self, e: std::result::Result<(), (&'static str, String)>) -> Self {
        if let Err(e) = e {
            if self.error.is_none() {
                self.error = Some(e);
            }
        }
        self
    }

    fn path_option(
        self,
        option: &'static str,
        p: &Path,
        set: impl FnOnce(&mut ConfigOptions, PathBuf),
    ) -> Self {
        let check = absolute(option, p);
        let mut me = self.fail(check);
        set(&mut me.options, p.to_path_buf());
        me
    }

    fn paths_option(
        self,
        option: &'static str,
        ps: &[PathBuf],
        set: impl FnOnce(&mut ConfigOptions, Vec<PathBuf>),
    ) -> Self {
        let check = if ps.is_empty() {
            Err((
                option,
                "the list is empty; give at least one path".to_string(),
            ))
        } else {
            ps.iter().try_for_each(|p| absolute(option, p))
        };
        let mut me = self.fail(check);
        set(&mut me.options, ps.to_vec());
        me
    }

    /// Storage locations and driver (the seed's WithStorageConfig).
    pub fn storage_config(self, storage: StorageConfig) -> Self {
        let check = absolute("storage graph_root", &storage.graph_root)
            .and_then(|()| absolute("storage run_root", &storage.run_root));
        let mut me = self.fail(check);
        me.options.graph_root = Some(storage.graph_root);
        me.options.run_root = Some(storage.run_root);
        me.options.storage_driver = Some(storage.driver);
        me
    }

    /// Only the storage driver.
    pub fn storage_driver(mut self, driver: StorageDriver) -> Self {
        self.options.storage_driver = Some(driver);
        self
    }

    /// The mounts.conf to read in place of podman's (`--default-mounts-file`).
    pub fn default_mounts_file(self, path: impl AsRef<Path>) -> Self {
        self.path_option("default mounts file", path.as_ref(), |o, p| {
            o.default_mounts_file = Some(p);
        })
    }

    /// Only the storage graph root (`--root`).
    pub fn graph_root(self, dir: impl AsRef<Path>) -> Self {
        self.path_option("storage graph_root", dir.as_ref(), |o, p| {
            o.graph_root = Some(p);
        })
    }

    /// Only the storage run root (`--runroot`).
    pub fn run_root(self, dir: impl AsRef<Path>) -> Self {
        self.path_option("storage run_root", dir.as_ref(), |o, p| {
            o.run_root = Some(p);
        })
    }

    /// Persistent directory of the state database and container logs.
    pub fn static_dir(self, dir: impl AsRef<Path>) -> Self {
        self.path_option("static_dir", dir.as_ref(), |o, p| o.static_dir = Some(p))
    }

    /// Per-boot directory (should be a tmpfs): alive file, locks, exit files, netns, bundles.
    pub fn tmp_dir(self, dir: impl AsRef<Path>) -> Self {
        self.path_option("tmp_dir", dir.as_ref(), |o, p| o.tmp_dir = Some(p))
    }

    /// libpod namespace (`""` = see everything).
    pub fn namespace(mut self, ns: &str) -> Self {
        let check = if ns.is_empty() || berth_config::is_valid_name(NameKind::Container, ns) {
            Ok(())
        } else {
            Err((
                "namespace",
                format!("{ns:?} must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (or be empty)"),
            ))
        };
        self.options.namespace = Some(ns.to_string());
        self.fail(check)
    }

    /// State backend: `Memory` (nothing persists) or `Redb`.
    pub fn state_type(mut self, t: StateType) -> Self {
        self.options.state_type = Some(t);
        self
    }

    /// Candidate OCI runtime binaries; the first usable one is taken.
    pub fn runtime_paths(self, paths: &[PathBuf]) -> Self {
        self.paths_option("runtime_path", paths, |o, p| o.runtime_path = Some(p))
    }

    /// Candidate conmon binaries; the first usable one is taken.
    pub fn conmon_paths(self, paths: &[PathBuf]) -> Self {
        self.paths_option("conmon_path", paths, |o, p| o.conmon_path = Some(p))
    }

    /// cgroup manager.
    pub fn cgroup_manager(mut self, m: CgroupManager) -> Self {
        self.options.cgroup_manager = Some(m);
        self
    }

    /// The cgroup parent of containers created without one of their own (cgroupfs;
    /// `berth` by default). A relative name such as `berth` or `tests/a1`.
    pub fn default_cgroup_parent(mut self, parent: &str) -> Self {
        let p = parent.trim_matches('/');
        let check = if p.is_empty() || p.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            Err(("cgroup_parent", format!("{parent:?} is not a cgroup path")))
        } else {
            Ok(())
        };
        self.engine.cgroup_parent = p.to_string();
        self.fail(check)
    }

    /// CNI configuration directory.
    pub fn cni_config_dir(self, dir: impl AsRef<Path>) -> Self {
        self.path_option("cni_config_dir", dir.as_ref(), |o, p| {
            o.cni_config_dir = Some(p);
        })
    }

    /// CNI plugin directories.
    pub fn cni_plugin_dirs(self, dirs: &[PathBuf]) -> Self {
        self.paths_option("cni_plugin_dir", dirs, |o, p| o.cni_plugin_dir = Some(p))
    }

    /// Name of the default CNI network.
    pub fn default_network(mut self, name: &str) -> Self {
        let check = if berth_config::is_valid_name(NameKind::Network, name) {
            Ok(())
        } else {
            Err((
                "cni_default_network",
                format!("{name:?} must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"),
            ))
        };
        self.options.cni_default_network = Some(name.to_string());
        self.fail(check)
    }

    /// Bridge name and subnet of the default network when berth writes its conflist
    /// (tests use their own so they never touch `berth0`).
    pub fn default_bridge(mut self, bridge: &str, subnet: &str) -> Self {
        let check = if bridge.is_empty() || bridge.len() > 15 {
            Err((
                "default_bridge",
                format!("{bridge:?}: a bridge name has 1 to 15 characters"),
            ))
        } else if !subnet.contains('/') {
            Err((
                "default_subnet",
                format!("{subnet:?}: use CIDR, e.g. 10.89.0.0/24"),
            ))
        } else {
            Ok(())
        };
        self.default_bridge = Some((bridge.to_string(), subnet.to_string()));
        self.fail(check)
    }

    /// Only the default bridge's base name: the default network's bridge is `BASE0`
    /// (`BASE1`, ... when that name or berth's default subnet is taken on the host), the
    /// subnet is containers.conf's `network.default_subnet`, else berth's default. Tests use it to run the default-network logic
    /// without touching `berth0`.
    pub fn default_bridge_base(self, base: &str) -> Self {
        let bridge = format!("{base}0");
        let check = if base.is_empty()
            || bridge.len() > 12
            || base.ends_with(|c: char| c.is_ascii_digit())
        {
            Err((
                "default_bridge",
                format!("{base:?}: a bridge base name has 1 to 11 characters and does not end in a digit"),
            ))
        } else {
            Ok(())
        };
        // The subnet is left to containers.conf's `default_subnet`, else berth's default.
        let mut b = self.default_bridge(&bridge, berth_cni::network::DEFAULT_SUBNET);
        if let Some((_, subnet)) = &mut b.default_bridge {
            subnet.clear();
        }
        b.fail(check)
    }

    /// host-local IPAM's data directory (written into generated conflists).
    pub fn ipam_data_dir(self, dir: impl AsRef<Path>) -> Self {
        let check = absolute("ipam_data_dir", dir.as_ref());
        let mut me = self.fail(check);
        me.ipam_data_dir = Some(dir.as_ref().to_path_buf());
        me
    }

    /// Signature policy (policy.json) path.
    pub fn signature_policy_path(self, path: impl AsRef<Path>) -> Self {
        self.path_option("signature_policy_path", path.as_ref(), |o, p| {
            o.signature_policy_path = Some(p);
        })
    }

    /// OCI hooks directory. Setting it makes a missing directory an error
    /// (`hooks_dir_not_exist_fatal`); an empty path is an error.
    pub fn hooks_dir(self, dir: impl AsRef<Path>) -> Self {
        let mut me = self.path_option("hooks_dir", dir.as_ref(), |o, p| o.hooks_dir = Some(p));
        me.options.hooks_dir_not_exist_fatal = Some(true);
        me
    }

    /// Several hook directories (podman's repeated `--hooks-dir`): the first is `hooks_dir`,
    /// the others are read after it, later ones winning on equal file names.
    pub fn hooks_dirs(self, dirs: &[PathBuf]) -> Self {
        let Some((first, rest)) = dirs.split_first() else {
            return self.hooks_dir("");
        };
        let mut me = self.hooks_dir(first);
        for d in rest {
            me = me.fail(absolute("hooks_dir", d));
        }
        me.engine.extra_hooks_dirs = rest.to_vec();
        me
    }

    /// The configuration file to load instead of the discovered one (the seed's
    /// NewRuntimeFromConfig); it must exist.
    pub fn config_file(self, path: impl AsRef<Path>) -> Self {
        let check = absolute("config_file", path.as_ref()).or_else(|e| {
            // A relative path is fine for a file named on a command line.
            if path.as_ref().as_os_str().is_empty() {
                Err(e)
            } else {
                Ok(())
            }
        });
        let mut me = self.fail(check);
        me.file = Some(path.as_ref().to_path_buf());
        me
    }

    /// The argv prefix conmon runs when a container exits (the id is appended), e.g.
    /// `["/usr/bin/berth", "--root", "/var/lib/berth", "container", "cleanup"]`.
    pub fn exit_command(mut self, argv: Vec<String>) -> Self {
        let check = match argv.first() {
            Some(p) if Path::new(p).is_absolute() => Ok(()),
            Some(p) => Err((
                "exit_command",
                format!("{p:?} is not an absolute path; conmon runs it without a PATH search"),
            )),
            None => Err(("exit_command", "the command is empty".to_string())),
        };
        self.engine.exit_command = Some(argv);
        self.fail(check)
    }

    /// The argv prefix of the healthcheck scheduler (the id is appended); see
    /// [`crate::EngineOptions::healthcheck_command`].
    pub fn healthcheck_command(mut self, argv: Vec<String>) -> Self {
        let check = match argv.first() {
            Some(p) if Path::new(p).is_absolute() => Ok(()),
            Some(p) => Err((
                "healthcheck_command",
                format!("{p:?} is not an absolute path"),
            )),
            None => Err(("healthcheck_command", "the command is empty".to_string())),
        };
        self.engine.healthcheck_command = Some(argv);
        self.fail(check)
    }

    /// runc's `--root` (its state directory).
    pub fn runtime_root(self, dir: impl AsRef<Path>) -> Self {
        let check = absolute("runtime_root", dir.as_ref());
        let mut me = self.fail(check);
        me.engine.runtime_root = Some(dir.as_ref().to_path_buf());
        me
    }

    /// Where volumes live instead of `GRAPH_ROOT/volumes` (podman's `--volumepath`).
    pub fn volume_path(self, dir: impl AsRef<Path>) -> Self {
        let check = absolute("volume_path", dir.as_ref());
        let mut me = self.fail(check);
        me.engine.volume_path = Some(dir.as_ref().to_path_buf());
        me
    }

    /// The OCI runtime's name as the user gave it (`--runtime runc` or a path), recorded
    /// with each container created (inspect's `OCIRuntime`).
    pub fn oci_runtime_name(mut self, name: &str) -> Self {
        self.engine.oci_runtime_name = Some(name.to_owned());
        self
    }

    /// Global flags for the OCI runtime on every call (podman's `--runtime-flag`): `debug`
    /// becomes `--debug`, `log-format=json` `--log-format=json`; a flag given with its
    /// dashes is kept.
    pub fn runtime_flags(mut self, flags: &[String]) -> Self {
        self.engine.runtime_flags = flags
            .iter()
            .map(|f| {
                if f.starts_with('-') {
                    f.clone()
                } else {
                    format!("--{f}")
                }
            })
            .collect();
        self
    }

    /// Where events go (podman's `--events-backend`); without it, containers.conf's
    /// `engine.events_logger`, else `file`.
    pub fn events_backend(mut self, backend: crate::events::EventsBackend) -> Self {
        self.engine.events.backend = backend;
        self.events_backend_given = true;
        self
    }

    /// The `file` backend's log (podman's `events_logfile_path`); default
    /// `TMP/events/events.log`.
    pub fn events_log_path(self, path: impl AsRef<Path>) -> Self {
        let check = absolute("events_log_path", path.as_ref());
        let mut me = self.fail(check);
        me.engine.events.log_path = Some(path.as_ref().to_path_buf());
        me
    }

    /// Rotate the events log when it would reach `bytes` (podman's
    /// `events_logfile_max_size`; 0 = never).
    pub fn events_log_max_size(mut self, bytes: u64) -> Self {
        self.engine.events.max_size = bytes;
        self
    }

    /// Opens the state database (redb) on its first use instead of in `build`: a runtime
    /// used only for images (list, import, tag, ...) then never opens it. Errors of opening
    /// it come from the first call that needs it. No effect on the memory state.
    pub fn lazy_state(mut self) -> Self {
        self.lazy_state = true;
        self
    }

    /// Every engine option at once (cgroup root, infra image, probe, ...).
    pub fn engine_options(mut self, engine: EngineOptions) -> Self {
        self.engine = engine;
        self
    }

    /// The configuration options gathered so far.
    pub fn config_options(&self) -> &ConfigOptions {
        &self.options
    }

    /// Resolves the configuration without opening anything.
    pub fn resolve_config(&self) -> Result<berth_config::LoadedConfig> {
        if let Some((option, reason)) = &self.error {
            return Err(Error::InvalidOption {
                option,
                reason: reason.clone(),
            });
        }
        let mut loader = ConfigLoader::new(self.env.clone()).options(self.options.clone());
        if let Some(f) = &self.file {
            loader = loader.file(f);
        }
        Ok(loader.load()?)
    }

    /// Builds the runtime in the seed's order: find the OCI runtime, find conmon, open
    /// storage, create the tmp, lock and static dirs, make the OCI driver, set up CNI, open
    /// the state, set the namespace, then refresh under `alive.lck` when `alive` is missing.
    /// A failure part-way shuts down what was opened.
    pub fn build(mut self) -> Result<Runtime> {
        let loaded = self.resolve_config()?;
        self.engine.config_origins = crate::ConfigInfo::from(&loaded);
        if self.engine.volume_path.is_none() {
            let conf = &loaded.config.containers_conf;
            self.engine.volume_path = conf.string("engine.volume_path").map(PathBuf::from);
        }
        if !self.events_backend_given {
            if let Some(b) = loaded.config.containers_conf.string("engine.events_logger") {
                self.engine.events.backend = b.parse()?;
            }
        }
        self.engine.config_file = loaded.file;
        let cfg = loaded.config;
        let runtime_path = berth_config::find_binary("OCI runtime", &cfg.runtime_path)?;
        let conmon_path = berth_config::find_binary("conmon", &cfg.conmon_path)?;

        let store = berth_storage::Store::open(berth_storage::StoreOptions {
            graph_root: cfg.storage.graph_root.clone(),
            run_root: cfg.storage.run_root.clone(),
            driver: match cfg.storage.driver {
                StorageDriver::Overlay => berth_storage::Driver::Overlay,
                StorageDriver::Vfs => berth_storage::Driver::Vfs,
            },
        })?
        .with_short_name_rules(crate::images::short_name_rules());
        let store = Arc::new(store);
        let registry = Arc::new(berth_storage::registry::StoreRegistry::new(Arc::clone(
            &store,
        )));
        let storage: Arc<dyn berth_storage::Storage> = store;
        let release_storage = |e: Error| -> Error {
            // Not forced: another process may use the same store.
            if let Err(se) = storage.shutdown(false) {
                return e.with_undo(vec![se.into()]);
            }
            e
        };

        if let Err(e) = crate::dirs::create_engine_dirs(&cfg) {
            return Err(release_storage(e));
        }

        let mut oci_cfg = berth_oci::RuncConmonConfig::new(runtime_path, conmon_path, &cfg.tmp_dir);
        oci_cfg.conmon_env_vars.clone_from(&cfg.conmon_env_vars);
        // containers.conf's `engine.env`: the environment of berth's helpers (conmon, the
        // OCI runtime, the exit command), over `conmon_env_vars`.
        oci_cfg
            .conmon_env_vars
            .extend(cfg.containers_conf.strings("engine.env").iter().cloned());
        // conmon's exit command is berth again: it must read the same podman files.
        for var in [
            berth_config::CONTAINERS_CONF_ENV_VAR,
            berth_config::CONTAINERS_CONF_OVERRIDE_ENV_VAR,
            berth_config::STORAGE_CONF_ENV_VAR,
        ] {
            if let Some(v) = self.env.var(var) {
                oci_cfg.conmon_env_vars.push(format!("{var}={v}"));
            }
        }
        oci_cfg.cgroup_manager = match cfg.cgroup_manager {
            CgroupManager::Systemd => berth_oci::CgroupManager::Systemd,
            CgroupManager::Cgroupfs => berth_oci::CgroupManager::Cgroupfs,
        };
        oci_cfg.runtime_root.clone_from(&self.engine.runtime_root);
        oci_cfg.max_log_size = (cfg.max_log_size > 0).then_some(cfg.max_log_size);
        oci_cfg.no_pivot_root = cfg.no_pivot_root;
        oci_cfg.runtime_flags.clone_from(&self.engine.runtime_flags);
        let oci: Arc<dyn berth_oci::OciRuntime> = match berth_oci::RuncConmon::new(oci_cfg) {
            Ok(o) => Arc::new(o),
            Err(e) => return Err(release_storage(e.into())),
        };

        let mut cni_opts = berth_cni::CniOptions::new(
            cfg.cni_config_dir.clone(),
            cfg.cni_plugin_dir.clone(),
            cfg.tmp_dir.join("netns"),
        );
        cni_opts
            .default_network
            .clone_from(&cfg.cni_default_network);
        // `network.default_subnet` under the subnet given in code (tests).
        if let Some(subnet) = cfg.containers_conf.string("network.default_subnet") {
            subnet.clone_into(&mut cni_opts.default_subnet);
        }
        if let Some((bridge, subnet)) = &self.default_bridge {
            cni_opts.default_bridge.clone_from(bridge);
            if !subnet.is_empty() {
                cni_opts.default_subnet.clone_from(subnet);
            }
        }
        cni_opts.ipam_data_dir.clone_from(&self.ipam_data_dir);
        let (network, networks): (Arc<dyn berth_cni::NetworkPlugin>, _) =
            match berth_cni::CniNetworkPlugin::new(cni_opts) {
                Ok(n) => {
                    let networks = n.networks().clone();
                    (Arc::new(n), networks)
                }
                Err(e) => return Err(release_storage(e.into())),
            };

        let state: Arc<dyn berth_state::State> = match cfg.state_type {
            StateType::Memory => Arc::new(berth_state::MemoryState::with_namespace(&cfg.namespace)),
            StateType::Redb if self.lazy_state => Arc::new(crate::lazy_state::LazyState::new(
                cfg.static_dir.clone(),
                &cfg.namespace,
            )),
            StateType::Redb => {
                match berth_state::RedbState::open(&cfg.static_dir, &cfg.namespace) {
                    Ok(s) => Arc::new(s),
                    Err(e) => return Err(release_storage(e.into())),
                }
            }
        };

        let layers = Layers {
            state: Arc::clone(&state),
            storage: Arc::clone(&storage),
            oci,
            network,
            registry,
            networks: Arc::new(networks),
        };
        match Runtime::from_layers(cfg, layers, self.engine) {
            Ok(rt) => Ok(rt),
            Err(e) => {
                let mut undo = Vec::new();
                if let Err(se) = state.close() {
                    undo.push(se.into());
                }
                if let Err(se) = storage.shutdown(false) {
                    undo.push(se.into());
                }
                Err(e.with_undo(undo))
            }
        }
    }
}

//! [`RuntimeConfig`], its keys, value origins and code options.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::types::{CgroupManager, StateType, StorageConfig, StorageDriver};

/// The resolved configuration of a berth runtime: the seed's `RuntimeConfig`
/// with libpod.conf's keys, plus storage options.
///
/// Build one with [`crate::ConfigLoader`] (defaults, file, options) or
/// [`RuntimeConfig::defaults`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// Transport prefix for image names without one (`image_default_transport`).
    pub image_default_transport: String,
    /// Signature policy used when pulling (`signature_policy_path`).
    pub signature_policy_path: PathBuf,
    /// State backend (code only, not read from the file).
    pub state_type: StateType,
    /// OCI runtime candidates; the first usable one is used (`runtime_path`).
    pub runtime_path: Vec<PathBuf>,
    /// conmon candidates; the first usable one is used (`conmon_path`).
    pub conmon_path: Vec<PathBuf>,
    /// `KEY=VALUE` environment given to conmon (`conmon_env_vars`).
    pub conmon_env_vars: Vec<String>,
    /// Cgroup manager (`cgroup_manager`).
    pub cgroup_manager: CgroupManager,
    /// Persistent engine files, the state database (`static_dir`).
    pub static_dir: PathBuf,
    /// Per-boot files on a tmpfs (`tmp_dir`).
    pub tmp_dir: PathBuf,
    /// Maximum container log size in bytes, -1 for no limit (`max_log_size`).
    pub max_log_size: i64,
    /// Default maximum number of processes in a container, 0 or -1 for no limit
    /// (`pids_limit`, containers.conf's key; podman's default 2048).
    pub pids_limit: i64,
    /// Tell the OCI runtime not to use pivot_root (`no_pivot_root`).
    pub no_pivot_root: bool,
    /// Directory of CNI network configurations (`cni_config_dir`).
    pub cni_config_dir: PathBuf,
    /// Directories searched for CNI plugins, in order (`cni_plugin_dir`).
    pub cni_plugin_dir: Vec<PathBuf>,
    /// Directory of OCI hook definitions (`hooks_dir`).
    pub hooks_dir: PathBuf,
    /// Network attached when none is named (`cni_default_network`).
    pub cni_default_network: String,
    /// Whether a missing hooks dir is an error rather than a warning (`hooks_dir_not_exist_fatal`).
    pub hooks_dir_not_exist_fatal: bool,
    /// The namespace containers and pods are created in and listed from; "" is none (`namespace`).
    pub namespace: String,
    /// Storage locations and driver (`[storage]` table).
    pub storage: StorageConfig,
    /// Default mounts file, for tests only (code only, not read from the file).
    pub default_mounts_file: Option<PathBuf>,
    /// The containers.conf keys berth applies, with the file of each; the
    /// per-container defaults (`containers.env`, `containers.default_ulimits`, ...).
    pub containers_conf: crate::ContainersConf,
}

/// One configuration key. [`Key::name`] is its spelling in the file
/// (dotted for the `[storage]` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Key {
    ImageDefaultTransport,
    SignaturePolicyPath,
    StateType,
    RuntimePath,
    ConmonPath,
    ConmonEnvVars,
    CgroupManager,
    StaticDir,
    TmpDir,
    MaxLogSize,
    PidsLimit,
    NoPivotRoot,
    CniConfigDir,
    CniPluginDir,
    HooksDir,
    CniDefaultNetwork,
    HooksDirNotExistFatal,
    Namespace,
    GraphRoot,
    RunRoot,
    StorageDriver,
    DefaultMountsFile,
}

impl Key {
    /// Every key, in documentation order.
    pub const ALL: [Key; 22] = [
        Key::ImageDefaultTransport,
        Key::SignaturePolicyPath,
        Key::StateType,
        Key::RuntimePath,
        Key::ConmonPath,
        Key::ConmonEnvVars,
        Key::CgroupManager,
        Key::StaticDir,
        Key::TmpDir,
        Key::MaxLogSize,
        Key::PidsLimit,
        Key::NoPivotRoot,
        Key::CniConfigDir,
        Key::CniPluginDir,
        Key::HooksDir,
        Key::CniDefaultNetwork,
        Key::HooksDirNotExistFatal,
        Key::Namespace,
        Key::GraphRoot,
        Key::RunRoot,
        Key::StorageDriver,
        Key::DefaultMountsFile,
    ];

    /// The key as written in the file (`storage.graph_root` for the storage table).
    pub fn name(self) -> &'static str {
        match self {
            Key::ImageDefaultTransport => "image_default_transport",
            Key::SignaturePolicyPath => "signature_policy_path",
            Key::StateType => "state_type",
            Key::RuntimePath => "runtime_path",
            Key::ConmonPath => "conmon_path",
            Key::ConmonEnvVars => "conmon_env_vars",
            Key::CgroupManager => "cgroup_manager",
            Key::StaticDir => "static_dir",
            Key::TmpDir => "tmp_dir",
            Key::MaxLogSize => "max_log_size",
            Key::PidsLimit => "pids_limit",
            Key::NoPivotRoot => "no_pivot_root",
            Key::CniConfigDir => "cni_config_dir",
            Key::CniPluginDir => "cni_plugin_dir",
            Key::HooksDir => "hooks_dir",
            Key::CniDefaultNetwork => "cni_default_network",
            Key::HooksDirNotExistFatal => "hooks_dir_not_exist_fatal",
            Key::Namespace => "namespace",
            Key::GraphRoot => "storage.graph_root",
            Key::RunRoot => "storage.run_root",
            Key::StorageDriver => "storage.driver",
            Key::DefaultMountsFile => "default_mounts_file",
        }
    }

    /// Whether the key can be set in the configuration file (`state_type`
    /// and `default_mounts_file` are code-only, like in the seed).
    pub fn in_file(self) -> bool {
        !matches!(self, Key::StateType | Key::DefaultMountsFile)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// A configuration file (the path as the configuration names it).
    File(PathBuf),
    /// An option given in code or on the command line.
    Option,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File(p) => write!(f, "file {}", p.display()),
            Origin::Option => f.write_str("option"),
        }
    }
}

/// The origin of every key of a [`RuntimeConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins {
    map: BTreeMap<Key, Origin>,
}

impl Default for Origins {
    /// Every key from [`Origin::Default`].
    fn default() -> Self {
        Self {
            map: Key::ALL.iter().map(|k| (*k, Origin::Default)).collect(),
        }
    }
}

impl Origins {
    /// Where `key`'s value came from.
    pub fn get(&self, key: Key) -> &Origin {
        self.map.get(&key).unwrap_or(&Origin::Default)
    }

    /// Records where `key`'s value came from.
    pub fn set(&mut self, key: Key, origin: Origin) {
        self.map.insert(key, origin);
    }

    /// Every key and its origin, in [`Key`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Key, &Origin)> {
        self.map.iter().map(|(k, o)| (*k, o))
    }
}

/// Values that replace the defaults or the file: every field `None` leaves
/// the value alone. The configuration file is read into one of these too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct ConfigOptions {
    pub image_default_transport: Option<String>,
    pub signature_policy_path: Option<PathBuf>,
    pub state_type: Option<StateType>,
    pub runtime_path: Option<Vec<PathBuf>>,
    pub conmon_path: Option<Vec<PathBuf>>,
    pub conmon_env_vars: Option<Vec<String>>,
    pub cgroup_manager: Option<CgroupManager>,
    pub static_dir: Option<PathBuf>,
    pub tmp_dir: Option<PathBuf>,
    pub max_log_size: Option<i64>,
    pub pids_limit: Option<i64>,
    pub no_pivot_root: Option<bool>,
    pub cni_config_dir: Option<PathBuf>,
    pub cni_plugin_dir: Option<Vec<PathBuf>>,
    pub hooks_dir: Option<PathBuf>,
    pub cni_default_network: Option<String>,
    pub hooks_dir_not_exist_fatal: Option<bool>,
    pub namespace: Option<String>,
    pub graph_root: Option<PathBuf>,
    pub run_root: Option<PathBuf>,
    pub storage_driver: Option<StorageDriver>,
    pub default_mounts_file: Option<PathBuf>,
}

impl ConfigOptions {
    /// The keys this sets.
    pub fn keys(&self) -> Vec<Key> {
        Key::ALL.into_iter().filter(|k| self.sets(*k)).collect()
    }

    /// Whether this sets `key`.
    pub fn sets(&self, key: Key) -> bool {
        match key {
            Key::ImageDefaultTransport => self.image_default_transport.is_some(),
            Key::SignaturePolicyPath => self.signature_policy_path.is_some(),
            Key::StateType => self.state_type.is_some(),
            Key::RuntimePath => self.runtime_path.is_some(),
            Key::ConmonPath => self.conmon_path.is_some(),
            Key::ConmonEnvVars => self.conmon_env_vars.is_some(),
            Key::CgroupManager => self.cgroup_manager.is_some(),
            Key::StaticDir => self.static_dir.is_some(),
            Key::TmpDir => self.tmp_dir.is_some(),
            Key::MaxLogSize => self.max_log_size.is_some(),
            Key::PidsLimit => self.pids_limit.is_some(),
            Key::NoPivotRoot => self.no_pivot_root.is_some(),
            Key::CniConfigDir => self.cni_config_dir.is_some(),
            Key::CniPluginDir => self.cni_plugin_dir.is_some(),
            Key::HooksDir => self.hooks_dir.is_some(),
            Key::CniDefaultNetwork => self.cni_default_network.is_some(),
            Key::HooksDirNotExistFatal => self.hooks_dir_not_exist_fatal.is_some(),
            Key::Namespace => self.namespace.is_some(),
            Key::GraphRoot => self.graph_root.is_some(),
            Key::RunRoot => self.run_root.is_some(),
            Key::StorageDriver => self.storage_driver.is_some(),
            Key::DefaultMountsFile => self.default_mounts_file.is_some(),
        }
    }

    /// Checks every value set against the rules of its key (absolute paths,
    /// non-empty hooks dir, `KEY=VALUE` env vars, ...).
    pub fn validate(&self) -> crate::Result<()> {
        use crate::validate as v;
        let bad = |key: Key, found: String, expected: String| crate::Error::InvalidOption {
            key: key.name().to_owned(),
            expected,
            found,
        };
        let path = |key: Key, p: &Option<PathBuf>| -> crate::Result<()> {
            match p {
                Some(p) => v::path(key, p)
                    .map_err(|e| bad(key, format!("{:?}", p.display().to_string()), e)),
                None => Ok(()),
            }
        };
        let paths = |key: Key, ps: &Option<Vec<PathBuf>>| -> crate::Result<()> {
            match ps {
                Some(ps) => v::path_list(key, ps).map_err(|e| bad(key, format!("{ps:?}"), e)),
                None => Ok(()),
            }
        };
        path(Key::SignaturePolicyPath, &self.signature_policy_path)?;
        path(Key::StaticDir, &self.static_dir)?;
        path(Key::TmpDir, &self.tmp_dir)?;
        path(Key::CniConfigDir, &self.cni_config_dir)?;
        path(Key::HooksDir, &self.hooks_dir)?;
        path(Key::GraphRoot, &self.graph_root)?;
        path(Key::RunRoot, &self.run_root)?;
        path(Key::DefaultMountsFile, &self.default_mounts_file)?;
        paths(Key::RuntimePath, &self.runtime_path)?;
        paths(Key::ConmonPath, &self.conmon_path)?;
        paths(Key::CniPluginDir, &self.cni_plugin_dir)?;
        if let Some(t) = &self.image_default_transport {
            v::transport(t).map_err(|e| bad(Key::ImageDefaultTransport, format!("{t:?}"), e))?;
        }
        if let Some(vars) = &self.conmon_env_vars {
            for var in vars {
                v::env_var(var).map_err(|e| bad(Key::ConmonEnvVars, format!("{var:?}"), e))?;
            }
        }
        if let Some(n) = self.max_log_size {
            v::max_log_size(n).map_err(|e| bad(Key::MaxLogSize, n.to_string(), e))?;
        }
        if let Some(n) = self.pids_limit {
            v::pids_limit(n).map_err(|e| bad(Key::PidsLimit, n.to_string(), e))?;
        }
        if let Some(n) = &self.cni_default_network {
            v::network_name(n).map_err(|e| bad(Key::CniDefaultNetwork, format!("{n:?}"), e))?;
        }
        Ok(())
    }
}

impl RuntimeConfig {
    /// Replaces every value `options` sets and records `origin` for it.
    ///
    /// Does not validate; [`ConfigOptions::validate`] does.
    pub fn apply(&mut self, options: &ConfigOptions, origin: &Origin, origins: &mut Origins) {
        fn put<T: Clone>(
            slot: &mut T,
            v: Option<&T>,
            key: Key,
            origin: &Origin,
            origins: &mut Origins,
        ) {
            if let Some(v) = v {
                *slot = v.clone();
                origins.set(key, origin.clone());
            }
        }
        let o = options;
        put(
            &mut self.image_default_transport,
            o.image_default_transport.as_ref(),
            Key::ImageDefaultTransport,
            origin,
            origins,
        );
        put(
            &mut self.signature_policy_path,
            o.signature_policy_path.as_ref(),
            Key::SignaturePolicyPath,
            origin,
            origins,
        );
        put(
            &mut self.state_type,
            o.state_type.as_ref(),
            Key::StateType,
            origin,
            origins,
        );
        put(
            &mut self.runtime_path,
            o.runtime_path.as_ref(),
            Key::RuntimePath,
            origin,
            origins,
        );
        put(
            &mut self.conmon_path,
            o.conmon_path.as_ref(),
            Key::ConmonPath,
            origin,
            origins,
        );
        put(
            &mut self.conmon_env_vars,
            o.conmon_env_vars.as_ref(),
            Key::ConmonEnvVars,
            origin,
            origins,
        );
        put(
            &mut self.cgroup_manager,
            o.cgroup_manager.as_ref(),
            Key::CgroupManager,
            origin,
            origins,
        );
        put(
            &mut self.static_dir,
            o.static_dir.as_ref(),
            Key::StaticDir,
            origin,
            origins,
        );
        put(
            &mut self.tmp_dir,
            o.tmp_dir.as_ref(),
            Key::TmpDir,
            origin,
            origins,
        );
        put(
            &mut self.max_log_size,
            o.max_log_size.as_ref(),
            Key::MaxLogSize,
            origin,
            origins,
        );
        put(
            &mut self.pids_limit,
            o.pids_limit.as_ref(),
            Key::PidsLimit,
            origin,
            origins,
        );
        put(
            &mut self.no_pivot_root,
            o.no_pivot_root.as_ref(),
            Key::NoPivotRoot,
            origin,
            origins,
        );
        put(
            &mut self.cni_config_dir,
            o.cni_config_dir.as_ref(),
            Key::CniConfigDir,
            origin,
            origins,
        );
        put(
            &mut self.cni_plugin_dir,
            o.cni_plugin_dir.as_ref(),
            Key::CniPluginDir,
            origin,
            origins,
        );
        put(
            &mut self.hooks_dir,
            o.hooks_dir.as_ref(),
            Key::HooksDir,
            origin,
            origins,
        );
        put(
            &mut self.cni_default_network,
            o.cni_default_network.as_ref(),
            Key::CniDefaultNetwork,
            origin,
            origins,
        );
        put(
            &mut self.hooks_dir_not_exist_fatal,
            o.hooks_dir_not_exist_fatal.as_ref(),
            Key::HooksDirNotExistFatal,
            origin,
            origins,
        );
        put(
            &mut self.namespace,
            o.namespace.as_ref(),
            Key::Namespace,
            origin,
            origins,
        );
        put(
            &mut self.storage.graph_root,
            o.graph_root.as_ref(),
            Key::GraphRoot,
            origin,
            origins,
        );
        put(
            &mut self.storage.run_root,
            o.run_root.as_ref(),
            Key::RunRoot,
            origin,
            origins,
        );
        put(
            &mut self.storage.driver,
            o.storage_driver.as_ref(),
            Key::StorageDriver,
            origin,
            origins,
        );
        if let Some(p) = &o.default_mounts_file {
            self.default_mounts_file = Some(p.clone());
            origins.set(Key::DefaultMountsFile, origin.clone());
        }
    }

    /// Every file key's value as [`ConfigOptions`] (code-only keys left `None`).
    pub fn to_options(&self) -> ConfigOptions {
        ConfigOptions {
            image_default_transport: Some(self.image_default_transport.clone()),
            signature_policy_path: Some(self.signature_policy_path.clone()),
            state_type: None,
            runtime_path: Some(self.runtime_path.clone()),
            conmon_path: Some(self.conmon_path.clone()),
            conmon_env_vars: Some(self.conmon_env_vars.clone()),
            cgroup_manager: Some(self.cgroup_manager),
            static_dir: Some(self.static_dir.clone()),
            tmp_dir: Some(self.tmp_dir.clone()),
            max_log_size: Some(self.max_log_size),
            pids_limit: Some(self.pids_limit),
            no_pivot_root: Some(self.no_pivot_root),
            cni_config_dir: Some(self.cni_config_dir.clone()),
            cni_plugin_dir: Some(self.cni_plugin_dir.clone()),
            hooks_dir: Some(self.hooks_dir.clone()),
            cni_default_network: Some(self.cni_default_network.clone()),
            hooks_dir_not_exist_fatal: Some(self.hooks_dir_not_exist_fatal),
            namespace: Some(self.namespace.clone()),
            graph_root: Some(self.storage.graph_root.clone()),
            run_root: Some(self.storage.run_root.clone()),
            storage_driver: Some(self.storage.driver),
            default_mounts_file: None,
        }
    }

    /// The value of `key` rendered for display (`berth info`, debug logs).
    pub fn value_string(&self, key: Key) -> String {
        fn list(v: &[PathBuf]) -> String {
            let items: Vec<String> = v.iter().map(|p| p.display().to_string()).collect();
            format!("[{}]", items.join(", "))
        }
        fn p(v: &Path) -> String {
            v.display().to_string()
        }
        match key {
            Key::ImageDefaultTransport => self.image_default_transport.clone(),
            Key::SignaturePolicyPath => p(&self.signature_policy_path),
            Key::StateType => self.state_type.to_string(),
            Key::RuntimePath => list(&self.runtime_path),
            Key::ConmonPath => list(&self.conmon_path),
            Key::ConmonEnvVars => format!("[{}]", self.conmon_env_vars.join(", ")),
            Key::CgroupManager => self.cgroup_manager.to_string(),
            Key::StaticDir => p(&self.static_dir),
            Key::TmpDir => p(&self.tmp_dir),
            Key::MaxLogSize => self.max_log_size.to_string(),
            Key::PidsLimit => self.pids_limit.to_string(),
            Key::NoPivotRoot => self.no_pivot_root.to_string(),
            Key::CniConfigDir => p(&self.cni_config_dir),
            Key::CniPluginDir => list(&self.cni_plugin_dir),
            Key::HooksDir => p(&self.hooks_dir),
            Key::CniDefaultNetwork => self.cni_default_network.clone(),
            Key::HooksDirNotExistFatal => self.hooks_dir_not_exist_fatal.to_string(),
            Key::Namespace => self.namespace.clone(),
            Key::GraphRoot => p(&self.storage.graph_root),
            Key::RunRoot => p(&self.storage.run_root),
            Key::StorageDriver => self.storage.driver.to_string(),
            Key::DefaultMountsFile => self
                .default_mounts_file
                .as_deref()
                .map(p)
                .unwrap_or_default(),
        }
    }
}

#![doc = include_str!("../README.md")]
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod binary;
mod config;
mod containers_conf;
mod defaults;
mod doc;
mod env;
mod error;
#[cfg(any(test, feature = "testing"))]
mod failures;
mod file;
mod loader;
mod mounts;
mod names;
mod paths;
mod ports;
mod private;
mod registries;
mod rootless;
mod types;
mod validate;

pub use binary::{check_binary, find_binary, Rejection};
pub use config::{ConfigOptions, Key, Origin, Origins, RuntimeConfig};
pub use containers_conf::{
    containers_conf_files, containers_conf_support, mounts_conf_file, read_mounts_conf,
    storage_conf_file, ContainersConf, DefaultMount, IgnoredKey, Located, Setting, Support,
    CONTAINERS_CONF_ADMIN_PATH, CONTAINERS_CONF_ENV_VAR, CONTAINERS_CONF_OVERRIDE_ENV_VAR,
    CONTAINERS_CONF_VENDOR_PATH, MOUNTS_CONF_ADMIN_PATH, MOUNTS_CONF_VENDOR_PATH,
    STORAGE_CONF_ADMIN_PATH, STORAGE_CONF_ENV_VAR, STORAGE_CONF_VENDOR_PATH, ULIMIT_NAMES,
};
pub use defaults::{
    CNI_CONFIG_DIR, CNI_DEFAULT_NETWORK, CNI_PLUGIN_DIR, CONMON_ENV_VARS, CONMON_PATH, HOOKS_DIR,
    IMAGE_DEFAULT_TRANSPORT, MAX_LOG_SIZE, ROOT_GRAPH_ROOT, ROOT_RUN_ROOT, ROOT_STATIC_DIR,
    ROOT_TMP_DIR, RUNTIME_PATH, SIGNATURE_POLICY_PATH,
};
pub use doc::{line_column, UnknownKey};
pub use env::Environment;
pub use error::{Error, Result};
pub use file::ConfigFile;
pub use loader::{
    discover_config_file, user_config_file, ConfigLoader, LoadedConfig, ADMIN_CONFIG_PATH,
    CONFIG_ENV_VAR, VENDOR_CONFIG_PATH,
};
pub use mounts::{mount_points, mount_points_under, unmount_under};
pub use names::{check_name, is_valid_name, NameError, NameKind, NAME_PATTERN};
pub use paths::{
    auth_file_candidates, seccomp_profile_candidates, seccomp_profile_path, signature_policy_path,
    REGISTRY_AUTH_FILE_ENV_VAR, SECCOMP_DEFAULT_PATH, SECCOMP_OVERRIDE_PATH,
};
pub use ports::{PortMapping, PortSpecError, Protocol};
pub use private::{private_dir, tighten_mode};
pub use registries::{
    short_name_aliases_cache_path, Mirror, RegistriesConfig, Registry, ShortNameMode,
    REGISTRIES_CONF_DIR, REGISTRIES_CONF_ENV_VAR, REGISTRIES_CONF_PATH,
    SHORT_NAME_ALIASES_CACHE_PATH,
};
pub use rootless::{
    default_tmp_dir, rootless_runtime_dir, RuntimeDir, RuntimeDirAttempt, RuntimeDirSource,
};
pub use types::{CgroupManager, ParseEnumError, StateType, StorageConfig, StorageDriver};

/// Helpers for tests of the layers above.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

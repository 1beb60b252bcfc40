//! Built-in defaults (DESIGN.md's table) for root and rootless users.

use std::path::PathBuf;

use crate::config::{Key, RuntimeConfig};
use crate::types::{CgroupManager, StateType, StorageConfig, StorageDriver};
use crate::{Environment, Error, Result};

/// Default image transport.
pub const IMAGE_DEFAULT_TRANSPORT: &str = "docker://";
/// Default signature policy.
pub const SIGNATURE_POLICY_PATH: &str = "/etc/containers/policy.json";
/// OCI runtime candidates: runc first (the one that works on cgroup v1 hybrid hosts), then crun.
pub const RUNTIME_PATH: &[&str] = &[
    "/usr/bin/runc",
    "/usr/sbin/runc",
    "/sbin/runc",
    "/bin/runc",
    "/usr/lib/cri-o-runc/sbin/runc",
    "/usr/local/bin/runc",
    "/usr/bin/crun",
    "/usr/local/bin/crun",
];
/// conmon candidates (Debian installs /usr/bin/conmon).
pub const CONMON_PATH: &[&str] = &[
    "/usr/bin/conmon",
    "/usr/libexec/podman/conmon",
    "/usr/libexec/crio/conmon",
    "/usr/local/libexec/crio/conmon",
    "/usr/sbin/conmon",
    "/usr/lib/crio/bin/conmon",
    "/usr/local/bin/conmon",
];
/// Environment given to conmon.
pub const CONMON_ENV_VARS: &[&str] =
    &["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
/// Root's persistent engine files.
pub const ROOT_STATIC_DIR: &str = "/var/lib/berth/state";
/// Root's per-boot files.
pub const ROOT_TMP_DIR: &str = "/run/berth";
/// Root's image and layer storage.
pub const ROOT_GRAPH_ROOT: &str = "/var/lib/berth/storage";
/// Root's per-boot storage state.
pub const ROOT_RUN_ROOT: &str = "/run/berth/storage";
/// CNI network configurations.
pub const CNI_CONFIG_DIR: &str = "/etc/cni/net.d/";
/// CNI plugin directories.
pub const CNI_PLUGIN_DIR: &[&str] = &["/usr/libexec/cni", "/usr/lib/cni", "/opt/cni/bin"];
/// OCI hook definitions.
pub const HOOKS_DIR: &str = "/usr/share/containers/oci/hooks.d";
/// Default CNI network name.
pub const CNI_DEFAULT_NETWORK: &str = "berth";
/// No log size limit.
pub const MAX_LOG_SIZE: i64 = -1;
/// podman's default process limit per container.
pub const PIDS_LIMIT: i64 = 2048;

fn paths(list: &[&str]) -> Vec<PathBuf> {
    list.iter().map(PathBuf::from).collect()
}

/// Defaults plus the keys whose environment-dependent default could not be
/// computed (with the reason); the loader fails only if one of those keys
/// is still at its default after the file and options were applied.
pub(crate) fn builtin(env: &Environment) -> (RuntimeConfig, Vec<(Key, Error)>) {
    let mut pending = Vec::new();
    let mut cfg = RuntimeConfig {
        image_default_transport: IMAGE_DEFAULT_TRANSPORT.to_owned(),
        signature_policy_path: PathBuf::from(SIGNATURE_POLICY_PATH),
        state_type: StateType::Redb,
        runtime_path: paths(RUNTIME_PATH),
        conmon_path: paths(CONMON_PATH),
        conmon_env_vars: CONMON_ENV_VARS.iter().map(|s| (*s).to_owned()).collect(),
        cgroup_manager: CgroupManager::Cgroupfs,
        static_dir: PathBuf::from(ROOT_STATIC_DIR),
        tmp_dir: PathBuf::from(ROOT_TMP_DIR),
        max_log_size: MAX_LOG_SIZE,
        pids_limit: PIDS_LIMIT,
        no_pivot_root: false,
        cni_config_dir: PathBuf::from(CNI_CONFIG_DIR),
        cni_plugin_dir: paths(CNI_PLUGIN_DIR),
        hooks_dir: PathBuf::from(HOOKS_DIR),
        cni_default_network: CNI_DEFAULT_NETWORK.to_owned(),
        hooks_dir_not_exist_fatal: false,
        namespace: String::new(),
        storage: StorageConfig {
            graph_root: PathBuf::from(ROOT_GRAPH_ROOT),
            run_root: PathBuf::from(ROOT_RUN_ROOT),
            driver: StorageDriver::Overlay,
        },
        default_mounts_file: None,
        containers_conf: crate::ContainersConf::default(),
    };
    if !env.is_rootless() {
        return (cfg, pending);
    }
    // Rootless: persistent data under $XDG_DATA_HOME/berth (else ~/.local/share/berth),
    // per-boot data under the runtime dir.
    match rootless_data_dir(env) {
        Ok(data) => {
            cfg.static_dir = data.join("state");
            cfg.storage.graph_root = data.join("storage");
        }
        Err(reason) => {
            for key in [Key::StaticDir, Key::GraphRoot] {
                pending.push((
                    key,
                    Error::NoDefault {
                        key: key.name().to_owned(),
                        reason: reason.clone(),
                    },
                ));
            }
        }
    }
    match crate::rootless::rootless_runtime_dir(env) {
        Ok(rd) => {
            cfg.tmp_dir = rd.path.join("berth").join("tmp");
            cfg.storage.run_root = rd.path.join("berth").join("storage");
        }
        Err(e) => {
            let reason = e.to_string();
            pending.push((Key::TmpDir, e));
            pending.push((
                Key::RunRoot,
                Error::NoDefault {
                    key: Key::RunRoot.name().to_owned(),
                    reason,
                },
            ));
        }
    }
    (cfg, pending)
}

fn rootless_data_dir(env: &Environment) -> Result<PathBuf, String> {
    if let Some(d) = env.absolute_var("XDG_DATA_HOME") {
        return Ok(d.join("berth"));
    }
    env.home()
        .map(|h| h.join(".local/share/berth"))
        .ok_or_else(|| "neither XDG_DATA_HOME nor HOME is set to an absolute path".to_owned())
}

impl RuntimeConfig {
    /// The built-in defaults for `env` (root or rootless).
    ///
    /// For a rootless user this needs a home directory and a runtime
    /// directory; the error says which default could not be computed.
    pub fn defaults(env: &Environment) -> Result<RuntimeConfig> {
        let (cfg, pending) = builtin(env);
        match pending.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(cfg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_defaults_match_the_design() {
        let cfg = RuntimeConfig::defaults(&Environment::new(0)).unwrap();
        assert_eq!(cfg.runtime_path[0], PathBuf::from("/usr/bin/runc"));
        let crun = cfg
            .runtime_path
            .iter()
            .position(|p| p.ends_with("crun"))
            .unwrap();
        assert!(cfg.runtime_path[..crun].iter().all(|p| p.ends_with("runc")));
        assert!(cfg.conmon_path.contains(&PathBuf::from("/usr/bin/conmon")));
        assert!(cfg
            .conmon_path
            .contains(&PathBuf::from("/usr/libexec/podman/conmon")));
        assert_eq!(
            cfg.storage.graph_root,
            PathBuf::from("/var/lib/berth/storage")
        );
        assert_eq!(cfg.static_dir, PathBuf::from("/var/lib/berth/state"));
        assert_eq!(cfg.tmp_dir, PathBuf::from("/run/berth"));
        assert_eq!(cfg.cni_config_dir, PathBuf::from("/etc/cni/net.d/"));
        assert_eq!(
            cfg.cni_plugin_dir,
            paths(&["/usr/libexec/cni", "/usr/lib/cni", "/opt/cni/bin"])
        );
        assert_eq!(
            cfg.hooks_dir,
            PathBuf::from("/usr/share/containers/oci/hooks.d")
        );
        assert_eq!(cfg.cni_default_network, "berth");
        assert_eq!(cfg.max_log_size, -1);
        assert_eq!(cfg.pids_limit, 2048);
        assert_eq!(
            cfg.signature_policy_path,
            PathBuf::from("/etc/containers/policy.json")
        );
        assert_eq!(cfg.cgroup_manager, CgroupManager::Cgroupfs);
        assert_eq!(cfg.state_type, StateType::Redb);
        assert_eq!(cfg.storage.driver, StorageDriver::Overlay);
        assert_eq!(cfg.image_default_transport, "docker://");
        assert!(cfg.namespace.is_empty());
        // Every default passes the same rules as user values.
        cfg.to_options().validate().unwrap();
    }

    #[test]
    fn rootless_defaults_live_in_home_and_runtime_dir() {
        let env = Environment::new(1000)
            .with_var("HOME", "/home/alice")
            .with_var("XDG_RUNTIME_DIR", "/run/user/1000");
        let cfg = RuntimeConfig::defaults(&env).unwrap();
        assert_eq!(
            cfg.static_dir,
            PathBuf::from("/home/alice/.local/share/berth/state")
        );
        assert_eq!(
            cfg.storage.graph_root,
            PathBuf::from("/home/alice/.local/share/berth/storage")
        );
        assert_eq!(cfg.tmp_dir, PathBuf::from("/run/user/1000/berth/tmp"));
        assert_eq!(
            cfg.storage.run_root,
            PathBuf::from("/run/user/1000/berth/storage")
        );
        let env = env.with_var("XDG_DATA_HOME", "/data");
        let cfg = RuntimeConfig::defaults(&env).unwrap();
        assert_eq!(cfg.static_dir, PathBuf::from("/data/berth/state"));
    }

    #[test]
    fn rootless_without_home_names_the_key() {
        let env = Environment::new(1000).with_var("XDG_RUNTIME_DIR", "/run/user/1000");
        let msg = RuntimeConfig::defaults(&env).unwrap_err().to_string();
        assert_eq!(
            msg,
            "cannot work out the default for `static_dir` of a rootless user: neither XDG_DATA_HOME nor HOME is set to an absolute path; set it in the configuration file or as an option"
        );
    }
}

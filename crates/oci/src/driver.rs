//! The real [`crate::OciRuntime`]: conmon monitors each container, runc does the work.

use std::path::{Path, PathBuf};

use crate::container_spec::CgroupManager;
use crate::error::{Error, Result};

/// Configuration of [`RuncConmon`]: plain data the caller takes from its own config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuncConmonConfig {
    /// The OCI runtime binary (runc; crun takes the same flags).
    pub runtime_path: PathBuf,
    /// The conmon binary.
    pub conmon_path: PathBuf,
    /// Extra environment for conmon (and so for runc and the exit command), `KEY=VALUE`.
    pub conmon_env_vars: Vec<String>,
    /// cgroup manager: adds `--systemd-cgroup` for systemd.
    pub cgroup_manager: CgroupManager,
    /// Per-boot tmp dir; exit files go to `TMP/exits`, runtime logs to `TMP/oci-logs`.
    pub tmp_dir: PathBuf,
    /// runc's `--root` (state dir), passed on every call; `None` = the runtime's default.
    pub runtime_root: Option<PathBuf>,
    /// Maximum log size in bytes (`--log-size-max`); `None` or negative = unlimited.
    pub max_log_size: Option<i64>,
    /// Pass `--no-pivot` (for ramdisk roots).
    pub no_pivot_root: bool,
    /// conmon's `--log-level`.
    pub conmon_log_level: String,
}

impl RuncConmonConfig {
    /// A config with the given binaries and tmp dir and everything else at its default.
    pub fn new(
        runtime_path: impl Into<PathBuf>,
        conmon_path: impl Into<PathBuf>,
        tmp_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            runtime_path: runtime_path.into(),
            conmon_path: conmon_path.into(),
            conmon_env_vars: Vec::new(),
            cgroup_manager: CgroupManager::Cgroupfs,
            tmp_dir: tmp_dir.into(),
            runtime_root: None,
            max_log_size: None,
            no_pivot_root: false,
            conmon_log_level: "warning".into(),
        }
    }
}

/// The runc + conmon driver.
#[derive(Debug, Clone)]
pub struct RuncConmon {
    config: RuncConmonConfig,
}

impl RuncConmon {
    /// Checks that both binaries exist and are executable and creates the exit dir.
    pub fn new(config: RuncConmonConfig) -> Result<Self> {
        check_executable("runtime", &config.runtime_path)?;
        check_executable("conmon", &config.conmon_path)?;
        let rt = Self { config };
        std::fs::create_dir_all(rt.exit_dir())
            .map_err(|e| Error::io("create exit dir", rt.exit_dir(), e))?;
        Ok(rt)
    }

    /// The configuration.
    pub fn config(&self) -> &RuncConmonConfig {
        &self.config
    }

    /// Where conmon writes exit files (`TMP/exits`).
    pub fn exit_dir(&self) -> PathBuf {
        self.config.tmp_dir.join("exits")
    }
}

/// Fails with a clear error unless `path` is an executable regular file.
pub(crate) fn check_executable(what: &'static str, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| Error::BinaryNotUsable {
        what,
        path: path.to_owned(),
        reason: format!("{e}; install it or set the path in berth.conf"),
    })?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(Error::BinaryNotUsable {
            what,
            path: path.to_owned(),
            reason: "not an executable file".into(),
        });
    }
    Ok(())
}

//! `info()`: host, store, registries and version, for `berth info`.

use std::path::{Path, PathBuf};

use berth_state::ContainerStatus;
use serde::Serialize;

use crate::error::Result;
use crate::runtime::Runtime;

/// A helper binary: where it is and what it says its version is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BinaryInfo {
    /// Name (`runc`, `conmon`).
    pub name: String,
    /// Path (empty when not found).
    pub path: PathBuf,
    /// First line of `--version` (empty when it could not run).
    pub version: String,
}

/// The host.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HostInfo {
    /// Machine architecture (`x86_64`).
    pub arch: String,
    /// OS name (`linux`).
    pub os: String,
    /// Kernel release.
    pub kernel: String,
    /// Host name.
    pub hostname: String,
    /// Online CPUs.
    pub cpus: usize,
    /// Memory, bytes.
    pub mem_total: u64,
    /// Free memory, bytes.
    pub mem_free: u64,
    /// Swap, bytes.
    pub swap_total: u64,
    /// Free swap, bytes.
    pub swap_free: u64,
    /// Seconds since boot.
    pub uptime_secs: u64,
    /// `v1` (also hybrid) or `v2`.
    pub cgroup_version: String,
    /// `cgroupfs` or `systemd`.
    pub cgroup_manager: String,
    /// The OCI runtime.
    pub oci_runtime: BinaryInfo,
    /// conmon.
    pub conmon: BinaryInfo,
    /// Running without root.
    pub rootless: bool,
}

/// Container counts by status.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ContainerCounts {
    /// All containers of the namespace.
    pub total: usize,
    /// Running.
    pub running: usize,
    /// Paused.
    pub paused: usize,
    /// Neither (configured, created, stopped, exited).
    pub stopped: usize,
}

/// The store.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoreInfo {
    /// Graph root.
    pub graph_root: PathBuf,
    /// Run root.
    pub run_root: PathBuf,
    /// Storage driver.
    pub driver: String,
    /// File system type of the graph root (`ext4`, `xfs`, `tmpfs`, ...).
    pub backing_filesystem: String,
    /// Number of images (`None`: the storage layer cannot list images yet).
    pub image_count: Option<usize>,
    /// Containers by status.
    pub containers: ContainerCounts,
}

/// Registries from registries.conf.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RegistriesInfo {
    /// Unqualified-search registries.
    pub search: Vec<String>,
    /// Insecure registries.
    pub insecure: Vec<String>,
    /// Blocked registries.
    pub blocked: Vec<String>,
}

/// Everything `info()` reports.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Info {
    /// The host.
    pub host: HostInfo,
    /// The store.
    pub store: StoreInfo,
    /// Registries.
    pub registries: RegistriesInfo,
    /// berth's version.
    pub version: String,
}

fn binary(name: &str, candidates: &[PathBuf]) -> BinaryInfo {
    let path = berth_config::find_binary(name, candidates).unwrap_or_default();
    let version = if path.as_os_str().is_empty() {
        String::new()
    } else {
        std::process::Command::new(&path)
            .arg("--version")
            .output()
            .ok()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            })
            .unwrap_or_default()
    };
    BinaryInfo {
        name: path
            .file_name()
            .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned()),
        path,
        version,
    }
}

/// `/proc/meminfo` values in bytes: (total, free, swap total, swap free).
pub(crate) fn meminfo(text: &str) -> (u64, u64, u64, u64) {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (
        get("MemTotal:"),
        get("MemAvailable:"),
        get("SwapTotal:"),
        get("SwapFree:"),
    )
}

fn fs_type(path: &Path) -> String {
    let Ok(st) = nix::sys::statfs::statfs(path) else {
        return "unknown".into();
    };
    let magic = st.filesystem_type().0 as u64;
    match magic {
        0xEF53 => "ext4".into(),
        0x5846_5342 => "xfs".into(),
        0x9123_683E => "btrfs".into(),
        0x0102_1994 => "tmpfs".into(),
        0x794C_7630 => "overlayfs".into(),
        0x6573_5546 => "fuse".into(),
        0x5346_544E => "ntfs".into(),
        0x2FC1_2FC1 => "zfs".into(),
        m => format!("0x{m:x}"),
    }
}

impl Runtime {
    /// Host, store, registries and version information.
    pub fn info(&self) -> Result<Info> {
        self.check()?;
        let uts = nix::sys::utsname::uname().map_err(|e| crate::Error::Host {
            what: "uname".into(),
            reason: e.to_string(),
        })?;
        let (mem_total, mem_free, swap_total, swap_free) =
            meminfo(&std::fs::read_to_string("/proc/meminfo").unwrap_or_default());
        let uptime_secs = std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|t| {
                t.split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .map_or(0, |v| v as u64);
        let cgroup_version = if self.engine.cgroup_root.join("cgroup.controllers").exists() {
            "v2"
        } else {
            "v1"
        };
        let host = HostInfo {
            arch: uts.machine().to_string_lossy().into_owned(),
            os: uts.sysname().to_string_lossy().to_lowercase(),
            kernel: uts.release().to_string_lossy().into_owned(),
            hostname: uts.nodename().to_string_lossy().into_owned(),
            cpus: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            mem_total,
            mem_free,
            swap_total,
            swap_free,
            uptime_secs,
            cgroup_version: cgroup_version.into(),
            cgroup_manager: self.config.cgroup_manager.to_string(),
            oci_runtime: binary("OCI runtime", &self.config.runtime_path),
            conmon: binary("conmon", &self.config.conmon_path),
            rootless: !nix::unistd::geteuid().is_root(),
        };
        let mut counts = ContainerCounts::default();
        for c in self.list_containers(&crate::ListOptions {
            all: true,
            pod: None,
        })? {
            counts.total += 1;
            match c.state.status {
                ContainerStatus::Running => counts.running += 1,
                ContainerStatus::Paused => counts.paused += 1,
                _ => counts.stopped += 1,
            }
        }
        let st = &self.config.storage;
        let store = StoreInfo {
            graph_root: st.graph_root.clone(),
            run_root: st.run_root.clone(),
            driver: st.driver.to_string(),
            backing_filesystem: fs_type(&st.graph_root),
            image_count: self.storage.list_images().ok().map(|images| images.len()),
            containers: counts,
        };
        let env = berth_config::Environment::from_process();
        let registries = match berth_config::RegistriesConfig::load(&env) {
            Ok(r) => RegistriesInfo {
                search: r.search_registries().to_vec(),
                insecure: r.insecure_registries(),
                blocked: r.blocked_registries(),
            },
            Err(e) => return Err(e.into()),
        };
        Ok(Info {
            host,
            store,
            registries,
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_is_read_in_bytes() {
        let t = "MemTotal:       16384 kB\nMemFree: 1 kB\nMemAvailable:    8192 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n";
        assert_eq!(meminfo(t), (16384 * 1024, 8192 * 1024, 0, 0));
        assert_eq!(meminfo("garbage"), (0, 0, 0, 0));
    }

    #[test]
    fn binaries_are_found_with_versions() {
        let b = binary(
            "sh",
            &[
                PathBuf::from("/nonexistent/x"),
                PathBuf::from("/bin/busybox"),
            ],
        );
        assert_eq!(b.path, PathBuf::from("/bin/busybox"));
        let none = binary("nothing", &[PathBuf::from("/nonexistent/x")]);
        assert!(none.path.as_os_str().is_empty());
        assert_eq!(none.version, "");
    }
}

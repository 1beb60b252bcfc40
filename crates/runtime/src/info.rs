//! `info()`: host, store, registries, plugins and version, for `berth info`,
//! in podman's layout: serialized, the keys are podman's JSON keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use berth_state::ContainerStatus;
use serde::Serialize;

use crate::error::Result;
use crate::runtime::Runtime;

/// A helper binary: where it is, its distribution package and what it says
/// its version is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BinaryInfo {
    /// Name (`runc`); empty for conmon, which podman reports without one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The distribution package holding it (`runc_1.1.5_amd64`), empty when
    /// no package manager knows it.
    pub package: String,
    /// Path (empty when not found).
    pub path: PathBuf,
    /// What `--version` prints (conmon's lines joined by `, `).
    pub version: String,
}

/// The distribution, from `/etc/os-release`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DistributionInfo {
    /// `ID` (`debian`).
    pub distribution: String,
    /// `VERSION_ID` (`12`).
    pub version: String,
    /// `VERSION_CODENAME`, when there is one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub codename: String,
}

/// Security features the engine uses.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SecurityInfo {
    /// AppArmor profiles applied (berth applies none).
    pub apparmor_enabled: bool,
    /// The default capabilities, comma-separated.
    pub capabilities: String,
    /// Running without root.
    pub rootless: bool,
    /// A seccomp profile is applied by default.
    pub seccomp_enabled: bool,
    /// The default seccomp profile (empty when none exists).
    pub seccomp_profile_path: PathBuf,
    /// SELinux labels applied (berth applies none).
    pub selinux_enabled: bool,
}

/// The user namespace mappings of the engine (none as root).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct IdMappings {
    /// GID map; `None` without a user namespace.
    pub gidmap: Option<Vec<String>>,
    /// UID map; `None` without a user namespace.
    pub uidmap: Option<Vec<String>>,
}

/// slirp4netns, for rootless networking.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SlirpInfo {
    /// Path (empty when not found).
    pub executable: PathBuf,
    /// Its package.
    pub package: String,
    /// Its `--version`.
    pub version: String,
}

/// The host.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HostInfo {
    /// Architecture as Go names it (`amd64`), as podman reports it.
    pub arch: String,
    /// The image-building library's version: berth builds images itself,
    /// so its own version.
    pub buildah_version: String,
    /// `cgroupfs` or `systemd`.
    pub cgroup_manager: String,
    /// `v1` (also hybrid) or `v2`.
    pub cgroup_version: String,
    /// The cgroup controllers available.
    pub cgroup_controllers: Vec<String>,
    /// conmon.
    pub conmon: BinaryInfo,
    /// Online CPUs.
    pub cpus: usize,
    /// The distribution.
    pub distribution: DistributionInfo,
    /// Where events go (`file` or `none`).
    pub event_logger: String,
    /// Host name.
    pub hostname: String,
    /// User namespace mappings.
    pub id_mappings: IdMappings,
    /// Kernel release.
    pub kernel: String,
    /// The default log driver.
    pub log_driver: String,
    /// Free memory, bytes.
    pub mem_free: u64,
    /// Memory, bytes.
    pub mem_total: u64,
    /// `cni`.
    pub network_backend: String,
    /// The OCI runtime.
    pub oci_runtime: BinaryInfo,
    /// OS name (`linux`).
    pub os: String,
    /// Security features.
    pub security: SecurityInfo,
    /// Always false: berth has no remote service.
    pub service_is_remote: bool,
    /// slirp4netns.
    pub slirp4netns: SlirpInfo,
    /// Free swap, bytes.
    pub swap_free: u64,
    /// Swap, bytes.
    pub swap_total: u64,
    /// Time since boot, as podman prints it (`2h 6m 48.00s (Approximately 0.08 days)`).
    pub uptime: String,
    /// Seconds since boot.
    #[serde(skip)]
    pub uptime_secs: u64,
}

/// Container counts by status.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ContainerCounts {
    /// All containers of the namespace.
    #[serde(rename = "number")]
    pub total: usize,
    /// Paused.
    pub paused: usize,
    /// Running.
    pub running: usize,
    /// Neither (configured, created, stopped, exited).
    pub stopped: usize,
}

/// The image count.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImageCount {
    /// Number of images.
    pub number: usize,
}

/// The store.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StoreInfo {
    /// The storage configuration file read (empty: none).
    pub config_file: PathBuf,
    /// Containers by status.
    #[serde(rename = "containerStore")]
    pub containers: ContainerCounts,
    /// Storage driver.
    #[serde(rename = "graphDriverName")]
    pub driver: String,
    /// Driver options (berth takes none).
    pub graph_options: BTreeMap<String, String>,
    /// Graph root.
    pub graph_root: PathBuf,
    /// What the driver reports (`Backing Filesystem`).
    pub graph_status: BTreeMap<String, String>,
    /// File system type of the graph root (`ext4`, `xfs`, `tmpfs`, ...).
    #[serde(skip)]
    pub backing_filesystem: String,
    /// Images.
    pub image_store: ImageCount,
    /// Run root.
    pub run_root: PathBuf,
    /// Where volumes live.
    pub volume_path: PathBuf,
}

/// Registries from registries.conf.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RegistriesInfo {
    /// Unqualified-search registries (left out when none, as podman does).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<String>,
    /// Insecure registries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub insecure: Vec<String>,
    /// Blocked registries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<String>,
}

/// The plugins berth has built in.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PluginsInfo {
    /// Volume drivers.
    pub volume: Vec<String>,
    /// Network drivers.
    pub network: Vec<String>,
    /// Log drivers.
    pub log: Vec<String>,
}

/// berth's version, in podman's fields.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[allow(non_snake_case)]
pub struct VersionInfo {
    /// The API version (berth's version: there is no separate API).
    pub APIVersion: String,
    /// berth's version.
    pub Version: String,
    /// The toolchain, as podman reports Go's (`rustc`, since berth is Rust).
    pub GoVersion: String,
    /// The commit built (empty: not recorded).
    pub GitCommit: String,
    /// The build time as text (`Thu Jan  1 00:00:00 1970` when unknown).
    pub BuiltTime: String,
    /// The build time, seconds since the epoch (0 when unknown).
    pub Built: i64,
    /// `linux/amd64`.
    pub OsArch: String,
    /// `linux`.
    pub Os: String,
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
    /// Built-in plugins.
    pub plugins: PluginsInfo,
    /// berth's version.
    pub version: VersionInfo,
    /// The configuration files read and where each setting came from (berth's own; after
    /// `host` in the YAML, whose first key podman users look for).
    pub settings: crate::ConfigInfo,
}

/// The architecture as Go (and so podman) names it (`amd64`).
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

fn run_text(cmd: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(cmd)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The distribution package holding `path`: dpkg's `name_version_arch`, or
/// rpm's `name-version-release.arch`; empty when neither knows it.
fn package_of(path: &Path) -> String {
    let p = path.to_string_lossy();
    if let Some(owner) = run_text("dpkg-query", &["-S", &p]) {
        if let Some((pkg, _)) = owner.lines().next().and_then(|l| l.split_once(':')) {
            let fmt = "${Package}_${Version}_${Architecture}";
            if let Some(full) = run_text("dpkg-query", &["-W", "-f", fmt, pkg.trim()]) {
                return full;
            }
        }
    }
    run_text("rpm", &["-qf", &p]).unwrap_or_default()
}

fn binary(name: &str, candidates: &[PathBuf], join_lines: bool) -> BinaryInfo {
    let path = berth_config::find_binary(name, candidates).unwrap_or_default();
    if path.as_os_str().is_empty() {
        return BinaryInfo {
            name: name.to_string(),
            package: String::new(),
            path,
            version: String::new(),
        };
    }
    let text = run_text(&path.to_string_lossy(), &["--version"]).unwrap_or_default();
    let version = if join_lines {
        text.lines().map(str::trim).collect::<Vec<_>>().join(", ")
    } else {
        text
    };
    BinaryInfo {
        name: path
            .file_name()
            .map_or_else(|| name.to_string(), |n| n.to_string_lossy().into_owned()),
        package: package_of(&path),
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

/// `/etc/os-release`'s ID, VERSION_ID and VERSION_CODENAME.
pub(crate) fn distribution(text: &str) -> DistributionInfo {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
            .unwrap_or_default()
    };
    DistributionInfo {
        distribution: get("ID"),
        version: get("VERSION_ID"),
        codename: get("VERSION_CODENAME"),
    }
}

/// Uptime as podman prints it: `2h 6m 48.00s (Approximately 0.08 days)`.
pub(crate) fn uptime_text(secs: f64) -> String {
    let h = (secs / 3600.0).floor();
    let m = ((secs - h * 3600.0) / 60.0).floor();
    let s = secs - h * 3600.0 - m * 60.0;
    format!(
        "{h}h {m}m {s:.2}s (Approximately {:.2} days)",
        secs / 86400.0
    )
}

/// The cgroup controllers: the root's `cgroup.controllers` on v2, the
/// enabled ones of `/proc/cgroups` on v1.
fn cgroup_controllers(root: &Path, v2: bool) -> Vec<String> {
    if v2 {
        return std::fs::read_to_string(root.join("cgroup.controllers"))
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
    }
    std::fs::read_to_string("/proc/cgroups")
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && f[3] == "1").then(|| f[0].to_string())
        })
        .collect()
}

fn fs_type(path: &Path) -> String {
    let Ok(st) = nix::sys::statfs::statfs(path) else {
        return "unknown".into();
    };
    let magic = st.filesystem_type().0 as u64;
    match magic {
        0xEF53 => "extfs".into(),
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

/// berth's version in podman's fields.
pub fn version_info() -> VersionInfo {
    let v = env!("CARGO_PKG_VERSION").to_string();
    VersionInfo {
        APIVersion: v.clone(),
        Version: v,
        GoVersion: option_env!("BERTH_RUSTC_VERSION")
            .unwrap_or("rust")
            .to_string(),
        GitCommit: option_env!("BERTH_GIT_COMMIT").unwrap_or("").to_string(),
        BuiltTime: "Thu Jan  1 00:00:00 1970".to_string(),
        Built: 0,
        OsArch: format!("{}/{}", std::env::consts::OS, go_arch()),
        Os: std::env::consts::OS.to_string(),
    }
}

impl Runtime {
    /// Host, store, registries, plugins and version information.
    pub fn info(&self) -> Result<Info> {
        self.check()?;
        let uts = nix::sys::utsname::uname().map_err(|e| crate::Error::Host {
            what: "uname".into(),
            reason: e.to_string(),
        })?;
        let (mem_total, mem_free, swap_total, swap_free) =
            meminfo(&std::fs::read_to_string("/proc/meminfo").unwrap_or_default());
        let uptime = std::fs::read_to_string("/proc/uptime")
            .ok()
            .and_then(|t| {
                t.split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
            })
            .unwrap_or(0.0);
        let v2 = self.engine.cgroup_root.join("cgroup.controllers").exists();
        let rootless = !nix::unistd::geteuid().is_root();
        let seccomp = self
            .engine
            .seccomp_profiles
            .iter()
            .find(|p| p.exists())
            .cloned();
        let host = HostInfo {
            arch: go_arch().into(),
            buildah_version: env!("CARGO_PKG_VERSION").into(),
            cgroup_manager: self.config.cgroup_manager.to_string(),
            cgroup_version: if v2 { "v2" } else { "v1" }.into(),
            cgroup_controllers: cgroup_controllers(&self.engine.cgroup_root, v2),
            conmon: BinaryInfo {
                name: String::new(),
                ..binary("conmon", &self.config.conmon_path, true)
            },
            cpus: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            distribution: distribution(
                &std::fs::read_to_string("/etc/os-release").unwrap_or_default(),
            ),
            event_logger: self.events_backend().as_str().into(),
            hostname: uts.nodename().to_string_lossy().into_owned(),
            id_mappings: IdMappings::default(),
            kernel: uts.release().to_string_lossy().into_owned(),
            log_driver: "k8s-file".into(),
            mem_free,
            mem_total,
            network_backend: "cni".into(),
            oci_runtime: binary("OCI runtime", &self.config.runtime_path, false),
            os: uts.sysname().to_string_lossy().to_lowercase(),
            security: SecurityInfo {
                apparmor_enabled: false,
                capabilities: berth_oci::generate::caps::DEFAULT_CAPS
                    .iter()
                    .map(|c| format!("CAP_{c}"))
                    .collect::<Vec<_>>()
                    .join(","),
                rootless,
                seccomp_enabled: seccomp.is_some(),
                seccomp_profile_path: seccomp.unwrap_or_default(),
                selinux_enabled: false,
            },
            service_is_remote: false,
            slirp4netns: {
                let path = berth_config::find_binary(
                    "slirp4netns",
                    &[
                        PathBuf::from("/usr/bin/slirp4netns"),
                        PathBuf::from("/usr/local/bin/slirp4netns"),
                    ],
                )
                .unwrap_or_default();
                if path.as_os_str().is_empty() {
                    SlirpInfo::default()
                } else {
                    SlirpInfo {
                        package: package_of(&path),
                        version: run_text(&path.to_string_lossy(), &["--version"])
                            .unwrap_or_default(),
                        executable: path,
                    }
                }
            },
            swap_free,
            swap_total,
            uptime: uptime_text(uptime),
            uptime_secs: uptime as u64,
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
        let backing = fs_type(&st.graph_root);
        let store = StoreInfo {
            config_file: self.engine.config_file.clone().unwrap_or_default(),
            containers: counts,
            driver: st.driver.to_string(),
            graph_options: BTreeMap::new(),
            graph_root: st.graph_root.clone(),
            graph_status: BTreeMap::from([("Backing Filesystem".to_string(), backing.clone())]),
            backing_filesystem: backing,
            image_store: ImageCount {
                number: self.storage.list_images().map_or(0, |images| images.len()),
            },
            run_root: st.run_root.clone(),
            volume_path: self.volumes_dir(),
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
        let plugins = PluginsInfo {
            volume: vec!["local".into()],
            network: vec!["bridge".into(), "macvlan".into(), "ipvlan".into()],
            log: vec!["k8s-file".into(), "none".into(), "journald".into()],
        };
        Ok(Info {
            host,
            store,
            registries,
            plugins,
            version: version_info(),
            settings: self.engine.config_origins.clone(),
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
    fn os_release_and_uptime_read_as_podman_prints_them() {
        let d = distribution(
            "NAME=\"Debian\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n",
        );
        assert_eq!(
            (
                d.distribution.as_str(),
                d.version.as_str(),
                d.codename.as_str()
            ),
            ("debian", "12", "bookworm")
        );
        assert_eq!(distribution("junk"), DistributionInfo::default());
        assert_eq!(
            uptime_text(7608.0),
            "2h 6m 48.00s (Approximately 0.09 days)"
        );
    }

    #[test]
    fn binaries_are_found_with_versions() {
        let b = binary(
            "sh",
            &[
                PathBuf::from("/nonexistent/x"),
                PathBuf::from("/bin/busybox"),
            ],
            false,
        );
        assert_eq!(b.path, PathBuf::from("/bin/busybox"));
        let none = binary("nothing", &[PathBuf::from("/nonexistent/x")], false);
        assert!(none.path.as_os_str().is_empty());
        assert_eq!(none.version, "");
    }

    #[test]
    fn json_keys_are_podmans() {
        let v = serde_json::to_value(version_info()).unwrap();
        for k in [
            "APIVersion",
            "Version",
            "GoVersion",
            "GitCommit",
            "BuiltTime",
            "Built",
            "OsArch",
            "Os",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        let c = serde_json::to_value(ContainerCounts::default()).unwrap();
        assert_eq!(
            c,
            serde_json::json!({"number": 0, "paused": 0, "running": 0, "stopped": 0})
        );
    }
}

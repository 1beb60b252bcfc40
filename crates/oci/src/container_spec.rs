//! The plain input to spec generation: everything the runtime crate knows about one container.
//!
//! No type here depends on another berth crate; the runtime crate fills a [`ContainerSpec`]
//! from its own records, the image config and the user's options.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// How a container is placed in its cgroup; chosen by the caller's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CgroupManager {
    /// Write cgroup files directly; `cgroupsPath` is `/berth/ID`.
    #[default]
    Cgroupfs,
    /// Ask systemd; `cgroupsPath` is `berth.slice:berth:ID`. Requires a running systemd.
    Systemd,
}

/// The parts of the image's config that matter to the process (OCI image config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageConfig {
    /// `Entrypoint`.
    pub entrypoint: Vec<String>,
    /// `Cmd`.
    pub cmd: Vec<String>,
    /// `Env`, `KEY=VALUE`.
    pub env: Vec<String>,
    /// `WorkingDir`.
    pub workdir: Option<String>,
    /// `User`.
    pub user: Option<String>,
    /// `StopSignal` as written in the image (e.g. `SIGQUIT`).
    pub stop_signal: Option<String>,
}

/// How one namespace is set up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NamespaceMode {
    /// A new namespace of the container's own (for network: only loopback).
    #[default]
    Private,
    /// Share the host's namespace (the namespace is left out of the spec).
    Host,
    /// Join the namespace at this path (a CNI netns, or another container's `/proc/PID/ns/X` in a pod).
    Path(PathBuf),
}

/// The container's namespaces. The mount namespace is always private.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Namespaces {
    /// PID namespace.
    pub pid: NamespaceMode,
    /// IPC namespace.
    pub ipc: NamespaceMode,
    /// UTS namespace (hostname).
    pub uts: NamespaceMode,
    /// Network namespace: `Private` = `--network none`, `Path` = a netns made by CNI, `Host`.
    pub network: NamespaceMode,
    /// Cgroup namespace; `None` keeps the runtime's default (not unshared on cgroup v1).
    pub cgroup: Option<NamespaceMode>,
}

/// A bind mount or named volume (already resolved to a host path by the caller).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BindMount {
    /// Host path.
    pub source: PathBuf,
    /// Path in the container (absolute).
    pub destination: String,
    /// `ro`.
    pub read_only: bool,
    /// `nosuid`.
    pub nosuid: bool,
    /// `nodev`.
    pub nodev: bool,
    /// `noexec`.
    pub noexec: bool,
    /// Propagation option (`rprivate`, `private`, `rshared`, `shared`, `rslave`, `slave`), `None` = `rprivate`.
    pub propagation: Option<String>,
    /// Non-recursive bind (`bind` instead of `rbind`).
    pub non_recursive: bool,
}

/// A tmpfs mount.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TmpfsMount {
    /// Path in the container (absolute).
    pub destination: String,
    /// Extra mount options (`size=64m`, `mode=1777`, `ro`, ...); `nosuid`, `nodev` are always added.
    pub options: Vec<String>,
}

/// Which seccomp profile applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SeccompChoice {
    /// The override path if it exists, else the default path (see [`crate::generate::SpecOptions`]).
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined,
    /// A custom profile file in containers' JSON format.
    Profile(PathBuf),
}

/// Resource limits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resources {
    /// Memory limit in bytes.
    pub memory: Option<i64>,
    /// Memory + swap limit in bytes (`-1` unlimited).
    pub memory_swap: Option<i64>,
    /// Memory reservation (soft limit) in bytes.
    pub memory_reservation: Option<i64>,
    /// CFS quota in microseconds per period (`--cpus 1.5` is 150000 per 100000).
    pub cpu_quota: Option<i64>,
    /// CFS period in microseconds; `None` with a quota = 100000.
    pub cpu_period: Option<u64>,
    /// CPU shares (relative weight).
    pub cpu_shares: Option<u64>,
    /// cpuset CPUs (`0-1`).
    pub cpuset_cpus: Option<String>,
    /// Maximum number of processes.
    pub pids_limit: Option<i64>,
    /// Block IO weight.
    pub blkio_weight: Option<u16>,
    /// Memory swappiness, 0 to 100; `None` = the kernel's.
    pub memory_swappiness: Option<u64>,
    /// Turn the OOM killer off for the container's cgroup.
    pub oom_kill_disable: bool,
    /// cpuset memory nodes (`0-1`).
    pub cpuset_mems: Option<String>,
    /// Block IO throttles of host block devices (`--device-read-bps` and friends).
    pub throttles: Vec<BlkioThrottle>,
}

/// What a [`BlkioThrottle`] limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleKind {
    /// Bytes read per second.
    ReadBps,
    /// Bytes written per second.
    WriteBps,
    /// Reads per second.
    ReadIops,
    /// Writes per second.
    WriteIops,
}

/// A block IO throttle of one host block device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlkioThrottle {
    /// What is limited.
    pub kind: ThrottleKind,
    /// The block device on the host (`/dev/vda`).
    pub device: PathBuf,
    /// Bytes or operations per second.
    pub rate: u64,
}

/// One `/etc/hosts` entry (`--add-host name:ip`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntry {
    /// IP address.
    pub ip: String,
    /// Host names for it.
    pub names: Vec<String>,
}

/// What goes into the container's `/etc/resolv.conf`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnsConfig {
    /// Name servers; empty = copy the host's `/etc/resolv.conf` servers (minus loopback ones).
    pub servers: Vec<String>,
    /// Search domains.
    pub search: Vec<String>,
    /// Resolver options.
    pub options: Vec<String>,
}

/// A resource limit (`--ulimit nofile=1024:2048`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    /// Name as in podman (`nofile`, `nproc`, `core`, ...) or `RLIMIT_NOFILE`.
    pub name: String,
    /// Soft limit.
    pub soft: u64,
    /// Hard limit.
    pub hard: u64,
}

/// A host device made available in the container (`--device /dev/fuse:/dev/fuse:rwm`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceMapping {
    /// The device node on the host.
    pub host_path: PathBuf,
    /// Path in the container; `None` = same as on the host.
    pub container_path: Option<String>,
    /// cgroup permissions, a combination of `r`, `w`, `m`; empty = `rwm`.
    pub permissions: String,
}

/// An extra rule of the container's device cgroup allow list (`--device-cgroup-rule
/// 'c 1:3 rwm'`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceCgroupRule {
    /// `c`, `b`, or `None` for all (`a`).
    pub kind: Option<char>,
    /// Major number; `None` = any (`*`).
    pub major: Option<i64>,
    /// Minor number; `None` = any (`*`).
    pub minor: Option<i64>,
    /// A combination of `r`, `w`, `m`.
    pub access: String,
}

/// Everything needed to generate one container's OCI spec. Build with [`ContainerSpec::new`]
/// and set the public fields.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContainerSpec {
    /// Full container id (64 hex chars in berth).
    pub id: String,
    /// Container name.
    pub name: String,
    /// The mounted root filesystem.
    pub rootfs: PathBuf,
    /// The bundle directory: `config.json`, `hosts`, `resolv.conf`, `hostname`, conmon's files.
    pub bundle_dir: PathBuf,
    /// The image's config.
    pub image: ImageConfig,
    /// User's `--entrypoint`: `Some(vec![])` clears the image entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// User's command (after the image name); empty = the image's Cmd.
    pub command: Vec<String>,
    /// User's environment, `KEY=VALUE`, applied after the image's.
    pub env: Vec<String>,
    /// User's `--workdir`.
    pub workdir: Option<String>,
    /// User's `--user` (`name`, `uid`, `uid:gid`, `name:group`).
    pub user: Option<String>,
    /// Additional groups (`--group-add`), names or gids.
    pub groups: Vec<String>,
    /// Default variables (`PATH`, `TERM`, `container`) to leave out (`--unsetenv`).
    pub unset_env: Vec<String>,
    /// Leave out every default variable (`--unsetenv-all`).
    pub unset_env_all: bool,
    /// The image's name as the user gave it, for `/run/.containerenv`.
    pub image_name: String,
    /// The image's id, for `/run/.containerenv`.
    pub image_id: String,
    /// The workdir was named by the user (`--workdir`), not the image's: it must exist in the
    /// root filesystem or under a mount, as podman (which creates only the image's).
    pub workdir_must_exist: bool,
    /// `-t`.
    pub tty: bool,
    /// `-i`.
    pub stdin: bool,
    /// Hostname; `None` = the first 12 characters of the id.
    pub hostname: Option<String>,
    /// Namespaces.
    pub namespaces: Namespaces,
    /// Bind mounts and volumes.
    pub mounts: Vec<BindMount>,
    /// tmpfs mounts.
    pub tmpfs: Vec<TmpfsMount>,
    /// Host devices (`--device`).
    pub devices: Vec<DeviceMapping>,
    /// Extra device cgroup allow rules (`--device-cgroup-rule`).
    pub device_cgroup_rules: Vec<DeviceCgroupRule>,
    /// The process's umask; `None` = 0022.
    pub umask: Option<u32>,
    /// Keep the image's `/etc/hosts` (`--no-hosts`); resolv.conf and hostname are still bound.
    pub no_hosts: bool,
    /// The process's OOM score adjustment (-1000 to 1000).
    pub oom_score_adj: Option<i32>,
    /// `--cap-add`.
    pub cap_add: Vec<String>,
    /// `--cap-drop`.
    pub cap_drop: Vec<String>,
    /// `--privileged`: all capabilities, no seccomp, no masked/read-only paths, all host devices allowed.
    pub privileged: bool,
    /// `--security-opt no-new-privileges`.
    pub no_new_privileges: bool,
    /// Seccomp profile choice.
    pub seccomp: SeccompChoice,
    /// `--read-only`.
    pub read_only: bool,
    /// Resource limits.
    pub resources: Resources,
    /// `--ulimit` values; others default to the engine's own limits.
    pub ulimits: Vec<Ulimit>,
    /// `/dev/shm` size in bytes (default 64 MiB).
    pub shm_size: Option<u64>,
    /// `--sysctl`.
    pub sysctls: BTreeMap<String, String>,
    /// Annotations (also used to match hooks).
    pub annotations: BTreeMap<String, String>,
    /// `/etc/resolv.conf` content.
    pub dns: DnsConfig,
    /// Extra `/etc/hosts` entries.
    pub hosts: Vec<HostEntry>,
    /// Do not write/bind `/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname` (the image's are used).
    pub no_etc_files: bool,
    /// Stop signal number; `None` = the image's, else SIGTERM.
    pub stop_signal: Option<i32>,
    /// A cgroup parent to use instead of `berth` (cgroupfs `/PARENT/ID`, systemd `PARENT.slice:berth:ID`).
    pub cgroup_parent: Option<String>,
}

impl ContainerSpec {
    /// The signal that stops this container: the user's, else the image's, else SIGTERM.
    pub fn effective_stop_signal(&self) -> crate::Result<i32> {
        if let Some(s) = self.stop_signal {
            return Ok(s);
        }
        match &self.image.stop_signal {
            Some(s) if !s.is_empty() => {
                s.parse::<crate::Signal>()
                    .map(|sig| sig.0)
                    .map_err(|e| crate::Error::InvalidSpec {
                        field: "stop_signal".into(),
                        reason: e.to_string(),
                    })
            }
            _ => Ok(libc::SIGTERM),
        }
    }

    /// A spec with the three required fields and every option at its default.
    pub fn new(
        id: impl Into<String>,
        rootfs: impl Into<PathBuf>,
        bundle_dir: impl Into<PathBuf>,
    ) -> Self {
        let id = id.into();
        Self {
            name: id.clone(),
            id,
            rootfs: rootfs.into(),
            bundle_dir: bundle_dir.into(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_signal_prefers_user_then_image_then_term() {
        let mut s = ContainerSpec::new("a", "/r", "/b");
        assert_eq!(s.effective_stop_signal().unwrap(), libc::SIGTERM);
        s.image.stop_signal = Some("SIGINT".into());
        assert_eq!(s.effective_stop_signal().unwrap(), libc::SIGINT);
        s.stop_signal = Some(libc::SIGKILL);
        assert_eq!(s.effective_stop_signal().unwrap(), libc::SIGKILL);
    }

    #[test]
    fn an_image_stop_signal_is_read_by_the_one_parser() {
        let mut s = ContainerSpec::new("a", "/r", "/b");
        s.image.stop_signal = Some("quit".into());
        assert_eq!(s.effective_stop_signal().unwrap(), libc::SIGQUIT);
        s.image.stop_signal = Some("SIGRTMIN+3".into());
        assert_eq!(s.effective_stop_signal().unwrap(), 37);
        s.image.stop_signal = Some("SIGNOPE".into());
        let e = s.effective_stop_signal().unwrap_err().to_string();
        assert!(
            e.contains("stop_signal") && e.contains("\"SIGNOPE\""),
            "{e}"
        );
        s.image.stop_signal = Some("0".into());
        assert!(s.effective_stop_signal().is_err());
    }
}

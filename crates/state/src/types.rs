//! The records the state stores: containers and pods, each split into an
//! immutable part written once at create and a mutable part saved as the
//! object's life goes on.
//!
//! These are plain data. The runtime crate fills them; the state checks only
//! what its invariants need (ids, names, namespaces, pods, dependencies).
//! Every struct is `#[serde(default)]`, so a field added later reads as its
//! default from an older record.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The lifecycle status of a container.
///
/// The rules of the lifecycle live here, beside the enum, so every layer
/// asks the same questions (`can_start`, `can_stop`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerStatus {
    /// Recorded in the state; no OCI container exists yet.
    #[default]
    Configured,
    /// The OCI runtime created it (`runc create`); its process has not started.
    Created,
    /// Its process runs.
    Running,
    /// Its processes are frozen.
    Paused,
    /// Its process ended and the runtime has not cleaned up yet.
    Stopped,
    /// Its process ended and everything it held is released.
    Exited,
}

impl ContainerStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [ContainerStatus; 6] = [
        Self::Configured,
        Self::Created,
        Self::Running,
        Self::Paused,
        Self::Stopped,
        Self::Exited,
    ];

    /// The lowercase name podman prints (`configured`, `running`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Configured => "configured",
            Self::Created => "created",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
            Self::Exited => "exited",
        }
    }

    /// Whether `start` may run from this status (it creates the OCI container
    /// first when there is none).
    pub fn can_start(self) -> bool {
        matches!(
            self,
            Self::Configured | Self::Created | Self::Stopped | Self::Exited
        )
    }

    /// Whether `stop` has something to stop.
    pub fn can_stop(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }

    /// Whether a signal can be delivered (`kill`).
    pub fn can_kill(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }

    /// Whether `pause` applies.
    pub fn can_pause(self) -> bool {
        self == Self::Running
    }

    /// Whether `unpause` applies.
    pub fn can_unpause(self) -> bool {
        self == Self::Paused
    }

    /// Whether the container may be removed without `--force` (nothing runs).
    pub fn can_remove(self) -> bool {
        !self.is_active()
    }

    /// Whether a process of the container may exist (created, running or paused).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Created | Self::Running | Self::Paused)
    }

    /// The status after a reboot, when no container process can have
    /// survived: a container that had been started (running, paused,
    /// stopped) is `Exited`; one only created is `Configured` again.
    pub fn after_reboot(self) -> Self {
        match self {
            Self::Configured | Self::Created => Self::Configured,
            Self::Running | Self::Paused | Self::Stopped | Self::Exited => Self::Exited,
        }
    }
}

impl std::fmt::Display for ContainerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The namespaces a container joins instead of creating its own: each field
/// is the id of the container whose namespace it shares. A container that
/// shares another's namespace depends on it, and the state refuses to remove
/// the one depended on while a dependent exists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SharedNamespaces {
    /// Network namespace.
    pub net: Option<String>,
    /// IPC namespace.
    pub ipc: Option<String>,
    /// PID namespace.
    pub pid: Option<String>,
    /// UTS (hostname) namespace.
    pub uts: Option<String>,
    /// User namespace.
    pub user: Option<String>,
    /// Mount namespace.
    pub mount: Option<String>,
    /// Cgroup namespace.
    pub cgroup: Option<String>,
}

impl SharedNamespaces {
    /// The distinct container ids these namespaces come from.
    pub fn container_ids(&self) -> BTreeSet<&str> {
        [
            &self.net,
            &self.ipc,
            &self.pid,
            &self.uts,
            &self.user,
            &self.mount,
            &self.cgroup,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    }
}

/// A published port: berth's one port mapping type (from the base floor, shared with the
/// network layer). Stored as it always was: `host_ip` text, ports, `protocol` text.
pub use berth_config::PortMapping;

/// A bind mount or tmpfs given at create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    /// Where it appears inside the container.
    pub destination: String,
    /// The host path (bind) or the filesystem name (tmpfs).
    pub source: String,
    /// `bind`, `tmpfs`, ...
    pub kind: String,
    /// Mount options (`ro`, `rbind`, `nosuid`, ...).
    pub options: Vec<String>,
}

/// A named volume used by a container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NamedVolume {
    /// The volume's name.
    pub name: String,
    /// Where it appears inside the container.
    pub destination: String,
    /// Mount options.
    pub options: Vec<String>,
}

/// Resource limits given at create. `None` means the runtime's default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceLimits {
    /// Memory limit in bytes.
    pub memory: Option<i64>,
    /// Memory plus swap limit in bytes.
    pub memory_swap: Option<i64>,
    /// CPU shares (relative weight).
    pub cpu_shares: Option<u64>,
    /// CFS quota in microseconds per period.
    pub cpu_quota: Option<i64>,
    /// CFS period in microseconds.
    pub cpu_period: Option<u64>,
    /// CPUs the container may use (`0-2,4`).
    pub cpuset_cpus: Option<String>,
    /// Maximum number of pids.
    pub pids_limit: Option<i64>,
    /// rlimits as (name, soft, hard), e.g. `("RLIMIT_NOFILE", 1024, 1024)`.
    pub ulimits: Vec<(String, u64, u64)>,
    /// Size of /dev/shm in bytes.
    pub shm_size: Option<u64>,
}

/// Security options given at create.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityOptions {
    /// Run with every capability and no confinement.
    pub privileged: bool,
    /// Capabilities added to the default set.
    pub cap_add: Vec<String>,
    /// Capabilities dropped from the default set.
    pub cap_drop: Vec<String>,
    /// Path of a seccomp profile; `Some("unconfined")` turns seccomp off.
    pub seccomp_profile: Option<String>,
    /// AppArmor profile.
    pub apparmor_profile: Option<String>,
    /// SELinux labels.
    pub selinux_opts: Vec<String>,
    /// Set no_new_privileges.
    pub no_new_privileges: bool,
    /// Mount the root filesystem read-only.
    pub read_only_rootfs: bool,
    /// Extra groups of the container process.
    pub groups: Vec<String>,
}

/// How a container is networked, as its record keeps it (the runtime turns it into the
/// network layer's mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "value")]
pub enum NetworkMode {
    /// Its own netns attached to these CNI networks, in this order.
    Networks(Vec<String>),
    /// Its own netns with only `lo`.
    None,
    /// The host's namespace.
    Host,
    /// Another namespace, by path.
    Container(std::path::PathBuf),
}

/// The immutable part of a container, written once by `add_container`.
///
/// Records written before the network mode, sysctls, cgroup parent and infra marker were
/// fields kept them in `extra` (`berth.network_mode`, ...): they are moved into their fields
/// when the record is read, and a value there that does not decode fails the read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, remote = "Self")]
pub struct ContainerConfig {
    /// 64 lowercase hex characters.
    pub id: String,
    /// Unique among containers and pods.
    pub name: String,
    /// The berth namespace it belongs to ("" for none).
    pub namespace: String,
    /// The image reference the user gave.
    pub image_name: String,
    /// The resolved image id.
    pub image_id: String,
    /// Command (arguments after the entrypoint).
    pub command: Vec<String>,
    /// Entrypoint.
    pub entrypoint: Vec<String>,
    /// Environment, `KEY=value` pairs in order.
    pub env: Vec<String>,
    /// Working directory inside the container.
    pub working_dir: String,
    /// `user[:group]` the process runs as.
    pub user: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// OCI annotations.
    pub annotations: BTreeMap<String, String>,
    /// The pod it belongs to; the pod must exist and be in the same namespace.
    pub pod_id: Option<String>,
    /// CNI networks it joins.
    pub networks: Vec<String>,
    /// Published ports.
    pub port_mappings: Vec<PortMapping>,
    /// Bind mounts and tmpfs.
    pub mounts: Vec<Mount>,
    /// Named volumes.
    pub named_volumes: Vec<NamedVolume>,
    /// Namespaces shared with other containers (its dependencies).
    pub shared_namespaces: SharedNamespaces,
    /// The id of its root filesystem in the storage layer.
    pub rootfs_storage_id: String,
    /// Resource limits.
    pub resources: ResourceLimits,
    /// Security options.
    pub security: SecurityOptions,
    /// Signal that stops it (`SIGTERM` is 15).
    pub stop_signal: u32,
    /// Seconds to wait after the stop signal before SIGKILL.
    pub stop_timeout: u32,
    /// Remove it when it exits (`--rm`).
    pub auto_remove: bool,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// Allocate a terminal.
    pub tty: bool,
    /// Keep stdin open.
    pub stdin: bool,
    /// Hostname inside the container; empty for the default.
    pub hostname: String,
    /// DNS servers.
    pub dns_servers: Vec<String>,
    /// DNS search domains.
    pub dns_search: Vec<String>,
    /// DNS options.
    pub dns_options: Vec<String>,
    /// Extra /etc/hosts entries, `name:ip`.
    pub hosts_add: Vec<String>,
    /// Where conmon writes its log.
    pub log_path: String,
    /// How it is networked; `None` = its `networks` (records from before the field).
    pub network_mode: Option<NetworkMode>,
    /// Kernel parameters set in it (`--sysctl`).
    pub sysctls: BTreeMap<String, String>,
    /// The cgroup parent it was created under (cgroupfs `/PARENT/ID`); `None` = the OCI
    /// runtime's default.
    pub cgroup_parent: Option<String>,
    /// The id of the pod whose infra container this is; `None` for every other container.
    pub infra_pod: Option<String>,
    /// The command line that created it (argv, binary first; podman's `CreateCommand`);
    /// empty when it was not created from a command line (or before the field).
    pub create_command: Vec<String>,
    /// Free-form fields for later versions, without a schema change.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl ContainerConfig {
    /// Whether this is a pod's infra container.
    pub fn is_infra(&self) -> bool {
        self.infra_pod.is_some()
    }

    /// The ids of the containers this one depends on (shares namespaces with).
    pub fn dependencies(&self) -> BTreeSet<&str> {
        self.shared_namespaces.container_ids()
    }
}

/// The mutable part of a container, saved with `save_container_state`.
///
/// Records written before `restart_count` was a field kept it in `extra`
/// (`berth.restart_count`); it is moved on read, like [`ContainerConfig`]'s.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, remote = "Self")]
pub struct ContainerState {
    /// Lifecycle status.
    pub status: ContainerStatus,
    /// Pid of the container's first process, 0 when none.
    pub pid: u32,
    /// Pid of its conmon, 0 when none.
    pub conmon_pid: u32,
    /// When `pid` started (clock ticks after boot, `/proc/PID/stat` field 22), so a pid the
    /// kernel hands to another process later is not taken for the container's; 0 = unknown
    /// (records written before it was kept).
    pub pid_start_time: u64,
    /// When `conmon_pid` started, likewise.
    pub conmon_start_time: u64,
    /// Exit code of the last run.
    pub exit_code: Option<i32>,
    /// When it last started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it last finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Whether the kernel's OOM killer ended the last run.
    pub oom_killed: bool,
    /// Where its root filesystem is mounted, empty when not mounted.
    pub mount_point: String,
    /// Path of its network namespace, empty when none.
    pub netns_path: String,
    /// The CNI results of its networks, as the plugins returned them.
    pub network_results: Option<serde_json::Value>,
    /// How many times it was started in this boot.
    pub restart_count: u64,
    /// Free-form fields for later versions, without a schema change.
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl ContainerState {
    /// A fresh state in the given status, everything else empty.
    pub fn with_status(status: ContainerStatus) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }

    /// Forgets the container's and conmon's processes (they ended).
    pub fn clear_pids(&mut self) {
        self.pid = 0;
        self.conmon_pid = 0;
        self.pid_start_time = 0;
        self.conmon_start_time = 0;
    }

    /// The state after a reboot (see [`ContainerStatus::after_reboot`]):
    /// the pids, mount point, netns path and network results are cleared,
    /// because none of them survives a reboot. Exit code, times and
    /// `oom_killed` are kept.
    pub fn reset_after_reboot(&mut self) {
        self.status = self.status.after_reboot();
        self.clear_pids();
        self.mount_point.clear();
        self.netns_path.clear();
        self.network_results = None;
    }
}

/// A container as stored: its immutable and its mutable part.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContainerRecord {
    /// Written once at create.
    pub config: ContainerConfig,
    /// Saved as the container's life goes on.
    pub state: ContainerState,
}

/// The status of a pod, derived by the runtime from its containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PodStatus {
    /// No container of it has started.
    #[default]
    Created,
    /// All its containers run.
    Running,
    /// Some of its containers run.
    Degraded,
    /// Its containers are paused.
    Paused,
    /// Its containers were stopped.
    Stopped,
    /// Its containers have exited.
    Exited,
}

impl PodStatus {
    /// The lowercase name podman prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Running => "running",
            Self::Degraded => "degraded",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
            Self::Exited => "exited",
        }
    }

    /// The status after a reboot: nothing of the pod runs any more.
    pub fn after_reboot(self) -> Self {
        match self {
            Self::Created => Self::Created,
            Self::Running | Self::Degraded | Self::Paused | Self::Stopped | Self::Exited => {
                Self::Exited
            }
        }
    }
}

impl std::fmt::Display for PodStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which namespaces the containers of a pod share (with the infra container).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PodSharedNamespaces {
    /// Share the network namespace.
    pub net: bool,
    /// Share the IPC namespace.
    pub ipc: bool,
    /// Share the PID namespace.
    pub pid: bool,
    /// Share the UTS namespace.
    pub uts: bool,
    /// Share the user namespace.
    pub user: bool,
    /// Share the cgroup namespace.
    pub cgroup: bool,
}

/// The immutable part of a pod, written once by `add_pod`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PodConfig {
    /// 64 lowercase hex characters, distinct from every container id.
    pub id: String,
    /// Unique among containers and pods.
    pub name: String,
    /// The berth namespace it belongs to ("" for none).
    pub namespace: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// The id of its infra container, when it has one. The runtime chooses
    /// the id before it creates the container; the state does not check it.
    pub infra_container_id: Option<String>,
    /// Namespaces its containers share.
    pub shared_namespaces: PodSharedNamespaces,
    /// Cgroup parent of its containers.
    pub cgroup_parent: String,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// Free-form fields for later versions, without a schema change.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The mutable part of a pod, saved with `save_pod_state`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PodState {
    /// Status, as last derived from its containers.
    pub status: PodStatus,
    /// The cgroup path created for it, empty when none.
    pub cgroup_path: String,
    /// Free-form fields for later versions, without a schema change.
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A pod as stored: its immutable and its mutable part.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PodRecord {
    /// Written once at create.
    pub config: PodConfig,
    /// Saved as the pod's life goes on.
    pub state: PodState,
}

/// Whether `id` is a valid object id: 64 lowercase hex characters.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_rules() {
        use ContainerStatus as S;
        assert!(S::Configured.can_start() && S::Exited.can_start() && !S::Running.can_start());
        assert!(S::Running.can_stop() && S::Paused.can_stop() && !S::Exited.can_stop());
        assert!(S::Exited.can_remove() && S::Configured.can_remove() && !S::Paused.can_remove());
        assert!(S::Running.can_pause() && !S::Paused.can_pause() && S::Paused.can_unpause());
        for s in S::ALL {
            assert!(
                !s.after_reboot().is_active(),
                "{s} stays active after reboot"
            );
        }
        assert_eq!(S::Created.after_reboot(), S::Configured);
        assert_eq!(S::Running.after_reboot(), S::Exited);
    }

    #[test]
    fn status_serializes_lowercase() {
        let s = serde_json::to_string(&ContainerStatus::Paused).unwrap();
        assert_eq!(s, "\"paused\"");
        let back: ContainerStatus = serde_json::from_str("\"exited\"").unwrap();
        assert_eq!(back, ContainerStatus::Exited);
        assert!(serde_json::from_str::<ContainerStatus>("\"zombie\"").is_err());
    }

    #[test]
    fn old_record_without_new_fields_reads_as_defaults() {
        let cfg: ContainerConfig = serde_json::from_str(r#"{"id":"ab","name":"x"}"#).unwrap();
        assert_eq!(cfg.name, "x");
        assert!(cfg.env.is_empty() && !cfg.tty && cfg.pod_id.is_none());
        // Pids saved before their start times were kept: start times unknown (0).
        let st: ContainerState =
            serde_json::from_str(r#"{"status":"running","pid":7,"conmon_pid":6}"#).unwrap();
        assert_eq!((st.pid, st.pid_start_time, st.conmon_start_time), (7, 0, 0));
    }

    #[test]
    fn reset_after_reboot_clears_runtime_fields() {
        let mut st = ContainerState {
            status: ContainerStatus::Running,
            pid: 42,
            conmon_pid: 41,
            pid_start_time: 9,
            conmon_start_time: 8,
            exit_code: Some(3),
            mount_point: "/m".into(),
            netns_path: "/run/netns/x".into(),
            network_results: Some(serde_json::json!({"ips": []})),
            ..ContainerState::default()
        };
        st.reset_after_reboot();
        assert_eq!(st.status, ContainerStatus::Exited);
        assert_eq!((st.pid, st.conmon_pid), (0, 0));
        assert_eq!((st.pid_start_time, st.conmon_start_time), (0, 0));
        assert!(st.mount_point.is_empty() && st.netns_path.is_empty());
        assert!(st.network_results.is_none());
        assert_eq!(st.exit_code, Some(3));
    }

    #[test]
    fn ids_and_names() {
        assert!(is_valid_id(&"a1".repeat(32)));
        assert!(!is_valid_id(&"A1".repeat(32)));
        assert!(!is_valid_id("abc"));
    }

    #[test]
    fn dependencies_are_distinct() {
        let cfg = ContainerConfig {
            shared_namespaces: SharedNamespaces {
                net: Some("a".into()),
                ipc: Some("a".into()),
                pid: Some("b".into()),
                ..SharedNamespaces::default()
            },
            ..ContainerConfig::default()
        };
        assert_eq!(
            cfg.dependencies().into_iter().collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}

//! Containers: options, lookup, cheap status sync, and one file per group of verbs.

mod checkpoint;
mod commit;
mod conf_defaults;
mod copy;
mod create;
mod exec;
mod inspect;
mod lifecycle;
mod logs;
mod remove;
mod rename;
mod spec;
mod stats;
mod stop;
mod update;

use std::collections::BTreeMap;

use berth_state::{ContainerRecord, ContainerState, ContainerStatus, ResourceLimits};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::options::{ContainerMount, HostEntry, Seccomp};
use crate::runtime::Runtime;

pub use commit::{ContainerCommitOptions, DiffTarget};
pub use copy::{CopyError, CopyOptions};
pub use exec::{ExecOptions, ExecOutput};
pub use inspect::{
    InspectConfig, InspectContainer, InspectHostConfig, InspectMount, InspectNetworkSettings,
    InspectState, PortBinding,
};
pub use lifecycle::WaitCondition;
pub use logs::{parse_record, LogOptions, LogRecord, LogStream};
pub use stats::{ContainerNamespaces, ContainerStats, TopRow};
pub use update::ContainerUpdateOptions;

/// How a new container is networked.
pub use berth_cni::NetworkMode;
/// One published port (`-p [ip:]host:container[/proto]`).
pub use berth_cni::{PortMapping, Protocol};

/// Everything `create` accepts. `image` is required; every other field has podman's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerCreateOptions {
    /// The command line that created it (argv, binary first), kept for `generate systemd
    /// --new`; empty when not created from a command line.
    #[serde(default)]
    pub create_command: Vec<String>,
    /// Image name or id (must be in local storage).
    pub image: String,
    /// Name; `None` = a generated `adjective_surname`.
    pub name: Option<String>,
    /// Command (replaces the image's Cmd).
    pub command: Vec<String>,
    /// Entrypoint; `Some(vec![])` clears the image's.
    pub entrypoint: Option<Vec<String>>,
    /// Environment, `KEY=VALUE`, applied over the image's.
    pub env: Vec<String>,
    /// Working directory.
    pub workdir: Option<String>,
    /// User (`name`, `uid`, `uid:gid`).
    pub user: Option<String>,
    /// Additional groups.
    pub groups: Vec<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Annotations (also matched by OCI hooks).
    pub annotations: BTreeMap<String, String>,
    /// `-t`.
    pub tty: bool,
    /// `-i`.
    pub stdin: bool,
    /// `--rm`: removed by cleanup once it exits.
    pub auto_remove: bool,
    /// Pod to join (name or id); the container shares the pod's namespaces.
    pub pod: Option<String>,
    /// Network mode; `None` = the default network (or the pod's namespace).
    pub network: Option<NetworkMode>,
    /// Options of the networks it joins (static IPv4, MAC, aliases), by network name; the
    /// empty name is its only network (the default one when none was named).
    #[serde(default)]
    pub network_options: BTreeMap<String, crate::NetworkConnectOptions>,
    /// Remove an existing container of this name first, forced (podman's `--replace`);
    /// needs `name`.
    #[serde(default)]
    pub replace: bool,
    /// Published ports (not allowed in a pod: they belong on the pod).
    pub ports: Vec<PortMapping>,
    /// Also publish every port the image exposes on a free host port (`-P`,
    /// `--publish-all`), unless `ports` maps it already; on a bridge network only.
    #[serde(default)]
    pub publish_all: bool,
    /// Hostname; `None` = the first 12 characters of the id.
    pub hostname: Option<String>,
    /// Bind mounts, volumes (missing ones are created, anonymous ones get a random name)
    /// and tmpfs mounts.
    pub mounts: Vec<ContainerMount>,
    /// `--cap-add`.
    pub cap_add: Vec<String>,
    /// `--cap-drop`.
    pub cap_drop: Vec<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--security-opt no-new-privileges`.
    pub no_new_privileges: bool,
    /// `--security-opt seccomp=...`.
    pub seccomp: Seccomp,
    /// `--read-only`.
    pub read_only: bool,
    /// Resource limits (`--cpus` is [`crate::CpuLimit`]'s quota and period).
    pub resources: ResourceLimits,
    /// Stop signal number; `None` = the image's, else SIGTERM.
    pub stop_signal: Option<u32>,
    /// Seconds `stop` waits before SIGKILL; `None` = 10.
    pub stop_timeout: Option<u32>,
    /// `--sysctl`.
    pub sysctls: BTreeMap<String, String>,
    /// DNS servers.
    pub dns_servers: Vec<String>,
    /// DNS search domains.
    pub dns_search: Vec<String>,
    /// DNS options.
    pub dns_options: Vec<String>,
    /// Extra `/etc/hosts` entries (`--add-host`).
    pub add_hosts: Vec<HostEntry>,
    /// cgroup parent (cgroupfs `/PARENT/ID`).
    pub cgroup_parent: Option<String>,
    /// `--log-driver`, `--log-opt`.
    #[serde(default)]
    pub log: crate::options::LogConfig,
    /// `--tz`: `local` or a zone name (checked against the host's zoneinfo at create).
    #[serde(default)]
    pub timezone: Option<String>,
    /// `--conmon-pidfile`.
    #[serde(default)]
    pub conmon_pidfile: Option<std::path::PathBuf>,
    /// `--pidfile`.
    #[serde(default)]
    pub pidfile: Option<std::path::PathBuf>,
    /// `--timeout`: seconds after which conmon kills the container.
    #[serde(default)]
    pub timeout: Option<u32>,
    /// `--ipc`, `--uts`, `--pid`, `--cgroupns`.
    #[serde(default)]
    pub namespaces: crate::options::NamespaceOptions,
    /// `--health-*` (kept; run by the healthcheck commands).
    #[serde(default)]
    pub healthcheck: Option<crate::options::Healthcheck>,
    /// `--unsetenv`: image (and default) variables to drop.
    #[serde(default)]
    pub unset_env: Vec<String>,
    /// `--unsetenv-all`: drop every image variable.
    #[serde(default)]
    pub unset_env_all: bool,
    /// `--preserve-fds`: this process's fds 3..3+N are passed into the container when it is
    /// initialised (by the same process, as `run` does); they must be open then.
    #[serde(default)]
    pub preserve_fds: u32,
    /// `--device`: host devices in the container.
    #[serde(default)]
    pub devices: Vec<crate::options::DeviceSpec>,
    /// `--device-cgroup-rule`: more of the device cgroup allow list.
    #[serde(default)]
    pub device_rules: Vec<crate::options::DeviceRule>,
    /// `--umask`, `--oom-score-adj`, `--memory-reservation`, `--memory-swappiness`,
    /// `--oom-kill-disable`, `--cpuset-mems`.
    #[serde(default)]
    pub tuning: crate::options::Tuning,
    /// `--env-merge`: `KEY=VALUE` with `$NAME`/`${NAME}` taken from the image's environment,
    /// applied over it (and under `env`).
    #[serde(default)]
    pub env_merge: Vec<String>,
    /// `--volumes-from CTR[:ro|rw]`: that container's bind mounts and named volumes, at
    /// their destinations, unless a mount of this container takes the destination.
    #[serde(default)]
    pub volumes_from: Vec<String>,
    /// `--no-hosts`: no `/etc/hosts` is written over the image's.
    #[serde(default)]
    pub no_hosts: bool,
    /// `--restart`; `None` = `no`. Not with `auto_remove`.
    #[serde(default)]
    pub restart: Option<crate::options::RestartPolicy>,
    /// `--hostuser`: host users (names or UIDs) whose `/etc/passwd` lines are added to the
    /// container's (looked up on the host at create).
    #[serde(default)]
    pub host_users: Vec<String>,
    /// `--secret`: secrets copied into the container at create.
    #[serde(default)]
    pub secrets: Vec<crate::secret::SecretUse>,
}

impl ContainerCreateOptions {
    /// Options for `image` running `command`, everything else at its default.
    pub fn new(image: impl Into<String>, command: &[&str]) -> Self {
        Self {
            image: image.into(),
            command: command.iter().map(|s| (*s).to_string()).collect(),
            ..Self::default()
        }
    }
}

/// Which containers `list_containers` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// All containers; otherwise only running and paused ones (podman `ps` without `-a`).
    pub all: bool,
    /// Only the containers of this pod (name or id).
    pub pod: Option<String>,
}

impl Runtime {
    /// Looks a container up by full id, name or unique id prefix, with its status synced.
    pub fn container(&self, id_or_name: &str) -> Result<ContainerRecord> {
        self.check()?;
        let mut rec = self.state.lookup_container(id_or_name)?;
        self.sync_status(&mut rec)?;
        Ok(rec)
    }

    /// Whether a container exists (by id, name or unique prefix).
    pub fn container_exists(&self, id_or_name: &str) -> Result<bool> {
        self.check()?;
        match self.state.lookup_container(id_or_name) {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The containers of this runtime's namespace, statuses synced from conmon's exit files
    /// and pid liveness (never one `runc state` per container).
    pub fn list_containers(&self, opts: &ListOptions) -> Result<Vec<ContainerRecord>> {
        self.check()?;
        let all = match &opts.pod {
            Some(p) => {
                let pod = self.state.lookup_pod(p)?;
                self.state.pod_containers(&pod.config.id)?
            }
            None => self.state.all_containers()?,
        };
        let mut all = self.synced_skipping_removed(all)?;
        if !opts.all {
            all.retain(|r| {
                matches!(
                    r.state.status,
                    ContainerStatus::Running | ContainerStatus::Paused
                )
            });
        }
        Ok(all)
    }

    /// Syncs each record's status, leaving out the ones removed since they were read (a
    /// concurrent `rm` or `run --rm`'s cleanup): a listing shows what exists.
    pub(crate) fn synced_skipping_removed(
        &self,
        records: Vec<ContainerRecord>,
    ) -> Result<Vec<ContainerRecord>> {
        let mut out = Vec::with_capacity(records.len());
        for mut rec in records {
            match self.sync_status(&mut rec) {
                Ok(()) => out.push(rec),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Brings the record's status up to date from cheap signals: conmon's exit file (through
    /// the OCI layer), then whether conmon and the container process still live. When it
    /// changed, the new status is saved under the container's lock, after checking again on
    /// a fresh record (another process may have restarted the container meanwhile). For
    /// callers that do not hold the container's lock.
    pub(crate) fn sync_status(&self, rec: &mut ContainerRecord) -> Result<()> {
        if self.detect_exit(rec)? == Exit::Alive {
            return Ok(());
        }
        let id = rec.config.id.clone();
        let _lock = self.lock_container(&id)?;
        *rec = match self.state.container(&id) {
            Ok(r) => r,
            Err(e) => {
                if e.is_not_found() {
                    // Removed meanwhile: the lock file just taken is nobody's.
                    let _ = std::fs::remove_file(self.lock_dir.join(format!("{id}.lock")));
                }
                return Err(e.into());
            }
        };
        self.sync_status_locked(rec)
    }

    /// [`Self::sync_status`] for callers that hold the container's lock.
    pub(crate) fn sync_status_locked(&self, rec: &mut ContainerRecord) -> Result<()> {
        let exit = self.detect_exit(rec)?;
        if exit == Exit::Started {
            // `runtime start` ran but its caller died before saving: the record catches up
            // with what that start would have saved.
            mark_started(&mut rec.state);
            self.state
                .save_container_state(&rec.config.id, &rec.state)?;
        }
        if let Exit::Ended(code) = exit {
            rec.state.status = ContainerStatus::Stopped;
            // Nobody recorded a code (conmon died too): podman's "unknown", -1.
            rec.state.exit_code = Some(code.unwrap_or(-1));
            rec.state.clear_pids();
            if rec.state.finished_at.is_none() || rec.state.finished_at < rec.state.started_at {
                rec.state.finished_at = Some(chrono::Utc::now());
            }
            self.state
                .save_container_state(&rec.config.id, &rec.state)?;
            // The one process that saw the exit first (under the lock) records it.
            self.died_event(rec, code.unwrap_or(-1));
        }
        Ok(())
    }

    /// Whether an active container's process has ended (and its exit code if known), or a
    /// created one has been started.
    fn detect_exit(&self, rec: &ContainerRecord) -> Result<Exit> {
        if !rec.state.status.is_active() {
            return Ok(Exit::Alive);
        }
        let id = &rec.config.id;
        if let Some(code) = self.oci.exit_code(id)? {
            return Ok(Exit::Ended(Some(code)));
        }
        let s = &rec.state;
        let conmon_gone = !self.conmon_alive(rec);
        let pid_gone = s.pid == 0 || !self.engine.probe.is_alive(s.pid, s.pid_start_time);
        // conmon writes the exit file before it exits; give a racing write one look.
        if conmon_gone && pid_gone {
            return Ok(Exit::Ended(self.oci.exit_code(id)?));
        }
        // A `created` record whose process lives may have been started by a command killed
        // before it saved `running`: only these (rare) records ask the OCI runtime.
        if rec.state.status == ContainerStatus::Created && !pid_gone {
            let started = self
                .oci
                .state(id)
                .is_ok_and(|st| st.status == berth_oci::ContainerStatus::Running);
            if started {
                return Ok(Exit::Started);
            }
        }
        Ok(Exit::Alive)
    }

    /// Reads a record for an operation that holds its lock: by id, then synced.
    pub(crate) fn locked_record(&self, id: &str) -> Result<ContainerRecord> {
        let mut rec = self.state.container(id)?;
        self.sync_status_locked(&mut rec)?;
        Ok(rec)
    }

    /// Resolves `id_or_name` to a full id (namespace aware).
    pub(crate) fn resolve_container_id(&self, id_or_name: &str) -> Result<String> {
        Ok(self.state.lookup_container(id_or_name)?.config.id)
    }
}

/// The state's `extra` key saying `stop` ended the last run (no restart policy applies).
pub(crate) const STOPPED_BY_USER: &str = "berth.stopped_by_user";

/// The state's `extra` key counting the restarts a restart policy made.
pub(crate) const POLICY_RESTARTS: &str = "berth.policy_restarts";

/// The record of a container the OCI runtime has just started: running since now, no exit,
/// one more start counted.
fn mark_started(state: &mut ContainerState) {
    state.extra.remove(STOPPED_BY_USER);
    state.status = ContainerStatus::Running;
    state.started_at = Some(chrono::Utc::now());
    state.finished_at = None;
    state.exit_code = None;
    state.restart_count += 1;
}

/// What the cheap signals say about a container's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Not active, or still running (or still created).
    Alive,
    /// Recorded `created`, but the OCI runtime has started it.
    Started,
    /// It ended, with this exit code if conmon recorded one.
    Ended(Option<i32>),
}

pub(crate) fn invalid_status(rec: &ContainerRecord, operation: &'static str) -> Error {
    Error::InvalidStatus {
        id: rec.config.id.clone(),
        status: rec.state.status.to_string(),
        operation,
    }
}

/// The network mode a record keeps (records from before the field: its networks); in
/// bridge mode the networks connect/disconnect left it with.
pub(crate) fn network_mode(rec: &ContainerRecord) -> NetworkMode {
    match &rec.config.network_mode {
        Some(berth_state::NetworkMode::Networks(_)) | None => NetworkMode::Networks(
            crate::network::connect::joined_networks(rec)
                .into_iter()
                .map(|j| j.name)
                .collect(),
        ),
        Some(berth_state::NetworkMode::None) => NetworkMode::None,
        Some(berth_state::NetworkMode::Host) => NetworkMode::Host,
        Some(berth_state::NetworkMode::Container(p)) => NetworkMode::Container(p.clone()),
    }
}

/// The network mode as the record keeps it.
pub(crate) fn record_network_mode(mode: &NetworkMode) -> berth_state::NetworkMode {
    match mode {
        NetworkMode::Networks(n) => berth_state::NetworkMode::Networks(n.clone()),
        NetworkMode::None => berth_state::NetworkMode::None,
        NetworkMode::Host => berth_state::NetworkMode::Host,
        NetworkMode::Container(p) => berth_state::NetworkMode::Container(p.clone()),
    }
}

pub(crate) fn is_infra(rec: &ContainerRecord) -> bool {
    rec.config.is_infra()
}

/// The network attachments (CNI results) the record keeps. A stored value that does not
/// decode is an error: skipping it would skip the teardown it is needed for, and leak.
pub(crate) fn network_attachments(
    rec: &ContainerRecord,
) -> Result<Vec<berth_cni::NetworkAttachment>> {
    match &rec.state.network_results {
        None => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|source| Error::RecordDecode {
            id: rec.config.id.clone(),
            field: "network_results",
            source,
        }),
    }
}

/// The network attachments (planned or added) as the record stores them.
pub(crate) fn encode_network_attachments(
    id: &str,
    attachments: &[berth_cni::NetworkAttachment],
) -> Result<serde_json::Value> {
    serde_json::to_value(attachments).map_err(|source| Error::RecordEncode {
        id: id.to_string(),
        field: "network_results",
        source,
    })
}

//! Pods: an infra container (catatonit from a local image berth builds itself) holds the
//! shared namespaces (net, ipc, uts by default) and the pod's published ports; members join
//! at create.

use std::collections::BTreeMap;
use std::time::Duration;

use berth_state::{
    ContainerStatus, PodConfig, PodRecord, PodSharedNamespaces, PodState, PodStatus,
};
use serde::Serialize;
use tracing::instrument;

use crate::container::{is_infra, ContainerCreateOptions, NetworkMode, PortMapping};
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::undo::Undo;

mod inspect;
mod list;
mod pause;
mod top;

pub use inspect::InspectInfraConfig;
pub use list::{PodContainerReport, PodReport};

/// The infra image's name.
pub const INFRA_IMAGE: &str = "localhost/berth-infra:latest";

/// `pod create` options.
#[derive(Debug, Clone, PartialEq)]
pub struct PodCreateOptions {
    /// Name; `None` = generated.
    pub name: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Namespaces the members share (default net, ipc, uts).
    pub share: PodSharedNamespaces,
    /// Ports published by the pod (on its infra container).
    pub ports: Vec<PortMapping>,
    /// The infra container's network mode; `None` = the default network.
    pub network: Option<NetworkMode>,
    /// Hostname of the pod (shared uts).
    pub hostname: Option<String>,
    /// Remove an existing pod of this name first, with its containers (podman's
    /// `--replace`); needs `name`.
    pub replace: bool,
    /// The infra container; `None` = a pod without one (`--infra=false`), whose members
    /// share no namespaces.
    pub infra: Option<PodInfraOptions>,
    /// What happens when the last of its containers exits.
    pub exit_policy: PodExitPolicy,
}

/// `pod create --exit-policy`: what happens when the last container of a pod (the infra
/// container aside) exits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PodExitPolicy {
    /// The pod keeps running (its infra container too).
    #[default]
    Continue,
    /// The pod stops: its infra container is stopped.
    Stop,
}

impl PodExitPolicy {
    /// podman's name: `continue`, `stop`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Continue => "continue",
            Self::Stop => "stop",
        }
    }

    /// The policy a pod was created with (kept in its config's `extra` map).
    pub fn of(config: &PodConfig) -> Self {
        match config.extra.get(EXIT_POLICY_KEY).and_then(|v| v.as_str()) {
            Some("stop") => Self::Stop,
            _ => Self::Continue,
        }
    }
}

/// The key of [`PodExitPolicy`] in a pod config's `extra` map.
const EXIT_POLICY_KEY: &str = "exit_policy";

/// The infra container of a pod (`pod create --infra-*`), and what the members sharing its
/// network namespace inherit from it (`--dns*`, `--add-host`) unless they set their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodInfraOptions {
    /// Its name; `None` = the pod id's first 12 characters and `-infra`.
    pub name: Option<String>,
    /// Its image (a local one); `None` = berth's own infra image.
    pub image: Option<String>,
    /// Its entrypoint; `None` = catatonit.
    pub command: Option<Vec<String>>,
    /// DNS servers.
    pub dns_servers: Vec<String>,
    /// DNS search domains.
    pub dns_search: Vec<String>,
    /// resolv.conf options.
    pub dns_options: Vec<String>,
    /// Extra `/etc/hosts` entries.
    pub add_hosts: Vec<crate::HostEntry>,
    /// Sysctls of the shared namespaces.
    pub sysctls: BTreeMap<String, String>,
}

impl Default for PodCreateOptions {
    fn default() -> Self {
        Self {
            name: None,
            labels: BTreeMap::new(),
            share: PodSharedNamespaces {
                net: true,
                ipc: true,
                uts: true,
                ..PodSharedNamespaces::default()
            },
            ports: Vec::new(),
            network: None,
            hostname: None,
            replace: false,
            infra: Some(PodInfraOptions::default()),
            exit_policy: PodExitPolicy::Continue,
        }
    }
}

/// One member of a pod in `pod inspect`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PodMember {
    /// Container id.
    pub id: String,
    /// Container name.
    pub name: String,
    /// Its status.
    pub state: String,
}

/// `podman pod inspect` for the fields berth has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct InspectPod {
    /// Pod id.
    pub id: String,
    /// Name.
    pub name: String,
    /// libpod namespace.
    pub namespace: String,
    /// Creation time.
    pub created: String,
    /// Status.
    pub state: String,
    /// Hostname (shared uts).
    pub hostname: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Infra container id (podman's key: `InfraContainerID`).
    #[serde(rename = "InfraContainerID")]
    pub infra_container_id: String,
    /// Shared namespaces (`net`, `ipc`, `uts`, ...).
    pub shared_namespaces: Vec<String>,
    /// `continue` or `stop` (`pod create --exit-policy`).
    pub exit_policy: String,
    /// The pod has an infra container.
    pub create_infra: bool,
    /// The infra container's network settings; `None` without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infra_config: Option<InspectInfraConfig>,
    /// Number of containers (infra included).
    pub num_containers: usize,
    /// The containers.
    pub containers: Vec<PodMember>,
}

impl Runtime {
    /// Creates a pod and its infra container (not started).
    #[instrument(skip_all)]
    pub fn create_pod(&self, opts: &PodCreateOptions) -> Result<PodRecord> {
        self.check()?;
        let name = match &opts.name {
            Some(n) => {
                crate::names::check_name(crate::NameKind::Pod, n)?;
                n.clone()
            }
            None if opts.replace => {
                return Err(Error::invalid(
                    "replace",
                    "true",
                    "cannot replace pod without a name being set",
                ))
            }
            None => self.free_name()?,
        };
        if opts.replace {
            self.remove_pod_named(&name)?;
        }
        // Not given: containers.conf's `engine.infra_image` / `infra_command`, else berth's own.
        let conf = &self.config.containers_conf;
        let conf_image = conf.string("engine.infra_image").filter(|i| !i.is_empty());
        let infra_image = match &opts.infra {
            Some(PodInfraOptions { image: Some(i), .. }) => i.clone(),
            Some(_) => match conf_image {
                Some(i) => i.to_owned(),
                None => self.ensure_infra_image()?,
            },
            None => String::new(),
        };
        let id = crate::names::new_id();
        let infra_id = crate::names::new_id();
        let config = PodConfig {
            id: id.clone(),
            name: name.clone(),
            namespace: self.config.namespace.clone(),
            labels: opts.labels.clone(),
            infra_container_id: opts.infra.is_some().then(|| infra_id.clone()),
            shared_namespaces: opts.share.clone(),
            cgroup_parent: String::new(),
            created: chrono::Utc::now(),
            extra: match opts.exit_policy {
                PodExitPolicy::Continue => BTreeMap::new(),
                p @ PodExitPolicy::Stop => [(EXIT_POLICY_KEY.to_owned(), p.as_str().into())].into(),
            },
        };
        let mut undo = Undo::new();
        self.state.add_pod(&config, &PodState::default())?;
        {
            let state = &self.state;
            let pid = id.clone();
            undo.push("remove pod record", move || {
                state.remove_pod(&pid).map_err(Into::into)
            });
        }
        if let Some(infra) = &opts.infra {
            let conf_command = conf
                .string("engine.infra_command")
                .filter(|c| !c.is_empty())
                .map(|c| vec![c.to_owned()]);
            let (entrypoint, command) = match infra.command.clone().or(conf_command) {
                Some(c) => (Some(c), Vec::new()),
                None => (Some(Vec::new()), vec!["/catatonit".into(), "-P".into()]),
            };
            let infra_opts = ContainerCreateOptions {
                image: infra_image,
                name: Some(
                    infra
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("{}-infra", &id[..12])),
                ),
                command,
                entrypoint,
                network: opts.network.clone(),
                ports: opts.ports.clone(),
                hostname: opts.hostname.clone().or_else(|| Some(name.clone())),
                dns_servers: infra.dns_servers.clone(),
                dns_search: infra.dns_search.clone(),
                dns_options: infra.dns_options.clone(),
                add_hosts: infra.add_hosts.clone(),
                sysctls: infra.sysctls.clone(),
                ..ContainerCreateOptions::default()
            };
            match self.create_container_inner(&infra_opts, Some((&id, &infra_id))) {
                Ok(rec) => self.container_event(&rec, crate::EventStatus::Create),
                Err(e) => return Err(undo.fail(e)),
            }
        }
        undo.commit();
        let pod = PodRecord {
            config,
            state: PodState::default(),
        };
        self.pod_event(&pod, crate::EventStatus::Create);
        Ok(pod)
    }

    /// After a member of pod `pod_id` exited and was cleaned up: with the `stop` exit policy
    /// and no other member running or paused, the pod stops (its infra container).
    pub(crate) fn apply_pod_exit_policy(&self, pod_id: &str) -> Result<()> {
        let pod = match self.state.pod(pod_id) {
            Ok(p) => p,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if PodExitPolicy::of(&pod.config) != PodExitPolicy::Stop {
            return Ok(());
        }
        let members = self.synced_skipping_removed(self.state.pod_containers(pod_id)?)?;
        if members
            .iter()
            .any(|m| !is_infra(m) && m.state.status.is_active())
        {
            return Ok(());
        }
        match self.stop_pod(pod_id, None) {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Looks a pod up by id, name or unique prefix.
    pub fn pod(&self, id_or_name: &str) -> Result<PodRecord> {
        self.check()?;
        let mut p = self.state.lookup_pod(id_or_name)?;
        p.state.status = self.pod_status(&p.config.id)?;
        Ok(p)
    }

    /// Whether a pod exists.
    pub fn pod_exists(&self, id_or_name: &str) -> Result<bool> {
        self.check()?;
        match self.state.lookup_pod(id_or_name) {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The pods of this namespace, statuses computed from their containers.
    pub fn list_pods(&self) -> Result<Vec<PodRecord>> {
        self.check()?;
        let mut pods = Vec::new();
        for mut p in self.state.all_pods()? {
            match self.pod_status(&p.config.id) {
                Ok(s) => p.state.status = s,
                // Removed since the list was read.
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            }
            pods.push(p);
        }
        Ok(pods)
    }

    /// A pod's status from all its containers, the infra container included, in podman's
    /// order: all running = running, some running = degraded, all paused = paused, all
    /// stopped = exited, some stopped = stopped, else created.
    fn pod_status(&self, pod_id: &str) -> Result<PodStatus> {
        let members = self.synced_skipping_removed(self.state.pod_containers(pod_id)?)?;
        let statuses: Vec<ContainerStatus> = members.iter().map(|m| m.state.status).collect();
        Ok(pod_status_of(&statuses))
    }

    fn save_pod_status(&self, pod_id: &str, status: PodStatus) -> Result<()> {
        let mut st = self.state.pod_state(pod_id)?;
        st.status = status;
        Ok(self.state.save_pod_state(pod_id, &st)?)
    }

    /// Starts the infra container, then every member. Returns the members that failed.
    pub fn start_pod(&self, id_or_name: &str) -> Result<Vec<(String, Error)>> {
        self.check()?;
        let pod = self.state.lookup_pod(id_or_name)?;
        let _lock = self.lock_pod(&pod.config.id)?;
        if let Some(infra) = &pod.config.infra_container_id {
            self.start_by_id(infra)?;
        }
        let mut failed = Vec::new();
        for c in self.state.pod_containers(&pod.config.id)? {
            if is_infra(&c) {
                continue;
            }
            if let Err(e) = self.start_by_id(&c.config.id) {
                failed.push((c.config.id, e));
            }
        }
        self.save_pod_status(
            &pod.config.id,
            if failed.is_empty() {
                PodStatus::Running
            } else {
                PodStatus::Degraded
            },
        )?;
        self.pod_event(&pod, crate::EventStatus::Start);
        Ok(failed)
    }

    /// Stops every member, then the infra container.
    pub fn stop_pod(
        &self,
        id_or_name: &str,
        timeout: Option<Duration>,
    ) -> Result<Vec<(String, Error)>> {
        self.check()?;
        let pod = self.state.lookup_pod(id_or_name)?;
        let _lock = self.lock_pod(&pod.config.id)?;
        let failed = self.stop_pod_members(&pod, timeout);
        self.save_pod_status(&pod.config.id, PodStatus::Exited)?;
        self.pod_event(&pod, crate::EventStatus::Stop);
        Ok(failed)
    }

    fn stop_pod_members(&self, pod: &PodRecord, timeout: Option<Duration>) -> Vec<(String, Error)> {
        let mut failed = Vec::new();
        let members = match self.state.pod_containers(&pod.config.id) {
            Ok(m) => m,
            Err(e) => return vec![(pod.config.id.clone(), e.into())],
        };
        let (infra, others): (Vec<_>, Vec<_>) = members.into_iter().partition(is_infra);
        for c in others.into_iter().chain(infra) {
            if let Err(e) = self.stop_inner(&c.config.id, timeout) {
                if !e.is_not_found() {
                    failed.push((c.config.id, e));
                }
            }
        }
        failed
    }

    /// Sends a signal to every running member (infra included last).
    pub fn kill_pod(&self, id_or_name: &str, signal: i32) -> Result<Vec<(String, Error)>> {
        self.check()?;
        let pod = self.state.lookup_pod(id_or_name)?;
        let mut failed = Vec::new();
        let members = self.state.pod_containers(&pod.config.id)?;
        let (infra, others): (Vec<_>, Vec<_>) = members.into_iter().partition(is_infra);
        for c in others.into_iter().chain(infra) {
            let mut rec = c;
            self.sync_status(&mut rec)?;
            if rec.state.status.can_kill() {
                if let Err(e) = self.kill_container(&rec.config.id, signal) {
                    failed.push((rec.config.id, e));
                }
            }
        }
        self.pod_event(&pod, crate::EventStatus::Kill);
        Ok(failed)
    }

    /// Stops and starts the pod.
    pub fn restart_pod(
        &self,
        id_or_name: &str,
        timeout: Option<Duration>,
    ) -> Result<Vec<(String, Error)>> {
        let mut failed = self.stop_pod(id_or_name, timeout)?;
        failed.extend(self.start_pod(id_or_name)?);
        Ok(failed)
    }

    /// Removes a pod. With members other than infra: refused unless `force`, which stops and
    /// removes them. The infra container goes with the pod.
    pub fn remove_pod(&self, id_or_name: &str, force: bool) -> Result<()> {
        self.check()?;
        let pod = self.state.lookup_pod(id_or_name)?;
        let _lock = self.lock_pod(&pod.config.id)?;
        let members = self.state.pod_containers(&pod.config.id)?;
        let (infra, others): (Vec<_>, Vec<_>) = members.into_iter().partition(is_infra);
        // As podman: without force only running (or paused) members stop the removal;
        // stopped ones go with the pod, and the infra container is stopped whatever its
        // state.
        if !force {
            let mut busy = Vec::new();
            for c in &others {
                let mut rec = c.clone();
                self.sync_status(&mut rec)?;
                if rec.state.status.is_active() && rec.state.status != ContainerStatus::Created {
                    busy.push(rec.config.id);
                }
            }
            if !busy.is_empty() {
                return Err(Error::PodHasContainers {
                    id: pod.config.id.clone(),
                    containers: busy,
                });
            }
        }
        for c in others {
            self.remove_by_id(&c.config.id, true, false)?;
        }
        for c in infra {
            self.remove_by_id(&c.config.id, true, false)?;
        }
        self.state.remove_pod(&pod.config.id)?;
        let _ = std::fs::remove_file(self.lock_dir.join(format!("pod-{}.lock", pod.config.id)));
        self.pod_event(&pod, crate::EventStatus::Remove);
        Ok(())
    }

    /// Removes the pod called exactly `name` (not one whose id starts with it), forced;
    /// none is fine.
    fn remove_pod_named(&self, name: &str) -> Result<()> {
        let Some(pod) = self
            .state
            .all_pods()?
            .into_iter()
            .find(|p| p.config.name == name)
        else {
            return Ok(());
        };
        match self.remove_pod(&pod.config.id, true) {
            // Removed by another process meanwhile.
            Err(e) if e.is_not_found() => Ok(()),
            r => r,
        }
    }

    /// `pod inspect` data.
    pub fn inspect_pod(&self, id_or_name: &str) -> Result<InspectPod> {
        let pod = self.pod(id_or_name)?;
        let members = self.synced_skipping_removed(self.state.pod_containers(&pod.config.id)?)?;
        let infra = pod.config.infra_container_id.clone().unwrap_or_default();
        let infra_rec = members.iter().find(|m| m.config.id == infra);
        let hostname = infra_rec
            .map(|m| m.config.hostname.clone())
            .unwrap_or_default();
        let ns = &pod.config.shared_namespaces;
        let shared = [
            ("net", ns.net),
            ("ipc", ns.ipc),
            ("uts", ns.uts),
            ("pid", ns.pid),
            ("user", ns.user),
            ("cgroup", ns.cgroup),
        ]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| n.to_string())
        .collect();
        Ok(InspectPod {
            id: pod.config.id.clone(),
            name: pod.config.name.clone(),
            namespace: pod.config.namespace.clone(),
            created: pod
                .config
                .created
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            // podman writes a pod's state capitalized (`Running`, `Degraded`).
            state: {
                let s = pod.state.status.to_string();
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            },
            hostname,
            labels: pod.config.labels.clone(),
            infra_container_id: infra,
            shared_namespaces: shared,
            exit_policy: PodExitPolicy::of(&pod.config).as_str().to_owned(),
            create_infra: pod.config.infra_container_id.is_some(),
            infra_config: infra_rec.map(inspect::infra_config),
            num_containers: members.len(),
            containers: members
                .iter()
                .map(|m| PodMember {
                    id: m.config.id.clone(),
                    name: m.config.name.clone(),
                    state: m.state.status.to_string(),
                })
                .collect(),
        })
    }

    /// Resolves the infra image, building and importing it on first use: one layer with
    /// catatonit's static binary at `/catatonit` and the directories a rootfs needs.
    pub fn ensure_infra_image(&self) -> Result<String> {
        let name = self.engine.infra_image.clone();
        match self.storage.resolve_image(&name) {
            Ok(img) => return Ok(img.id),
            Err(berth_storage::Error::ImageNotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        let tar = infra_tar(&self.engine.catatonit_path)?;
        let img = self.storage.import_rootfs(
            &mut tar.as_slice(),
            &berth_storage::ImportOptions {
                names: vec![name],
                cmd: None,
                entrypoint: Some(vec!["/catatonit".into(), "-P".into()]),
                env: vec!["PATH=/".into()],
                working_dir: None,
                message: Some("berth pod infra image (catatonit)".into()),
                ..Default::default()
            },
        )?;
        Ok(img.id)
    }
}

/// The infra image's single layer as a tar.
pub(crate) fn infra_tar(catatonit: &std::path::Path) -> Result<Vec<u8>> {
    let bin = std::fs::read(catatonit).map_err(|e| {
        Error::io(
            "read catatonit (install the catatonit package) at",
            catatonit,
            e,
        )
    })?;
    if !is_static_elf(&bin) {
        return Err(Error::Host {
            what: catatonit.display().to_string(),
            reason: "catatonit is not a statically linked executable; the infra image needs \
                     Debian's static build"
                .into(),
        });
    }
    let mut b = tar::Builder::new(Vec::new());
    let io = |e| Error::io("build infra image layer", "<memory>", e);
    for dir in ["dev", "proc", "sys", "etc", "run", "tmp"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(if dir == "tmp" { 0o1777 } else { 0o755 });
        h.set_size(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        b.append_data(&mut h, format!("{dir}/"), std::io::empty())
            .map_err(io)?;
    }
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o755);
    h.set_size(bin.len() as u64);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    b.append_data(&mut h, "catatonit", bin.as_slice())
        .map_err(io)?;
    b.into_inner().map_err(io)
}

/// Whether an ELF file has no `PT_INTERP` program header (no dynamic loader needed).
pub(crate) fn is_static_elf(bin: &[u8]) -> bool {
    if bin.len() < 64 || &bin[..4] != b"\x7fELF" || bin[4] != 2 || bin[5] != 1 {
        return false;
    }
    let u16_at = |o: usize| u16::from_le_bytes([bin[o], bin[o + 1]]) as usize;
    let u64_at = |o: usize| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&bin[o..o + 8]);
        u64::from_le_bytes(a) as usize
    };
    let phoff = u64_at(32);
    let phentsize = u16_at(54);
    let phnum = u16_at(56);
    for i in 0..phnum {
        let off = phoff + i * phentsize;
        if off + 4 > bin.len() {
            return false;
        }
        let p_type = u32::from_le_bytes([bin[off], bin[off + 1], bin[off + 2], bin[off + 3]]);
        if p_type == 3 {
            return false; // PT_INTERP
        }
    }
    true
}

/// podman's pod status rule over the statuses of a pod's containers.
pub(crate) fn pod_status_of(statuses: &[ContainerStatus]) -> PodStatus {
    let n = statuses.len();
    let count = |f: fn(ContainerStatus) -> bool| statuses.iter().filter(|s| f(**s)).count();
    let running = count(|s| s == ContainerStatus::Running);
    let paused = count(|s| s == ContainerStatus::Paused);
    let stopped = count(|s| matches!(s, ContainerStatus::Stopped | ContainerStatus::Exited));
    if n == 0 {
        PodStatus::Created
    } else if running == n {
        PodStatus::Running
    } else if running > 0 {
        PodStatus::Degraded
    } else if paused == n {
        PodStatus::Paused
    } else if stopped == n {
        PodStatus::Exited
    } else if stopped > 0 {
        PodStatus::Stopped
    } else {
        PodStatus::Created
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catatonit_is_static_and_a_dynamic_binary_is_not() {
        let cat = std::fs::read("/usr/bin/catatonit")
            .expect("catatonit missing: apt-get install catatonit (cargo xtask deps)");
        assert!(is_static_elf(&cat));
        let sh = std::fs::read("/bin/ls").unwrap();
        assert!(!is_static_elf(&sh));
        assert!(!is_static_elf(b"#!/bin/sh\n"));
    }

    #[test]
    fn infra_tar_holds_catatonit_and_dirs() {
        let tar = infra_tar(std::path::Path::new("/usr/bin/catatonit")).unwrap();
        let mut a = tar::Archive::new(tar.as_slice());
        let names: Vec<String> = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"catatonit".to_string()), "{names:?}");
        assert!(names.contains(&"proc/".to_string()), "{names:?}");
    }

    #[test]
    fn dynamic_catatonit_is_refused_clearly() {
        let err = infra_tar(std::path::Path::new("/bin/ls"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("statically linked"), "{err}");
        let err = infra_tar(std::path::Path::new("/nonexistent/catatonit"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("catatonit"), "{err}");
    }

    #[test]
    fn pod_status_follows_podman_with_the_infra_container_counted() {
        use ContainerStatus as C;
        assert_eq!(pod_status_of(&[]), PodStatus::Created);
        assert_eq!(pod_status_of(&[C::Running, C::Running]), PodStatus::Running);
        // Infra running, the member killed: degraded, not exited.
        assert_eq!(pod_status_of(&[C::Running, C::Exited]), PodStatus::Degraded);
        assert_eq!(pod_status_of(&[C::Running, C::Paused]), PodStatus::Degraded);
        assert_eq!(pod_status_of(&[C::Paused, C::Paused]), PodStatus::Paused);
        assert_eq!(pod_status_of(&[C::Exited, C::Stopped]), PodStatus::Exited);
        assert_eq!(pod_status_of(&[C::Exited, C::Created]), PodStatus::Stopped);
        assert_eq!(pod_status_of(&[C::Paused, C::Created]), PodStatus::Created);
        assert_eq!(pod_status_of(&[C::Configured]), PodStatus::Created);
    }
}

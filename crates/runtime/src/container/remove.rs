//! remove and cleanup (conmon's exit command runs `cleanup` without a daemon).

use berth_state::{ContainerRecord, ContainerStatus};
use tracing::instrument;

use crate::error::{Error, Result};
use crate::runtime::{Runtime, CTR_REMOVE_TIMEOUT};

impl Runtime {
    /// Removes a container. A running one is refused unless `force`, which stops it first.
    /// Refuses while another container shares its namespaces. With `volumes`, its named
    /// volumes that no other container uses are removed too.
    pub fn remove_container(&self, id_or_name: &str, force: bool, volumes: bool) -> Result<()> {
        self.remove_container_within(id_or_name, force, volumes, CTR_REMOVE_TIMEOUT)
    }

    /// [`Runtime::remove_container`], a forced stop waiting at most `timeout` before SIGKILL
    /// (`rm -f -t SECONDS`).
    #[instrument(skip(self))]
    pub fn remove_container_within(
        &self,
        id_or_name: &str,
        force: bool,
        volumes: bool,
        timeout: std::time::Duration,
    ) -> Result<()> {
        self.check()?;
        let rec = self.state.lookup_container(id_or_name)?;
        if super::is_infra(&rec) {
            if let Some(pod) = &rec.config.pod_id {
                let pod = self.state.pod(pod)?;
                if pod.config.infra_container_id.as_deref() == Some(&rec.config.id) {
                    // podman's words (its tests look for them).
                    return Err(Error::invalid(
                        "container",
                        &rec.config.name,
                        format!(
                            "it is the infra container of pod {} and cannot be removed without \
                             removing the pod",
                            pod.config.name
                        ),
                    ));
                }
            }
        }
        self.remove_by_id_within(&rec.config.id, force, volumes, timeout)
    }

    /// What `rm --depend` removes for `id_or_name`, in order: the containers that share its
    /// namespaces (and theirs, transitively), dependents before what they depend on, and last
    /// the container's own id.
    pub fn removal_order(&self, id_or_name: &str) -> Result<Vec<String>> {
        self.check()?;
        let rec = self.state.lookup_container(id_or_name)?;
        let mut order = Vec::new();
        let mut visiting = Vec::new();
        self.collect_dependents(&rec.config.id, &mut order, &mut visiting)?;
        Ok(order)
    }

    /// `rm --depend`: removes `id_or_name` and, first, every container depending on it
    /// ([`Runtime::removal_order`]). An infra container takes its pod with it: every member
    /// first, as any dependent. Returns the ids removed, in order, the container's last.
    pub fn remove_container_with_dependents(
        &self,
        id_or_name: &str,
        force: bool,
        volumes: bool,
        timeout: std::time::Duration,
    ) -> Result<Vec<String>> {
        self.check()?;
        let rec = self.state.lookup_container(id_or_name)?;
        if super::is_infra(&rec) {
            if let Some(pod) = &rec.config.pod_id {
                let mut ids: Vec<String> = self
                    .state
                    .pod_containers(pod)?
                    .into_iter()
                    .filter(|m| m.config.id != rec.config.id)
                    .map(|m| m.config.id)
                    .collect();
                for m in &ids {
                    match self.remove_by_id_within(m, force, volumes, timeout) {
                        Err(Error::State(e)) if e.is_not_found() => {}
                        r => r?,
                    }
                }
                self.remove_pod(pod, force)?;
                ids.push(rec.config.id);
                return Ok(ids);
            }
        }
        let order = self.removal_order(&rec.config.id)?;
        for id in &order {
            match self.remove_by_id_within(id, force, volumes, timeout) {
                Err(Error::State(e)) if e.is_not_found() => {}
                r => r?,
            }
        }
        Ok(order)
    }

    fn collect_dependents(
        &self,
        id: &str,
        order: &mut Vec<String>,
        visiting: &mut Vec<String>,
    ) -> Result<()> {
        if order.iter().any(|o| o == id) || visiting.iter().any(|v| v == id) {
            return Ok(());
        }
        visiting.push(id.to_string());
        for d in self.state.container_dependents(id)? {
            self.collect_dependents(&d, order, visiting)?;
        }
        visiting.pop();
        order.push(id.to_string());
        Ok(())
    }

    pub(crate) fn remove_by_id(&self, id: &str, force: bool, volumes: bool) -> Result<()> {
        self.remove_by_id_within(id, force, volumes, CTR_REMOVE_TIMEOUT)
    }

    fn remove_by_id_within(
        &self,
        id: &str,
        force: bool,
        volumes: bool,
        timeout: std::time::Duration,
    ) -> Result<()> {
        let dependents = self.state.container_dependents(id)?;
        if !dependents.is_empty() {
            return Err(Error::ContainerInUse {
                id: id.to_string(),
                dependents,
            });
        }
        let lock = self.lock_container(id)?;
        let mut rec = match self.locked_record(id) {
            Ok(r) => r,
            // Removed by a racing cleanup of an auto-remove container.
            Err(Error::State(e)) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if rec.state.status.is_active() {
            if !force {
                return Err(Error::ContainerRunning {
                    id: id.to_string(),
                    status: rec.state.status.to_string(),
                });
            }
            if rec.state.status == ContainerStatus::Paused {
                self.oci.resume(id)?;
            }
            let running = matches!(
                rec.state.status,
                ContainerStatus::Running | ContainerStatus::Paused
            );
            if running {
                let code = self.stop_process(&rec, timeout)?;
                rec.state.exit_code = Some(code);
            }
            rec.state.status = ContainerStatus::Stopped;
            rec.state.finished_at = Some(chrono::Utc::now());
            self.state.save_container_state(id, &rec.state)?;
            if running {
                self.died_event(&rec, rec.state.exit_code.unwrap_or(-1));
            }
        }
        self.cleanup_resources(&mut rec)?;
        // Storage, then files, then the record last: an interruption leaves a record that a
        // second `rm` finishes.
        match self.storage.delete_container(&rec.config.rootfs_storage_id) {
            Ok(()) | Err(berth_storage::Error::ContainerNotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
        for dir in [self.bundle_dir(id), self.static_container_dir(id)] {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove container dir", dir, e)),
            }
        }
        // conmon's exit file: its code is in the record (and remembered below).
        self.oci.remove_exit_file(id)?;
        self.state.remove_container(id)?;
        if let Some(code) = rec.state.exit_code {
            self.remember_exit_code(id, code);
        }
        self.container_event(&rec, crate::EventStatus::Remove);
        let _ = std::fs::remove_file(self.lock_dir.join(format!("{id}.lock")));
        // `volume rm --force` takes the volumes' lock, then containers' locks: let go of
        // this one before taking that.
        drop(lock);
        if volumes {
            for v in &rec.config.named_volumes {
                match self.remove_volume(&v.name, false) {
                    Ok(()) | Err(Error::VolumeInUse { .. } | Error::NoSuchVolume(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        tracing::debug!(id, "container removed");
        Ok(())
    }

    /// Keeps a removed container's exit code for a while (podman keeps them 5 minutes), so
    /// `wait` on an auto-removed container (`run --rm`) still learns it. Best effort.
    fn remember_exit_code(&self, id: &str, code: i32) {
        let dir = self.exit_codes_dir();
        if std::fs::create_dir_all(&dir).is_err() {
            return;
        }
        let _ = std::fs::write(dir.join(id), code.to_string());
        // Forget the old ones.
        let cutoff = std::time::SystemTime::now() - std::time::Duration::from_secs(300);
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff);
            if old {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// The exit code of a recently removed container.
    pub(crate) fn removed_exit_code(&self, id: &str) -> Option<i32> {
        std::fs::read_to_string(self.exit_codes_dir().join(id))
            .ok()
            .and_then(|t| t.trim().parse().ok())
    }

    fn exit_codes_dir(&self) -> std::path::PathBuf {
        self.tmp_dir().join("removed-exit-codes")
    }

    /// What conmon's exit command runs after the container exits: records the exit, unmounts
    /// the rootfs, tears the network down, deletes the OCI container and removes an
    /// auto-remove container. Running it twice (or on a removed container) is harmless.
    #[instrument(skip(self))]
    pub fn cleanup_container(&self, id_or_name: &str) -> Result<()> {
        self.check()?;
        let id = match self.state.lookup_container(id_or_name) {
            Ok(r) => r.config.id,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let lock = self.lock_container(&id)?;
        let mut rec = match self.locked_record(&id) {
            Ok(r) => r,
            Err(Error::State(e)) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        // A created (or running) container belongs to whoever made it; a late exit command
        // of its previous run must not tear it down.
        if rec.state.status.is_active() {
            return Err(super::invalid_status(&rec, "clean up"));
        }
        self.cleanup_recorded(&mut rec)?;
        drop(lock);
        if self.restart_by_policy(&rec)? {
            return Ok(());
        }
        if let Some(pod) = rec
            .config
            .pod_id
            .as_deref()
            .filter(|_| !super::is_infra(&rec))
        {
            self.apply_pod_exit_policy(pod)?;
        }
        if rec.config.auto_remove && rec.state.status == ContainerStatus::Exited {
            match self.remove_by_id(&id, false, false) {
                Ok(()) => {}
                Err(Error::State(e)) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// `--restart`: starts a container that exited on its own again when its policy says so
    /// (never one `stop` ended); whether it did.
    fn restart_by_policy(&self, rec: &ContainerRecord) -> Result<bool> {
        use crate::options::RestartPolicy;
        let Some(policy) = crate::options::RunSettings::from_extra(&rec.config.extra).restart
        else {
            return Ok(false);
        };
        let s = &rec.state;
        if s.status != ContainerStatus::Exited || s.extra.contains_key(super::STOPPED_BY_USER) {
            return Ok(false);
        }
        let done = s
            .extra
            .get(super::POLICY_RESTARTS)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let again = match policy {
            RestartPolicy::Always | RestartPolicy::UnlessStopped => true,
            RestartPolicy::OnFailure(max) => {
                s.exit_code.unwrap_or(0) != 0 && (max == 0 || done < u64::from(max))
            }
        };
        if !again {
            return Ok(false);
        }
        let id = rec.config.id.clone();
        {
            let _lock = self.lock_container(&id)?;
            let mut now = self.locked_record(&id)?;
            if now.state.status != ContainerStatus::Exited
                || now.state.extra.contains_key(super::STOPPED_BY_USER)
            {
                return Ok(false);
            }
            now.state
                .extra
                .insert(super::POLICY_RESTARTS.into(), serde_json::json!(done + 1));
            self.state.save_container_state(&id, &now.state)?;
        }
        tracing::debug!(id, ?policy, "restarting by policy");
        self.start_by_id(&id)?;
        Ok(true)
    }

    /// Releases what a non-running container still holds: network (teardown, then netns),
    /// rootfs mount, OCI container. Tries every step and reports all failures; on success a
    /// `stopped` container becomes `exited` (a `created` one goes back to `configured`).
    pub(crate) fn cleanup_resources(&self, rec: &mut ContainerRecord) -> Result<()> {
        let id = rec.config.id.clone();
        let mut errors = Vec::new();
        if rec.state.status.is_active() && rec.state.status != ContainerStatus::Created {
            return Err(super::invalid_status(rec, "clean up"));
        }
        self.stop_health_scheduler(&id);
        if let Err(e) = self.oci.delete(&id, true) {
            errors.push(e.into());
        }
        errors.extend(self.release_network(rec));
        errors.extend(self.unmount_container_volumes(rec));
        if !rec.state.mount_point.is_empty() {
            match self
                .storage
                .unmount_container(&rec.config.rootfs_storage_id, false)
            {
                Ok(_) | Err(berth_storage::Error::ContainerNotFound(_)) => {
                    rec.state.mount_point.clear();
                }
                Err(e) => errors.push(e.into()),
            }
        }
        if errors.is_empty() {
            rec.state.status = match rec.state.status {
                ContainerStatus::Created => ContainerStatus::Configured,
                ContainerStatus::Stopped => ContainerStatus::Exited,
                s => s,
            };
            rec.state.clear_pids();
        }
        self.state.save_container_state(&id, &rec.state)?;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Cleanup { id, errors })
        }
    }

    /// [`Self::cleanup_resources`] recording a `cleanup` event when a stopped container
    /// became exited (conmon's exit command, `stop`). As in podman, an auto-remove
    /// container's cleanup is its removal: no event.
    pub(crate) fn cleanup_recorded(&self, rec: &mut ContainerRecord) -> Result<()> {
        let was_stopped = rec.state.status == ContainerStatus::Stopped;
        self.cleanup_resources(rec)?;
        if was_stopped && rec.state.status == ContainerStatus::Exited && !rec.config.auto_remove {
            self.container_event(rec, crate::EventStatus::Cleanup);
        }
        Ok(())
    }

    /// Tears the container's networks down and removes its netns (DEL before the netns goes).
    pub(crate) fn release_network(&self, rec: &mut ContainerRecord) -> Vec<Error> {
        let mut errors = Vec::new();
        if rec.state.netns_path.is_empty() {
            return errors;
        }
        let netns = std::path::PathBuf::from(&rec.state.netns_path);
        // Unreadable results: report, and keep the netns for a later cleanup to find.
        let attachments = match super::network_attachments(rec) {
            Ok(a) => a,
            Err(e) => return vec![e],
        };
        if !attachments.is_empty() {
            match self.network.teardown(&rec.config.id, &netns, &attachments) {
                Ok(()) => rec.state.network_results = None,
                Err(e) => errors.push(e.into()),
            }
        }
        if errors.is_empty() {
            match self.network.remove_netns(&netns) {
                Ok(()) => rec.state.netns_path.clear(),
                Err(e) => errors.push(e.into()),
            }
        }
        errors
    }
}

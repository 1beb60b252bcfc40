//! Refresh after a reboot: when the tmp dir's `alive` file is missing (first use, or the tmp
//! dir was a tmpfs and the host rebooted), nothing per-boot survives: reset the state, then
//! every container and pod, and only then write `alive`.

use crate::error::{Error, Result};
use crate::lock::LockGuard;
use crate::runtime::{alive_path, Runtime};

impl Runtime {
    /// Under the exclusive flock on `TMP/alive.lck`: refreshes when `alive` is missing.
    /// Returns whether it refreshed. Several processes starting at once refresh exactly once:
    /// the first takes the lock and refreshes, the others wait and then find `alive`.
    pub(crate) fn refresh_if_rebooted(&self) -> Result<bool> {
        let tmp = self.tmp_dir();
        let _guard = LockGuard::exclusive(&tmp.join("alive.lck"))?;
        let alive = alive_path(tmp);
        match std::fs::metadata(&alive) {
            Ok(_) => Ok(false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.refresh()?;
                self.write_event(&crate::events::Event::new(
                    crate::EventType::System,
                    crate::EventStatus::Refresh,
                ));
                std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&alive)
                    .map_err(|e| Error::io("create runtime status file", &alive, e))?;
                Ok(true)
            }
            Err(e) => Err(Error::io("read runtime status file", &alive, e)),
        }
    }

    /// Resets the state (every namespace), then each container: its OCI leftovers deleted,
    /// its rootfs mount count dropped, its per-boot dir recreated; then each pod.
    fn refresh(&self) -> Result<()> {
        tracing::info!(tmp_dir = %self.tmp_dir().display(), "refreshing after reboot");
        // Refresh sees every namespace: per-boot files are shared by all of them.
        let ns = self.config.namespace.clone();
        self.state.set_namespace("")?;
        let result = self
            .release_stale_networks()
            .and_then(|()| Ok(self.state.refresh()?))
            .and_then(|()| self.refresh_objects());
        self.state.set_namespace(&ns)?;
        result
    }

    /// A real reboot took the netns mounts and firewall rules with it; a simulated one (or a
    /// tmp dir wiped by hand) may not have. Tear down what the records name, best effort,
    /// before the state forgets it.
    fn release_stale_networks(&self) -> Result<()> {
        for mut rec in self.state.all_containers()? {
            for e in self.release_network(&mut rec) {
                tracing::debug!(id = %rec.config.id, error = %e, "stale network during refresh");
            }
        }
        Ok(())
    }

    fn refresh_objects(&self) -> Result<()> {
        for rec in self.state.all_containers()? {
            let id = &rec.config.id;
            let _lock = self.lock_container(id)?;
            // The OCI runtime's own state dir may have survived (it is not always a tmpfs);
            // a stale entry would make the next `create` fail. Missing is fine.
            if let Err(e) = self.oci.delete(id, true) {
                tracing::warn!(id, error = %e, "deleting stale OCI container during refresh");
            }
            if !rec.config.rootfs_storage_id.is_empty() {
                if let Err(e) = self
                    .storage
                    .unmount_container(&rec.config.rootfs_storage_id, true)
                {
                    tracing::warn!(id, error = %e, "resetting rootfs mount during refresh");
                }
            }
            let bundle = self.bundle_dir(id);
            std::fs::create_dir_all(&bundle)
                .map_err(|e| Error::io("recreate container dir", &bundle, e))?;
            // The state layer reset status, pids, mount point and netns; keep the exit code.
            let mut state = self.state.container_state(id)?;
            state.reset_after_reboot();
            self.state.save_container_state(id, &state)?;
        }
        for pod in self.state.all_pods()? {
            let _lock = self.lock_pod(&pod.config.id)?;
            let mut st = self.state.pod_state(&pod.config.id)?;
            st.status = st.status.after_reboot();
            st.cgroup_path.clear();
            self.state.save_pod_state(&pod.config.id, &st)?;
        }
        Ok(())
    }
}

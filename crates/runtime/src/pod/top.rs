//! `pod top`: the processes of every running member of a pod, the infra
//! container included (podman joins all their pids into one listing).

use berth_state::ContainerStatus;

use crate::error::Result;
use crate::runtime::Runtime;
use crate::TopRow;

impl Runtime {
    /// The processes of every running (or paused) container of the pod, the
    /// infra container first, each container's rows by pid. A pod with
    /// nothing running has no rows.
    pub fn pod_top(&self, id_or_name: &str) -> Result<Vec<TopRow>> {
        self.check()?;
        let pod = self.state.lookup_pod(id_or_name)?;
        let mut members =
            self.synced_skipping_removed(self.state.pod_containers(&pod.config.id)?)?;
        members.sort_by_key(|m| (!m.config.is_infra(), m.config.created));
        let mut rows = Vec::new();
        for m in members.iter().filter(|m| {
            matches!(
                m.state.status,
                ContainerStatus::Running | ContainerStatus::Paused
            )
        }) {
            match self.container_top(&m.config.id) {
                Ok(r) => rows.extend(r),
                // Stopped or removed since the members were read.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(rows)
    }
}

//! `pod pause` and `pod unpause`: every member that runs (or is paused), the infra
//! container last on pause and first on unpause.

use berth_state::ContainerStatus;

use super::is_infra;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Freezes every running member of the pod (infra container included, last); returns
    /// the members that failed. The pod reads `paused` afterwards.
    pub fn pause_pod(&self, id_or_name: &str) -> Result<Vec<(String, Error)>> {
        self.set_pod_paused(id_or_name, true)
    }

    /// Thaws every paused member of the pod (infra container first); returns the members
    /// that failed.
    pub fn unpause_pod(&self, id_or_name: &str) -> Result<Vec<(String, Error)>> {
        self.set_pod_paused(id_or_name, false)
    }

    fn set_pod_paused(&self, id_or_name: &str, pause: bool) -> Result<Vec<(String, Error)>> {
        self.check()?;
        let pod = self.state.lookup_pod(id_or_name)?;
        let _lock = self.lock_pod(&pod.config.id)?;
        let members = self.synced_skipping_removed(self.state.pod_containers(&pod.config.id)?)?;
        let (infra, others): (Vec<_>, Vec<_>) = members.into_iter().partition(is_infra);
        let order: Vec<_> = if pause {
            others.into_iter().chain(infra).collect()
        } else {
            infra.into_iter().chain(others).collect()
        };
        let want = if pause {
            ContainerStatus::Running
        } else {
            ContainerStatus::Paused
        };
        let mut failed = Vec::new();
        for c in order.into_iter().filter(|c| c.state.status == want) {
            let r = if pause {
                self.pause_container(&c.config.id)
            } else {
                self.unpause_container(&c.config.id)
            };
            if let Err(e) = r {
                failed.push((c.config.id, e));
            }
        }
        let status = self.pod_status(&pod.config.id)?;
        self.save_pod_status(&pod.config.id, status)?;
        if failed.is_empty() {
            let what = if pause {
                crate::EventStatus::Pause
            } else {
                crate::EventStatus::Unpause
            };
            self.pod_event(&pod, what);
        }
        Ok(failed)
    }
}

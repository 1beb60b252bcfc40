//! `pod ps`: one typed row per pod, computed here so every front end lists pods alike.

use std::collections::BTreeMap;

use berth_state::{ContainerStatus, PodRecord, PodStatus};
use chrono::{DateTime, Utc};

use crate::container::{network_mode, NetworkMode};
use crate::error::Result;
use crate::filter::Filters;
use crate::runtime::Runtime;

/// One container of a pod in a [`PodReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodContainerReport {
    /// Container id.
    pub id: String,
    /// Container name.
    pub name: String,
    /// Its status, synced.
    pub status: ContainerStatus,
}

/// One row of `pod ps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodReport {
    /// Pod id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status from all its containers (podman's rule, infra included).
    pub status: PodStatus,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// The infra container's id, when the pod has one.
    pub infra_id: Option<String>,
    /// Every container of the pod, infra included, statuses synced.
    pub containers: Vec<PodContainerReport>,
    /// The pod's cgroup parent (empty: the runtime's default).
    pub cgroup: String,
    /// Its libpod namespace.
    pub namespace: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// The networks the infra container joins (the pod's networks).
    pub networks: Vec<String>,
}

impl Runtime {
    /// The rows of `pod ps`: the pods passing `filters`, newest first. A pod (or member)
    /// removed while the list is made is left out.
    pub fn list_pod_reports(&self, filters: &Filters) -> Result<Vec<PodReport>> {
        let mut rows = Vec::new();
        for p in self.list_pods_filtered(filters)? {
            match self.pod_report(p) {
                Ok(r) => rows.push(r),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.created));
        Ok(rows)
    }

    fn pod_report(&self, p: PodRecord) -> Result<PodReport> {
        let members = self.synced_skipping_removed(self.state.pod_containers(&p.config.id)?)?;
        let infra_id = p.config.infra_container_id.clone();
        let networks = members
            .iter()
            .find(|m| Some(&m.config.id) == infra_id.as_ref())
            .map(|infra| match network_mode(infra) {
                NetworkMode::Networks(n) => n,
                NetworkMode::None | NetworkMode::Host | NetworkMode::Container(_) => Vec::new(),
            })
            .unwrap_or_default();
        Ok(PodReport {
            id: p.config.id,
            name: p.config.name,
            status: p.state.status,
            created: p.config.created,
            infra_id,
            containers: members
                .into_iter()
                .map(|m| PodContainerReport {
                    id: m.config.id,
                    name: m.config.name,
                    status: m.state.status,
                })
                .collect(),
            cgroup: p.config.cgroup_parent,
            namespace: p.config.namespace,
            labels: p.config.labels,
            networks,
        })
    }
}

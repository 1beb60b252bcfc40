//! The runtime's filtered listings: containers, pods and volumes that pass [`Filters`], and
//! what listings show of a container (infra or not, its image name).

use std::collections::HashMap;

use berth_state::{ContainerRecord, ContainerStatus, PodRecord};
use chrono::Utc;

use super::matcher::{ContainerFacts, Matcher, PodFacts, VolumeFacts};
use super::Filters;
use crate::container::ListOptions;
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::volume::Volume;

/// Whether the container is a pod's infra container (it goes with its pod, and listings
/// show it as infra).
pub fn is_infra_container(rec: &ContainerRecord) -> bool {
    crate::container::is_infra(rec)
}

/// The image name listings show for a container: an infra container made from berth's own
/// infra image recorded by ID shows [`crate::INFRA_IMAGE`].
pub fn container_image_name(rec: &ContainerRecord) -> &str {
    if is_infra_container(rec) && rec.config.image_name.bytes().all(|b| b.is_ascii_hexdigit()) {
        crate::pod::INFRA_IMAGE
    } else {
        &rec.config.image_name
    }
}

/// The state word listings show and `status=` matches: `created`, `running`, `paused`,
/// `exited`.
pub fn container_state_word(status: ContainerStatus) -> &'static str {
    match status {
        ContainerStatus::Configured | ContainerStatus::Created => "created",
        ContainerStatus::Running => "running",
        ContainerStatus::Paused => "paused",
        ContainerStatus::Stopped | ContainerStatus::Exited => "exited",
    }
}

/// Container filters bound to a runtime (pod names and `before=`/`since=` resolved), to
/// apply to records the caller already holds (`ps` truncates to `--last` before filtering).
#[derive(Debug)]
pub struct ContainerMatcher {
    matcher: Matcher,
    pod_names: HashMap<String, String>,
    /// Where `health=` reads the health logs.
    static_dir: std::path::PathBuf,
}

impl ContainerMatcher {
    /// Whether the container passes.
    pub fn matches(&self, rec: &ContainerRecord) -> bool {
        let c = &rec.config;
        let status = container_state_word(rec.state.status);
        let networks: Vec<String> = crate::network::connect::joined_networks(rec)
            .into_iter()
            .map(|j| j.name)
            .collect();
        let facts = ContainerFacts {
            id: &c.id,
            name: &c.name,
            status,
            exit_code: (status == "exited").then(|| rec.state.exit_code.unwrap_or(0)),
            labels: &c.labels,
            image: container_image_name(rec),
            image_id: &c.image_id,
            pod_id: c.pod_id.as_deref(),
            pod_name: c
                .pod_id
                .as_ref()
                .and_then(|p| self.pod_names.get(p))
                .map(String::as_str),
            networks: &networks,
            created: c.created,
            restart_policy: crate::options::RunSettings::from_extra(&c.extra)
                .restart
                .map_or("no", |r| r.filter_name()),
        };
        self.matcher.container(&facts)
            && crate::health::health_filter_ok(
                &self.static_dir,
                rec,
                &self.matcher.filters().health,
            )
    }
}

impl Runtime {
    /// Makes container filters ready: `before=`/`since=` name containers of this runtime.
    /// Fails with [`Error::Filter`] for a bad regular expression or an unknown reference.
    pub fn container_matcher(&self, filters: &Filters) -> Result<ContainerMatcher> {
        self.check()?;
        let lookup = |r: &str| self.container(r).ok().map(|c| c.config.created);
        let matcher = Matcher::new(filters, Utc::now(), &lookup).map_err(Error::from)?;
        let pod_names = if filters.pod.is_empty() {
            HashMap::new()
        } else {
            self.state
                .all_pods()?
                .into_iter()
                .map(|p| (p.config.id, p.config.name))
                .collect()
        };
        Ok(ContainerMatcher {
            matcher,
            pod_names,
            static_dir: self.config.static_dir.clone(),
        })
    }

    /// [`Runtime::list_containers`] keeping those that pass `filters`.
    pub fn list_containers_filtered(
        &self,
        opts: &ListOptions,
        filters: &Filters,
    ) -> Result<Vec<ContainerRecord>> {
        let m = self.container_matcher(filters)?;
        let mut recs = self.list_containers(opts)?;
        recs.retain(|r| m.matches(r));
        Ok(recs)
    }

    /// [`Runtime::list_pods`] keeping those that pass `filters` (`before=`/`since=` name
    /// pods).
    pub fn list_pods_filtered(&self, filters: &Filters) -> Result<Vec<PodRecord>> {
        self.check()?;
        let lookup = |r: &str| self.pod(r).ok().map(|p| p.config.created);
        let m = Matcher::new(filters, Utc::now(), &lookup)?;
        let mut pods = self.list_pods()?;
        pods.retain(|p| {
            let status = p.state.status.to_string().to_ascii_lowercase();
            m.pod(&PodFacts {
                id: &p.config.id,
                name: &p.config.name,
                status: &status,
                labels: &p.config.labels,
                created: p.config.created,
            })
        });
        Ok(pods)
    }

    /// [`Runtime::list_volumes`] keeping those that pass `filters`.
    pub fn list_volumes_filtered(&self, filters: &Filters) -> Result<Vec<Volume>> {
        self.check()?;
        let m = Matcher::new(filters, Utc::now(), &|_| None)?;
        let mut vols = self.list_volumes()?;
        vols.retain(|v| {
            m.volume(&VolumeFacts {
                name: &v.name,
                driver: &v.driver,
                labels: &v.labels,
                created: v.created_at,
            })
        });
        Ok(vols)
    }
}

//! Prune: remove the containers, pods, images and volumes nothing needs, as podman's
//! `container prune`, `pod prune`, `image prune` and `volume prune` decide it. Each returns a
//! [`PruneReport`]: what went (with the bytes it held, where known) and, per object, what
//! could not be removed; one failure does not stop the others.

use std::collections::BTreeSet;
use std::path::Path;

use berth_state::ContainerStatus;
use berth_storage::ImageRecord;
use chrono::{DateTime, Utc};

use crate::container::ListOptions;
use crate::error::{Error, Result};
use crate::filter::PruneFilters;
use crate::runtime::Runtime;

/// `container prune` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerPruneOptions {
    /// Only containers that pass these.
    pub filters: PruneFilters,
}

/// `image prune` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImagePruneOptions {
    /// Every image no container uses, not only dangling ones (`-a`).
    pub all: bool,
    /// Only images that pass these.
    pub filters: PruneFilters,
}

/// `volume prune` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumePruneOptions {
    /// Only volumes that pass these.
    pub filters: PruneFilters,
}

/// One removed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pruned {
    /// Its ID (the name, for a volume).
    pub id: String,
    /// Bytes it held (0 when not measured: pods).
    pub size: u64,
}

/// One object that should have gone and did not.
#[derive(Debug)]
pub struct PruneFailure {
    /// Its ID (the name, for a volume).
    pub id: String,
    /// Why.
    pub error: Error,
}

/// What a prune did.
#[derive(Debug, Default)]
pub struct PruneReport {
    /// Removed, in the order removed.
    pub removed: Vec<Pruned>,
    /// Not removed, with the reason.
    pub errors: Vec<PruneFailure>,
}

impl PruneReport {
    /// The IDs (volume names) removed, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.removed.iter().map(|p| p.id.as_str())
    }

    /// The bytes the removed objects held.
    pub fn reclaimed(&self) -> u64 {
        self.removed.iter().map(|p| p.size).sum()
    }

    pub(crate) fn record(&mut self, id: String, size: u64, r: Result<()>) {
        match r {
            Ok(()) => self.removed.push(Pruned { id, size }),
            Err(error) => self.errors.push(PruneFailure { id, error }),
        }
    }
}

/// An image's creation time (the Unix epoch when it has none).
pub(crate) fn image_created(i: &ImageRecord) -> DateTime<Utc> {
    i.created
        .as_deref()
        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map_or(DateTime::UNIX_EPOCH, |d| d.with_timezone(&Utc))
}

impl Runtime {
    /// Removes every container that is not running or paused, not in a pod, and passes the
    /// filters (`container prune`).
    pub fn prune_containers(&self, opts: &ContainerPruneOptions) -> Result<PruneReport> {
        self.check()?;
        let now = Utc::now();
        let mut report = PruneReport::default();
        let all = self.list_containers(&ListOptions {
            all: true,
            pod: None,
        })?;
        for r in all {
            let stopped = matches!(
                r.state.status,
                ContainerStatus::Exited
                    | ContainerStatus::Stopped
                    | ContainerStatus::Created
                    | ContainerStatus::Configured
            );
            if !stopped
                || r.config.pod_id.is_some()
                || !opts
                    .filters
                    .matches(&r.config.labels, r.config.created, now)
            {
                continue;
            }
            let size = if r.config.rootfs_storage_id.is_empty() {
                0
            } else {
                self.storage
                    .container_size(&r.config.rootfs_storage_id)
                    .unwrap_or(0)
            };
            let result = self.remove_container(&r.config.id, false, false);
            report.record(r.config.id, size, result);
        }
        Ok(report)
    }

    /// Removes every pod none of whose containers (infra included) is created, running or
    /// paused (`pod prune`); a pod never started (its containers only configured) goes.
    pub fn prune_pods(&self) -> Result<PruneReport> {
        self.check()?;
        let mut report = PruneReport::default();
        for p in self.list_pods()? {
            let members = self.list_containers(&ListOptions {
                all: true,
                pod: Some(p.config.id.clone()),
            })?;
            if members.iter().all(|m| !m.state.status.is_active()) {
                let result = self.remove_pod(&p.config.id, false);
                report.record(p.config.id, 0, result);
            }
        }
        Ok(report)
    }

    /// Removes every image no container root filesystem uses that is dangling (any, with
    /// `all`) and passes the filters (`image prune`).
    pub fn prune_images(&self, opts: &ImagePruneOptions) -> Result<PruneReport> {
        self.check()?;
        let now = Utc::now();
        let used: BTreeSet<String> = self
            .storage
            .list_containers()?
            .into_iter()
            .map(|c| c.image_id)
            .collect();
        let mut report = PruneReport::default();
        for img in self.storage.list_images()? {
            if used.contains(&img.id)
                || !(opts.all || img.names.is_empty())
                || !opts
                    .filters
                    .matches(&img.config.labels, image_created(&img), now)
            {
                continue;
            }
            let result = self
                .storage
                .remove_image(&img.id, false)
                .map(drop)
                .map_err(Error::from);
            report.record(img.id, img.size, result);
        }
        Ok(report)
    }

    /// Removes every volume no container uses (in any namespace) that passes the filters
    /// (`volume prune`). A volume that gains a user or goes meanwhile is left out.
    pub fn prune_volumes(&self, opts: &VolumePruneOptions) -> Result<PruneReport> {
        self.check()?;
        let now = Utc::now();
        let mut report = PruneReport::default();
        for v in self.list_volumes()? {
            if !opts.filters.matches(&v.labels, v.created_at, now) {
                continue;
            }
            let size = dir_size(&v.mountpoint);
            match self.remove_volume(&v.name, false) {
                Err(Error::VolumeInUse { .. } | Error::NoSuchVolume(_)) => {}
                r => {
                    if r.is_ok() {
                        self.volume_event(&v.name, crate::EventStatus::Prune);
                    }
                    report.record(v.name, size, r);
                }
            }
        }
        Ok(report)
    }

    /// The names of the volumes no container uses that pass `filters` (what `volume prune`
    /// with those filters would remove).
    pub fn unused_volumes(&self, filters: &PruneFilters) -> Result<Vec<String>> {
        self.check()?;
        let now = Utc::now();
        Ok(self
            .list_volumes()?
            .into_iter()
            .filter(|v| filters.matches(&v.labels, v.created_at, now))
            .filter(|v| self.volume_users(&v.name).is_ok_and(|u| u.is_empty()))
            .map(|v| v.name)
            .collect())
    }
}

/// The bytes of the regular files under `dir`, links not followed; 0 for what cannot be
/// read.
pub(crate) fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(md) = e.path().symlink_metadata() else {
                continue;
            };
            if md.is_dir() {
                stack.push(e.path());
            } else if md.is_file() {
                total += md.len();
            }
        }
    }
    total
}

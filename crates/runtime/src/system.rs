//! Whole-engine operations: `system prune`, `system reset`, `system df` and
//! `system refresh`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::container::ListOptions;
use crate::error::{Error, Result};
use crate::filter::PruneFilters;
use crate::prune::{ContainerPruneOptions, ImagePruneOptions, PruneReport, VolumePruneOptions};
use crate::runtime::{alive_path, Runtime};

/// `system prune` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemPruneOptions {
    /// Every unused image, not only dangling ones (`-a`).
    pub all: bool,
    /// Prune volumes too.
    pub volumes: bool,
    /// Applied to containers, volumes and images.
    pub filters: PruneFilters,
}

/// What `system prune` did, part by part.
#[derive(Debug, Default)]
pub struct SystemPruneReport {
    /// Containers.
    pub containers: PruneReport,
    /// Pods.
    pub pods: PruneReport,
    /// Volumes, when asked for.
    pub volumes: Option<PruneReport>,
    /// Images.
    pub images: PruneReport,
}

impl SystemPruneReport {
    /// The bytes the removed objects held.
    pub fn reclaimed(&self) -> u64 {
        self.containers.reclaimed()
            + self.volumes.as_ref().map_or(0, PruneReport::reclaimed)
            + self.images.reclaimed()
    }
}

/// What `system reset` removed and what it could not.
#[derive(Debug, Default)]
pub struct ResetReport {
    /// Pods removed.
    pub pods: Vec<String>,
    /// Containers removed.
    pub containers: Vec<String>,
    /// Volumes removed.
    pub volumes: Vec<String>,
    /// Images removed.
    pub images: Vec<String>,
    /// Objects that could not be removed (objects gone meanwhile are not errors). When any,
    /// the directories were left in place.
    pub errors: Vec<Error>,
    /// The directories removed (graph root, static dir, tmp dir, run root).
    pub removed_dirs: Vec<PathBuf>,
}

/// One line of `system df`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UsageSummary {
    /// How many there are.
    pub total: usize,
    /// How many are in use (images: distinct images containers use; containers: running or
    /// paused).
    pub active: usize,
    /// Bytes (images: their layers; containers: their writable layers; volumes: not
    /// measured, 0).
    pub size: u64,
    /// Bytes no container needs (images only; 0 elsewhere).
    pub reclaimable: u64,
}

/// `system df`: disk use of images, containers and volumes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiskUsage {
    /// Images.
    pub images: UsageSummary,
    /// Containers of this namespace.
    pub containers: UsageSummary,
    /// Volumes.
    pub volumes: UsageSummary,
}

impl Runtime {
    /// `system prune`: stopped containers outside pods, pods with nothing running, volumes
    /// (when asked) and images (dangling, or all unused with `all`), in that order.
    pub fn prune_system(&self, opts: &SystemPruneOptions) -> Result<SystemPruneReport> {
        let containers = self.prune_containers(&ContainerPruneOptions {
            filters: opts.filters.clone(),
        })?;
        let pods = self.prune_pods()?;
        let volumes = if opts.volumes {
            Some(self.prune_volumes(&VolumePruneOptions {
                filters: opts.filters.clone(),
            })?)
        } else {
            None
        };
        let images = self.prune_images(&ImagePruneOptions {
            all: opts.all,
            filters: opts.filters.clone(),
        })?;
        Ok(SystemPruneReport {
            containers,
            pods,
            volumes,
            images,
        })
    }

    /// `system reset`: removes every pod, container (with its anonymous volumes), volume and
    /// image, shuts the runtime down (force), and then, when nothing failed, removes the
    /// graph root, static dir, tmp dir and run root (mounts under them detached first).
    /// The runtime is shut down afterwards whatever happened. A directory that cannot be
    /// removed is the error.
    pub fn system_reset(&self) -> Result<ResetReport> {
        self.check()?;
        let mut report = ResetReport::default();
        let mut note = |r: Result<()>, id: String, into: &mut Vec<String>| match r {
            Ok(()) => into.push(id),
            Err(e) if e.is_not_found() => {}
            Err(e) => report.errors.push(e),
        };
        let mut pods = Vec::new();
        for p in self.list_pods().unwrap_or_default() {
            note(self.remove_pod(&p.config.id, true), p.config.id, &mut pods);
        }
        let mut ctrs = Vec::new();
        let all = ListOptions {
            all: true,
            pod: None,
        };
        for c in self.list_containers(&all).unwrap_or_default() {
            note(
                self.remove_container(&c.config.id, true, true),
                c.config.id,
                &mut ctrs,
            );
        }
        let mut vols = Vec::new();
        for v in self.list_volumes().unwrap_or_default() {
            note(self.remove_volume(&v.name, true), v.name, &mut vols);
        }
        for i in self.storage.list_images().unwrap_or_default() {
            match self.storage.remove_image(&i.id, true) {
                Ok(_) => report.images.push(i.id),
                Err(e) => report.errors.push(e.into()),
            }
        }
        report.pods = pods;
        report.containers = ctrs;
        report.volumes = vols;
        let _ = self.shutdown(true);
        if !report.errors.is_empty() {
            return Ok(report);
        }
        for dir in [
            &self.config.storage.graph_root,
            &self.config.static_dir,
            &self.config.tmp_dir,
            &self.config.storage.run_root,
        ] {
            // The netns directory is a bind mount of itself; a stray rootfs mount must not
            // be deleted through: every mount below goes first, or nothing is removed.
            berth_config::unmount_under(dir)
                .map_err(|e| Error::io("detaching the mounts under", dir, e))?;
            match std::fs::remove_dir_all(dir) {
                Ok(()) => report.removed_dirs.push(dir.clone()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("removing", dir, e)),
            }
        }
        Ok(report)
    }

    /// `system df`: counts and sizes of the images, this namespace's containers and the
    /// volumes.
    pub fn disk_usage(&self) -> Result<DiskUsage> {
        self.check()?;
        let images = self.storage.list_images()?;
        let ctrs = self.list_containers(&ListOptions {
            all: true,
            pod: None,
        })?;
        let vols = self.list_volumes()?;
        let used: BTreeSet<&str> = ctrs.iter().map(|c| c.config.image_id.as_str()).collect();
        Ok(DiskUsage {
            images: UsageSummary {
                total: images.len(),
                active: used.len(),
                size: images.iter().map(|i| i.size).sum(),
                reclaimable: images
                    .iter()
                    .filter(|i| !used.contains(i.id.as_str()))
                    .map(|i| i.size)
                    .sum(),
            },
            containers: UsageSummary {
                total: ctrs.len(),
                active: ctrs.iter().filter(|c| c.state.status.is_active()).count(),
                size: ctrs
                    .iter()
                    .map(|c| {
                        self.storage
                            .container_size(&c.config.rootfs_storage_id)
                            .unwrap_or(0)
                    })
                    .sum(),
                reclaimable: 0,
            },
            volumes: UsageSummary {
                total: vols.len(),
                ..UsageSummary::default()
            },
        })
    }

    /// `system refresh`: does now what the first command after a reboot does (every
    /// container and pod reset to its after-reboot state), exactly once across processes.
    pub fn system_refresh(&self) -> Result<()> {
        self.check()?;
        let alive = alive_path(self.tmp_dir());
        match std::fs::remove_file(&alive) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io("removing", alive, e))
            }
            _ => {}
        }
        self.refresh_if_rebooted()?;
        Ok(())
    }
}

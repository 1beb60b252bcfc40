//! `check`: find (and with `repair`, remove) what an interrupted operation
//! left behind, and records that point at missing data.

use std::collections::BTreeSet;

use crate::fsutil::{list_dir, remove_tree};
use crate::store::Store;
use crate::Result;

/// What [`Store::check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Each problem, described with the path or id involved.
    pub problems: Vec<String>,
    /// Whether the problems were repaired.
    pub repaired: bool,
}

impl CheckReport {
    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// Checks the store. With `repair`, removes staging files (never those
    /// of a pull still running), directories without records, records whose data is missing, and layers and blobs
    /// that nothing uses; without, only reports them.
    pub fn check(&self, repair: bool) -> Result<CheckReport> {
        self.lock.write(|| self.check_locked(repair))
    }

    fn check_locked(&self, repair: bool) -> Result<CheckReport> {
        let mut problems = Vec::new();
        let mut fix = |what: String, action: &mut dyn FnMut() -> Result<()>| -> Result<()> {
            if repair {
                action()?;
            }
            problems.push(what);
            Ok(())
        };

        // 1. Staging files; a staging directory a live pull holds is not a leftover.
        for n in list_dir(&self.tmp_dir())? {
            let p = self.tmp_dir().join(&n);
            if crate::staging::is_live(&p) {
                continue;
            }
            fix(
                format!("leftover staging file {}", p.display()),
                &mut || remove_tree(&p),
            )?;
        }
        for kind in ["images", "layers", "containers"] {
            for n in list_dir(&self.graph(kind))? {
                if n.starts_with(".tmp-") {
                    let p = self.graph(kind).join(&n);
                    fix(format!("leftover temp record {}", p.display()), &mut || {
                        remove_tree(&p)
                    })?;
                }
            }
        }

        // 2. Layers: records whose data or parent is missing.
        let layers = self.layer_records()?;
        let on_disk: BTreeSet<String> = self.driver.dirs_on_disk()?.into_iter().collect();
        let mut bad_layers = BTreeSet::new();
        for (id, l) in &layers {
            let parent_ok = l.parent.as_ref().is_none_or(|p| layers.contains_key(p));
            if !on_disk.contains(id) || !parent_ok || !self.blobs.exists(&l.diff_id) {
                bad_layers.insert(id.clone());
            }
        }
        // Children of bad layers are bad too.
        loop {
            let more: Vec<String> = layers
                .iter()
                .filter(|(id, l)| {
                    !bad_layers.contains(*id)
                        && l.parent.as_ref().is_some_and(|p| bad_layers.contains(p))
                })
                .map(|(id, _)| id.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            bad_layers.extend(more);
        }
        for id in &bad_layers {
            let rec = self.record_path("layers", id);
            fix(format!("layer {id} has missing data"), &mut || {
                remove_tree(&rec)?;
                self.driver.remove_layer(id)
            })?;
        }

        // 3. Images whose config, manifest or layers are missing.
        for img in self.image_records()? {
            let broken = img
                .layers
                .iter()
                .any(|l| bad_layers.contains(l) || !layers.contains_key(l))
                || !self.blobs.exists(&format!("sha256:{}", img.id))
                || !self.blobs.exists(&img.manifest_digest);
            if broken {
                let p = self.record_path("images", &img.id);
                fix(
                    format!("image {} refers to missing data", img.id),
                    &mut || remove_tree(&p),
                )?;
            }
        }

        // 4. Containers whose directory is gone.
        let containers = self.container_records()?;
        for c in &containers {
            if !on_disk.contains(&c.id) {
                let p = self.record_path("containers", &c.id);
                fix(
                    format!("container storage {} has no directory", c.id),
                    &mut || remove_tree(&p),
                )?;
            }
        }

        // 5. Driver directories without a record (staging layers, half-made containers).
        let known: BTreeSet<String> = layers
            .keys()
            .filter(|id| !bad_layers.contains(*id))
            .cloned()
            .chain(containers.iter().map(|c| c.id.clone()))
            .collect();
        for d in &on_disk {
            if !known.contains(d) {
                fix(
                    format!("{} directory {d} has no record", self.driver.name()),
                    &mut || {
                        self.driver.unmount(d)?;
                        self.driver.remove_container(d)?;
                        self.driver.remove_layer(d)
                    },
                )?;
            }
        }
        // 6. Mount counts of unknown containers.
        for n in list_dir(&self.mounts_dir())? {
            if !containers.iter().any(|c| c.id == n) {
                let p = self.mounts_dir().join(&n);
                fix(
                    format!("mount count {} for unknown container", p.display()),
                    &mut || remove_tree(&p),
                )?;
            }
        }

        if repair {
            // 7. Unused layers and blobs, then driver-specific leftovers.
            for id in self.gc_layers()? {
                problems.push(format!("layer {id} is not used by any image or container"));
            }
            for d in self.gc_blobs()? {
                problems.push(format!("blob {d} is not used"));
            }
            let layers_now = self.layer_records()?;
            let containers_now: BTreeSet<String> = self
                .container_records()?
                .into_iter()
                .map(|c| c.id)
                .collect();
            let known = |id: &str| layers_now.contains_key(id) || containers_now.contains(id);
            problems.extend(self.driver.repair(&known)?);
        }
        Ok(CheckReport {
            problems,
            repaired: repair,
        })
    }
}

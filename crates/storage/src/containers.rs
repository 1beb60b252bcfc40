//! Container root filesystems: `containers/<storage id>.json` over a driver
//! directory, mount reference counts in `run_root/mounts/<storage id>`.
//!
//! Create makes the directory first and writes the record last; delete
//! removes the record first. Either way an interruption leaves at most a
//! directory without a record, which `check` removes.

use std::fs;
use std::path::PathBuf;

use crate::fsutil::{atomic_write_volatile, list_dir, random_hex, read_json, write_json};
use crate::model::ContainerRecord;
use crate::store::Store;
use crate::{Error, Result};

fn valid_container_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

impl Store {
    pub(crate) fn container_records(&self) -> Result<Vec<ContainerRecord>> {
        let mut out = Vec::new();
        for n in list_dir(&self.graph("containers"))? {
            if let Some(id) = n
                .strip_suffix(".json")
                .filter(|s| crate::digest::is_hex64(s))
            {
                out.push(read_json::<ContainerRecord>(
                    &self.record_path("containers", id),
                )?);
            }
        }
        Ok(out)
    }

    pub(crate) fn container_record(&self, storage_id: &str) -> Result<ContainerRecord> {
        if !crate::digest::is_hex64(storage_id) {
            return Err(Error::ContainerNotFound(storage_id.to_string()));
        }
        let p = self.record_path("containers", storage_id);
        if !p.exists() {
            return Err(Error::ContainerNotFound(storage_id.to_string()));
        }
        read_json(&p)
    }

    /// All container root filesystems.
    pub fn containers(&self) -> Result<Vec<ContainerRecord>> {
        self.lock.read(|| self.container_records())
    }

    /// Creates the root filesystem of `container_id` from the image with the
    /// full id `image_id`.
    pub fn create_container_storage(
        &self,
        container_id: &str,
        image_id: &str,
    ) -> Result<ContainerRecord> {
        self.create_container_storage_as(&random_hex(32), container_id, image_id)
    }

    /// [`Self::create_container_storage`] under a storage id the caller chose
    /// (64 hex digits), so it can be recorded before the root filesystem exists.
    pub fn create_container_storage_as(
        &self,
        storage_id: &str,
        container_id: &str,
        image_id: &str,
    ) -> Result<ContainerRecord> {
        if !crate::digest::is_hex64(storage_id) {
            return Err(Error::InvalidOption(format!(
                "container storage id {storage_id:?}: use 64 hex digits"
            )));
        }
        if !valid_container_id(container_id) {
            return Err(Error::InvalidOption(format!(
                "container id {container_id:?}: use 1-128 characters of [A-Za-z0-9_.-]"
            )));
        }
        self.lock.write(|| {
            let img = self.find_image(image_id)?;
            if img.id != image_id.trim_start_matches("sha256:") {
                return Err(Error::ImageNotFound(format!(
                    "{image_id} (a full image id is required)"
                )));
            }
            if self
                .container_records()?
                .iter()
                .any(|c| c.container_id == container_id)
            {
                return Err(Error::ContainerExists(container_id.to_string()));
            }
            let id = storage_id.to_string();
            if self.record_path("containers", &id).exists() {
                return Err(Error::ContainerExists(id));
            }
            // A half-made copy (a full disk during vfs's copy) goes with the error.
            if let Err(e) = self.driver.create_container(&id, &img.layers) {
                let _ = self.driver.remove_container(&id);
                return Err(e);
            }
            let rec = ContainerRecord {
                id: id.clone(),
                container_id: container_id.to_string(),
                image_id: img.id.clone(),
                layer: img.top_layer().map(str::to_string),
                created: chrono::Utc::now().to_rfc3339(),
            };
            if let Err(e) = write_json(&self.record_path("containers", &id), &rec) {
                let _ = self.driver.remove_container(&id);
                return Err(e);
            }
            Ok(rec)
        })
    }

    /// How many mount references container storage `id` holds (0 = not mounted).
    pub fn container_mount_references(&self, id: &str) -> u32 {
        self.mount_count(id)
    }

    fn mount_count(&self, id: &str) -> u32 {
        fs::read_to_string(self.mounts_dir().join(id))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    fn set_mount_count(&self, id: &str, n: u32) -> Result<()> {
        let p = self.mounts_dir().join(id);
        if n == 0 {
            match fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(Error::io("remove", &p, e))
                }
                _ => Ok(()),
            }
        } else {
            atomic_write_volatile(&p, n.to_string().as_bytes())
        }
    }

    /// Whether the count file is believable: for overlay, the mount must exist.
    fn live_count(&self, id: &str) -> u32 {
        let n = self.mount_count(id);
        if n > 0 && self.driver.name() == "overlay" && !self.driver.is_mounted(id) {
            return 0;
        }
        n
    }

    /// Mounts a container root (reference counted) and returns its path.
    pub fn mount(&self, storage_id: &str) -> Result<PathBuf> {
        self.lock.write(|| {
            let rec = self.container_record(storage_id)?;
            let n = self.live_count(storage_id);
            let chain = match &rec.layer {
                Some(top) => self.layer_chain(top)?,
                None => Vec::new(),
            };
            let path = if n == 0 {
                self.driver.mount(storage_id, &chain)?
            } else {
                self.driver.mount_path(storage_id)
            };
            if let Err(e) = self.set_mount_count(storage_id, n + 1) {
                if n == 0 {
                    let _ = self.driver.unmount(storage_id);
                }
                return Err(e);
            }
            Ok(path)
        })
    }

    /// Drops a mount reference (all with `force`); unmounts at zero.
    /// Returns whether it is still mounted.
    pub fn unmount(&self, storage_id: &str, force: bool) -> Result<bool> {
        self.lock.write(|| {
            self.container_record(storage_id)?;
            let n = self.live_count(storage_id);
            let left = if force { 0 } else { n.saturating_sub(1) };
            if left == 0 {
                self.driver.unmount(storage_id)?;
            }
            self.set_mount_count(storage_id, left)?;
            Ok(left > 0)
        })
    }

    /// Where the container root is mounted, if it is.
    pub fn container_mount_point(&self, storage_id: &str) -> Result<Option<PathBuf>> {
        self.lock.read(|| {
            self.container_record(storage_id)?;
            Ok((self.live_count(storage_id) > 0).then(|| self.driver.mount_path(storage_id)))
        })
    }

    /// Unmounts and deletes a container root.
    pub fn delete_container_storage(&self, storage_id: &str) -> Result<()> {
        self.lock.write(|| {
            self.container_record(storage_id)?;
            self.driver.unmount(storage_id)?;
            self.set_mount_count(storage_id, 0)?;
            let p = self.record_path("containers", storage_id);
            fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
            self.driver.remove_container(storage_id)?;
            self.gc_layers()?;
            Ok(())
        })
    }

    /// Bytes the container has written on top of its image.
    pub fn container_size(&self, storage_id: &str) -> Result<u64> {
        self.lock.read(|| {
            self.container_record(storage_id)?;
            self.driver.container_size(storage_id)
        })
    }

    /// Finds a container root by its runtime container id.
    pub fn container_by_container_id(&self, container_id: &str) -> Result<ContainerRecord> {
        self.containers()?
            .into_iter()
            .find(|c| c.container_id == container_id)
            .ok_or_else(|| Error::ContainerNotFound(container_id.to_string()))
    }

    /// With `force` unmounts every container root; without, fails while any is mounted.
    pub fn shutdown_mounts(&self, force: bool) -> Result<()> {
        self.lock.write(|| {
            let mounted: Vec<String> = list_dir(&self.mounts_dir())?
                .into_iter()
                .filter(|id| crate::digest::is_hex64(id) && self.live_count(id) > 0)
                .collect();
            if !mounted.is_empty() && !force {
                return Err(Error::Busy(format!(
                    "container root filesystems still mounted: {mounted:?}; unmount them or shut down with force"
                )));
            }
            let mut errors = Vec::new();
            if force {
                if let Err(e) = self.drop_all_layer_mounts() {
                    errors.push(e.to_string());
                }
            }
            for id in mounted {
                if let Err(e) = self.driver.unmount(&id).and_then(|()| self.set_mount_count(&id, 0)) {
                    errors.push(e.to_string());
                }
            }
            if errors.is_empty() {
                Ok(())
            } else {
                Err(Error::Busy(format!("could not unmount: {}", errors.join("; "))))
            }
        })
    }
}

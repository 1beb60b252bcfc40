//! Read-only mounts of images (`image mount`): an image is mounted at its
//! top layer's mount point, as containers/storage does, so images sharing a
//! top layer share the mount. The reference count of each mounted layer is
//! `run_root/image-mounts/<layer id>`: every mount adds one, every unmount
//! takes one, the last one unmounts.

use std::fs;
use std::path::PathBuf;

use crate::fsutil::{atomic_write_volatile, mkdir_all};
use crate::model::ImageRecord;
use crate::store::Store;
use crate::{Error, Result};

/// A mounted image as `image mount` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMount {
    /// The image.
    pub image: ImageRecord,
    /// Where its top layer is mounted.
    pub path: PathBuf,
}

impl Store {
    fn image_mounts_dir(&self) -> PathBuf {
        self.opts.run_root.join("image-mounts")
    }

    fn layer_mount_count(&self, layer: &str) -> u32 {
        let n = fs::read_to_string(self.image_mounts_dir().join(layer))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        // A count that outlived its mount (a reboot, an unmount by hand) is stale.
        if n > 0 && !self.driver.layer_is_mounted(layer) {
            return 0;
        }
        n
    }

    fn set_layer_mount_count(&self, layer: &str, n: u32) -> Result<()> {
        let p = self.image_mounts_dir().join(layer);
        if n == 0 {
            return match fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(Error::io("remove", &p, e))
                }
                _ => Ok(()),
            };
        }
        mkdir_all(&self.image_mounts_dir())?;
        atomic_write_volatile(&p, n.to_string().as_bytes())
    }

    fn top_layer_of(img: &ImageRecord) -> Result<&str> {
        img.top_layer()
            .ok_or_else(|| Error::InvalidOption(format!("image {} has no layers to mount", img.id)))
    }

    /// Mounts an image read-only (reference counted) and returns the mount point.
    pub fn mount_image(&self, name_or_id: &str) -> Result<(ImageRecord, PathBuf)> {
        self.lock.write(|| {
            let img = self.find_image(name_or_id)?;
            let top = Self::top_layer_of(&img)?;
            let n = self.layer_mount_count(top);
            let path = if n == 0 {
                self.driver.mount_layer(top, &self.layer_chain(top)?)?
            } else {
                self.driver.layer_mount_path(top)
            };
            if let Err(e) = self.set_layer_mount_count(top, n + 1) {
                if n == 0 {
                    let _ = self.driver.unmount_layer(top);
                }
                return Err(e);
            }
            Ok((img, path))
        })
    }

    /// Drops one mount reference of an image (all of them with `force`);
    /// unmounts at zero. `None` when the image was not mounted, else
    /// whether it is still mounted.
    pub fn unmount_image(&self, name_or_id: &str, force: bool) -> Result<Option<bool>> {
        self.lock.write(|| {
            let img = self.find_image(name_or_id)?;
            let Some(top) = img.top_layer() else {
                return Ok(None);
            };
            let n = self.layer_mount_count(top);
            if n == 0 {
                return Ok(None);
            }
            let left = if force { 0 } else { n - 1 };
            if left == 0 {
                self.driver.unmount_layer(top)?;
            }
            self.set_layer_mount_count(top, left)?;
            Ok(Some(left > 0))
        })
    }

    /// Every image whose top layer is mounted, with its mount point.
    pub fn mounted_images(&self) -> Result<Vec<ImageMount>> {
        self.lock.read(|| {
            let mut out = Vec::new();
            for img in self.image_records()? {
                let Some(top) = img.top_layer() else { continue };
                if self.layer_mount_count(top) > 0 {
                    let path = self.driver.layer_mount_path(top);
                    out.push(ImageMount { image: img, path });
                }
            }
            Ok(out)
        })
    }

    /// Unmounts layer `id` whatever its count (the layer is going away).
    pub(crate) fn drop_layer_mount(&self, id: &str) -> Result<()> {
        if self.image_mounts_dir().join(id).exists() {
            self.driver.unmount_layer(id)?;
            self.set_layer_mount_count(id, 0)?;
        }
        Ok(())
    }

    /// Unmounts every mounted image (a forced shutdown: `system reset`).
    pub(crate) fn drop_all_layer_mounts(&self) -> Result<()> {
        for id in crate::fsutil::list_dir(&self.image_mounts_dir())? {
            if crate::digest::is_hex64(&id) {
                self.drop_layer_mount(&id)?;
            }
        }
        Ok(())
    }
}

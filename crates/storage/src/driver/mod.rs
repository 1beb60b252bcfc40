//! Layer drivers: how layers and container root filesystems sit on disk.

mod copy;
mod overlay;
mod vfs;

use std::path::{Path, PathBuf};

pub use overlay::OverlayDriver;
pub use vfs::VfsDriver;

use crate::extract::WhiteoutMode;
use crate::Result;

/// What the store needs from a layer driver. Ids are plain names (64 hex
/// for layers and containers, `tmp-*` for layers being extracted).
pub trait LayerDriver: Send + Sync + std::fmt::Debug {
    /// "overlay" or "vfs".
    fn name(&self) -> &'static str;
    /// How whiteouts in layer tars are applied for this driver.
    fn whiteout_mode(&self) -> WhiteoutMode;
    /// Makes the staging directory for layer `staging_id` on top of `parent`
    /// and returns the directory to extract the layer's tar into.
    fn prepare_layer(&self, staging_id: &str, parent: Option<&str>) -> Result<PathBuf>;
    /// Renames a fully extracted staging layer to its final id.
    fn commit_layer(&self, staging_id: &str, id: &str) -> Result<()>;
    /// Removes a layer's files (no error when absent).
    fn remove_layer(&self, id: &str) -> Result<()>;
    /// Makes the writable root of container `id` over the layers `chain`
    /// (bottom first).
    fn create_container(&self, id: &str, chain: &[String]) -> Result<()>;
    /// Mounts the container root over `chain` and returns the mount point.
    fn mount(&self, id: &str, chain: &[String]) -> Result<PathBuf>;
    /// Where the container's root is (or would be) mounted.
    fn mount_path(&self, id: &str) -> PathBuf;
    /// Whether the container root is currently mounted.
    fn is_mounted(&self, id: &str) -> bool;
    /// Unmounts the container root (no error when not mounted).
    fn unmount(&self, id: &str) -> Result<()>;
    /// Mounts the layers `chain` (bottom first) read-only at the top layer's
    /// mount point (`image mount`) and returns it.
    fn mount_layer(&self, top: &str, chain: &[String]) -> Result<PathBuf>;
    /// Where layer `top` is (or would be) mounted read-only.
    fn layer_mount_path(&self, top: &str) -> PathBuf;
    /// Whether layer `top`'s read-only mount is in place.
    fn layer_is_mounted(&self, top: &str) -> bool;
    /// Unmounts layer `top`'s read-only mount (no error when not mounted).
    fn unmount_layer(&self, top: &str) -> Result<()>;
    /// Removes the container's files (unmounting first).
    fn remove_container(&self, id: &str) -> Result<()>;
    /// Bytes written by the container (its upper dir, or its copy for vfs).
    fn container_size(&self, id: &str) -> Result<u64>;
    /// Names of every layer or container directory present on disk.
    fn dirs_on_disk(&self) -> Result<Vec<String>>;
    /// The directory of what a layer or container root adds over the layers
    /// below (overlay's `diff`, whiteouts included); `None` for drivers that
    /// keep full copies (vfs).
    fn upper_dir(&self, _id: &str) -> Option<PathBuf> {
        None
    }
    /// Driver-specific repairs (e.g. dangling short links); returns what was removed.
    fn repair(&self, known: &dyn Fn(&str) -> bool) -> Result<Vec<String>>;
}

/// Builds the driver for `kind` rooted in `graph_root`.
pub fn new_driver(kind: crate::Driver, graph_root: &Path) -> Result<Box<dyn LayerDriver>> {
    Ok(match kind {
        crate::Driver::Overlay => Box::new(OverlayDriver::new(graph_root.join("overlay"))?),
        crate::Driver::Vfs => Box::new(VfsDriver::new(graph_root.join("vfs"))?),
    })
}

/// True when `path` is a mount point (its device differs from its parent's).
pub fn is_mount_point(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(m), Some(parent)) = (std::fs::symlink_metadata(path), path.parent()) else {
        return false;
    };
    std::fs::metadata(parent).is_ok_and(|p| p.dev() != m.dev() || p.ino() == m.ino())
}

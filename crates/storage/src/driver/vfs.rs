//! The vfs driver: every layer and container is a full copy in `vfs/dir/<id>`.

use std::path::PathBuf;

use super::copy::copy_tree;
use super::LayerDriver;
use crate::error::IoContext;
use crate::extract::WhiteoutMode;
use crate::fsutil::{list_dir, mkdir_all, remove_tree};
use crate::Result;

/// Full-copy layers.
#[derive(Debug)]
pub struct VfsDriver {
    home: PathBuf,
}

impl VfsDriver {
    /// A driver storing under `home` (`graph_root/vfs`).
    pub fn new(home: PathBuf) -> Result<Self> {
        mkdir_all(&home.join("dir"))?;
        Ok(VfsDriver { home })
    }

    fn dir(&self, id: &str) -> PathBuf {
        self.home.join("dir").join(id)
    }
}

impl LayerDriver for VfsDriver {
    fn name(&self) -> &'static str {
        "vfs"
    }

    fn whiteout_mode(&self) -> WhiteoutMode {
        WhiteoutMode::Delete
    }

    fn prepare_layer(&self, staging_id: &str, parent: Option<&str>) -> Result<PathBuf> {
        let d = self.dir(staging_id);
        remove_tree(&d)?;
        if let Some(p) = parent {
            copy_tree(&self.dir(p), &d)?;
        } else {
            mkdir_all(&d)?;
            super::overlay::base_layer_root(&d)?;
        }
        Ok(d)
    }

    fn commit_layer(&self, staging_id: &str, id: &str) -> Result<()> {
        let to = self.dir(id);
        remove_tree(&to)?;
        let from = self.dir(staging_id);
        std::fs::rename(&from, &to).ctx("rename", &from)?;
        crate::fsutil::fsync_dir(&self.home.join("dir"))
    }

    fn remove_layer(&self, id: &str) -> Result<()> {
        remove_tree(&self.dir(id))
    }

    fn create_container(&self, id: &str, chain: &[String]) -> Result<()> {
        let d = self.dir(id);
        remove_tree(&d)?;
        match chain.last() {
            Some(top) => copy_tree(&self.dir(top), &d),
            None => mkdir_all(&d),
        }
    }

    fn mount(&self, id: &str, _chain: &[String]) -> Result<PathBuf> {
        Ok(self.dir(id))
    }

    fn mount_path(&self, id: &str) -> PathBuf {
        self.dir(id)
    }

    fn is_mounted(&self, _id: &str) -> bool {
        false
    }

    fn unmount(&self, _id: &str) -> Result<()> {
        Ok(())
    }

    /// A vfs layer is a whole tree already: its directory is the mount point.
    fn mount_layer(&self, top: &str, _chain: &[String]) -> Result<PathBuf> {
        Ok(self.dir(top))
    }

    fn layer_mount_path(&self, top: &str) -> PathBuf {
        self.dir(top)
    }

    fn layer_is_mounted(&self, top: &str) -> bool {
        self.dir(top).is_dir()
    }

    fn unmount_layer(&self, _top: &str) -> Result<()> {
        Ok(())
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        remove_tree(&self.dir(id))
    }

    fn container_size(&self, id: &str) -> Result<u64> {
        crate::fsutil::tree_size(&self.dir(id))
    }

    fn dirs_on_disk(&self) -> Result<Vec<String>> {
        list_dir(&self.home.join("dir"))
    }

    fn repair(&self, _known: &dyn Fn(&str) -> bool) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

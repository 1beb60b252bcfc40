//! The real store.

use std::io::Read;
use std::path::PathBuf;

use crate::api::Storage;
use crate::model::{ContainerRecord, ImageRecord, ImportOptions, StoreOptions};
use crate::{Error, Result};

/// A local image and layer store rooted at `graph_root`.
#[derive(Debug)]
pub struct Store {
    opts: StoreOptions,
}

impl Store {
    /// Opens (creating if needed) a store.
    pub fn open(opts: StoreOptions) -> Result<Self> {
        Ok(Store { opts })
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.opts
    }
}

fn pending() -> Error {
    Error::InvalidOption("not implemented yet".into())
}

impl Storage for Store {
    fn resolve_image(&self, _name_or_id: &str) -> Result<ImageRecord> {
        Err(pending())
    }
    fn create_container(&self, _container_id: &str, _image_id: &str) -> Result<String> {
        Err(pending())
    }
    fn mount_container(&self, _storage_id: &str) -> Result<PathBuf> {
        Err(pending())
    }
    fn unmount_container(&self, _storage_id: &str, _force: bool) -> Result<bool> {
        Err(pending())
    }
    fn delete_container(&self, _storage_id: &str) -> Result<()> {
        Err(pending())
    }
    fn mount_point(&self, _storage_id: &str) -> Result<Option<PathBuf>> {
        Err(pending())
    }
    fn list_containers(&self) -> Result<Vec<ContainerRecord>> {
        Err(pending())
    }
    fn shutdown(&self, _force: bool) -> Result<()> {
        Err(pending())
    }
    fn import_rootfs(&self, _tar: &mut dyn Read, _options: &ImportOptions) -> Result<ImageRecord> {
        Err(pending())
    }
}

//! The few image operations the runtime passes through to storage (the CLI's image commands
//! that need nothing else from the runtime use the storage layer directly).

use std::io::Read;

use berth_storage::{ImageRecord, ImportOptions};

use crate::error::Result;
use crate::runtime::Runtime;

impl Runtime {
    /// Imports a root filesystem tar as a one-layer image (`berth import`).
    pub fn import_image(&self, tar: &mut dyn Read, options: &ImportOptions) -> Result<ImageRecord> {
        self.check()?;
        Ok(self.storage.import_rootfs(tar, options)?)
    }

    /// Resolves an image name, id or unique id prefix in local storage.
    pub fn resolve_image(&self, name_or_id: &str) -> Result<ImageRecord> {
        self.check()?;
        Ok(self.storage.resolve_image(name_or_id)?)
    }
}

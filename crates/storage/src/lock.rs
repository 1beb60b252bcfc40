//! The store lock: one flock (fd-lock) on `graph_root/storage.lock`.
//!
//! Writers hold it exclusively for a whole operation; readers share it. A
//! process killed while holding it releases it with its file descriptor.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::IoContext;
use crate::Result;

/// The lock file of a store.
#[derive(Debug, Clone)]
pub struct StoreLock {
    path: PathBuf,
}

impl StoreLock {
    /// A lock on `path` (created on first use).
    pub fn new(path: &Path) -> Self {
        StoreLock {
            path: path.to_path_buf(),
        }
    }

    fn open(&self) -> Result<fd_lock::RwLock<File>> {
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&self.path)
            .ctx("open lock file", &self.path)?;
        Ok(fd_lock::RwLock::new(f))
    }

    /// Runs `f` holding the lock exclusively.
    pub fn write<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut lock = self.open()?;
        let _guard = lock.write().ctx("lock", &self.path)?;
        f()
    }

    /// Runs `f` holding the lock shared.
    pub fn read<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let lock = self.open()?;
        let _guard = lock.read().ctx("lock", &self.path)?;
        f()
    }
}

//! Staging directories that live outside the store lock (a pull downloads
//! its layers into one while other commands run): `tmp/<kind>-<random>/`,
//! held with an exclusive `flock` on the directory for as long as it is in
//! use. `check` skips a staging directory whose lock is held, so `--repair`
//! never touches a live pull's files; a killed process drops the lock with
//! its file descriptor, and its leftovers are repaired as before.

use std::fs::File;
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use crate::error::IoContext;
use crate::fsutil::{mkdir_all, random_hex, remove_tree};
use crate::store::Store;
use crate::{Error, Result};

/// A locked staging directory, removed on drop.
#[derive(Debug)]
pub(crate) struct LiveStaging {
    path: PathBuf,
    _lock: Flock<File>,
}

impl LiveStaging {
    /// Makes and locks `tmp/<kind>-<random>` under the shared store lock, so
    /// `check` (which holds it exclusively) never sees it made but not yet locked.
    pub(crate) fn new(store: &Store, kind: &str) -> Result<Self> {
        store.lock.read(|| {
            let path = store.tmp_dir().join(format!("{kind}-{}", random_hex(8)));
            mkdir_all(&path)?;
            let dir = File::open(&path).ctx("open", &path)?;
            let lock = Flock::lock(dir, FlockArg::LockExclusiveNonblock).map_err(|(_, e)| {
                let _ = remove_tree(&path);
                Error::sys("lock staging directory", &path, e)
            })?;
            Ok(LiveStaging { path, _lock: lock })
        })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LiveStaging {
    fn drop(&mut self) {
        let _ = remove_tree(&self.path);
    }
}

/// Whether `path` is a staging directory some process holds (its lock is taken).
pub(crate) fn is_live(path: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_dir() {
        return false;
    }
    let Ok(dir) = File::open(path) else {
        return false;
    };
    match Flock::lock(dir, FlockArg::LockExclusiveNonblock) {
        Ok(_released_on_drop) => false,
        Err((_, e)) => e == nix::errno::Errno::EWOULDBLOCK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_staging_dir_is_live_until_dropped() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::open(crate::StoreOptions {
            graph_root: d.path().join("g"),
            run_root: d.path().join("r"),
            driver: crate::Driver::Vfs,
        })
        .unwrap();
        let s = LiveStaging::new(&store, "pull").unwrap();
        let p = s.path().to_path_buf();
        assert!(p.starts_with(store.tmp_dir()));
        assert!(is_live(&p));
        let dead = store.tmp_dir().join("pull-dead");
        std::fs::create_dir(&dead).unwrap();
        assert!(!is_live(&dead));
        assert!(!is_live(&store.tmp_dir().join("missing")));
        drop(s);
        assert!(!p.exists());
    }
}

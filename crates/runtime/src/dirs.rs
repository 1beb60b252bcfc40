//! The engine's own directories: the tmp dir (lock, exit and bundle files, the netns dir) and
//! the static dir (the state database) are 0700, as podman keeps `/run/libpod` and its
//! `libpod` dir: bundles and records hold containers' environments, often secrets.

use std::path::{Path, PathBuf};

use berth_config::RuntimeConfig;

use crate::error::{Error, Result};

/// Creates the tmp dir, its lock dir and the static dir; returns the lock dir.
pub(crate) fn create_engine_dirs(config: &RuntimeConfig) -> Result<PathBuf> {
    private_dir(&config.tmp_dir, "alive.lck", "create tmp dir")?;
    let lock_dir = config.tmp_dir.join("lock");
    std::fs::create_dir_all(&lock_dir).map_err(|e| Error::io("create lock dir", &lock_dir, e))?;
    private_dir(&config.static_dir, "state.redb", "create static dir")?;
    Ok(lock_dir)
}

/// [`berth_config::private_dir`] with the error naming `op`.
fn private_dir(dir: &Path, marker: &str, op: &'static str) -> Result<()> {
    berth_config::private_dir(dir, marker).map_err(|e| Error::io(op, dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn engine_dirs_are_0700_and_loose_ones_of_berth_are_tightened() {
        let d = tempfile::tempdir().unwrap();
        let mut config = crate::tests::config_in(d.path());
        config.tmp_dir = d.path().join("run/tmp");
        config.static_dir = d.path().join("lib/state");
        create_engine_dirs(&config).unwrap();
        assert_eq!(mode(&config.tmp_dir), 0o700);
        assert_eq!(mode(&config.static_dir), 0o700);

        let loose = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(&config.tmp_dir, loose.clone()).unwrap();
        std::fs::set_permissions(&config.static_dir, loose).unwrap();
        create_engine_dirs(&config).unwrap();
        assert_eq!(
            mode(&config.tmp_dir),
            0o755,
            "no alive.lck: not known as berth's"
        );
        std::fs::write(config.tmp_dir.join("alive.lck"), b"").unwrap();
        std::fs::write(config.static_dir.join("state.redb"), b"").unwrap();
        create_engine_dirs(&config).unwrap();
        assert_eq!(mode(&config.tmp_dir), 0o700);
        assert_eq!(mode(&config.static_dir), 0o700);
    }
}

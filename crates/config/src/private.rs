//! Private directories: what berth makes for itself (graph root, run root,
//! tmp dir, static dir) is 0700, as podman's are, and what an older berth
//! left looser is tightened.

use std::fs::{DirBuilder, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

/// Creates `dir` (and missing parents) 0700. An existing `dir` that holds
/// `marker` (berth made it) loses its group and other bits, so an older 0755
/// one is tightened; any other existing directory is left as it is, so a
/// root pointed at a shared directory never has that directory's mode changed.
pub fn private_dir(dir: &Path, marker: &str) -> io::Result<()> {
    if !dir.is_dir() {
        return DirBuilder::new().recursive(true).mode(0o700).create(dir);
    }
    if !dir.join(marker).exists() {
        return Ok(());
    }
    tighten_mode(dir, 0o700)
}

/// Clears the bits of `path`'s mode outside `keep`. A missing file, or one
/// this user may not chmod (another user's), is left alone.
pub fn tighten_mode(path: &Path, keep: u32) -> io::Result<()> {
    let mode = match std::fs::metadata(path) {
        Ok(m) => m.permissions().mode() & 0o7777,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if mode & !keep == 0 {
        return Ok(());
    }
    match std::fs::set_permissions(path, Permissions::from_mode(mode & keep)) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Ok(()),
        r => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn private_dir_creates_0700_and_tightens_only_what_holds_its_marker() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("a/graph");
        private_dir(&root, "layers").unwrap();
        assert_eq!((mode(&root), mode(&d.path().join("a"))), (0o700, 0o700));

        let shared = d.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, Permissions::from_mode(0o755)).unwrap();
        private_dir(&shared, "layers").unwrap();
        assert_eq!(mode(&shared), 0o755, "no marker: left alone");

        std::fs::create_dir(shared.join("layers")).unwrap();
        private_dir(&shared, "layers").unwrap();
        assert_eq!(mode(&shared), 0o700);

        std::fs::write(d.path().join("file"), b"").unwrap();
        assert!(private_dir(&d.path().join("file"), "layers").is_err());
    }

    #[test]
    fn tightening_keeps_the_owner_bits_and_ignores_a_missing_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("f");
        std::fs::write(&f, b"x").unwrap();
        std::fs::set_permissions(&f, Permissions::from_mode(0o4764)).unwrap();
        tighten_mode(&f, 0o600).unwrap();
        assert_eq!(mode(&f), 0o600);
        tighten_mode(&d.path().join("missing"), 0o600).unwrap();
    }
}

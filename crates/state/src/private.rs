//! Who may read the state: its directory is 0700 and `state.redb` 0600, as
//! podman keeps `bolt_state.db`. The records hold every container's
//! environment, often secrets.

use std::path::Path;

use berth_config::{private_dir, tighten_mode};

use crate::error::{Result, StateError};

/// Mode of the database file.
pub(crate) const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents) 0700, or tightens what an older berth
/// made: an existing `dir` that holds the database `db_name` loses its group
/// and other bits (it was 0755), and so does the database (it was 0644). An
/// existing directory without the database is left as it is, so a static dir
/// pointed at a shared directory never has that directory's mode changed.
pub(crate) fn secure(dir: &Path, db_name: &str) -> Result<()> {
    private_dir(dir, db_name).map_err(|source| StateError::Io {
        action: "create or restrict the permissions of the state directory",
        path: dir.to_path_buf(),
        source,
    })?;
    tighten_file(&dir.join(db_name))
}

/// Takes the group and other bits off an existing database file.
fn tighten_file(path: &Path) -> Result<()> {
    tighten_mode(path, FILE_MODE).map_err(|source| StateError::Io {
        action: "restrict the permissions of",
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::Permissions;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_new_directory_and_its_missing_parents_are_0700() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("a/state");
        secure(&dir, "state.redb").unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&d.path().join("a")), 0o700);
    }

    #[test]
    fn an_existing_directory_is_tightened_only_when_it_holds_the_database() {
        let d = tempfile::tempdir().unwrap();
        let shared = d.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, Permissions::from_mode(0o755)).unwrap();
        secure(&shared, "state.redb").unwrap();
        assert_eq!(mode(&shared), 0o755, "not ours: left alone");

        let db = shared.join("state.redb");
        std::fs::write(&db, b"").unwrap();
        std::fs::set_permissions(&db, Permissions::from_mode(0o644)).unwrap();
        secure(&shared, "state.redb").unwrap();
        assert_eq!((mode(&shared), mode(&db)), (0o700, 0o600));
    }

    #[test]
    fn tightening_keeps_the_owner_bits_and_ignores_a_missing_file() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("f");
        std::fs::write(&f, b"x").unwrap();
        std::fs::set_permissions(&f, Permissions::from_mode(0o4764)).unwrap();
        tighten_file(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        tighten_file(&d.path().join("missing")).unwrap();
    }
}

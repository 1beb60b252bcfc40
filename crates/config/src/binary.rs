//! Finding an external binary (runc, crun, conmon) among candidate paths.

use std::fmt;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Why a candidate path was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Nothing is at the path.
    Missing,
    /// The path is a directory.
    Directory,
    /// The path is something other than a regular file (socket, device, fifo).
    NotRegularFile,
    /// A regular file without any execute bit.
    NotExecutable,
    /// The path could not be inspected (permission denied, ...).
    Unreadable(String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Missing => f.write_str("missing"),
            Rejection::Directory => f.write_str("a directory"),
            Rejection::NotRegularFile => f.write_str("not a regular file"),
            Rejection::NotExecutable => f.write_str("not executable"),
            Rejection::Unreadable(e) => write!(f, "cannot inspect: {e}"),
        }
    }
}

/// Checks one candidate: `Ok(())` when it exists, is a regular file (after
/// following symlinks) and has an execute bit.
pub fn check_binary(path: &Path) -> Result<(), Rejection> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // A file where a directory is expected in the path (ENOTDIR) also means nothing is there.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Err(Rejection::Missing);
        }
        Err(e) => return Err(Rejection::Unreadable(e.to_string())),
    };
    if meta.is_dir() {
        return Err(Rejection::Directory);
    }
    if !meta.is_file() {
        return Err(Rejection::NotRegularFile);
    }
    if meta.permissions().mode() & 0o111 == 0 {
        return Err(Rejection::NotExecutable);
    }
    Ok(())
}

/// The first candidate that exists, is a regular file and is executable.
///
/// `what` names the binary in the error (`"OCI runtime"`, `"conmon"`); the
/// error lists every candidate and why each was rejected.
///
/// ```
/// let sh = berth_config::find_binary("shell", &["/nonexistent/sh", "/bin/sh"]).unwrap();
/// assert_eq!(sh, std::path::Path::new("/bin/sh"));
/// ```
pub fn find_binary<P: AsRef<Path>>(what: &str, candidates: &[P]) -> Result<PathBuf> {
    let mut rejected = Vec::with_capacity(candidates.len());
    for c in candidates {
        let c = c.as_ref();
        match check_binary(c) {
            Ok(()) => {
                if !rejected.is_empty() {
                    tracing::debug!(binary = what, path = %c.display(), skipped = rejected.len(), "using the first usable candidate");
                }
                return Ok(c.to_path_buf());
            }
            Err(why) => rejected.push((c.to_path_buf(), why)),
        }
    }
    Err(Error::BinaryNotFound {
        what: what.to_owned(),
        candidates: rejected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn file(dir: &Path, name: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn first_usable_candidate_wins() {
        let dir = tempfile::tempdir().unwrap();
        let a = file(dir.path(), "a", 0o755);
        let b = file(dir.path(), "b", 0o755);
        assert_eq!(find_binary("runtime", &[&a, &b]).unwrap(), a);
    }

    #[test]
    fn missing_directories_and_non_executables_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        let plain = file(dir.path(), "plain", 0o644);
        let good = file(dir.path(), "good", 0o700);
        let found = find_binary("runtime", &[&missing, &sub, &plain, &good]).unwrap();
        assert_eq!(found, good);
    }

    #[test]
    fn symlink_to_an_executable_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let target = file(dir.path(), "target", 0o755);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(find_binary("x", &[&link]).unwrap(), link);
    }

    #[test]
    fn error_lists_every_candidate_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        let plain = file(dir.path(), "plain", 0o644);
        let err = find_binary("OCI runtime", &[&missing, &sub, &plain]).unwrap_err();
        let msg = err.to_string();
        assert_eq!(
            msg,
            format!(
                "no usable OCI runtime binary: {} (missing); {} (a directory); {} (not executable)",
                missing.display(),
                sub.display(),
                plain.display()
            )
        );
        match err {
            Error::BinaryNotFound { candidates, .. } => {
                let why: Vec<_> = candidates.into_iter().map(|(_, w)| w).collect();
                assert_eq!(
                    why,
                    [
                        Rejection::Missing,
                        Rejection::Directory,
                        Rejection::NotExecutable
                    ]
                );
            }
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn a_file_used_as_a_directory_counts_as_missing() {
        let dir = tempfile::tempdir().unwrap();
        let plain = file(dir.path(), "plain", 0o755);
        assert_eq!(check_binary(&plain.join("runc")), Err(Rejection::Missing));
    }

    #[test]
    fn non_regular_files_are_rejected() {
        assert_eq!(
            check_binary(Path::new("/dev/null")),
            Err(Rejection::NotRegularFile)
        );
    }

    #[test]
    fn no_candidates_says_so() {
        let none: [&str; 0] = [];
        let msg = find_binary("conmon", &none).unwrap_err().to_string();
        assert_eq!(
            msg,
            "no usable conmon binary: no candidates were configured"
        );
    }
}

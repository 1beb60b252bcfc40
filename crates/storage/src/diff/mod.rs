//! Layer diffs: what a container's read-write layer (or an image layer)
//! changed against the layers below it, as a list of changes and as an OCI
//! layer tar.
//!
//! An overlay upper directory holds the new and changed files; a deletion is
//! a whiteout (a `0/0` character device of the deleted name) and a directory
//! whose lower content is hidden carries `trusted.overlay.opaque=y`. The list
//! follows containers/storage's overlay walk, which `podman diff` prints:
//! depth first, names in byte order, each added or deleted path preceded by
//! its parent directories (as changed) the first time one is met, directories
//! whose size, mode and mtime match the lower one left out.

mod store;
mod tar;

use std::collections::HashSet;
use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::error::IoContext;
use crate::Result;

pub use self::store::CommitOptions;
pub use self::tar::{write_layer_tar, write_tree_tar};

/// The overlay xattr marking a directory whose lower content is hidden.
pub(crate) const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Changed (`C`): present below and rewritten, or a directory holding a change.
    Changed,
    /// Added (`A`): absent below.
    Added,
    /// Deleted (`D`): present below and removed.
    Deleted,
}

impl ChangeKind {
    /// podman's letter: `A`, `C` or `D`.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// One changed path (absolute, as seen inside the container).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// The path, starting with `/`.
    pub path: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.letter(), self.path)
    }
}

/// True for an overlay whiteout: a character device 0/0.
pub(crate) fn is_whiteout(m: &Metadata) -> bool {
    m.file_type().is_char_device() && m.rdev() == 0
}

/// True for a directory marked opaque.
pub(crate) fn is_opaque(path: &Path, m: &Metadata) -> bool {
    m.is_dir() && matches!(xattr::get(path, OPAQUE_XATTR), Ok(Some(v)) if v == b"y")
}

/// The entries of a directory, names in byte order (as Go's `filepath.Walk`).
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<std::ffi::OsString>> {
    let mut names = fs::read_dir(dir)
        .ctx("read directory", dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<Vec<_>>>()
        .ctx("read directory", dir)?;
    names.sort_by(|a, b| {
        use std::os::unix::ffi::OsStrExt;
        a.as_bytes().cmp(b.as_bytes())
    });
    Ok(names)
}

/// The metadata of `rel` (relative, no leading `/`) as the stack of lower
/// layers (top first) shows it: `None` when absent, whited out, or hidden by
/// an opaque directory of a higher layer.
fn lower_lookup(lowers: &[PathBuf], rel: &Path) -> Option<Metadata> {
    for layer in lowers {
        let mut hidden = false;
        let mut cur = layer.clone();
        let comps: Vec<_> = rel.components().collect();
        for (i, c) in comps.iter().enumerate() {
            cur.push(c);
            let Ok(m) = fs::symlink_metadata(&cur) else {
                break;
            };
            if is_whiteout(&m) {
                return None;
            }
            if i + 1 == comps.len() {
                return Some(m);
            }
            if !m.is_dir() {
                break;
            }
            if is_opaque(&cur, &m) {
                hidden = true;
            }
        }
        if hidden {
            return None;
        }
    }
    None
}

/// Go's `sameFsTime`: equal, or the same second with either side's nanoseconds 0
/// (tar keeps no sub-second times).
fn same_time(a: &Metadata, b: &Metadata) -> bool {
    a.mtime() == b.mtime()
        && (a.mtime_nsec() == b.mtime_nsec() || a.mtime_nsec() == 0 || b.mtime_nsec() == 0)
}

/// The changes of the overlay upper directory `upper` over `lowers` (the
/// lower layers' directories, top first).
pub fn overlay_changes(upper: &Path, lowers: &[PathBuf]) -> Result<Vec<Change>> {
    let mut walk = Walk {
        upper,
        lowers,
        changes: Vec::new(),
        changed_dirs: HashSet::new(),
    };
    walk.dir(Path::new(""), false)?;
    Ok(walk.changes)
}

struct Walk<'a> {
    upper: &'a Path,
    lowers: &'a [PathBuf],
    changes: Vec<Change>,
    changed_dirs: HashSet<PathBuf>,
}

impl Walk<'_> {
    /// Walks `rel` (a directory of the upper dir); `hidden`: an opaque
    /// directory at or above it hides the lower layers.
    fn dir(&mut self, rel: &Path, hidden: bool) -> Result<()> {
        for name in sorted_entries(&self.upper.join(rel))? {
            let rel = rel.join(&name);
            let path = self.upper.join(&rel);
            let m = fs::symlink_metadata(&path).ctx("stat", &path)?;
            let lower = if hidden {
                None
            } else {
                lower_lookup(self.lowers, &rel)
            };
            let opaque = is_opaque(&path, &m);
            let kind = if is_whiteout(&m) || (opaque && lower.is_some()) {
                Some(ChangeKind::Deleted)
            } else {
                match &lower {
                    None => Some(ChangeKind::Added),
                    Some(l)
                        if l.is_dir()
                            && m.is_dir()
                            && l.size() == m.size()
                            && l.mode() == m.mode()
                            && same_time(l, &m) =>
                    {
                        None
                    }
                    Some(_) => Some(ChangeKind::Changed),
                }
            };
            if let Some(kind) = kind {
                self.record(kind, &rel, m.is_dir());
            }
            if m.is_dir() {
                self.dir(&rel, hidden || opaque)?;
            }
        }
        Ok(())
    }

    fn record(&mut self, kind: ChangeKind, rel: &Path, is_dir: bool) {
        if is_dir {
            self.changed_dirs.insert(rel.to_path_buf());
        }
        if kind != ChangeKind::Changed {
            let mut parents = Vec::new();
            let mut p = rel.parent();
            while let Some(dir) = p.filter(|d| !d.as_os_str().is_empty()) {
                if self.changed_dirs.insert(dir.to_path_buf()) {
                    parents.push(Change {
                        kind: ChangeKind::Changed,
                        path: absolute(dir),
                    });
                }
                p = dir.parent();
            }
            self.changes.extend(parents.into_iter().rev());
        }
        self.changes.push(Change {
            kind,
            path: absolute(rel),
        });
    }
}

fn absolute(rel: &Path) -> String {
    format!("/{}", rel.to_string_lossy())
}

#[cfg(test)]
mod tests;

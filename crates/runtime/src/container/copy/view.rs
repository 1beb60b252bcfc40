//! A container's file system as `cp` sees it: the root filesystem with the container's bind
//! mounts and named volumes over it.
//!
//! Paths are resolved here, in user space, one component at a time, the way the kernel would
//! inside the container: `..` stops at `/`, a symlink's target (absolute or relative) is taken
//! inside the container, and a path that reaches a mount's destination continues in the mount's
//! source. Every step opens the directory it looks into with `openat2(RESOLVE_IN_ROOT)` on the
//! tree that holds it (the root filesystem or a mount source) and refuses symlinks on the way
//! (`RESOLVE_NO_SYMLINKS`): the path is already resolved, so a link there was planted after the
//! walk, and even then the lookup cannot leave the tree.

use std::cell::OnceCell;
use std::ffi::{OsStr, OsString};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use berth_storage::inroot::{open_dir_in_root, open_root};
use nix::errno::Errno;
use nix::fcntl::{readlinkat, AtFlags};
use nix::sys::stat::{fstatat, SFlag};

/// The most symlinks one lookup follows (Linux's own limit).
const MAX_LINKS: usize = 40;

/// A bind mount or named volume of the container.
#[derive(Debug)]
pub(super) struct MountPoint {
    /// Where it appears in the container, clean (`/data`).
    pub dest: PathBuf,
    /// The host directory or file mounted there. The user's own path; it resolves normally.
    pub source: PathBuf,
    /// Mounted read-only: `cp` does not write into it.
    pub read_only: bool,
    /// The source, opened on first use.
    top: OnceCell<Result<Top, Errno>>,
}

/// What a mount source is.
#[derive(Debug)]
pub(super) enum Top {
    /// A directory: the top of its own tree.
    Dir(OwnedFd),
    /// A single file mounted over a file.
    File,
}

impl MountPoint {
    pub(super) fn new(dest: &str, source: PathBuf, read_only: bool) -> Self {
        MountPoint {
            dest: clean(Path::new(dest)),
            source,
            read_only,
            top: OnceCell::new(),
        }
    }

    /// The mount source, opened once.
    pub(super) fn top(&self) -> Result<&Top, Errno> {
        self.top
            .get_or_init(|| {
                let meta = std::fs::metadata(&self.source)
                    .map_err(|e| Errno::from_raw(e.raw_os_error().unwrap_or(libc::EIO)))?;
                if meta.is_dir() {
                    open_root(&self.source).map(Top::Dir)
                } else {
                    Ok(Top::File)
                }
            })
            .as_ref()
            .map_err(|e| *e)
    }
}

/// `path` as `/`-rooted normal components (`.` and empty components dropped). Callers pass
/// paths without `..` (resolved ones, or mount destinations).
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        if let Component::Normal(c) = c {
            out.push(c);
        }
    }
    out
}

/// The kind of the entry a resolved path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A directory.
    Dir,
    /// Anything else (file, FIFO, device, ...); never a symlink, those are followed.
    Other,
    /// Nothing there yet (its parent exists).
    Missing,
}

/// A container path with every symlink followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Resolved {
    /// The path from the container's `/`, without links, `.` or `..`.
    pub path: PathBuf,
    /// What is there.
    pub kind: Kind,
}

/// One entry, looked at without following it.
enum Look {
    Dir,
    Link(OsString),
    Other,
    Missing,
}

/// The root filesystem and the mounts over it.
#[derive(Debug)]
pub(super) struct View {
    rootfs: OwnedFd,
    /// Longest destination first, so the first match is the innermost mount.
    mounts: Vec<MountPoint>,
}

impl View {
    pub(super) fn new(rootfs: OwnedFd, mut mounts: Vec<MountPoint>) -> Self {
        mounts.sort_by_key(|m| std::cmp::Reverse(m.dest.components().count()));
        View { rootfs, mounts }
    }

    /// The mount whose destination is exactly `path`.
    pub(super) fn mount_at(&self, path: &Path) -> Option<&MountPoint> {
        self.mounts.iter().find(|m| m.dest == path)
    }

    /// The innermost mount holding `path` (or mounted at it).
    pub(super) fn mount_of(&self, path: &Path) -> Option<&MountPoint> {
        self.mounts.iter().find(|m| path.starts_with(&m.dest))
    }

    /// Opens the directory at the resolved `path`.
    pub(super) fn open_dir(&self, path: &Path) -> Result<OwnedFd, Errno> {
        match self.mount_of(path) {
            None => open_dir_in_root(&self.rootfs, rel(path, Path::new("/")), true),
            Some(m) => match m.top()? {
                Top::Dir(top) => open_dir_in_root(top, rel(path, &m.dest), true),
                Top::File => Err(Errno::ENOTDIR),
            },
        }
    }

    /// Looks at the resolved `path` without following it.
    fn look(&self, path: &Path) -> Result<Look, Errno> {
        if let Some(m) = self.mount_at(path) {
            return Ok(match m.top()? {
                Top::Dir(_) => Look::Dir,
                Top::File => Look::Other,
            });
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return Ok(Look::Dir); // `/`
        };
        let dir = self.open_dir(parent)?;
        match fstatat(&dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Err(Errno::ENOENT) => Ok(Look::Missing),
            Err(e) => Err(e),
            Ok(st) => Ok(
                match SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT {
                    SFlag::S_IFDIR => Look::Dir,
                    SFlag::S_IFLNK => Look::Link(readlinkat(&dir, name)?),
                    _ => Look::Other,
                },
            ),
        }
    }

    /// Resolves `path` (absolute, from the container's `/`) as the container would, following
    /// every symlink, the last one included. A missing last component is [`Kind::Missing`]; a
    /// missing or non-directory parent is `ENOENT` or `ENOTDIR`; too many links `ELOOP`.
    pub(super) fn resolve(&self, path: &Path) -> Result<Resolved, Errno> {
        // Components still to walk, the next one last.
        let mut todo: Vec<OsString> = Vec::new();
        push_components(&mut todo, path.as_os_str());
        let mut cur = PathBuf::from("/");
        let mut kind = Kind::Dir;
        let mut links = 0;
        while let Some(c) = todo.pop() {
            if kind != Kind::Dir {
                return Err(if kind == Kind::Missing {
                    Errno::ENOENT
                } else {
                    Errno::ENOTDIR
                });
            }
            match c.as_bytes() {
                b"." => continue,
                b".." => {
                    cur.pop();
                    continue;
                }
                _ => {}
            }
            cur.push(&c);
            kind = match self.look(&cur)? {
                Look::Dir => Kind::Dir,
                Look::Other => Kind::Other,
                Look::Missing => Kind::Missing,
                Look::Link(target) => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(Errno::ELOOP);
                    }
                    cur.pop();
                    if target.as_bytes().starts_with(b"/") {
                        cur = PathBuf::from("/");
                    }
                    push_components(&mut todo, &target);
                    Kind::Dir
                }
            };
        }
        Ok(Resolved { path: cur, kind })
    }
}

/// Pushes the components of `path` onto `todo` so that the first is popped first.
fn push_components(todo: &mut Vec<OsString>, path: &OsStr) {
    let parts: Vec<&[u8]> = path
        .as_bytes()
        .split(|b| *b == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    todo.extend(
        parts
            .into_iter()
            .rev()
            .map(|c| OsStr::from_bytes(c).to_os_string()),
    );
}

/// `path` relative to `base` (which it starts with), as the tree-relative name `openat2` takes.
fn rel<'a>(path: &'a Path, base: &Path) -> &'a OsStr {
    path.strip_prefix(base)
        .map(Path::as_os_str)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn view(root: &Path, mounts: Vec<MountPoint>) -> View {
        View::new(open_root(root).unwrap(), mounts)
    }

    fn resolved(path: &str, kind: Kind) -> Resolved {
        Resolved {
            path: PathBuf::from(path),
            kind,
        }
    }

    #[test]
    fn links_resolve_inside_the_container() {
        let host = tempfile::tempdir().unwrap();
        let r = tempfile::tempdir().unwrap();
        let root = r.path();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        std::fs::write(root.join("etc/passwd"), "x").unwrap();
        symlink(host.path(), root.join("abs")).unwrap();
        symlink("/tmp/victim", root.join("evil")).unwrap();
        symlink("../../../../../../etc", root.join("tmp/rel")).unwrap();
        symlink("loop2", root.join("loop1")).unwrap();
        symlink("loop1", root.join("loop2")).unwrap();
        let v = view(root, Vec::new());

        assert_eq!(v.resolve(Path::new("/")).unwrap(), resolved("/", Kind::Dir));
        assert_eq!(
            v.resolve(Path::new("/evil")).unwrap(),
            resolved("/tmp/victim", Kind::Missing)
        );
        assert_eq!(
            v.resolve(Path::new("tmp/rel/passwd")).unwrap(),
            resolved("/etc/passwd", Kind::Other)
        );
        assert_eq!(
            v.resolve(Path::new("/../../tmp/./rel/../etc")).unwrap(),
            resolved("/etc", Kind::Dir)
        );
        // The host directory the absolute link names is not in the container.
        let inner = host.path().join("x");
        assert_eq!(
            v.resolve(&Path::new("/abs").join(inner.file_name().unwrap())),
            Err(Errno::ENOENT)
        );
        assert_eq!(v.resolve(Path::new("/etc/passwd/x")), Err(Errno::ENOTDIR));
        assert_eq!(v.resolve(Path::new("/nodir/x")), Err(Errno::ENOENT));
        assert_eq!(v.resolve(Path::new("/loop1")), Err(Errno::ELOOP));
    }

    #[test]
    fn mounts_take_over_their_destination() {
        let r = tempfile::tempdir().unwrap();
        let vol = tempfile::tempdir().unwrap();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::create_dir_all(r.path().join("data")).unwrap();
        std::fs::create_dir_all(vol.path().join("sub")).unwrap();
        symlink("/data/sub", r.path().join("lnk")).unwrap();
        // A link inside the volume is resolved in the container, not in the volume's host path.
        symlink("/etc", vol.path().join("up")).unwrap();
        let v = view(
            r.path(),
            vec![
                MountPoint::new("/data/", vol.path().into(), false),
                MountPoint::new("/cfg", file.path().into(), true),
            ],
        );
        assert_eq!(
            v.resolve(Path::new("/lnk/new")).unwrap(),
            resolved("/data/sub/new", Kind::Missing)
        );
        assert_eq!(
            v.resolve(Path::new("/data/up")).unwrap(),
            resolved("/etc", Kind::Missing)
        );
        assert_eq!(
            v.resolve(Path::new("/cfg")).unwrap(),
            resolved("/cfg", Kind::Other)
        );
        assert!(v.mount_of(Path::new("/data/sub/new")).is_some());
        assert!(v.mount_at(Path::new("/data")).is_some());
        assert!(v.mount_at(Path::new("/data/sub")).is_none());
        let fd = v.open_dir(Path::new("/data/sub")).unwrap();
        assert!(nix::sys::stat::fstat(&fd).is_ok());
    }
}

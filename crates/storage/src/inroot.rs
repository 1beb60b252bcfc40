//! Working inside a directory tree that someone else controls (an image
//! layer, a container's root filesystem, a volume).
//!
//! A path is looked up with `openat2(RESOLVE_IN_ROOT)`: the tree's top
//! behaves like `/` for the lookup, so `..` chains and symlinks, absolute or
//! relative, can never lead outside it, and magic links (`/proc/PID/root`)
//! are refused. The last component of anything created or removed is then
//! handled with a `*at` call on the resolved parent that never follows it.
//! Layer extraction ([`crate::extract`]) and the runtime's `cp` are built on
//! these.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::fcntl::{openat, openat2, AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstatat, Mode, SFlag};
use nix::unistd::{unlinkat, UnlinkatFlags};

/// Opens the directory `path` as the top of a tree. `path` itself is the
/// caller's and resolves normally.
pub fn open_root(path: &Path) -> nix::Result<OwnedFd> {
    openat(
        nix::fcntl::AT_FDCWD,
        path,
        OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Opens `rel` inside the tree `root` with `flags` (`O_CLOEXEC` is added).
/// `rel` is taken relative to `root` even when it starts with `/`; symlinks
/// on the way are followed as if `root` were `/`, so the result is always
/// inside the tree. With `no_symlinks` any symlink on the way is an error
/// (`ELOOP`) instead, for a path the caller already resolved.
pub fn open_in_root(
    root: &impl AsFd,
    rel: &OsStr,
    flags: OFlag,
    no_symlinks: bool,
) -> nix::Result<OwnedFd> {
    let mut resolve = ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS;
    if no_symlinks {
        resolve |= ResolveFlag::RESOLVE_NO_SYMLINKS;
    }
    let rel = if rel.is_empty() { OsStr::new(".") } else { rel };
    openat2(
        root,
        rel,
        OpenHow::new()
            .flags(flags | OFlag::O_CLOEXEC)
            .resolve(resolve),
    )
}

/// Opens the directory `rel` inside the tree `root` (see [`open_in_root`]).
pub fn open_dir_in_root(root: &impl AsFd, rel: &OsStr, no_symlinks: bool) -> nix::Result<OwnedFd> {
    open_in_root(root, rel, OFlag::O_DIRECTORY | OFlag::O_RDONLY, no_symlinks)
}

/// Creates `name` in `dir` as a new regular file (mode 0600 until the caller sets its own),
/// open for writing. Whatever already stands there, a planted symlink included, makes it
/// fail (`EEXIST`) instead of being followed or truncated.
pub fn create_new_file<P: ?Sized + nix::NixPath>(
    dir: &impl AsFd,
    name: &P,
) -> nix::Result<std::fs::File> {
    let fd = openat(
        dir,
        name,
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o600),
    )?;
    Ok(std::fs::File::from(fd))
}

/// Names in the directory `dir` (without `.` and `..`), as the file system
/// stores them (not necessarily UTF-8).
pub fn list_dir(dir: &impl AsFd) -> nix::Result<Vec<OsString>> {
    let fd = openat(
        dir,
        ".",
        OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let mut d = nix::dir::Dir::from_fd(fd)?;
    let mut out = Vec::new();
    for e in d.iter() {
        let e = e?;
        let n = e.file_name().to_bytes();
        if n != b"." && n != b".." {
            out.push(OsStr::from_bytes(n).to_os_string());
        }
    }
    Ok(out)
}

/// Removes `name` in `parent`, with everything below it when it is a
/// directory, never following a symlink.
pub fn remove_all_at(parent: &impl AsFd, name: &OsStr) -> nix::Result<()> {
    let st = fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW)?;
    if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR {
        let dir = openat(
            parent,
            name,
            OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        for child in list_dir(&dir)? {
            remove_all_at(&dir, &child)?;
        }
        unlinkat(parent, name, UnlinkatFlags::RemoveDir)
    } else {
        unlinkat(parent, name, UnlinkatFlags::NoRemoveDir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::errno::Errno;

    #[test]
    fn lookups_stay_inside_the_tree() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "host").unwrap();
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir(t.path().join("etc")).unwrap();
        std::fs::write(t.path().join("etc/secret"), "tree").unwrap();
        let abs = outside.path().to_str().unwrap();
        std::os::unix::fs::symlink(abs, t.path().join("abs")).unwrap();
        std::os::unix::fs::symlink("../../../../../../etc", t.path().join("rel")).unwrap();
        let root = open_root(t.path()).unwrap();

        // The absolute link names a path inside the tree, which does not exist there.
        let e = open_in_root(&root, OsStr::new("abs/secret"), OFlag::O_RDONLY, false);
        assert_eq!(e.unwrap_err(), Errno::ENOENT);
        // `..` stops at the top: rel/secret is the tree's etc/secret.
        let fd = open_in_root(&root, OsStr::new("/rel/secret"), OFlag::O_RDONLY, false).unwrap();
        let text = std::io::read_to_string(std::fs::File::from(fd)).unwrap();
        assert_eq!(text, "tree");
        // A resolved path must not contain links.
        let e = open_in_root(&root, OsStr::new("rel/secret"), OFlag::O_RDONLY, true);
        assert_eq!(e.unwrap_err(), Errno::ELOOP);
        assert!(open_dir_in_root(&root, OsStr::new(""), true).is_ok());
    }

    #[test]
    fn removal_never_follows_links() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep"), "host").unwrap();
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("d/e")).unwrap();
        std::os::unix::fs::symlink(outside.path(), t.path().join("d/e/out")).unwrap();
        let bad = OsStr::from_bytes(b"n\xff");
        std::fs::write(t.path().join("d").join(bad), "x").unwrap();
        let root = open_root(t.path()).unwrap();
        let d = open_dir_in_root(&root, OsStr::new("d"), true).unwrap();
        let mut names = list_dir(&d).unwrap();
        names.sort();
        assert_eq!(names, [OsString::from("e"), bad.to_os_string()]);
        remove_all_at(&root, OsStr::new("d")).unwrap();
        assert!(!t.path().join("d").exists());
        assert!(outside.path().join("keep").exists());
    }
}

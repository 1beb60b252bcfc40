//! Copying one entry, and everything below a directory, between two open directories.
//!
//! Both sides are handled through file descriptors: an entry is looked at with `fstatat`
//! without following it, opened relative to its directory with `O_NOFOLLOW`, and a regular
//! file is first opened `O_PATH`, checked, and only then reopened for reading, so a FIFO or a
//! device swapped in meanwhile is never opened. Symlinks are copied as symlinks. A new entry is
//! made under a temporary name in its directory and renamed over the old one (`renameat` never
//! follows the last component), so whatever link the container planted at that name is
//! replaced, never written through. On the container side a directory whose path is a mount
//! destination is read from, or written into, the mount's source.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::Path;

use berth_storage::inroot::{create_new_file, list_dir, open_root, remove_all_at};
use nix::errno::Errno;
use nix::fcntl::{openat, readlinkat, renameat, AtFlags, OFlag};
use nix::sys::stat::{
    fchmod, fstat, fstatat, futimens, mkdirat, mknodat, utimensat, FileStat, Mode, SFlag,
    UtimensatFlags,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{fchown, fchownat, symlinkat, unlinkat, Gid, Uid, UnlinkatFlags};

use super::view::{MountPoint, Top, View};
use super::CopyError;

/// Whose files the copies are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    /// This uid and gid (the container's user, `cp -a`).
    Fixed(u32, u32),
    /// The source's own ids.
    Source,
    /// Whoever copies (nothing is changed).
    Caller,
}

/// What an opened entry is.
pub(super) enum Node {
    Dir(OwnedFd),
    File(File),
    Symlink(OsString),
    Fifo,
}

/// An entry opened for copying, with its metadata.
pub(super) struct Item {
    pub node: Node,
    pub st: FileStat,
}

fn kind(st: &FileStat) -> SFlag {
    SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT
}

pub(super) fn is_dir(st: &FileStat) -> bool {
    kind(st) == SFlag::S_IFDIR
}

/// Opens the regular file `name` in `dir` for reading, refusing anything else, even when it
/// is swapped between the check and the open.
fn open_regular_at(dir: &impl AsFd, name: &OsStr, expect: &FileStat) -> Result<File, Errno> {
    let path_fd = openat(
        dir,
        name,
        OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    reopen_regular(&path_fd, expect)
}

/// Opens for reading the file behind the `O_PATH` descriptor `path_fd` if it is still the
/// regular file `expect` describes.
fn reopen_regular(path_fd: &OwnedFd, expect: &FileStat) -> Result<File, Errno> {
    let st = fstat(path_fd)?;
    if kind(&st) != SFlag::S_IFREG || st.st_ino != expect.st_ino || st.st_dev != expect.st_dev {
        return Err(Errno::EAGAIN);
    }
    // Reopening our own O_PATH descriptor reaches exactly the inode checked above.
    let fd = nix::fcntl::open(
        format!("/proc/self/fd/{}", path_fd.as_raw_fd()).as_str(),
        OFlag::O_RDONLY | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

/// Opens `name` in `dir` for copying; `None` for what `cp` leaves out (devices, sockets).
pub(super) fn open_at(dir: &impl AsFd, name: &OsStr) -> Result<Option<Item>, Errno> {
    let st = fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW)?;
    let node = match kind(&st) {
        SFlag::S_IFDIR => Node::Dir(openat(
            dir,
            name,
            OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?),
        SFlag::S_IFREG => Node::File(open_regular_at(dir, name, &st)?),
        SFlag::S_IFLNK => Node::Symlink(readlinkat(dir, name)?),
        SFlag::S_IFIFO => Node::Fifo,
        _ => return Ok(None),
    };
    Ok(Some(Item { node, st }))
}

/// Opens a path the caller trusts (a host path, a mount source), following links as usual;
/// `None` for devices and sockets.
pub(super) fn open_path(path: &Path) -> Result<Option<Item>, Errno> {
    let st = nix::sys::stat::stat(path)?;
    let node = match kind(&st) {
        SFlag::S_IFDIR => Node::Dir(open_root(path)?),
        SFlag::S_IFREG => {
            let path_fd = nix::fcntl::open(path, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty())?;
            Node::File(reopen_regular(&path_fd, &st)?)
        }
        SFlag::S_IFIFO => Node::Fifo,
        _ => return Ok(None),
    };
    Ok(Some(Item { node, st }))
}

/// One copy: the container side (if any) and the rules for what is written.
pub(super) struct Copier<'a> {
    /// The container when copying out of it.
    pub from: Option<&'a View>,
    /// The container when copying into it.
    pub to: Option<&'a View>,
    /// Owner of what is written.
    pub owner: Owner,
    /// Drop set-uid and set-gid bits (copies onto the host).
    pub strip_setid: bool,
    /// Replace a directory by a non-directory and the other way round.
    pub overwrite: bool,
    /// How paths are shown in errors: `(source side, destination side)` prefixes.
    pub labels: (String, String),
}

impl Copier<'_> {
    fn src_err(&self, op: &'static str, path: &Path, e: Errno) -> CopyError {
        CopyError::io(op, format!("{}{}", self.labels.0, path.display()), e)
    }

    fn dst_err(&self, op: &'static str, path: &Path, e: Errno) -> CopyError {
        CopyError::io(op, format!("{}{}", self.labels.1, path.display()), e)
    }

    /// Copies `item` (found at `src`) to `name` in `dir`, which is the path `dst`.
    pub(super) fn copy(
        &self,
        item: Item,
        src: &Path,
        dir: &OwnedFd,
        name: &OsStr,
        dst: &Path,
    ) -> Result<(), CopyError> {
        if let Some(view) = self.to {
            if let Some(m) = view.mount_at(dst) {
                return self.copy_onto_mount(item, src, m, dst);
            }
            self.check_writable(view, dst)?;
        }
        let st = item.st;
        match item.node {
            Node::Dir(from) => {
                let to = self.make_dir(dir, name, dst)?;
                self.copy_children(&from, src, &to, dst)?;
                self.set_meta_fd(&to, &st, dst)
            }
            Node::File(mut f) => self.replace(dir, name, dst, |tmp| {
                let mut out =
                    create_new_file(dir, tmp).map_err(|e| self.dst_err("create", dst, e))?;
                io::copy(&mut f, &mut out).map_err(|e| CopyError::Io {
                    op: "copy",
                    path: format!(
                        "{}{} to {}{}",
                        self.labels.0,
                        src.display(),
                        self.labels.1,
                        dst.display()
                    ),
                    source: e,
                })?;
                self.set_meta_fd(&OwnedFd::from(out), &st, dst)
            }),
            Node::Symlink(target) => self.replace(dir, name, dst, |tmp| {
                symlinkat(target.as_os_str(), dir, tmp)
                    .map_err(|e| self.dst_err("create symlink", dst, e))?;
                self.set_link_meta(dir, tmp, &st, dst)
            }),
            Node::Fifo => self.replace(dir, name, dst, |tmp| {
                mknodat(dir, tmp, SFlag::S_IFIFO, Mode::from_bits_truncate(0o600), 0)
                    .map_err(|e| self.dst_err("create FIFO", dst, e))?;
                // Opening a FIFO to read without blocking succeeds at once.
                let fd = openat(
                    dir,
                    tmp,
                    OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|e| self.dst_err("open FIFO", dst, e))?;
                if fstat(&fd).map(|s| kind(&s)) != Ok(SFlag::S_IFIFO) {
                    return Err(self.dst_err("open FIFO", dst, Errno::EAGAIN));
                }
                self.set_meta_fd(&fd, &st, dst)
            }),
        }
    }

    /// Copies what is in the directory `from` (at `src`) into the directory `to` (at `dst`).
    pub(super) fn copy_children(
        &self,
        from: &OwnedFd,
        src: &Path,
        to: &OwnedFd,
        dst: &Path,
    ) -> Result<(), CopyError> {
        let mut names = list_dir(from).map_err(|e| self.src_err("list", src, e))?;
        names.sort();
        for name in names {
            let child = src.join(&name);
            if self.from.is_some() && is_kernel_fs(&child) {
                continue;
            }
            let item = match self.from.and_then(|v| v.mount_at(&child)) {
                Some(m) => open_path(&m.source),
                None => open_at(from, &name),
            }
            .map_err(|e| self.src_err("open", &child, e))?;
            let Some(item) = item else {
                tracing::debug!(path = %child.display(), "not a file, directory, link or FIFO: left out");
                continue;
            };
            self.copy(item, &child, to, &name, &dst.join(&name))?;
        }
        Ok(())
    }

    fn check_writable(&self, view: &View, dst: &Path) -> Result<(), CopyError> {
        match view.mount_of(dst) {
            Some(m) if m.read_only => Err(CopyError::ReadOnly {
                path: format!("{}{}", self.labels.1, dst.display()),
            }),
            _ => Ok(()),
        }
    }

    /// Copies onto the top of a mount: into its directory, or over its single file in place.
    fn copy_onto_mount(
        &self,
        item: Item,
        src: &Path,
        m: &MountPoint,
        dst: &Path,
    ) -> Result<(), CopyError> {
        if m.read_only {
            return Err(CopyError::ReadOnly {
                path: format!("{}{}", self.labels.1, dst.display()),
            });
        }
        let top = m
            .top()
            .map_err(|e| self.dst_err("open mount source", dst, e))?;
        match (item.node, top) {
            (Node::Dir(from), Top::Dir(to)) => self.copy_children(&from, src, to, dst),
            (Node::File(mut f), Top::File) => {
                let mut out = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&m.source)
                    .map_err(|e| CopyError::Io {
                        op: "open mount source",
                        path: m.source.display().to_string(),
                        source: e,
                    })?;
                io::copy(&mut f, &mut out)
                    .map(drop)
                    .map_err(|e| CopyError::Io {
                        op: "copy",
                        path: format!("{} to {}", src.display(), m.source.display()),
                        source: e,
                    })
            }
            _ => Err(CopyError::MountPoint {
                path: format!("{}{}", self.labels.1, dst.display()),
            }),
        }
    }

    /// The directory `name` in `dir`: the existing one, or a new one.
    fn make_dir(&self, dir: &OwnedFd, name: &OsStr, dst: &Path) -> Result<OwnedFd, CopyError> {
        match fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) if is_dir(&st) => {}
            Ok(_) if !self.overwrite => {
                return Err(CopyError::Overwrite {
                    path: format!("{}{}", self.labels.1, dst.display()),
                    existing: "non-directory",
                    new: "directory",
                })
            }
            Ok(_) => {
                remove_all_at(dir, name).map_err(|e| self.dst_err("remove", dst, e))?;
                mkdirat(dir, name, Mode::from_bits_truncate(0o700))
                    .map_err(|e| self.dst_err("create directory", dst, e))?;
            }
            Err(Errno::ENOENT) => mkdirat(dir, name, Mode::from_bits_truncate(0o700))
                .map_err(|e| self.dst_err("create directory", dst, e))?,
            Err(e) => return Err(self.dst_err("stat", dst, e)),
        }
        openat(
            dir,
            name,
            OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| self.dst_err("open directory", dst, e))
    }

    /// Makes a non-directory `name` in `dir`: `create` makes it under a temporary name, which
    /// is then renamed over whatever was there (a directory only with `overwrite`).
    fn replace(
        &self,
        dir: &OwnedFd,
        name: &OsStr,
        dst: &Path,
        create: impl FnOnce(&OsStr) -> Result<(), CopyError>,
    ) -> Result<(), CopyError> {
        match fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) if is_dir(&st) => {
                if !self.overwrite {
                    return Err(CopyError::Overwrite {
                        path: format!("{}{}", self.labels.1, dst.display()),
                        existing: "directory",
                        new: "non-directory",
                    });
                }
                remove_all_at(dir, name).map_err(|e| self.dst_err("remove", dst, e))?;
            }
            Ok(_) | Err(Errno::ENOENT) => {}
            Err(e) => return Err(self.dst_err("stat", dst, e)),
        }
        let tmp = OsString::from(format!(".berth-cp-{:016x}", rand::random::<u64>()));
        let made = create(&tmp).and_then(|()| {
            renameat(dir, tmp.as_os_str(), dir, name).map_err(|e| self.dst_err("rename", dst, e))
        });
        if made.is_err() {
            let _ = unlinkat(dir, tmp.as_os_str(), UnlinkatFlags::NoRemoveDir);
        }
        made
    }

    fn ids(&self, st: &FileStat) -> Option<(Uid, Gid)> {
        match self.owner {
            Owner::Fixed(u, g) => Some((Uid::from_raw(u), Gid::from_raw(g))),
            Owner::Source => Some((Uid::from_raw(st.st_uid), Gid::from_raw(st.st_gid))),
            Owner::Caller => None,
        }
    }

    fn mode(&self, st: &FileStat) -> Mode {
        let mut bits = st.st_mode & 0o7777;
        if self.strip_setid {
            bits &= !0o6000;
        }
        Mode::from_bits_truncate(bits)
    }

    /// Owner, mode and times of `st` on an open file or directory (chown first: it clears
    /// set-id bits).
    fn set_meta_fd(&self, fd: &OwnedFd, st: &FileStat, dst: &Path) -> Result<(), CopyError> {
        if let Some((u, g)) = self.ids(st) {
            fchown(fd, Some(u), Some(g)).map_err(|e| self.dst_err("chown", dst, e))?;
        }
        fchmod(fd, self.mode(st)).map_err(|e| self.dst_err("chmod", dst, e))?;
        let (a, m) = times(st);
        futimens(fd, &a, &m).map_err(|e| self.dst_err("set times", dst, e))
    }

    /// Owner and times of `st` on the symlink `name` in `dir`, not following it.
    fn set_link_meta(
        &self,
        dir: &OwnedFd,
        name: &OsStr,
        st: &FileStat,
        dst: &Path,
    ) -> Result<(), CopyError> {
        if let Some((u, g)) = self.ids(st) {
            fchownat(dir, name, Some(u), Some(g), AtFlags::AT_SYMLINK_NOFOLLOW)
                .map_err(|e| self.dst_err("chown", dst, e))?;
        }
        let (a, m) = times(st);
        utimensat(dir, name, &a, &m, UtimensatFlags::NoFollowSymlink)
            .map_err(|e| self.dst_err("set times", dst, e))
    }
}

fn times(st: &FileStat) -> (TimeSpec, TimeSpec) {
    (
        TimeSpec::new(st.st_atime, st.st_atime_nsec),
        TimeSpec::new(st.st_mtime, st.st_mtime_nsec),
    )
}

/// `/dev`, `/proc` and `/sys` of a container are left out of copies, as podman leaves them.
fn is_kernel_fs(path: &Path) -> bool {
    [Path::new("/dev"), Path::new("/proc"), Path::new("/sys")].contains(&path)
}

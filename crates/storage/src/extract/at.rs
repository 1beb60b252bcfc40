//! `*at` helpers on directory file descriptors, never following symlinks.

use std::os::fd::{AsFd, OwnedFd};

use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{fstatat, Mode, SFlag};
use nix::sys::time::TimeSpec;
use nix::unistd::{unlinkat, UnlinkatFlags};

pub(crate) fn set_times_fd(fd: &OwnedFd, mtime: i64) -> nix::Result<()> {
    let t = TimeSpec::new(mtime, 0);
    nix::sys::stat::futimens(fd.as_fd(), &t, &t)
}

/// Names in the directory `dir` (without `.` and `..`).
pub(crate) fn list_at(dir: &OwnedFd) -> nix::Result<Vec<String>> {
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
        let n = e.file_name().to_string_lossy().into_owned();
        if n != "." && n != ".." {
            out.push(n);
        }
    }
    Ok(out)
}

/// Removes `parent/name` (recursively for directories) without following symlinks.
pub(crate) fn remove_at(parent: &OwnedFd, name: &str) -> nix::Result<()> {
    let st = fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW)?;
    if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR {
        let dir = openat(
            parent,
            name,
            OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        for child in list_at(&dir)? {
            remove_at(&dir, &child)?;
        }
        unlinkat(parent, name, UnlinkatFlags::RemoveDir)
    } else {
        unlinkat(parent, name, UnlinkatFlags::NoRemoveDir)
    }
}

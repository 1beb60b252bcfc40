//! `*at` helpers on directory file descriptors, never following symlinks.

use std::os::fd::{AsFd, OwnedFd};

use nix::sys::time::TimeSpec;

pub(crate) fn set_times_fd(fd: &OwnedFd, mtime: i64) -> nix::Result<()> {
    let t = TimeSpec::new(mtime, 0);
    nix::sys::stat::futimens(fd.as_fd(), &t, &t)
}

/// Names in the directory `dir` (without `.` and `..`).
pub(crate) fn list_at(dir: &OwnedFd) -> nix::Result<Vec<String>> {
    Ok(crate::inroot::list_dir(dir)?
        .into_iter()
        .map(|n| n.to_string_lossy().into_owned())
        .collect())
}

/// Removes `parent/name` (recursively for directories) without following symlinks.
pub(crate) fn remove_at(parent: &OwnedFd, name: &str) -> nix::Result<()> {
    crate::inroot::remove_all_at(parent, std::ffi::OsStr::new(name))
}

//! A faithful tree copy for the vfs driver: modes, owners, times, xattrs,
//! symlinks, hard links (kept linked), FIFOs and device nodes.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use nix::fcntl::AtFlags;
use nix::sys::stat::{mknod, utimensat, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{fchownat, Gid, Uid};

use crate::error::IoContext;
use crate::{Error, Result};

/// Copies `src` to `dst` (which must not exist).
pub fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    let mut links = HashMap::new();
    copy_entry(src, dst, &mut links)?;
    Ok(())
}

fn copy_entry(
    src: &Path,
    dst: &Path,
    links: &mut HashMap<(u64, u64), std::path::PathBuf>,
) -> Result<()> {
    let m = fs::symlink_metadata(src).ctx("stat", src)?;
    let ft = m.file_type();
    if ft.is_dir() {
        fs::create_dir(dst).ctx("create directory", dst)?;
        for e in fs::read_dir(src).ctx("read directory", src)? {
            let e = e.ctx("read directory", src)?;
            copy_entry(&e.path(), &dst.join(e.file_name()), links)?;
        }
    } else if ft.is_symlink() {
        let t = fs::read_link(src).ctx("read link", src)?;
        std::os::unix::fs::symlink(&t, dst).ctx("symlink", dst)?;
    } else {
        if m.nlink() > 1 {
            if let Some(first) = links.get(&(m.dev(), m.ino())) {
                return fs::hard_link(first, dst).ctx("link", dst);
            }
            links.insert((m.dev(), m.ino()), dst.to_path_buf());
        }
        if ft.is_file() {
            fs::copy(src, dst).ctx("copy", dst)?;
        } else {
            let kind = if ft.is_fifo() {
                SFlag::S_IFIFO
            } else if ft.is_char_device() {
                SFlag::S_IFCHR
            } else if ft.is_block_device() {
                SFlag::S_IFBLK
            } else {
                return Ok(()); // sockets are not copied
            };
            mknod(dst, kind, Mode::from_bits_truncate(0o600), m.rdev())
                .map_err(|e| Error::sys("mknod", dst, e))?;
        }
    }
    fchownat(
        nix::fcntl::AT_FDCWD,
        dst,
        Some(Uid::from_raw(m.uid())),
        Some(Gid::from_raw(m.gid())),
        AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .map_err(|e| Error::sys("chown", dst, e))?;
    if !ft.is_symlink() {
        fs::set_permissions(
            dst,
            std::os::unix::fs::PermissionsExt::from_mode(m.mode() & 0o7777),
        )
        .ctx("chmod", dst)?;
        if let Ok(names) = xattr::list(src) {
            for n in names {
                if let Ok(Some(v)) = xattr::get(src, &n) {
                    let _ = xattr::set(dst, &n, &v);
                }
            }
        }
    }
    let at = TimeSpec::new(m.atime(), m.atime_nsec());
    let mt = TimeSpec::new(m.mtime(), m.mtime_nsec());
    utimensat(
        nix::fcntl::AT_FDCWD,
        dst,
        &at,
        &mt,
        UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| Error::sys("set times", dst, e))?;
    Ok(())
}

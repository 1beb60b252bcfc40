//! Reading a file of the container's root filesystem as the container would see it.
//!
//! The lookup is `openat2` with `RESOLVE_IN_ROOT` from the root filesystem: absolute symlinks
//! and `..` chains planted in the image stay inside it, so `/etc/passwd -> /etc/shadow` is the
//! image's shadow file, never the host's. The file is opened `O_NONBLOCK` (a FIFO does not
//! block the open), must be a regular file (`fstat`, after the lookup: a device node or a FIFO
//! is refused, not read) and is read up to a size limit.

use std::io::Read;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;

use crate::error::{Error, Result};

/// The most read of a passwd or group file (1 MiB).
pub(crate) const ETC_FILE_LIMIT: u64 = 1 << 20;

/// Reads `path` (absolute, inside the container) from `rootfs`; `None` when it does not exist
/// (or a directory on the way, or the root filesystem itself, is missing). Errors when it is not a regular
/// file or is larger than `limit` bytes. Bytes that are not UTF-8 are replaced.
pub(crate) fn read_in_root(rootfs: &Path, path: &str, limit: u64) -> Result<Option<String>> {
    let fail = |reason: String| Error::ContainerFile {
        path: path.to_owned(),
        rootfs: rootfs.to_path_buf(),
        reason,
    };
    let root = match openat(
        nix::fcntl::AT_FDCWD,
        rootfs,
        OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        // No root filesystem (yet): nothing to read, as for a missing file.
        Err(Errno::ENOENT) => return Ok(None),
        Err(e) => return Err(Error::io("open root filesystem", rootfs, e.into())),
    };
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK | OFlag::O_NOCTTY)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let rel = path.trim_start_matches('/');
    let fd = match openat2(&root, rel, how) {
        Ok(fd) => fd,
        Err(Errno::ENOENT | Errno::ENOTDIR) => return Ok(None),
        Err(e) => return Err(fail(format!("cannot open: {e}"))),
    };
    let file = std::fs::File::from(fd);
    let meta = file
        .metadata()
        .map_err(|e| fail(format!("cannot stat: {e}")))?;
    if !meta.is_file() {
        return Err(fail(format!(
            "is not a regular file ({}); refusing to read it",
            kind(&meta)
        )));
    }
    if meta.len() > limit {
        return Err(fail(format!(
            "is {} bytes, more than the {limit} bytes allowed",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(fail(format!("is more than the {limit} bytes allowed")));
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

fn kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn root() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        d
    }

    #[test]
    fn reads_a_regular_file_and_reports_a_missing_one() {
        let d = root();
        std::fs::write(d.path().join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        let t = read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT).unwrap();
        assert_eq!(t.as_deref(), Some("root:x:0:0::/root:/bin/sh\n"));
        assert_eq!(read_in_root(d.path(), "/etc/group", 10).unwrap(), None);
        assert_eq!(read_in_root(d.path(), "/nodir/x/y", 10).unwrap(), None);
    }

    #[test]
    fn absolute_link_to_a_host_file_stays_in_the_root() {
        let host = tempfile::tempdir().unwrap();
        let secret = host.path().join("secret");
        std::fs::write(&secret, "hostuser:x:4242:4242::/host:/bin/sh\n").unwrap();
        let d = root();
        symlink(&secret, d.path().join("etc/passwd")).unwrap();
        // The same link resolved inside the root: the host's file is never reached.
        assert_eq!(
            read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT).unwrap(),
            None
        );
        // A dotdot chain neither.
        let rel = format!("../../../../../../../..{}", secret.display());
        std::fs::remove_file(d.path().join("etc/passwd")).unwrap();
        symlink(rel, d.path().join("etc/passwd")).unwrap();
        assert_eq!(
            read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT).unwrap(),
            None
        );
    }

    #[test]
    fn link_inside_the_root_is_followed() {
        let d = root();
        std::fs::write(d.path().join("etc/real"), "a:x:1:1::/a:/bin/sh\n").unwrap();
        symlink("/etc/real", d.path().join("etc/passwd")).unwrap();
        let t = read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT).unwrap();
        assert!(t.unwrap().starts_with("a:x:1"));
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let d = root();
        nix::unistd::mkfifo(
            &d.path().join("etc/passwd"),
            Mode::from_bits_truncate(0o644),
        )
        .unwrap();
        let e = read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT).unwrap_err();
        assert!(e.to_string().contains("a FIFO"), "{e}");
        assert!(e.to_string().contains("/etc/passwd"), "{e}");
    }

    #[test]
    fn link_to_dev_zero_is_refused_or_missing() {
        // Resolved in the root, /dev/zero is the image's own (absent here); a link to it
        // never reaches the host's endless device.
        let d = root();
        symlink("/dev/zero", d.path().join("etc/passwd")).unwrap();
        assert_eq!(
            read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT).unwrap(),
            None
        );
        // A directory is refused.
        std::fs::create_dir(d.path().join("etc/group")).unwrap();
        let e = read_in_root(d.path(), "/etc/group", ETC_FILE_LIMIT).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[test]
    fn character_device_in_the_image_is_refused() {
        // Planting a device node needs CAP_MKNOD; as a normal user the host's /dev/zero is
        // reached through a bind-free route: a root whose /dev is the host's /dev.
        let d = root();
        symlink("/dev", d.path().join("dev")).unwrap();
        // /dev -> /dev resolves to ROOT/dev (itself), a loop: the lookup fails with ELOOP,
        // which is an error naming the file, not a read.
        symlink("/dev/zero", d.path().join("etc/passwd")).unwrap();
        let r = read_in_root(d.path(), "/etc/passwd", ETC_FILE_LIMIT);
        assert!(r.is_err(), "{r:?}");
        // Reading the host's /dev/zero straight (root = "/") is refused by the type check.
        let e = read_in_root(Path::new("/"), "/dev/zero", ETC_FILE_LIMIT).unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
    }

    #[test]
    fn oversized_file_is_refused() {
        let d = root();
        std::fs::write(d.path().join("etc/passwd"), vec![b'a'; 2048]).unwrap();
        let e = read_in_root(d.path(), "/etc/passwd", 1024).unwrap_err();
        assert!(e.to_string().contains("more than the 1024 bytes"), "{e}");
        assert!(read_in_root(d.path(), "/etc/passwd", 4096)
            .unwrap()
            .is_some());
    }
}

//! The mount table, read once for every crate: which paths are mount points,
//! and detaching everything mounted below a directory (system reset, test
//! clean-up). Below the layers so storage, cni and the runtime share it.

use std::io;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::mount::{umount2, MntFlags};

const MOUNTINFO: &str = "/proc/self/mountinfo";

/// Every mount point of this process's mount namespace, in the order of
/// `/proc/self/mountinfo`, with its octal escapes (`\040` for a space) decoded.
pub fn mount_points() -> io::Result<Vec<PathBuf>> {
    Ok(parse_mount_points(&std::fs::read_to_string(MOUNTINFO)?))
}

/// The mount points of a mountinfo text (the fifth field of each line).
fn parse_mount_points(mountinfo: &str) -> Vec<PathBuf> {
    mountinfo
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|field| PathBuf::from(unescape(field)))
        .collect()
}

/// Decodes the octal escapes (`\040`, `\011`, `\012`, `\134`) the kernel
/// writes for white space and backslashes in a mountinfo field.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 4 <= bytes.len() && field.is_char_boundary(i + 4) {
            if let Ok(v) = u8::from_str_radix(&field[i + 1..i + 4], 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount points at or below `dir` (whole path components: `/a/b` is not
/// below `/a/bc`), deepest first, so they can be detached in that order.
pub fn mount_points_under(dir: &Path) -> io::Result<Vec<PathBuf>> {
    Ok(deepest_first_under(mount_points()?, dir))
}

fn deepest_first_under(points: Vec<PathBuf>, dir: &Path) -> Vec<PathBuf> {
    let mut under: Vec<PathBuf> = points.into_iter().filter(|p| p.starts_with(dir)).collect();
    under.sort_by_key(|p| std::cmp::Reverse((p.components().count(), p.as_os_str().len())));
    under.dedup();
    under
}

/// Lazily detaches (`MNT_DETACH`) every mount at or below `dir`, deepest
/// first, so the directory can be deleted without reaching through a stray
/// mount into what it shows. Tries every mount point; a point that is gone
/// by then (`EINVAL`, `ENOENT`) is fine; the first other failure is returned
/// after the rest were tried.
pub fn unmount_under(dir: &Path) -> io::Result<()> {
    let mut first_error = None;
    for p in mount_points_under(dir)? {
        match umount2(&p, MntFlags::MNT_DETACH) {
            Ok(()) | Err(Errno::EINVAL | Errno::ENOENT) => {}
            Err(e) => {
                first_error.get_or_insert_with(|| {
                    io::Error::new(
                        io::Error::from(e).kind(),
                        format!("detaching the mount {}: {e}", p.display()),
                    )
                });
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /run/berth rw shared:2 - tmpfs tmpfs rw
41 40 0:36 / /run/berth/netns rw shared:3 - tmpfs tmpfs rw
42 41 0:4 net:[1] /run/berth/netns/ns\\0401 rw - nsfs nsfs rw
43 22 0:37 / /run/berthx rw - tmpfs tmpfs rw
44 40 0:38 / /run/berth/a\\134b rw - tmpfs tmpfs rw
";

    #[test]
    fn mount_points_are_decoded() {
        let points = parse_mount_points(INFO);
        assert_eq!(points.len(), 6);
        assert_eq!(points[3], Path::new("/run/berth/netns/ns 1"));
        assert_eq!(points[5], Path::new("/run/berth/a\\b"));
        assert_eq!(
            parse_mount_points("garbage\n\n1 2 3\n"),
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn unescape_leaves_what_is_no_escape() {
        assert_eq!(unescape("a\\040b"), "a b");
        assert_eq!(unescape("a\\04"), "a\\04");
        assert_eq!(unescape("a\\9xyz"), "a\\9xyz");
        assert_eq!(unescape("\\"), "\\");
        assert_eq!(unescape(""), "");
    }

    #[test]
    fn under_means_whole_components_deepest_first() {
        let under = deepest_first_under(parse_mount_points(INFO), Path::new("/run/berth"));
        assert_eq!(
            under,
            [
                PathBuf::from("/run/berth/netns/ns 1"),
                PathBuf::from("/run/berth/netns"),
                PathBuf::from("/run/berth/a\\b"),
                PathBuf::from("/run/berth"),
            ]
        );
        assert!(deepest_first_under(parse_mount_points(INFO), Path::new("/nowhere")).is_empty());
    }

    #[test]
    fn this_process_has_a_root_mount() {
        assert!(mount_points().unwrap().iter().any(|p| p == Path::new("/")));
        // Nothing is mounted in a fresh temporary directory: nothing to detach, no error.
        let dir = tempfile::tempdir().unwrap();
        assert!(mount_points_under(dir.path()).unwrap().is_empty());
        unmount_under(dir.path()).unwrap();
    }
}

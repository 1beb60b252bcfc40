//! The busybox test image, built from the host's busybox-static binary: as a
//! root filesystem directory ([`write_rootfs`]) or as a tar stream
//! ([`rootfs_tar`]). Both hold the same tree, listed once in [`entries`]:
//!
//! - `bin/busybox` and a relative symlink `bin/<applet> -> busybox` for every
//!   applet `busybox --list` names;
//! - `etc/passwd` (root, nobody), `etc/group` (root, nogroup), `etc/hosts`
//!   (localhost);
//! - `var/www/index.html` (a page for `httpd -h /var/www`);
//! - the usual empty directories and mount points (`dev`, `proc`, `sys`,
//!   `run`, `root` 0700, `tmp` and `var/tmp` 1777).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

/// Where the busybox-static binary is expected on the test machine.
pub const BUSYBOX: &str = "/bin/busybox";

/// The content of `var/www/index.html`.
pub const INDEX_HTML: &[u8] = b"<h1>hello from berth</h1>\n";

/// The modification time of every entry of the tar (fixed, so the layer
/// and the image id are the same on every run).
pub const MTIME: u64 = 1_600_000_000;

/// Directories and their modes, parents first.
const DIRS: &[(&str, u32)] = &[
    ("bin", 0o755),
    ("dev", 0o755),
    ("etc", 0o755),
    ("proc", 0o755),
    ("root", 0o700),
    ("run", 0o755),
    ("sys", 0o755),
    ("tmp", 0o1777),
    ("var", 0o755),
    ("var/tmp", 0o1777),
    ("var/www", 0o755),
];

/// Regular files other than the binary: path, mode, content.
const FILES: &[(&str, u32, &[u8])] = &[
    (
        "etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    ),
    ("etc/group", 0o644, b"root:x:0:\nnogroup:x:65534:\n"),
    ("etc/hosts", 0o644, b"127.0.0.1 localhost\n"),
    ("var/www/index.html", 0o644, INDEX_HTML),
];

/// One entry of the test image, its path relative to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A directory with this mode.
    Dir {
        /// Relative path, no trailing slash.
        path: String,
        /// Permission bits (with sticky bit where it applies).
        mode: u32,
    },
    /// A regular file with this mode and content.
    File {
        /// Relative path.
        path: String,
        /// Permission bits.
        mode: u32,
        /// The whole content.
        data: Vec<u8>,
    },
    /// A symbolic link to `target` (relative to the link's directory).
    Symlink {
        /// Relative path of the link.
        path: String,
        /// What the link points at.
        target: String,
    },
}

/// Panics, naming the binary and how to install it, when [`BUSYBOX`] is
/// missing: tests that need it fail loudly, never skip.
pub fn require() {
    assert!(
        Path::new(BUSYBOX).is_file(),
        "{BUSYBOX} is missing: install busybox-static (`cargo xtask deps`)"
    );
}

/// The applets `busybox --list` names, without `busybox` itself.
///
/// # Panics
/// When [`BUSYBOX`] is missing or does not run.
pub fn applets() -> Vec<String> {
    require();
    let out = Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .unwrap_or_else(|e| panic!("running `{BUSYBOX} --list`: {e}"));
    assert!(
        out.status.success(),
        "`{BUSYBOX} --list` failed with {}",
        out.status
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "busybox")
        .map(str::to_owned)
        .collect()
}

/// Every entry of the test image, each directory before what it holds.
///
/// # Panics
/// When [`BUSYBOX`] is missing or unreadable.
pub fn entries() -> Vec<Entry> {
    require();
    let binary = std::fs::read(BUSYBOX).unwrap_or_else(|e| panic!("reading {BUSYBOX}: {e}"));
    let mut out: Vec<Entry> = DIRS
        .iter()
        .map(|&(path, mode)| Entry::Dir {
            path: path.to_owned(),
            mode,
        })
        .collect();
    out.push(Entry::File {
        path: "bin/busybox".to_owned(),
        mode: 0o755,
        data: binary,
    });
    out.extend(applets().into_iter().map(|a| Entry::Symlink {
        path: format!("bin/{a}"),
        target: "busybox".to_owned(),
    }));
    out.extend(FILES.iter().map(|&(path, mode, data)| Entry::File {
        path: path.to_owned(),
        mode,
        data: data.to_vec(),
    }));
    out
}

/// Writes the test image's tree into `root` (created if missing) with the
/// modes of [`entries`], whatever the umask.
///
/// # Panics
/// When [`BUSYBOX`] is missing or a write fails (the panic names the path).
pub fn write_rootfs(root: &Path) {
    let set_mode = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {:o} {}: {e}", mode, p.display()));
    };
    std::fs::create_dir_all(root).unwrap_or_else(|e| panic!("creating {}: {e}", root.display()));
    for entry in entries() {
        match entry {
            Entry::Dir { path, mode } => {
                let p = root.join(path);
                std::fs::create_dir_all(&p)
                    .unwrap_or_else(|e| panic!("creating {}: {e}", p.display()));
                set_mode(&p, mode);
            }
            Entry::File { path, mode, data } => {
                let p = root.join(path);
                std::fs::write(&p, data).unwrap_or_else(|e| panic!("writing {}: {e}", p.display()));
                set_mode(&p, mode);
            }
            Entry::Symlink { path, target } => {
                let p = root.join(path);
                std::os::unix::fs::symlink(&target, &p)
                    .unwrap_or_else(|e| panic!("symlink {} -> {target}: {e}", p.display()));
            }
        }
    }
}

/// The test image's tree as an uncompressed tar stream (GNU headers, owner
/// 0:0, mtime [`MTIME`]), ending with the two zero blocks.
///
/// # Panics
/// When [`BUSYBOX`] is missing.
#[must_use]
pub fn rootfs_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let header = |kind: tar::EntryType, mode: u32, size: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(MTIME);
        h
    };
    for entry in entries() {
        let appended = match entry {
            Entry::Dir { path, mode } => {
                let mut h = header(tar::EntryType::Directory, mode, 0);
                b.append_data(&mut h, format!("{path}/"), std::io::empty())
            }
            Entry::File { path, mode, data } => {
                let mut h = header(tar::EntryType::Regular, mode, data.len() as u64);
                b.append_data(&mut h, path, data.as_slice())
            }
            Entry::Symlink { path, target } => {
                let mut h = header(tar::EntryType::Symlink, 0o777, 0);
                b.append_link(&mut h, path, target)
            }
        };
        appended.expect("appending to an in-memory tar");
    }
    b.into_inner().expect("finishing an in-memory tar")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tar_and_the_directory_hold_the_same_tree() {
        let tar = rootfs_tar();
        let mut names = Vec::new();
        for e in tar::Archive::new(tar.as_slice()).entries().unwrap() {
            let e = e.unwrap();
            names.push(
                e.path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .to_owned(),
            );
        }
        assert!(names.iter().any(|n| n == "bin/sh"), "{names:?}");
        assert!(names.iter().any(|n| n == "var/www/index.html"));

        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rootfs");
        write_rootfs(&root);
        for n in &names {
            assert!(
                std::fs::symlink_metadata(root.join(n)).is_ok(),
                "{n} is in the tar but not in the directory"
            );
        }
        assert_eq!(
            std::fs::read_link(root.join("bin/sh")).unwrap(),
            Path::new("busybox")
        );
        let tmp = std::fs::metadata(root.join("tmp")).unwrap();
        assert_eq!(tmp.permissions().mode() & 0o7777, 0o1777);
        assert_eq!(
            std::fs::read(root.join("etc/hosts")).unwrap(),
            b"127.0.0.1 localhost\n"
        );
    }
}

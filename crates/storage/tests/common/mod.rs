//! Helpers shared by the integration tests: tar building (including
//! hostile entries the `tar` crate refuses to write) and store fixtures.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use berth_storage::{Driver, Store, StoreOptions};

/// Builds tar streams entry by entry with raw names.
pub struct Tar {
    b: tar::Builder<Vec<u8>>,
}

impl Default for Tar {
    fn default() -> Self {
        Self::new()
    }
}

fn header(name: &str, kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_600_000_000);
    let raw = name.as_bytes();
    assert!(raw.len() < 100, "test names stay short");
    let old = h.as_old_mut();
    old.name = [0; 100];
    old.name[..raw.len()].copy_from_slice(raw);
    h
}

fn set_link(h: &mut tar::Header, target: &str) {
    let raw = target.as_bytes();
    let old = h.as_old_mut();
    old.linkname = [0; 100];
    old.linkname[..raw.len()].copy_from_slice(raw);
}

impl Tar {
    pub fn new() -> Self {
        Tar {
            b: tar::Builder::new(Vec::new()),
        }
    }
    fn add(&mut self, mut h: tar::Header, data: &[u8]) -> &mut Self {
        h.set_cksum();
        self.b.append(&h, data).unwrap();
        self
    }
    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.file_mode(name, data, 0o644)
    }
    pub fn file_mode(&mut self, name: &str, data: &[u8], mode: u32) -> &mut Self {
        let h = header(name, tar::EntryType::Regular, data.len() as u64, mode);
        self.add(h, data)
    }
    pub fn file_owned(&mut self, name: &str, data: &[u8], uid: u64, gid: u64) -> &mut Self {
        let mut h = header(name, tar::EntryType::Regular, data.len() as u64, 0o640);
        h.set_uid(uid);
        h.set_gid(gid);
        self.add(h, data)
    }
    pub fn dir(&mut self, name: &str) -> &mut Self {
        let h = header(name, tar::EntryType::Directory, 0, 0o755);
        self.add(h, &[])
    }
    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        let mut h = header(name, tar::EntryType::Symlink, 0, 0o777);
        set_link(&mut h, target);
        self.add(h, &[])
    }
    pub fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        let mut h = header(name, tar::EntryType::Link, 0, 0o644);
        set_link(&mut h, target);
        self.add(h, &[])
    }
    pub fn device(
        &mut self,
        name: &str,
        kind: tar::EntryType,
        major: u32,
        minor: u32,
    ) -> &mut Self {
        let mut h = header(name, kind, 0, 0o666);
        h.set_device_major(major).unwrap();
        h.set_device_minor(minor).unwrap();
        self.add(h, &[])
    }
    /// A regular file with a PAX xattr.
    pub fn file_xattr(&mut self, name: &str, data: &[u8], attr: &str, value: &[u8]) -> &mut Self {
        self.b
            .append_pax_extensions([(format!("SCHILY.xattr.{attr}").as_str(), value)])
            .unwrap();
        self.file(name, data)
    }
    pub fn finish(&mut self) -> Vec<u8> {
        let b = std::mem::replace(&mut self.b, tar::Builder::new(Vec::new()));
        b.into_inner().unwrap()
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Requires root, names what is missing.
pub fn require_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "these tests need root (mknod, chown, layer extraction with owners, overlay mounts); run them as root"
    );
}

/// A store in a temp dir, removed (after unmounting) on drop.
pub struct TestStore {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl TestStore {
    pub fn new(driver: Driver) -> Self {
        require_root();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(StoreOptions {
            graph_root: dir.path().join("graph"),
            run_root: dir.path().join("run"),
            driver,
        })
        .unwrap();
        TestStore { store, dir }
    }
    pub fn reopen(&self) -> Store {
        Store::open(self.store.options().clone()).unwrap()
    }
    /// Files left in the store's tmp/ (must be empty after any pull).
    pub fn tmp_entries(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path().join("graph/tmp"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let _ = berth_storage::Storage::shutdown(&self.store, true);
        unmount_under(self.dir.path());
    }
}

/// A snapshot of every path under `dir` (type, mode, size, content hash, link target).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(m) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        let desc = if m.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            format!("dir {:o} {}", m.mode(), m.mtime())
        } else if m.file_type().is_symlink() {
            format!("link {}", std::fs::read_link(&p).unwrap().display())
        } else if m.is_file() {
            format!(
                "file {:o} {} {}",
                m.mode(),
                m.nlink(),
                berth_storage::digest::sha256_digest(&std::fs::read(&p).unwrap())
            )
        } else {
            format!("other {:o}", m.mode())
        };
        out.insert(p, desc);
    }
    out
}

/// Lazily unmounts everything mounted under `dir` (deepest first): berth-config's one
/// mount-table walk; clean-up goes on when a mount cannot be detached.
pub fn unmount_under(dir: &Path) {
    let _ = berth_config::unmount_under(dir);
}

/// A private podman (own root, runroot, tmpdir) in a temp dir; never touches
/// the real installation.
pub struct Podman {
    pub dir: tempfile::TempDir,
    pub driver: &'static str,
}

impl Podman {
    pub fn new(driver: &'static str) -> Self {
        require_root();
        assert!(
            std::process::Command::new("podman")
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success()),
            "podman is missing: install podman (4.3.1) for the interop tests"
        );
        Podman {
            dir: tempfile::tempdir().unwrap(),
            driver,
        }
    }

    pub fn cmd(&self) -> std::process::Command {
        podman_command(self.dir.path(), self.driver)
    }

    /// Runs podman with `args`; panics with its stderr on failure; returns stdout.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("podman runs");
        assert!(
            out.status.success(),
            "podman {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The full id podman gives the image `name`.
    pub fn image_id(&self, name: &str) -> String {
        self.run(&["image", "inspect", "--format", "{{.Id}}", name])
            .trim()
            .to_string()
    }
}

/// A podman command whose root, run root and tmp dir are `root`/{root,run,tmp}
/// (cgroupfs, file events, runc, this storage driver): it never touches the
/// real installation.
pub fn podman_command(root: &Path, driver: &str) -> std::process::Command {
    let mut c = std::process::Command::new("podman");
    c.arg("--root").arg(root.join("root"));
    c.arg("--runroot").arg(root.join("run"));
    c.arg("--tmpdir").arg(root.join("tmp"));
    c.args([
        "--cgroup-manager",
        "cgroupfs",
        "--events-backend",
        "file",
        "--runtime",
        "runc",
        "--storage-driver",
        driver,
    ]);
    c
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self.cmd().args(["rm", "-af"]).output();
        unmount_under(self.dir.path());
    }
}

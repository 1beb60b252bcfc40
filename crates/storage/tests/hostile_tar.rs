//! Hostile layer tarballs: nothing may be written outside the extraction
//! root. Each case runs for both whiteout modes, inside a sandbox whose
//! `outside/` directory is snapshotted before and after; host paths that an
//! escape would create or change are checked too.

mod common;

use std::path::Path;

use berth_storage::extract::{extract, ExtractOptions, WhiteoutMode};
use berth_storage::Error;
use common::{require_root, snapshot, Tar};

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("root")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside/sub")).unwrap();
        std::fs::write(dir.path().join("outside/secret"), b"secret").unwrap();
        std::fs::write(dir.path().join("outside/sub/keep"), b"keep").unwrap();
        Sandbox { dir }
    }
    fn root(&self) -> std::path::PathBuf {
        self.dir.path().join("root")
    }
    fn outside(&self) -> std::path::PathBuf {
        self.dir.path().join("outside")
    }
    /// Extracts `tar` as a layer into the root; panics on failure.
    fn extract(&self, tar: &[u8], mode: WhiteoutMode) {
        extract(tar, &self.root(), ExtractOptions::layer(mode)).unwrap();
    }
}

fn host_files() -> Vec<(&'static str, Option<String>)> {
    ["/etc/passwd", "/etc/hostname", "/tmp/berth-pwned"]
        .into_iter()
        .map(|p| {
            (
                p,
                std::fs::read(p)
                    .ok()
                    .map(|d| berth_storage::digest::sha256_digest(&d)),
            )
        })
        .collect()
}

/// Runs `build(outside_path)` as a layer in both modes and checks that nothing
/// outside the root changed. Returns the results (Ok or the error text).
fn run_case(build: impl Fn(&str) -> Vec<u8>) -> Vec<Result<(), String>> {
    require_root();
    let mut results = Vec::new();
    for mode in [WhiteoutMode::Overlay, WhiteoutMode::Delete] {
        let sb = Sandbox::new();
        let outside = sb.outside();
        let before = snapshot(&outside);
        let host_before = host_files();
        let data = build(outside.to_str().unwrap());
        let res = extract(&data[..], &sb.root(), ExtractOptions::layer(mode));
        assert_eq!(
            snapshot(&outside),
            before,
            "{mode:?}: something outside the root changed"
        );
        assert_eq!(host_files(), host_before, "{mode:?}: a host file changed");
        assert!(!Path::new("/tmp/berth-pwned").exists());
        results.push(res.map_err(|e| {
            assert!(
                matches!(e, Error::UnsafeEntry { .. } | Error::Archive(_)),
                "unexpected error kind: {e}"
            );
            e.to_string()
        }));
    }
    results
}

fn assert_refused(results: &[Result<(), String>], entry: &str) {
    for r in results {
        let e = r.as_ref().expect_err("hostile entry was accepted");
        assert!(
            e.contains(entry),
            "error {e:?} does not name entry {entry:?}"
        );
    }
}

#[test]
fn dotdot_entries_are_refused_by_name() {
    assert_refused(
        &run_case(|_| Tar::new().file("../escape", b"x").finish()),
        "../escape",
    );
    assert_refused(
        &run_case(|_| Tar::new().file("a/../../escape", b"x").finish()),
        "a/../../escape",
    );
    assert_refused(
        &run_case(|_| Tar::new().dir("../../d/").finish()),
        "../../d/",
    );
    assert_refused(
        &run_case(|_| {
            Tar::new()
                .file("ok", b"x")
                .hardlink("hl", "../outside/secret")
                .finish()
        }),
        "hl",
    );
    assert_refused(
        &run_case(|_| Tar::new().dir("sub/").file("sub/.wh...", b"").finish()),
        "sub/.wh...",
    );
}

#[test]
fn absolute_entries_are_contained() {
    for r in run_case(|_| Tar::new().file("/tmp/berth-pwned", b"x").finish()) {
        r.unwrap();
    }
    let sb = Sandbox::new();
    sb.extract(
        &Tar::new().file("/abs/file", b"x").finish(),
        WhiteoutMode::Overlay,
    );
    assert_eq!(std::fs::read(sb.root().join("abs/file")).unwrap(), b"x");
}

#[test]
fn writes_through_symlinks_stay_inside() {
    // absolute symlink to the outside directory, then a file through it
    run_case(|out| {
        Tar::new()
            .symlink("lnk", out)
            .file("lnk/secret", b"pwned")
            .finish()
    });
    // relative symlink climbing out
    run_case(|_| {
        Tar::new()
            .symlink("lnk", "../outside")
            .file("lnk/secret", b"pwned")
            .finish()
    });
    run_case(|_| {
        Tar::new()
            .dir("a/")
            .symlink("a/b", "../../../../../../..")
            .file("a/b/tmp/berth-pwned", b"x")
            .finish()
    });
    // symlink to a host directory: resolved inside the root (where it loops)
    run_case(|_| {
        Tar::new()
            .symlink("etc", "/etc")
            .file("etc/passwd", b"root::0:0::/:/bin/sh\n")
            .finish()
    });
    // a symlink to an absolute path that exists inside the root is followed inside
    for x in run_case(|_| {
        Tar::new()
            .dir("real/")
            .symlink("etc", "/real")
            .file("etc/passwd", b"x")
            .finish()
    }) {
        x.unwrap();
    }
    // directory and device creation through symlinks
    run_case(|out| Tar::new().symlink("d", out).dir("d/newdir/").finish());
    run_case(|out| {
        Tar::new()
            .symlink("d", out)
            .symlink("d/newlink", "/")
            .finish()
    });
    // chained symlinks
    run_case(|out| {
        Tar::new()
            .symlink("a", "b")
            .symlink("b", out)
            .file("a/secret", b"x")
            .finish()
    });
    // loops fail cleanly
    run_case(|_| {
        Tar::new()
            .symlink("a", "b")
            .symlink("b", "a")
            .file("a/x", b"x")
            .finish()
    });
}

#[test]
fn symlink_in_final_position_is_replaced_not_followed() {
    for r in run_case(|out| {
        Tar::new()
            .symlink("f", &format!("{out}/secret"))
            .file("f", b"new")
            .finish()
    }) {
        r.unwrap();
    }
    let sb = Sandbox::new();
    let t = Tar::new()
        .symlink("f", &format!("{}/secret", sb.outside().display()))
        .file("f", b"new")
        .finish();
    sb.extract(&t, WhiteoutMode::Delete);
    let m = std::fs::symlink_metadata(sb.root().join("f")).unwrap();
    assert!(m.is_file());
}

#[test]
fn hardlinks_to_outside_targets_are_refused() {
    assert_refused(
        &run_case(|out| Tar::new().hardlink("h", &format!("{out}/secret")).finish()),
        "h",
    );
    assert_refused(
        &run_case(|_| Tar::new().hardlink("h", "/etc/passwd").finish()),
        "h",
    );
    assert_refused(
        &run_case(|out| {
            Tar::new()
                .symlink("s", out)
                .hardlink("h", "s/secret")
                .finish()
        }),
        "h",
    );
    assert_refused(
        &run_case(|_| Tar::new().dir("d/").hardlink("h", "d").finish()),
        "h",
    );
    // a hard link to a symlink links the symlink itself; writing "through" it replaces it
    run_case(|out| {
        Tar::new()
            .symlink("s", &format!("{out}/secret"))
            .hardlink("h", "s")
            .file("h", b"x")
            .finish()
    });
}

#[test]
fn device_nodes_are_refused() {
    assert_refused(
        &run_case(|_| {
            Tar::new()
                .device("dev/sda", tar::EntryType::Block, 8, 0)
                .finish()
        }),
        "dev/sda",
    );
    assert_refused(
        &run_case(|_| {
            Tar::new()
                .device("dev/mem", tar::EntryType::Char, 1, 1)
                .finish()
        }),
        "dev/mem",
    );
    // FIFOs are harmless and allowed
    for r in run_case(|_| {
        Tar::new()
            .device("fifo", tar::EntryType::Fifo, 0, 0)
            .finish()
    }) {
        r.unwrap();
    }
}

#[test]
fn whiteouts_through_symlinks_stay_inside() {
    run_case(|out| {
        Tar::new()
            .symlink("lnk", out)
            .file("lnk/.wh.secret", b"")
            .finish()
    });
    run_case(|out| {
        Tar::new()
            .symlink("lnk", out)
            .file("lnk/.wh..wh..opq", b"")
            .finish()
    });
    run_case(|out| {
        Tar::new()
            .symlink("lnk", &format!("{out}/sub"))
            .file("lnk/.wh..wh..opq", b"")
            .finish()
    });
    assert_refused(
        &run_case(|_| Tar::new().file(".wh..", b"").finish()),
        ".wh..",
    );
}

#[test]
fn garbage_and_truncated_streams_fail_cleanly() {
    run_case(|_| {
        b"this is not a tar archive at all, just text that is long enough........".repeat(20)
    });
    run_case(|_| {
        let mut t = Tar::new().file("big", &[7u8; 10_000]).finish();
        t.truncate(3000);
        t
    });
}

#[test]
fn metadata_is_preserved() {
    require_root();
    let sb = Sandbox::new();
    let t = Tar::new()
        .dir("d/")
        .file_owned("d/owned", b"data", 1234, 5678)
        .file_mode("d/suid", b"x", 0o4755)
        .hardlink("d/hl", "d/owned")
        .symlink("d/sl", "owned")
        .file_xattr("d/x", b"x", "user.test", b"value")
        .device("d/fifo", tar::EntryType::Fifo, 0, 0)
        .finish();
    sb.extract(&t, WhiteoutMode::Overlay);
    use std::os::unix::fs::MetadataExt;
    let r = sb.root();
    let m = std::fs::metadata(r.join("d/owned")).unwrap();
    assert_eq!(
        (m.uid(), m.gid(), m.mode() & 0o7777, m.nlink()),
        (1234, 5678, 0o640, 2)
    );
    assert_eq!(m.mtime(), 1_600_000_000);
    assert_eq!(std::fs::metadata(r.join("d/hl")).unwrap().ino(), m.ino());
    assert_eq!(
        std::fs::metadata(r.join("d/suid")).unwrap().mode() & 0o7777,
        0o4755
    );
    assert_eq!(
        std::fs::read_link(r.join("d/sl")).unwrap(),
        Path::new("owned")
    );
    assert_eq!(
        std::fs::symlink_metadata(r.join("d/sl")).unwrap().mtime(),
        1_600_000_000
    );
    assert_eq!(
        std::fs::metadata(r.join("d")).unwrap().mtime(),
        1_600_000_000
    );
    // user xattrs need filesystem support; tmpfs (often /tmp) has it since 6.6
    if let Ok(Some(v)) = xattr::get(r.join("d/x"), "user.test") {
        assert_eq!(v, b"value");
    }
}

#[test]
fn whiteouts_become_overlay_whiteouts_or_deletions() {
    require_root();
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    // overlay: char 0/0 and opaque xattr
    let sb = Sandbox::new();
    let t = Tar::new()
        .dir("d/")
        .file("d/.wh.gone", b"")
        .file("o/.wh..wh..opq", b"")
        .file("o/new", b"n")
        .finish();
    sb.extract(&t, WhiteoutMode::Overlay);
    let m = std::fs::symlink_metadata(sb.root().join("d/gone")).unwrap();
    assert!(m.file_type().is_char_device());
    assert_eq!(m.rdev(), 0);
    assert_eq!(
        xattr::get(sb.root().join("o"), "trusted.overlay.opaque")
            .unwrap()
            .as_deref(),
        Some(&b"y"[..])
    );
    assert!(!sb.root().join("d/.wh.gone").exists());
    // vfs: deletions on top of the lower content
    let sb = Sandbox::new();
    let lower = Tar::new()
        .file("d/gone", b"g")
        .file("d/stay", b"s")
        .file("o/old", b"o")
        .finish();
    sb.extract(&lower, WhiteoutMode::Delete);
    let upper = Tar::new()
        .file("d/.wh.gone", b"")
        .file("o/new", b"n")
        .file("o/.wh..wh..opq", b"")
        .finish();
    sb.extract(&upper, WhiteoutMode::Delete);
    assert!(!sb.root().join("d/gone").exists());
    assert!(sb.root().join("d/stay").exists());
    assert!(
        !sb.root().join("o/old").exists(),
        "opaque dir must hide the lower content"
    );
    assert!(
        sb.root().join("o/new").exists(),
        "entries of the same layer survive the opaque marker"
    );
}

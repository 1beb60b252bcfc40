//! Network namespace lifecycle against the real kernel (needs root).

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use berth_cni::netns::{prepare_dir, release_dir};
use berth_cni::NetNs;

fn require_root() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this test needs root (network namespaces and mounts)"
    );
}

/// The mountinfo lines (mount point and propagation) under `dir`.
fn mounts_under(dir: &Path) -> Vec<String> {
    let want = dir.to_string_lossy().into_owned();
    let mut v: Vec<String> = std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.split(' ').nth(4).is_some_and(|mp| mp.starts_with(&want)))
        .map(|l| l.split(' ').skip(4).collect::<Vec<_>>().join(" "))
        .collect();
    v.sort();
    v
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn create_and_delete_200_leaves_nothing() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("netns");
    prepare_dir(&dir).unwrap();
    prepare_dir(&dir).unwrap(); // idempotent: no second self mount
    let mounts_before = mounts_under(&dir);
    assert_eq!(mounts_before.len(), 1, "{mounts_before:?}");
    assert!(mounts_before[0].contains("shared:"), "{mounts_before:?}");
    let files_before = files_in(&dir);

    for round in 0..4 {
        let mut handles = Vec::new();
        for i in 0..50 {
            handles.push(NetNs::create(&dir, &format!("ns-{round}-{i}")).unwrap());
        }
        assert_eq!(mounts_under(&dir).len(), 51);
        // Distinct namespaces, each different from ours.
        let own = std::fs::metadata("/proc/self/ns/net").unwrap().ino();
        let mut inos: Vec<u64> = handles
            .iter()
            .map(|h| h.file().metadata().unwrap().ino())
            .collect();
        assert!(!inos.contains(&own));
        inos.sort_unstable();
        inos.dedup();
        assert_eq!(inos.len(), 50);
        for h in handles {
            h.delete().unwrap();
        }
    }
    assert_eq!(mounts_under(&dir), mounts_before);
    assert_eq!(files_in(&dir), files_before);
    release_dir(&dir).unwrap();
    assert!(mounts_under(tmp.path()).is_empty());
}

#[test]
fn open_enter_and_errors() {
    require_root();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ns");
    let ns = NetNs::create(&dir, "one").unwrap();
    let again = NetNs::open(ns.path()).unwrap();
    assert_eq!(
        again.file().metadata().unwrap().ino(),
        ns.file().metadata().unwrap().ino()
    );
    // A fresh namespace has only lo, and it is down.
    let mut cmd = Command::new("ip");
    cmd.args(["-o", "link", "show"]);
    ns.enter_command(&mut cmd).unwrap();
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("lo:"), "{text}");
    // A thread in the namespace sees the same.
    let ino = ns
        .run(|| std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino())
        .unwrap();
    assert_eq!(ino, ns.file().metadata().unwrap().ino());

    let err = NetNs::create(&dir, "one").unwrap_err().to_string();
    assert!(
        err.contains("one") && err.contains("already exists"),
        "{err}"
    );
    // A stale plain file left by a crash is replaced.
    std::fs::write(dir.join("stale"), "").unwrap();
    NetNs::create(&dir, "stale").unwrap().delete().unwrap();
    assert!(NetNs::create(&dir, "../x").is_err());
    let plain = tmp.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    let err = NetNs::open(&plain).unwrap_err().to_string();
    assert!(err.contains("not a namespace"), "{err}");
    assert!(NetNs::open(&dir.join("missing")).is_err());

    drop(again);
    let path = ns.path().to_path_buf();
    ns.delete().unwrap();
    NetNs::remove(&path).unwrap(); // repeated removal is fine
    release_dir(&dir).unwrap();
    assert!(mounts_under(tmp.path()).is_empty());
}

//! End to end: who may read what berth keeps on the host. The graph root,
//! run root, tmp dir and static dir are 0700 and `state.redb` 0600, as
//! podman's are; an older, looser instance is tightened by the next command;
//! a host user who is not root reaches none of it; containers still run as
//! any user.

mod common;

use common::{Berth, IMG};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o7777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The four directories berth owns in an instance, and its state database.
fn private_paths(b: &Berth) -> ([PathBuf; 4], PathBuf) {
    let d = b.dir.path();
    let state = d.join("root/state");
    (
        [d.join("root"), d.join("run"), d.join("tmp"), state.clone()],
        state.join("state.redb"),
    )
}

fn assert_private(b: &Berth) {
    let (dirs, db) = private_paths(b);
    for dir in &dirs {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    assert_eq!(mode(&db), 0o600, "{}", db.display());
}

/// Runs `argv` as the host's `nobody` (uid and gid 65534, no groups, no
/// capabilities). setpriv keeps root's capabilities until its own execve, so
/// a shell that already runs as nobody does the exec of `argv`.
fn as_nobody(argv: &[&str]) -> std::process::Output {
    common::require(&["/usr/bin/setpriv"]);
    Command::new("/usr/bin/setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(["/bin/sh", "-c", "exec \"$0\" \"$@\""])
        .args(argv)
        .output()
        .unwrap()
}

#[test]
fn a_new_instance_is_private_and_runs_containers_as_any_user() {
    let b = Berth::new();
    b.ok(&[
        "run",
        "-d",
        "--name",
        "root1",
        "--network",
        "none",
        IMG,
        "sleep",
        "60",
    ]);
    assert_private(&b);
    // The rootfs mount below the 0700 graph root is all a non-root container needs.
    assert_eq!(
        b.ok(&[
            "run",
            "--rm",
            "--user",
            "1000",
            "--network",
            "none",
            IMG,
            "sh",
            "-c",
            "id -u; cat /etc/hosts >/dev/null; ls /bin/sh && touch /tmp/f && echo ok"
        ]),
        "1000\n/bin/sh\nok\n"
    );
    b.ok(&["volume", "create", "v"]);
    assert_eq!(
        b.ok(&[
            "run",
            "--rm",
            "--user",
            "1000:1000",
            "-v",
            "v:/data",
            "--network",
            "none",
            IMG,
            "sh",
            "-c",
            "ls -d /data && cat /etc/resolv.conf >/dev/null && echo ok"
        ]),
        "/data\nok\n"
    );
    assert_eq!(
        b.ok(&["exec", "--user", "65534", "root1", "id", "-u"]),
        "65534\n"
    );
    b.ok(&["rm", "-f", "-t", "0", "root1"]);
}

#[test]
fn an_older_loose_instance_is_tightened_by_the_next_command() {
    let b = Berth::new();
    b.ok(&["create", "--network", "none", IMG, "true"]);
    let (dirs, db) = private_paths(&b);
    for dir in &dirs {
        chmod(dir, 0o755);
    }
    chmod(&db, 0o644);
    // A read-only command is enough.
    b.ok(&["ps", "-a"]);
    assert_private(&b);
    assert_eq!(b.ok(&["ps", "-a", "-q"]).lines().count(), 1);
}

#[test]
fn a_host_user_reaches_neither_the_state_nor_bundles_nor_set_uid_binaries() {
    let b = Berth::new();
    // Only berth's own modes stand between `nobody` and the instance.
    chmod(b.dir.path(), 0o755);

    // An image whose only layer holds a set-uid-root busybox.
    let src = tempfile::tempdir().unwrap();
    chmod(src.path(), 0o755);
    std::fs::create_dir(src.path().join("bin")).unwrap();
    let planted = src.path().join("bin/busybox");
    std::fs::copy("/bin/busybox", &planted).unwrap();
    chmod(&planted, 0o4755);
    let tar = src.path().join("suid.tar");
    let st = Command::new("tar")
        .args(["--numeric-owner", "--owner=0", "--group=0", "-C"])
        .arg(src.path())
        .args(["-cf"])
        .arg(&tar)
        .arg("bin")
        .status()
        .unwrap();
    assert!(st.success());
    b.ok(&["import", tar.to_str().unwrap(), "localhost/suid"]);
    let id = b.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "-e",
        "SECRET=hunter2",
        IMG,
        "sleep",
        "60",
    ]);
    let id = id.trim();
    let suid = b.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "localhost/suid",
        "/bin/busybox",
        "sleep",
        "60",
    ]);

    // The planted file is in the store, set-uid root, both in its layer and in the
    // container's mounted root filesystem.
    let found = Command::new("find")
        .arg(b.dir.path().join("root"))
        .args(["-name", "busybox", "-perm", "-4000", "-user", "root"])
        .output()
        .unwrap();
    let found: Vec<&str> = std::str::from_utf8(&found.stdout)
        .unwrap()
        .lines()
        .collect();
    assert!(found.len() >= 2, "layer and mounted rootfs: {found:?}");

    let d = b.dir.path();
    let config = d.join("tmp/containers").join(id).join("config.json");
    assert!(std::fs::read_to_string(&config)
        .unwrap()
        .contains("SECRET=hunter2"));
    let db = d.join("root/state/state.redb");
    for f in [&db, &config] {
        let o = as_nobody(&["/bin/cat", f.to_str().unwrap()]);
        assert!(!o.status.success(), "nobody read {}", f.display());
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("Permission denied"),
            "{}: {o:?}",
            f.display()
        );
    }
    for f in &found {
        let o = as_nobody(&[f, "id", "-u"]);
        assert!(!o.status.success(), "nobody ran {f}: {o:?}");
        let o = as_nobody(&["/bin/busybox", "test", "-e", f]);
        assert!(!o.status.success(), "nobody reached {f}");
    }
    // Nor can it list what berth keeps.
    for dir in ["root", "run", "tmp"] {
        let o = as_nobody(&["/bin/ls", d.join(dir).to_str().unwrap()]);
        assert!(!o.status.success(), "nobody listed {dir}");
    }
    b.ok(&["rm", "-f", "-t", "0", id, suid.trim()]);
}

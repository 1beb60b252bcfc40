//! End to end: `volume exists/export/import/mount/unmount/reload`, the local driver's mount
//! options (mounted while a container uses the volume, as podman) and podman's copy-up.
//! Needs root, runc, conmon and the CNI plugins.

mod common;

use common::Berth;
use std::io::Write;
use std::process::Stdio;

/// The volume's directory, from `volume inspect`.
fn mountpoint(b: &Berth, name: &str) -> String {
    b.ok(&["volume", "inspect", "--format", "{{.Mountpoint}}", name])
        .trim()
        .to_owned()
}

/// Whether something is mounted at `path` (in berth's own mount namespace, the host's).
fn mounted(path: &str) -> bool {
    std::fs::read_to_string("/proc/self/mounts")
        .unwrap()
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(path))
}

fn field(b: &Berth, name: &str, tpl: &str) -> String {
    b.ok(&["volume", "inspect", "--format", tpl, name])
        .trim()
        .to_owned()
}

/// `berth ARGS` with `input` on stdin.
fn with_stdin(b: &Berth, args: &[&str], input: &[u8]) -> common::Run {
    let mut child = b
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let o = child.wait_with_output().unwrap();
    common::Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn exists_export_and_import_round_trip() {
    let b = Berth::new();
    let dir = b.dir.path();
    b.ok(&["volume", "create", "src"]);
    assert_eq!(b.run(&["volume", "exists", "src"]).code, 0);
    let r = b.run(&["volume", "exists", "nope"]);
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (1, "", ""));

    b.run_rm(
        &["-v", "src:/data"],
        &[
            "sh",
            "-c",
            "echo hello >/data/test && mkdir /data/d && ln -s ../test /data/d/l && chmod 0750 /data/d",
        ],
    )
    .ok();
    let tar = dir.join("src.tar");
    let tar_s = tar.to_str().unwrap();
    b.ok(&["volume", "export", "src", "--output", tar_s]);
    let listing = std::process::Command::new("tar")
        .arg("tf")
        .arg(&tar)
        .output()
        .unwrap();
    let names = String::from_utf8_lossy(&listing.stdout).into_owned();
    for n in ["test", "d/", "d/l"] {
        assert!(names.lines().any(|l| l == n), "{n} not in {names}");
    }
    // To standard output: the same archive.
    let o = b.cmd().args(["volume", "export", "src"]).output().unwrap();
    assert!(o.status.success());
    assert_eq!(o.stdout, std::fs::read(&tar).unwrap());

    b.ok(&["volume", "create", "dst"]);
    b.ok(&["volume", "import", "dst", tar_s]);
    b.ok(&["volume", "create", "piped"]);
    let r = with_stdin(
        &b,
        &["volume", "import", "piped", "-"],
        &std::fs::read(&tar).unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    for v in ["dst", "piped"] {
        let out = b
            .run_rm(
                &["-v", &format!("{v}:/data")],
                &["sh", "-c", "cat /data/d/l; stat -c %a /data/d"],
            )
            .ok();
        assert_eq!(out, "hello\n750\n", "{v}");
    }
}

#[test]
fn export_and_import_refuse_bad_input() {
    let b = Berth::new();
    let dir = b.dir.path();
    b.ok(&["volume", "create", "v"]);
    let data = mountpoint(&b, "v");
    // A missing volume: podman's 125, nothing written.
    let out = dir.join("out.tar");
    b.fails_with(
        &["volume", "export", "nope", "-o", out.to_str().unwrap()],
        "no such volume nope",
    );
    assert!(!out.exists());
    b.fails_with(
        &["volume", "import", "nope", out.to_str().unwrap()],
        "no such volume nope",
    );
    b.fails(
        &["volume", "import", "v", "/nonexistent.tar"],
        "open /nonexistent.tar: no such file or directory",
    );
    // Not a tar, an empty file, and a good archive cut short: refused, nothing unpacked.
    let garbage = dir.join("garbage.tar");
    std::fs::write(&garbage, "garbage\n").unwrap();
    b.fails_with(
        &["volume", "import", "v", garbage.to_str().unwrap()],
        "importing",
    );
    let empty = dir.join("empty.tar");
    std::fs::write(&empty, "").unwrap();
    b.fails_with(
        &["volume", "import", "v", empty.to_str().unwrap()],
        "unexpected EOF",
    );
    let src = dir.join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("first"), "1").unwrap();
    std::fs::write(src.join("second"), vec![b'x'; 4096]).unwrap();
    let good = dir.join("good.tar");
    let st = std::process::Command::new("tar")
        .arg("-C")
        .arg(&src)
        .arg("-cf")
        .arg(&good)
        .args(["first", "second"])
        .status()
        .unwrap();
    assert!(st.success());
    let cut = dir.join("cut.tar");
    std::fs::write(&cut, &std::fs::read(&good).unwrap()[..2048]).unwrap();
    b.fails_with(
        &["volume", "import", "v", cut.to_str().unwrap()],
        "importing",
    );
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        0,
        "nothing unpacked"
    );
    // Usage errors.
    b.fails_with(&["volume", "import", "v"], "SOURCE");
    b.fails_with(&["volume", "export", "-o", "", "v"], "expects output path");
}

#[test]
fn mount_unmount_and_reload() {
    let b = Berth::new();
    // A plain volume: its directory, nothing mounted, nothing counted.
    b.ok(&["volume", "create", "plain"]);
    let data = mountpoint(&b, "plain");
    assert_eq!(b.ok(&["volume", "mount", "plain"]), format!("{data}\n"));
    assert!(!mounted(&data));
    std::fs::write(format!("{data}/f"), "from the host\n").unwrap();
    let out = b.run_rm(&["-v", "plain:/vol"], &["cat", "/vol/f"]).ok();
    assert_eq!(out, "from the host\n");
    assert_eq!(b.ok(&["volume", "unmount", "plain"]), "plain\n");

    // A tmpfs volume: mounted at its directory, counted, unmounted at the last unmount.
    b.ok(&[
        "volume",
        "create",
        "-o",
        "type=tmpfs",
        "-o",
        "device=tmpfs",
        "-o",
        "o=uid=1000",
        "t",
    ]);
    let tdata = mountpoint(&b, "t");
    assert!(!mounted(&tdata));
    assert_eq!(b.ok(&["volume", "mount", "t"]), format!("{tdata}\n"));
    assert!(mounted(&tdata));
    b.ok(&["volume", "mount", "t"]);
    assert_eq!(field(&b, "t", "{{.MountCount}}"), "2");
    assert_eq!(b.ok(&["volume", "unmount", "t"]), "t\n");
    assert!(mounted(&tdata), "one mount is still held");
    b.ok(&["volume", "unmount", "t"]);
    assert!(!mounted(&tdata));
    assert_eq!(field(&b, "t", "{{.MountCount}}"), "0");
    // Unmounting again is no error (podman's).
    b.ok(&["volume", "unmount", "t"]);
    // `volume rm` of a mounted volume unmounts it first.
    b.ok(&["volume", "mount", "t"]);
    b.ok(&["volume", "rm", "t"]);
    assert!(!mounted(&tdata));

    // The local driver has nothing to reload: no output.
    assert_eq!(b.ok(&["volume", "reload"]), "");
    b.fails_with(&["volume", "mount", "nope"], "no such volume nope");
    b.fails_with(&["volume", "unmount", "nope"], "no such volume nope");
    b.fails_with(&["volume", "exists"], "VOLUME");
}

#[test]
fn mount_options_are_mounted_while_containers_use_the_volume() {
    let b = Berth::new();
    b.ok(&[
        "volume",
        "create",
        "-o",
        "type=tmpfs",
        "-o",
        "device=tmpfs",
        "-o",
        "o=uid=1000,gid=1001,mode=0750",
        "t",
    ]);
    let data = mountpoint(&b, "t");
    assert_eq!(field(&b, "t", "{{.UID}}:{{.GID}}"), "1000:1001");
    b.sleeper("c1", &["-v", "t:/v"]);
    let out = b
        .ok(&[
            "exec",
            "c1",
            "sh",
            "-c",
            "stat -f -c %T /v; stat -c %u:%g:%a /v",
        ])
        .replace('\n', " ");
    assert_eq!(out, "tmpfs 1000:1001:750 ");
    assert!(mounted(&data));
    b.sleeper("c2", &["-v", "t:/v"]);
    // Both see the one tmpfs.
    b.ok(&["exec", "c1", "sh", "-c", "echo shared >/v/f"]);
    assert_eq!(b.ok(&["exec", "c2", "cat", "/v/f"]), "shared\n");
    assert_eq!(field(&b, "t", "{{.MountCount}}"), "2");
    b.ok(&["stop", "-t", "0", "c1"]);
    assert_eq!(field(&b, "t", "{{.MountCount}}"), "1");
    assert!(mounted(&data), "c2 still uses it");
    b.ok(&["stop", "-t", "0", "c2"]);
    assert_eq!(field(&b, "t", "{{.MountCount}}"), "0");
    assert!(!mounted(&data), "the last user stopped");
    // A container that exits on its own gives its mount back too (conmon's cleanup).
    b.run_rm(&["-v", "t:/v"], &["true"]).ok();
    assert!(!mounted(&data));
    // `volume rm --force` removes a running user, whose cleanup gives the mount back.
    b.sleeper("c3", &["-v", "t:/v"]);
    assert!(mounted(&data));
    assert_eq!(b.run(&["volume", "rm", "t"]).code, 2, "in use");
    b.ok(&["volume", "rm", "--force", "t"]);
    assert!(!mounted(&data));
    assert_eq!(b.run(&["container", "exists", "c3"]).code, 1);

    // A bind volume: the host directory, seen through the volume while used.
    let host = b.dir.path().join("hostdir");
    std::fs::create_dir(&host).unwrap();
    std::fs::write(host.join("keep"), "kept\n").unwrap();
    let dev = format!("device={}", host.display());
    b.ok(&["volume", "create", "-o", "type=bind", "-o", &dev, "bound"]);
    let bdata = mountpoint(&b, "bound");
    let out = b
        .run_rm(
            &["-v", "bound:/vol"],
            &["sh", "-c", "cat /vol/keep; echo new >/vol/new"],
        )
        .ok();
    assert_eq!(out, "kept\n");
    assert_eq!(std::fs::read_to_string(host.join("new")).unwrap(), "new\n");
    assert!(!mounted(&bdata));
    // Removing the volume never reaches into the host directory.
    b.ok(&["volume", "rm", "bound"]);
    assert!(host.join("keep").exists());

    // Bad options: a missing device is refused at create; a filesystem mount(8) cannot
    // mount fails the start, and nothing stays mounted or counted.
    b.fails_with(
        &[
            "volume",
            "create",
            "-o",
            "type=bind",
            "-o",
            "device=/bogus",
            "x",
        ],
        "/bogus",
    );
    assert_eq!(b.run(&["volume", "exists", "x"]).code, 1);
    b.ok(&[
        "volume",
        "create",
        "-o",
        "type=nosuchfs",
        "-o",
        "device=none",
        "bad",
    ]);
    let bad = mountpoint(&b, "bad");
    let r = b.run_rm(&["-v", "bad:/vol"], &["true"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("volume bad"), "{r:?}");
    assert!(!mounted(&bad));
    assert_eq!(field(&b, "bad", "{{.MountCount}}"), "0");
    b.fails_with(
        &["volume", "create", "-o", "o=uid=abc", "y"],
        "cannot convert UID",
    );
}

#[test]
fn copy_up_fills_an_empty_volume_once() {
    let b = Berth::new();
    b.ok(&["volume", "create", "cv"]);
    let json = b.ok(&["volume", "ls", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["NeedsCopyUp"], true, "{json}");
    assert_eq!(v[0]["NeedsChown"], true, "{json}");
    assert_eq!(v[0]["MountCount"], 0, "{json}");

    // Over an empty image directory: nothing to copy yet, the owner is taken.
    b.run_rm(&["-v", "cv:/tmp"], &["true"]).ok();
    assert_eq!(field(&b, "cv", "{{.NeedsCopyUp}}"), "true");
    assert_eq!(field(&b, "cv", "{{.NeedsChown}}"), "false");
    // Over /etc: its files are copied in, once.
    let out = b.run_rm(&["-v", "cv:/etc"], &["ls", "/etc/passwd"]).ok();
    assert_eq!(out, "/etc/passwd\n");
    assert_eq!(field(&b, "cv", "{{.NeedsCopyUp}}"), "false");
    let data = mountpoint(&b, "cv");
    assert!(std::path::Path::new(&data).join("passwd").exists());
    std::fs::remove_file(format!("{data}/passwd")).unwrap();
    let r = b.run_rm(&["-v", "cv:/etc"], &["ls", "/etc/passwd"]);
    assert_eq!(r.code, 1, "never copied again: {r:?}");

    // `nocopy`: nothing is copied.
    b.ok(&["volume", "create", "nc"]);
    b.run_rm(&["-v", "nc:/etc:nocopy"], &["true"]).ok();
    assert_eq!(std::fs::read_dir(mountpoint(&b, "nc")).unwrap().count(), 0);
    // An anonymous volume over an image directory is filled as well.
    let out = b
        .run_rm(&["-v", "/var/www"], &["cat", "/var/www/index.html"])
        .ok();
    assert_eq!(out, "hello from berth\n");
}

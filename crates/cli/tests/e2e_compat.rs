//! End to end: behaviour podman 4.3.1's system tests check (`test/system/*.bats`), over the
//! real `berth` binary, runc, conmon and CNI.

mod common;

use common::{Berth, IMG};

#[test]
fn containerenv_and_default_env_are_podmans() {
    let b = Berth::new();
    // 030-run "Verify /run/.containerenv exist": empty unless privileged.
    assert_eq!(
        b.run_rm(&[], &["stat", "-c", "%s", "/run/.containerenv"])
            .out,
        "0\n"
    );
    let iid = b.ok(&["image", "inspect", "--format", "{{.Id}}", IMG]);
    let r = b.run_rm(
        &["--privileged", "--name", "cenv"],
        &[
            "sh",
            "-c",
            ". /run/.containerenv; echo $engine; echo $name; echo $image; echo $id; echo $imageid; echo $rootless",
        ],
    );
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 6, "{r:?}");
    assert!(lines[0].starts_with("berth-"), "{r:?}");
    assert_eq!(lines[1], "cenv");
    assert_eq!(lines[2], IMG);
    assert!(
        lines[3].len() == 64 && lines[3].bytes().all(|c| c.is_ascii_hexdigit()),
        "{r:?}"
    );
    assert_eq!(lines[4], iid.trim());
    assert_eq!(lines[5], "0");
    // 030-run "podman run defaultenv".
    let r = b.run_rm(&[], &["env"]);
    for want in ["TERM=xterm", "container=podman", "HOSTNAME="] {
        assert!(r.out.lines().any(|l| l.starts_with(want)), "{want}: {r:?}");
    }
    let env = b.run_rm(&["--unsetenv=TERM"], &["env"]).out;
    assert!(
        env.contains("container=podman") && !env.contains("TERM"),
        "{env}"
    );
    let env = b.run_rm(&["--unsetenv-all"], &["/bin/env"]).out;
    for gone in ["TERM", "container", "PATH"] {
        assert!(!env.contains(gone), "{gone}: {env}");
    }
    let env = b
        .run_rm(&["--unsetenv-all", "--env", "TERM=abc"], &["/bin/env"])
        .out;
    assert!(env.contains("TERM=abc"), "{env}");
}

#[test]
fn a_missing_workdir_the_user_named_fails_126_unless_a_mount_makes_it() {
    let b = Berth::new();
    // 030-run "podman run - check workdir".
    let r = b.run_rm(&["--workdir", "/i/do/not/exist"], &["pwd"]);
    assert_eq!(r.code, 126, "{r:?}");
    assert!(
        r.err.starts_with("Error: ")
            && r.err
                .contains("workdir \"/i/do/not/exist\" does not exist on container"),
        "{r:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("content"), "random\n").unwrap();
    let vol = format!("{}:/IamNotOnTheImage", dir.path().display());
    let r = b.run_rm(
        &["--workdir", "/IamNotOnTheImage", "-v", &vol],
        &["cat", "content"],
    );
    assert_eq!((r.code, r.out.as_str()), (0, "random\n"), "{r:?}");
    let file = format!("{}/content:/IamNotOntheImage/foo", dir.path().display());
    let r = b.run_rm(
        &["--workdir", "/IamNotOntheImage", "-v", &file],
        &["cat", "foo"],
    );
    assert_eq!((r.code, r.out.as_str()), (0, "random\n"), "{r:?}");
    assert_eq!(
        b.run_rm(&["--workdir", "/var/www"], &["pwd"]).out,
        "/var/www\n"
    );
}

#[test]
fn removing_what_is_in_use_exits_2_and_missing_images_exit_1() {
    let b = Berth::new();
    // 055-rm "podman rm": a running container without --force.
    let cid = b.sleeper("busy", &["-v", "myvol:/myvol"]);
    let r = b.run(&["rm", &cid]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.err,
        format!("Error: cannot remove container {cid} as it is running - running or paused containers cannot be removed without force: container state improper\n")
    );
    // 160-volumes "podman volume rm --force": a volume in use.
    let r = b.run(&["volume", "rm", "myvol"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(
        r.err,
        format!("Error: volume myvol is being used by the following container(s): {cid}: volume is being used\n")
    );
    b.ok(&["volume", "rm", "--force", "myvol"]);
    // 010-images "podman rmi --ignore" / "podman image rm --force bogus".
    for args in [&["rmi", "bogus"][..], &["image", "rm", "bogus"]] {
        let r = b.run(args);
        assert_eq!(
            (r.code, r.err.as_str()),
            (1, "Error: bogus: image not known\n"),
            "{args:?}"
        );
    }
    assert_eq!(b.ok(&["rmi", "--ignore", "bogus"]), "");
    assert_eq!(b.ok(&["image", "rm", "--force", "bogus"]), "");
}

#[test]
fn save_to_a_pipe_and_load_from_standard_input() {
    use std::process::Stdio;
    let b = Berth::new();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("MyImage.tar");
    // 120-load "podman save to pipe and load": no -o, standard output is a pipe.
    let o = b
        .cmd()
        .args(["save", "--format", "oci-archive", IMG])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(o.stdout.len() > 1024, "an archive on stdout");
    std::fs::write(&archive, &o.stdout).unwrap();
    b.ok(&["rmi", IMG]);
    // 120-load "podman load - by image name": `load < archive`, and `image load` too.
    for cmd in [&["load"][..], &["image", "load"]] {
        let o = b
            .cmd()
            .args(cmd)
            .stdin(std::fs::File::open(&archive).unwrap())
            .output()
            .unwrap();
        assert!(o.status.success(), "{cmd:?}: {o:?}");
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            format!("Loaded image: {IMG}\n")
        );
        b.ok(&["image", "exists", IMG]);
        b.ok(&["rmi", IMG]);
    }
    // 120-load "podman load - redirect corrupt payload".
    let o = b
        .cmd()
        .arg("load")
        .stdin(std::fs::File::open("/etc/hostname").unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("payload does not match any of the supported image formats:"),
        "{o:?}"
    );
    // Nothing is left in the temporary directory.
    let tmp = b.globals()[5].clone();
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        !left
            .iter()
            .any(|n| n.to_string_lossy().starts_with("berth-")),
        "{left:?}"
    );
}

#[test]
fn volume_types_duplicate_mounts_and_filtered_prune() {
    let b = Berth::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    std::fs::write(dir.path().join("myfile"), "").unwrap();
    // 160-volumes "podman volume type=bind".
    let r = b.run(&[
        "volume",
        "create",
        "-o",
        "type=bind",
        "-o",
        "device=/bogus",
        "bv",
    ]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (125, "Error: invalid volume option device for driver 'local': stat /bogus: no such file or directory\n")
    );
    let dev = format!("device={d}");
    assert_eq!(
        b.ok(&["volume", "create", "-o", "type=bind", "-o", &dev, "bv"]),
        "bv\n"
    );
    let r = b.run_rm(
        &["-v", "bv:/vol:z"],
        &["stat", "-c", "%u:%s", "/vol/myfile"],
    );
    assert_eq!(r.out, "0:0\n", "{r:?}");
    // 160-volumes "podman volume type=tmpfs".
    b.ok(&[
        "volume",
        "create",
        "-o",
        "type=tmpfs",
        "-o",
        "device=tmpfs",
        "tv",
    ]);
    let r = b.run_rm(&["-v", "tv:/vol"], &["stat", "-f", "-c", "%T", "/vol"]);
    assert_eq!(r.out, "tmpfs\n", "{r:?}");
    // 160-volumes "podman volume duplicates".
    let v1 = format!("{d}:/vol1");
    b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        &v1,
        "-v",
        &v1,
        IMG,
        "true",
    ]);
    b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "vol1:/vol1",
        "-v",
        "vol1:/vol1",
        IMG,
        "true",
    ]);
    b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--tmpfs",
        "/vol1",
        "--tmpfs",
        "/vol1",
        IMG,
        "true",
    ]);
    b.fails(
        &[
            "run",
            "--rm",
            "-v",
            "vol1:/vol1",
            "-v",
            "vol2:/vol1",
            IMG,
            "true",
        ],
        "/vol1: duplicate mount destination",
    );
    b.fails(
        &[
            "run",
            "--rm",
            "-v",
            "vol2:/vol2",
            "--tmpfs",
            "/vol2",
            IMG,
            "true",
        ],
        "/vol2: duplicate mount destination",
    );
    // 160-volumes "podman volume prune": the confirmation lists what the filter lets through.
    b.ok(&["volume", "create", "--label", "mylabel", "lv"]);
    let o = b
        .cmd()
        .args(["volume", "prune", "--filter", "label=mylabel"])
        .stdin(std::process::Stdio::piped())
        .output()
        .unwrap();
    let listed: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("Are you sure"))
        .map(str::to_owned)
        .collect();
    assert_eq!(listed, ["lv"], "{o:?}");
    assert_eq!(
        b.ok(&["volume", "prune", "--force", "--filter", "label=mylabel"]),
        "lv\n"
    );
}

#[test]
fn wait_prints_each_code_and_exits_0() {
    let b = Berth::new();
    // 045-start "podman start --all --filter": `wait` on 0 and 1 succeeds.
    let ok = b.ok(&["run", "-d", "--network", "none", IMG, "true"]);
    let bad = b.ok(&["run", "-d", "--network", "none", IMG, "false"]);
    assert_eq!(b.ok(&["wait", ok.trim(), bad.trim()]), "0\n1\n");
    // 130-kill "podman wait - exit codes": a container that never ran is not waited for.
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "never",
        IMG,
        "/no/such/command",
    ]);
    assert_eq!(b.ok(&["wait", "never"]), "0\n");
    let k = b.sleeper("killed", &[]);
    b.ok(&["kill", &k]);
    assert_eq!(b.ok(&["wait", "killed"]), "137\n");
    // A missing container: podman's message, 125; the others are still printed.
    let r = b.run(&["wait", "nosuch", ok.trim()]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (
            125,
            "0\n",
            "Error: no container with name or ID \"nosuch\" found: no such container\n"
        )
    );
}

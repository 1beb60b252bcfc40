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

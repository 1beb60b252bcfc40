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

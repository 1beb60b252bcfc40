//! The real `berth` binary: exit codes and messages of usage errors. Each case runs with its own empty --root/--runroot so nothing
//! could touch a real installation.

use assert_cmd::Command;

fn berth(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let runroot = dir.path().join("run");
    let out = Command::cargo_bin("berth")
        .unwrap()
        .arg("--root")
        .arg(&root)
        .arg("--runroot")
        .arg(&runroot)
        .arg("--tmpdir")
        .arg(dir.path().join("tmp"))
        .arg("--cni-config-dir")
        .arg(dir.path().join("cni"))
        .args(args)
        .env_remove("BERTH_CONFIG")
        .env("CONTAINERS_CONF", "/dev/null")
        .env("CONTAINERS_STORAGE_CONF", "/dev/null")
        .output()
        .unwrap();
    (
        out.status.code().expect("berth ended by a signal"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn version_prints_and_exits_0() {
    let (code, out, err) = berth(&["version"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Client:       berth\nVersion:      0.1.0\nAPI Version:  0.1.0\n"),
        "{out}"
    );
    let (code, out, _) = berth(&["--version"]);
    assert_eq!(code, 0);
    assert_eq!(out, "berth version 0.1.0\n");
    let (code, out, _) = berth(&["-v"]);
    assert_eq!(code, 0);
    assert_eq!(out, "berth version 0.1.0\n");
    let (code, out, _) = berth(&["version", "--format", "{{.Client.Version}}"]);
    assert_eq!(code, 0);
    assert_eq!(out, "0.1.0\n");
    let (code, out, _) = berth(&["version", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["Client"]["Version"], "0.1.0");
    assert_eq!(v["Client"]["APIVersion"], "0.1.0");
    assert!(v.get("Server").is_none(), "{v}");
    assert!(
        out.starts_with("{\"Client\":{\"APIVersion\":\"0.1.0\",\"Version\":\"0.1.0\","),
        "{out}"
    );
    let (code, out, _) = berth(&["version", "--format", "{{.Server.Version}}"]);
    assert_eq!(code, 0);
    assert_eq!(out, "0.1.0\n");
    let (code, _, err) = berth(&["version", "--format", "{{.Bogus}}"]);
    assert_eq!(code, 125, "{err}");
}

#[test]
fn help_exits_0() {
    let (code, out, _) = berth(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Manage pods, containers and images"));
    let (code, out, _) = berth(&["run", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--publish") && out.contains("--hostname"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_125_not_2() {
    for args in [
        &["ps", "--bogus"][..],
        &["nosuchcommand"][..],
        &["rm"][..],
        &["stop", "--time", "soon", "c"][..],
        &["pull"][..],
        &["push"][..],
        &["--cgroup-manager", "upstart", "ps"][..],
        &[][..],
    ] {
        let (code, out, err) = berth(args);
        assert_eq!(code, 125, "{args:?}: {err}");
        assert!(err.starts_with("Error: "), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!out.contains("Error"), "{args:?}: errors go to stderr");
    }
}

#[test]
fn bad_values_exit_125_with_the_flag_named() {
    for (args, want) in [
        (&["run", "-m", "1x", "img"][..], "--memory"),
        (&["run", "-p", "99999:80", "img"][..], "--publish"),
        (&["run", "--ulimit", "nofile=10:5", "img"][..], "--ulimit"),
        (&["run", "--stop-signal", "FOO", "img"][..], "--stop-signal"),
        (&["create", "-v", "data:relative", "img"][..], "--volume"),
        (
            &["run", "--env-file", "/nonexistent/berth.env", "img"][..],
            "/nonexistent/berth.env",
        ),
        (&["ps", "--filter", "bogus=1"][..], "unknown filter"),
        (&["ps", "--format", "{{.ID"][..], "--format"),
        (&["kill", "-s", "NOPE", "c"][..], "--signal"),
        (&["pod", "create", "--share", "mnt"][..], "--share"),
        (&["cp", "/a", "/b"][..], "container"),
    ] {
        let (code, _, err) = berth(args);
        assert_eq!(code, 125, "{args:?}: {err}");
        assert!(
            err.starts_with("Error: ") && err.contains(want),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn network_create_refuses_unsupported_flags_by_name() {
    for (args, flag) in [
        (&["network", "create", "--ipv6", "n1"][..], "--ipv6"),
        (&["network", "create", "-o", "mtu=x", "n1"][..], "mtu"),
    ] {
        let (code, out, err) = berth(args);
        assert_eq!(code, 125, "{args:?}");
        assert!(out.is_empty());
        assert!(err.starts_with("Error: ") && err.contains(flag), "{err}");
    }
}

//! End to end: `generate systemd` over the real binary, runc and conmon. The units'
//! command lines are run by hand (no systemd here runs them): `%t` and `%n` are filled in
//! as systemd would, and the container must come up. `systemd-analyze verify` checks the
//! unit files.

mod common;

use common::{eventually, Berth, IMG};
use std::path::Path;
use std::process::Command;

/// The value of `KEY=` in a unit, its `\` + newline + tab continuations joined.
fn directive(unit: &str, key: &str) -> String {
    let joined = unit.replace(" \\\n\t", " ");
    joined
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in\n{unit}"))
        .to_owned()
}

/// Runs a unit's command line as systemd would (`%t` = `runtime_dir`, `%n` = the unit's
/// file name), with this instance's test environment; asserts success.
fn exec(b: &Berth, line: &str, runtime_dir: &Path, unit: &str) -> String {
    let line = line
        .replace("%t", &runtime_dir.to_string_lossy())
        .replace("%n", unit);
    let words: Vec<&str> = line.split_whitespace().collect();
    let o = Command::new(words[0])
        .args(&words[1..])
        .env("BERTH_DEFAULT_BRIDGE", format!("{}:{}", b.bridge, b.subnet))
        .env("BERTH_CGROUP_PARENT", &b.cgroup_parent)
        .env_remove("BERTH_CONFIG")
        .output()
        .unwrap();
    assert!(o.status.success(), "{line}: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn status(b: &Berth, name: &str) -> String {
    b.run(&["inspect", "--format", "{{.State.Status}}", name])
        .out
        .trim()
        .to_owned()
}

/// `systemd-analyze verify` accepts the file (no man page lookup: berth ships none).
fn verify(path: &Path) {
    let o = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(path)
        .output()
        .expect("systemd-analyze is needed for this test");
    assert!(
        o.status.success(),
        "systemd-analyze verify {}: {o:?}",
        path.display()
    );
}

#[test]
fn new_unit_runs_the_container_from_its_create_command() {
    let b = Berth::new();
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "web",
        IMG,
        "sleep",
        "600",
    ]);
    // The command line is recorded (podman's `CreateCommand` in inspect).
    let cc = b.ok(&[
        "inspect",
        "--format",
        "{{json .Config.CreateCommand}}",
        "web",
    ]);
    assert!(
        cc.trim().ends_with(
            r#""create","--network","none","--name","web","localhost/bb:latest","sleep","600"]"#
        ),
        "{cc}"
    );
    let unit = b.ok(&["generate", "systemd", "--new", "--name", "web"]);
    assert!(unit.starts_with("# container-web.service\n"), "{unit}");
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_berth")).unwrap();
    let start = directive(&unit, "ExecStart");
    assert!(
        start.starts_with(&format!("{} --root ", exe.display())),
        "{start}"
    );
    assert!(start.contains(" run --cidfile=%t/%n.ctr-id "), "{start}");
    assert!(
        start.ends_with(" --name web localhost/bb:latest sleep 600"),
        "{start}"
    );
    // The old container makes way (`--replace`), the new one runs.
    b.ok(&["rm", "web"]);
    let rt = tempfile::tempdir().unwrap();
    let name = "container-web.service";
    exec(&b, &directive(&unit, "ExecStartPre"), rt.path(), name);
    exec(&b, &start, rt.path(), name);
    assert_eq!(status(&b, "web"), "running");
    let cid = std::fs::read_to_string(rt.path().join("container-web.service.ctr-id")).unwrap();
    assert!(b
        .ok(&["inspect", "--format", "{{.Id}}", "web"])
        .starts_with(cid.trim()));
    let conmon: u32 = std::fs::read_to_string(rt.path().join("container-web.service.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(Path::new(&format!("/proc/{conmon}")).exists());
    exec(&b, &directive(&unit, "ExecStop"), rt.path(), name);
    exec(&b, &directive(&unit, "ExecStopPost"), rt.path(), name);
    assert!(eventually(50, || b
        .run(&["container", "exists", "web"])
        .code
        == 1));
}

#[test]
fn container_unit_starts_the_existing_container_and_files_are_written() {
    let b = Berth::new();
    let id = b
        .ok(&[
            "create",
            "--network",
            "none",
            "--name",
            "web",
            IMG,
            "sleep",
            "600",
        ])
        .trim()
        .to_owned();
    let cwd = tempfile::tempdir().unwrap();
    let out = b
        .run_in(
            cwd.path(),
            &["generate", "systemd", "--files", "--no-header", "web"],
        )
        .ok();
    let file = cwd.path().join(format!("container-{id}.service"));
    assert_eq!(out, format!("{}\n", file.display()));
    let unit = std::fs::read_to_string(&file).unwrap();
    assert!(
        unit.starts_with(&format!("# container-{id}.service\n\n[Unit]\n")),
        "{unit}"
    );
    assert!(!unit.contains("autogenerated"), "{unit}");
    verify(&file);
    let rt = tempfile::tempdir().unwrap();
    exec(&b, &directive(&unit, "ExecStart"), rt.path(), "u.service");
    assert_eq!(status(&b, "web"), "running");
    assert!(Path::new(&directive(&unit, "PIDFile")).exists(), "{unit}");
    exec(&b, &directive(&unit, "ExecStop"), rt.path(), "u.service");
    assert_eq!(status(&b, "web"), "exited");
}

#[test]
fn pod_gives_a_unit_per_container_bound_to_the_pods() {
    let b = Berth::new();
    b.ok(&["pod", "create", "--name", "gp"]);
    b.ok(&[
        "create", "--pod", "gp", "--name", "gpc", IMG, "sleep", "600",
    ]);
    let cwd = tempfile::tempdir().unwrap();
    let out = b
        .run_in(cwd.path(), &["generate", "systemd", "-f", "-n", "gp"])
        .ok();
    let (pod, ctr) = (
        cwd.path().join("pod-gp.service"),
        cwd.path().join("container-gpc.service"),
    );
    assert_eq!(out, format!("{}\n{}\n", pod.display(), ctr.display()));
    let pod_unit = std::fs::read_to_string(&pod).unwrap();
    assert!(
        pod_unit.contains("Wants=container-gpc.service\nBefore=container-gpc.service\n"),
        "{pod_unit}"
    );
    assert!(
        directive(&pod_unit, "ExecStart").ends_with("-infra"),
        "{pod_unit}"
    );
    let ctr_unit = std::fs::read_to_string(&ctr).unwrap();
    assert!(
        ctr_unit.contains("BindsTo=pod-gp.service\nAfter=pod-gp.service\n"),
        "{ctr_unit}"
    );
    verify(&pod);
    verify(&ctr);
    let rt = tempfile::tempdir().unwrap();
    exec(
        &b,
        &directive(&pod_unit, "ExecStart"),
        rt.path(),
        "pod-gp.service",
    );
    exec(
        &b,
        &directive(&ctr_unit, "ExecStart"),
        rt.path(),
        "container-gpc.service",
    );
    assert_eq!(status(&b, "gpc"), "running");
    // --new is not there for pods yet; refused by name.
    b.fails_with(
        &["generate", "systemd", "--new", "gp"],
        "--new on a pod is not supported yet",
    );
}

#[test]
fn bad_input_is_refused_with_podmans_errors() {
    let b = Berth::new();
    b.ok(&["create", "--network", "none", "--name", "web", IMG, "true"]);
    let cwd = tempfile::tempdir().unwrap();
    let r = b.run_in(
        cwd.path(),
        &[
            "generate",
            "systemd",
            "-f",
            "--restart-policy",
            "bogus",
            "web",
        ],
    );
    assert_eq!(r.code, 125, "{r:?}");
    assert_eq!(r.err, "Error: bogus is not a valid restart policy\n");
    b.fails(
        &["generate", "systemd", "nosuch"],
        "nosuch does not refer to a container or pod: no pod with name or ID nosuch found: \
         no such pod: no container with name or ID \"nosuch\" found: no such container",
    );
    b.fails_with(
        &["generate", "systemd", "--template", "web"],
        "--template cannot be set without --new",
    );
    assert_eq!(
        std::fs::read_dir(cwd.path()).unwrap().count(),
        0,
        "nothing written"
    );
    let r = b.run(&["generate", "systemd", "--format", "yaml", "web"]);
    assert_eq!(r.code, 125, "{r:?}");
}

#[test]
fn json_format_maps_unit_names_to_their_text() {
    let b = Berth::new();
    b.ok(&["create", "--network", "none", "--name", "web", IMG, "true"]);
    let out = b.ok(&[
        "generate",
        "systemd",
        "--format",
        "json",
        "-n",
        "--restart-policy",
        "always",
        "web",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v["container-web"].as_str().unwrap();
    assert!(text.contains("\nRestart=always\n"), "{text}");
}

//! End to end: `pod top`, `pod logs` and `pod stats` over a real pod (infra
//! container included where podman includes it), and bad input.

mod common;

use common::{eventually, Berth, IMG};

/// A pod `pv` with two members printing a line each, then sleeping.
fn pod_with_two(b: &Berth) -> String {
    let pod = b
        .ok(&["pod", "create", "--network", "none", "--name", "pv"])
        .trim()
        .to_owned();
    for n in ["pv1", "pv2"] {
        b.ok(&[
            "run",
            "-d",
            "--pod",
            "pv",
            "--name",
            n,
            IMG,
            "sh",
            "-c",
            &format!("echo hello from {n}; exec sleep 600"),
        ]);
    }
    pod
}

#[test]
fn pod_top_lists_every_members_processes() {
    let b = Berth::new();
    pod_with_two(&b);
    let out = b.ok(&["pod", "top", "pv"]);
    let mut lines = out.lines();
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        head,
        ["USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"],
        "{out}"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(
        rows.iter().filter(|l| l.ends_with("sleep 600")).count(),
        2,
        "{out}"
    );
    // The infra container's process is listed too, as podman lists /pause.
    assert_eq!(rows.len(), 3, "{out}");
    // -l is the latest pod; descriptors after POD are taken.
    assert_eq!(b.ok(&["pod", "top", "-l"]).lines().count(), 4);
    assert_eq!(
        b.ok(&["pod", "top", "pv", "pid", "args"]).lines().count(),
        4
    );
}

#[test]
fn pod_logs_show_the_members_not_the_infra() {
    let b = Berth::new();
    pod_with_two(&b);
    assert!(eventually(50, || {
        b.ok(&["pod", "logs", "pv"]).lines().count() == 2
    }));
    let out = b.ok(&["pod", "logs", "--names", "pv"]);
    let mut lines: Vec<&str> = out.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["pv1 hello from pv1", "pv2 hello from pv2"], "{out}");
    // -c picks one member; its lines then carry no prefix, as `logs` of one.
    assert_eq!(
        b.ok(&["pod", "logs", "-c", "pv2", "pv"]),
        "hello from pv2\n"
    );
    assert_eq!(b.ok(&["pod", "logs", "--tail", "0", "-l"]), "");
    let ts = b.ok(&["pod", "logs", "-t", "-c", "pv1", "pv"]);
    assert!(ts.ends_with(" hello from pv1\n") && ts.len() > 30, "{ts}");
}

#[test]
fn pod_stats_rows_per_running_container() {
    let b = Berth::new();
    let pod = pod_with_two(&b);
    let out = b.ok(&["pod", "stats", "--no-stream", "pv"]);
    let mut lines = out.lines();
    let head = lines.next().unwrap();
    for col in [
        "POD",
        "CID",
        "NAME",
        "CPU %",
        "MEM USAGE/ LIMIT",
        "MEM %",
        "NET IO",
        "BLOCK IO",
        "PIDS",
    ] {
        assert!(head.contains(col), "{col} in {out}");
    }
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "infra and two members: {out}");
    assert!(rows.iter().all(|r| r.starts_with(&pod[..12])), "{out}");
    let names = b.ok(&[
        "pod",
        "stats",
        "--no-stream",
        "-a",
        "--format",
        "{{.Name}} {{.PIDS}}",
    ]);
    assert!(names.contains("pv1 ") && names.contains("pv2 "), "{names}");
    let json: serde_json::Value =
        serde_json::from_str(&b.ok(&["pod", "stats", "--no-stream", "-l", "--format", "json"]))
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3, "{json}");
    assert_eq!(json[0]["Pod"], &pod[..12]);
    // Nothing running: podman's row of dashes.
    b.ok(&["pod", "stop", "-t", "0", "pv"]);
    let out = b.ok(&["pod", "stats", "--no-stream"]);
    assert_eq!(
        out.lines().nth(1).unwrap().split_whitespace().next(),
        Some("--"),
        "{out}"
    );
}

#[test]
fn bad_input_is_refused() {
    let b = Berth::new();
    b.fails(
        &["pod", "top", "nopod"],
        "unable to look up requested container: no pod with name or ID nopod found: no such pod",
    );
    b.fails(
        &["pod", "logs", "nopod"],
        "no pod with name or ID nopod found: no such pod",
    );
    b.fails(
        &["pod", "stats", "--no-stream", "nopod"],
        "unable to get list of pods: no pod with name or ID nopod found: no such pod",
    );
    b.fails(
        &["pod", "top"],
        "you must provide the name or id of a running pod",
    );
    b.fails(
        &["pod", "logs"],
        "specify at least one pod name or ID to log",
    );
    b.fails(
        &["pod", "logs", "-l", "x"],
        "--latest and pods cannot be used together",
    );
    b.fails(
        &["pod", "stats", "-a", "x"],
        "--all, --latest and arguments cannot be used together",
    );
    b.fails_with(&["pod", "logs", "--since", "bogus", "x"], "--since");
    b.fails_with(&["pod", "stats", "--format", "{{.Bad", "x"], "--format");
    b.ok(&["pod", "create", "--network", "none", "--name", "other"]);
    b.sleeper("lone", &[]);
    b.fails_with(&["pod", "logs", "-c", "lone", "other"], "not in pod");
}

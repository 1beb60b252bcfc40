//! End to end: the `run`/`create` flags added for podman parity that change
//! what happens to a real container (log driver and log path, time zone,
//! `--rmi`, pid and cid files, `-a`, `--timeout`, namespaces, `--pod new:`,
//! `--restart`, `--env-merge`, `--http-proxy`, `--noout`, a flag given twice,
//! unknown flags), each over runc, conmon and its own instance (see `common`).
//! Resources, devices, mounts and ports are in `e2e_run_resources.rs`.

mod common;

use common::{eventually, Berth, IMG};
use std::time::{Duration, Instant};

#[test]
fn log_driver_none_streams_but_keeps_no_log() {
    let b = Berth::new();
    let r = b.run(&[
        "run",
        "--name",
        "quiet",
        "--log-driver",
        "none",
        "--network",
        "none",
        IMG,
        "echo",
        "hi",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, "hi\n"), "{r:?}");
    b.fails_with(&["logs", "quiet"], "log driver");
    b.ok(&["rm", "quiet"]);
}

#[test]
fn log_opt_path_places_the_k8s_file_log() {
    let b = Berth::new();
    let log = b.dir.path().join("my.log");
    let opt = format!("path={}", log.display());
    b.ok(&[
        "run",
        "--name",
        "logged",
        "--log-driver",
        "k8s-file",
        "--log-opt",
        &opt,
        "--log-opt",
        "max-size=1mb",
        "--network",
        "none",
        IMG,
        "echo",
        "to-the-file",
    ]);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("stdout F to-the-file"), "{text}");
    assert_eq!(b.ok(&["logs", "logged"]), "to-the-file\n");
    let path = b.ok(&["inspect", "--format", "{{.LogPath}}", "logged"]);
    assert_eq!(path.trim(), log.to_str().unwrap());
}

#[test]
fn tz_sets_the_containers_local_time() {
    let b = Berth::new();
    let r = b.run_rm(&["--tz", "Asia/Tokyo"], &["date", "+%Z"]);
    assert_eq!((r.code, r.out.as_str()), (0, "JST\n"), "{r:?}");
    let host = std::process::Command::new("date")
        .arg("+%Z")
        .output()
        .unwrap();
    let r = b.run_rm(&["--tz", "local"], &["date", "+%Z"]);
    assert_eq!(r.out, String::from_utf8_lossy(&host.stdout), "{r:?}");
    b.fails_with(
        &["run", "--rm", "--tz", "Mars/Olympus", IMG, "true"],
        "--tz",
    );
    // Nothing is left of the refused one.
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn rmi_removes_the_image_unless_another_container_uses_it() {
    let b = Berth::new();
    b.ok(&["create", "--name", "holder", IMG, "true"]);
    b.ok(&["run", "--rmi", "--network", "none", IMG, "true"]);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 0, "in use: kept");
    b.ok(&["rm", "holder"]);
    b.ok(&["run", "--rmi", "--network", "none", IMG, "true"]);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 1, "unused: removed");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "", "--rmi implies --rm");
}

#[test]
fn cid_conmon_and_container_pid_files() {
    let b = Berth::new();
    let d = b.dir.path();
    let (cid, conmon, pid) = (d.join("c.id"), d.join("conmon.pid"), d.join("ctr.pid"));
    let id = b
        .ok(&[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "pids",
            "--cidfile",
            cid.to_str().unwrap(),
            "--conmon-pidfile",
            conmon.to_str().unwrap(),
            "--pidfile",
            pid.to_str().unwrap(),
            IMG,
            "sleep",
            "600",
        ])
        .trim()
        .to_owned();
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), id);
    let conmon_pid = std::fs::read_to_string(&conmon).unwrap();
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", conmon_pid.trim())).unwrap();
    assert_eq!(comm.trim(), "conmon");
    let state_pid = b.ok(&["inspect", "--format", "{{.State.Pid}}", "pids"]);
    assert_eq!(
        std::fs::read_to_string(&pid).unwrap().trim(),
        state_pid.trim()
    );
    b.ok(&["rm", "-f", "-t", "0", "pids"]);
}

#[test]
fn attach_joins_only_the_streams_named() {
    let b = Berth::new();
    let r = b.run_rm(&["-a", "stdout"], &["sh", "-c", "echo out; echo err >&2"]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "out\n", ""),
        "{r:?}"
    );
    let r = b.run_rm(&["-a", "stderr"], &["sh", "-c", "echo out; echo err >&2"]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "", "err\n"),
        "{r:?}"
    );
    // Neither output stream: the id is printed, as podman does.
    let r = b.run(&[
        "run",
        "--name",
        "instream",
        "--attach",
        "stdin",
        "--network",
        "none",
        IMG,
        "echo",
        "hidden",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let id = b.ok(&["inspect", "--format", "{{.Id}}", "instream"]);
    assert_eq!(r.out, id);
}

#[test]
fn timeout_kills_a_container_that_runs_too_long() {
    let b = Berth::new();
    let start = Instant::now();
    let r = b.run_rm(&["--timeout", "2"], &["sleep", "60"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(30), "{r:?}");
}

#[test]
fn host_namespaces_when_asked() {
    let b = Berth::new();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let r = b.run_rm(&["--uts", "host"], &["hostname"]);
    assert_eq!(r.out, host, "{r:?}");
    let r = b.run_rm(&["--uts", "private"], &["hostname"]);
    assert_ne!(r.out, host, "{r:?}");
    let ipc = std::fs::read_link("/proc/self/ns/ipc").unwrap();
    let r = b.run_rm(&["--ipc", "host"], &["readlink", "/proc/self/ns/ipc"]);
    assert_eq!(r.out.trim(), ipc.to_str().unwrap(), "{r:?}");
}

#[test]
fn pod_new_creates_the_pod_and_rm_removes_it() {
    let b = Berth::new();
    b.ok(&["run", "--pod", "new:fresh", "--name", "member", IMG, "true"]);
    assert_eq!(b.run(&["pod", "exists", "fresh"]).code, 0);
    let pod = b.ok(&[
        "ps",
        "-a",
        "--pod",
        "--filter",
        "name=member",
        "--format",
        "{{.PodName}}",
    ]);
    assert_eq!(pod.trim(), "fresh");
    b.ok(&["run", "--rm", "--pod", "new:brief", IMG, "true"]);
    assert_eq!(
        b.run(&["pod", "exists", "brief"]).code,
        1,
        "--rm removes the pod it made"
    );
}

#[test]
fn a_flag_given_twice_takes_the_last_value() {
    let b = Berth::new();
    b.ok(&["create", "--name", "first", "--name", "second", IMG, "true"]);
    assert_eq!(b.run(&["container", "exists", "second"]).code, 0);
    assert_eq!(b.run(&["container", "exists", "first"]).code, 1);
    let r = b.run_rm(
        &["-w", "/tmp", "-w", "/etc", "-e", "A=1", "-e", "B=2"],
        &["sh", "-c", "pwd; echo $A$B"],
    );
    assert_eq!(r.out, "/etc\n12\n", "{r:?}");
}

#[test]
fn an_unknown_flag_is_never_an_image() {
    let b = Berth::new();
    b.fails(&["run", "--bogus", IMG], "unknown flag: --bogus");
    b.fails(&["create", "--bogus=1", IMG], "unknown flag: --bogus");
    b.fails(&["run", "-Z", IMG], "unknown shorthand flag: 'Z' in -Z");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn http_proxy_variables_reach_the_container_unless_turned_off() {
    let mut b = Berth::new();
    b.env
        .push(("http_proxy".into(), "http://proxy.example:3128".into()));
    let r = b.run_rm(&[], &["sh", "-c", "echo $http_proxy"]);
    assert_eq!(r.out, "http://proxy.example:3128\n", "{r:?}");
    let r = b.run_rm(&["--http-proxy=false"], &["sh", "-c", "echo x$http_proxy"]);
    assert_eq!(r.out, "x\n", "{r:?}");
    assert!(eventually(10, || b.ok(&["ps", "-a", "-q"]).is_empty()));
}

#[test]
fn an_existing_cidfile_is_never_overwritten() {
    let b = Berth::new();
    let cid = b.dir.path().join("taken.cid");
    std::fs::write(&cid, "someone else's\n").unwrap();
    let path = cid.to_str().unwrap();
    b.fails(
        &["run", "--cidfile", path, IMG, "true"],
        &format!(
            "container id file exists. Ensure another container is not using it or delete {path}"
        ),
    );
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), "someone else's\n");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn env_merge_builds_on_the_images_environment() {
    let b = Berth::new();
    let r = b.run_rm(
        &[
            "--env-merge",
            "PATH=/opt/bin:${PATH}",
            "--env-merge",
            "X=${NOPE:-none}",
        ],
        &["sh", "-c", "echo $PATH $X"],
    );
    let path = r
        .out
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        path.starts_with("/opt/bin:/") && path.len() > "/opt/bin:/".len(),
        "{r:?}"
    );
    assert!(r.out.ends_with(" none\n"), "{r:?}");
}

#[test]
fn restart_policies_start_a_container_that_exited_on_its_own() {
    let b = Berth::new();
    let restarts = |name: &str| -> u64 {
        b.ok(&["inspect", "--format", "{{.RestartCount}}", name])
            .trim()
            .parse()
            .unwrap()
    };
    let exited = |name: &str| {
        b.ok(&["inspect", "--format", "{{.State.Status}}", name])
            .trim()
            == "exited"
    };
    // on-failure:2 gives up after two restarts.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "flaky",
        "--network",
        "none",
        "--restart",
        "on-failure:2",
        IMG,
        "sh",
        "-c",
        "exit 3",
    ]);
    assert!(
        eventually(100, || restarts("flaky") == 2 && exited("flaky")),
        "restarts: {}",
        restarts("flaky")
    );
    // on-failure does not restart a success.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "fine",
        "--network",
        "none",
        "--restart",
        "on-failure",
        IMG,
        "true",
    ]);
    assert!(eventually(50, || exited("fine")));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(restarts("fine"), 0);
    // always restarts until stopped; a stop is final.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "again",
        "--network",
        "none",
        "--restart",
        "always",
        IMG,
        "sh",
        "-c",
        "sleep 0.3",
    ]);
    assert!(eventually(100, || restarts("again") >= 2));
    b.ok(&["stop", "-t", "0", "again"]);
    let after = restarts("again");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        restarts("again"),
        after,
        "a stopped container stays stopped"
    );
    assert!(exited("again"));
    b.ok(&["rm", "-f", "flaky", "fine", "again"]);
}

#[test]
fn noout_silences_stdout_but_not_errors() {
    let b = Berth::new();
    let r = b.run(&[
        "--noout",
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "echo",
        "hidden",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, ""), "{r:?}");
    let r = b.run(&[
        "--noout",
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        "echo e >&2",
    ]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "", "e\n"),
        "{r:?}"
    );
    let r = b.run(&["--noout", "inspect", "nosuch"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("nosuch"), "{r:?}");
}

#[test]
fn log_driver_passthrough_hands_berths_stdio_to_the_container() {
    let b = Berth::new();
    let r = b.run(&[
        "run",
        "--name",
        "direct",
        "--log-driver",
        "passthrough",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 4",
    ]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (4, "out\n", "err\n"),
        "{r:?}"
    );
    b.fails_with(&["logs", "direct"], "log driver");
    b.fails_with(
        &[
            "run",
            "--rm",
            "-t",
            "--log-driver",
            "passthrough",
            IMG,
            "true",
        ],
        "--tty",
    );
}

#[test]
fn namespaces_of_another_container() {
    let b = Berth::new();
    b.sleeper("holder", &["--hostname", "holderhost"]);
    let r = b.run_rm(&["--uts", "container:holder"], &["hostname"]);
    assert_eq!(r.out, "holderhost\n", "{r:?}");
    let pid = b.ok(&["inspect", "--format", "{{.State.Pid}}", "holder"]);
    let ipc = std::fs::read_link(format!("/proc/{}/ns/ipc", pid.trim())).unwrap();
    let r = b.run_rm(
        &["--ipc", "container:holder"],
        &["readlink", "/proc/self/ns/ipc"],
    );
    assert_eq!(r.out.trim(), ipc.to_str().unwrap(), "{r:?}");
    let path = format!("ns:/proc/{}/ns/uts", pid.trim());
    let r = b.run_rm(&["--uts", &path], &["hostname"]);
    assert_eq!(r.out, "holderhost\n", "{r:?}");
    // The joined container is a dependency: it cannot go while the other exists.
    b.ok(&[
        "create",
        "--name",
        "guest",
        "--uts",
        "container:holder",
        IMG,
        "true",
    ]);
    b.fails_with(&["rm", "-f", "holder"], "has dependent containers");
    b.ok(&["rm", "guest"]);
    b.fails_with(
        &["run", "--rm", "--pid", "container:nobody", IMG, "true"],
        "nobody",
    );
    b.ok(&["rm", "-f", "-t", "0", "holder"]);
}

#[test]
fn runtime_flags_reach_runc() {
    let b = Berth::new();
    let r = b.run(&[
        "--runtime-flag",
        "debug",
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "echo",
        "ok",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, "ok\n"), "{r:?}");
    // A flag runc does not know fails in runc, which names it.
    let r = b.run(&[
        "--runtime-flag",
        "bogus-flag",
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "true",
    ]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.err.contains("bogus-flag"), "{r:?}");
}

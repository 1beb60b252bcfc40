//! Healthchecks end to end (root, runc, conmon): `--health-*` and the image's
//! `HEALTHCHECK`, `healthcheck run` and its exit codes, the health log in inspect,
//! `ps` status and `--filter health=`, the scheduler process and its end with the
//! container, and bad values refused before anything is created.

mod common;

use common::{eventually, Berth, IMG};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `inspect NAME`'s object.
fn inspect(b: &Berth, name: &str) -> Value {
    let out = b.ok(&["inspect", name]);
    let v: Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

fn health(b: &Berth, name: &str) -> Value {
    inspect(b, name)["State"]["Health"].clone()
}

fn status_of(b: &Berth, name: &str) -> String {
    b.ok(&[
        "ps",
        "-a",
        "--filter",
        &format!("name=^{name}$"),
        "--format",
        "{{.Status}}",
    ])
    .trim()
    .to_owned()
}

fn names_with(b: &Berth, filter: &str) -> Vec<String> {
    b.ok(&["ps", "-a", "--filter", filter, "--format", "{{.Names}}"])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The scheduler's pid file of a container.
fn pid_file(b: &Berth, id: &str) -> PathBuf {
    b.dir
        .path()
        .join("tmp/containers")
        .join(id)
        .join("healthcheck.pid")
}

fn scheduler_pid(b: &Berth, id: &str) -> Option<u32> {
    let text = std::fs::read_to_string(pid_file(b, id)).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Alive and not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, r)| r.trim_start().starts_with('Z'))
        })
        .is_some_and(|zombie| !zombie)
}

/// Every process whose command line runs this instance's scheduler.
fn schedulers(b: &Berth) -> Vec<u32> {
    let root = b.dir.path().to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c).replace('\0', " ");
                c.contains(&root) && c.contains("healthcheck scheduler")
            })
        })
        .filter(|pid| alive(*pid))
        .collect()
}

/// A container that sleeps, with `opts`; its id.
fn sleeper(b: &Berth, name: &str, opts: &[&str]) -> String {
    b.sleeper(name, opts)
}

#[test]
fn a_passing_check_makes_the_container_healthy() {
    let b = Berth::new();
    let id = sleeper(
        &b,
        "ok",
        &["--health-cmd", "echo hi", "--health-interval", "disable"],
    );
    let h = health(&b, "ok");
    assert_eq!(h["Status"], "starting");
    assert_eq!(h["FailingStreak"], 0);
    assert_eq!(h["Log"], Value::Null);
    assert!(
        status_of(&b, "ok").ends_with("(starting)"),
        "{}",
        status_of(&b, "ok")
    );
    assert_eq!(names_with(&b, "health=starting"), ["ok"]);

    let r = b.run(&["healthcheck", "run", "ok"]);
    assert_eq!((r.code, r.out.as_str()), (0, ""), "{r:?}");
    let h = health(&b, "ok");
    assert_eq!(h["Status"], "healthy");
    assert_eq!(h["Log"][0]["ExitCode"], 0);
    assert_eq!(h["Log"][0]["Output"], "hi");
    assert!(h["Log"][0]["Start"].as_str().unwrap() <= h["Log"][0]["End"].as_str().unwrap());
    assert!(status_of(&b, "ok").ends_with("(healthy)"));
    assert_eq!(names_with(&b, "health=healthy"), ["ok"]);
    assert!(names_with(&b, "health=unhealthy").is_empty());

    // podman keeps the last five results; templates see State.Healthcheck too.
    for _ in 0..5 {
        b.ok(&["healthcheck", "run", &id[..12]]);
    }
    assert_eq!(health(&b, "ok")["Log"].as_array().unwrap().len(), 5);
    assert_eq!(
        b.ok(&["inspect", "ok", "--format", "{{.State.Healthcheck.Status}}"])
            .trim(),
        "healthy"
    );
    let cfg = &inspect(&b, "ok")["Config"];
    assert_eq!(
        cfg["Healthcheck"]["Test"],
        serde_json::json!(["CMD-SHELL", "echo hi"])
    );
    assert_eq!(cfg["Healthcheck"]["Timeout"], 30_000_000_000i64);
    assert_eq!(cfg["Healthcheck"]["Retries"], 3);
    assert_eq!(cfg["HealthcheckOnFailureAction"], "none");
}

#[test]
fn a_failing_check_turns_unhealthy_after_its_retries() {
    let b = Berth::new();
    sleeper(
        &b,
        "bad",
        &[
            "--health-cmd",
            r#"["sh", "-c", "echo broken; exit 3"]"#,
            "--health-retries",
            "2",
            "--health-interval",
            "disable",
        ],
    );
    let r = b.run(&["healthcheck", "run", "bad"]);
    assert_eq!((r.code, r.out.as_str()), (1, "unhealthy\n"), "{r:?}");
    let h = health(&b, "bad");
    assert_eq!(
        (h["Status"].as_str(), h["FailingStreak"].as_u64()),
        (Some("starting"), Some(1))
    );
    assert_eq!(h["Log"][0]["ExitCode"], 1);
    assert_eq!(h["Log"][0]["Output"], "broken");
    assert_eq!(
        inspect(&b, "bad")["Config"]["Healthcheck"]["Test"],
        serde_json::json!(["CMD", "sh", "-c", "echo broken; exit 3"])
    );
    assert_eq!(b.run(&["healthcheck", "run", "bad"]).code, 1);
    assert_eq!(health(&b, "bad")["Status"], "unhealthy");
    assert!(status_of(&b, "bad").ends_with("(unhealthy)"));
    assert_eq!(names_with(&b, "health=unhealthy"), ["bad"]);
}

#[test]
fn failures_in_the_start_period_do_not_count() {
    let b = Berth::new();
    sleeper(
        &b,
        "early",
        &[
            "--health-cmd",
            "false",
            "--health-retries",
            "1",
            "--health-start-period",
            "1m",
            "--health-interval",
            "disable",
        ],
    );
    for _ in 0..3 {
        assert_eq!(b.run(&["healthcheck", "run", "early"]).code, 1);
    }
    let h = health(&b, "early");
    assert_eq!(
        (h["Status"].as_str(), h["FailingStreak"].as_u64()),
        (Some("starting"), Some(0))
    );
    assert_eq!(h["Log"].as_array().unwrap().len(), 3);
    assert_eq!(
        inspect(&b, "early")["Config"]["Healthcheck"]["StartPeriod"],
        60_000_000_000i64
    );
}

#[test]
fn a_check_that_outlives_its_timeout_is_killed_and_recorded() {
    let b = Berth::new();
    sleeper(
        &b,
        "slow",
        &[
            "--health-cmd",
            "sleep 30",
            "--health-timeout",
            "1s",
            "--health-interval",
            "disable",
        ],
    );
    let t = Instant::now();
    let r = b.fails_with(
        &["healthcheck", "run", "slow"],
        "healthcheck command exceeded timeout of 1s",
    );
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "took {:?}: {r:?}",
        t.elapsed()
    );
    let h = health(&b, "slow");
    assert_eq!(h["Log"][0]["ExitCode"], -1);
    assert_eq!(h["FailingStreak"], 1);
    // The check's process is gone from the container.
    let ps = b.ok(&["exec", "slow", "ps"]);
    assert!(!ps.contains("sleep 30"), "{ps}");
}

#[test]
fn healthcheck_run_refuses_what_it_cannot_check() {
    let b = Berth::new();
    let id = sleeper(&b, "plain", &[]);
    b.fails(
        &["healthcheck", "run", "plain"],
        &format!("container {id} has no defined healthcheck"),
    );
    b.fails_with(
        &["healthcheck", "run", "nope"],
        "unable to look up nope to perform a health check",
    );
    let id = b
        .ok(&[
            "create",
            "--name",
            "idle",
            "--health-cmd",
            "true",
            IMG,
            "true",
        ])
        .trim()
        .to_owned();
    b.fails(
        &["healthcheck", "run", "idle"],
        &format!("container {id} is not running"),
    );
    // Created, never started: an empty status, no ps suffix, no health= match.
    assert_eq!(health(&b, "idle")["Status"], "");
    assert_eq!(status_of(&b, "idle"), "Created");
    assert_eq!(names_with(&b, "health=none"), ["plain"]);
    assert_eq!(b.run(&["healthcheck", "run"]).code, 125);
}

#[test]
fn the_scheduler_runs_checks_and_ends_with_the_container() {
    let b = Berth::new();
    let id = sleeper(
        &b,
        "sched",
        &["--health-cmd", "echo tick", "--health-interval", "1s"],
    );
    let first = scheduler_pid(&b, &id).expect("a scheduler pid file");
    assert!(alive(first));
    assert_eq!(schedulers(&b), [first]);
    assert!(
        eventually(50, || health(&b, "sched")["Log"]
            .as_array()
            .is_some_and(|l| l.len() >= 2)),
        "no checks ran by themselves: {}",
        health(&b, "sched")
    );
    assert_eq!(health(&b, "sched")["Status"], "healthy");

    // stop: gone, and so is its pid file.
    b.ok(&["stop", "-t", "0", "sched"]);
    assert!(!alive(first));
    assert!(!pid_file(&b, &id).exists());
    assert!(schedulers(&b).is_empty());
    assert!(status_of(&b, "sched").ends_with("(healthy)"));

    // start again: a new one, status starting again.
    b.ok(&["start", "sched"]);
    let second = scheduler_pid(&b, &id).unwrap();
    assert!(second != first && alive(second));
    assert_eq!(health(&b, "sched")["Status"], "starting");

    // kill: conmon's exit command cleans up and ends it.
    b.ok(&["kill", "sched"]);
    assert!(
        eventually(50, || !alive(second)),
        "the scheduler outlived kill"
    );

    // The container's process dies under it (a crash): it ends too.
    b.ok(&["start", "sched"]);
    let third = scheduler_pid(&b, &id).unwrap();
    let pid: i32 = inspect(&b, "sched")["State"]["Pid"].as_i64().unwrap() as i32;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL).unwrap();
    assert!(
        eventually(50, || !alive(third)),
        "the scheduler outlived a crash"
    );

    // rm -f of a running container.
    b.ok(&["start", "sched"]);
    let fourth = scheduler_pid(&b, &id).unwrap();
    b.ok(&["rm", "-f", "-t", "0", "sched"]);
    assert!(!alive(fourth));
    assert!(schedulers(&b).is_empty());

    // No interval, no scheduler.
    let id = sleeper(
        &b,
        "manual",
        &["--health-cmd", "true", "--health-interval", "disable"],
    );
    assert!(scheduler_pid(&b, &id).is_none());
    assert!(schedulers(&b).is_empty());
}

#[test]
fn health_on_failure_kill_ends_an_unhealthy_container() {
    let b = Berth::new();
    sleeper(
        &b,
        "doomed",
        &[
            "--health-cmd",
            "false",
            "--health-retries",
            "1",
            "--health-interval",
            "disable",
            "--health-on-failure",
            "kill",
        ],
    );
    assert_eq!(b.run(&["healthcheck", "run", "doomed"]).code, 1);
    assert!(eventually(50, || status_of(&b, "doomed").starts_with("Exited")));

    // restart: the same container runs again, started once more.
    let common = [
        "--stop-timeout",
        "1",
        "--health-cmd",
        "false",
        "--health-retries",
        "1",
        "--health-on-failure",
        "restart",
    ];
    sleeper(
        &b,
        "again",
        &[&common[..], &["--health-interval", "disable"]].concat(),
    );
    assert_eq!(b.run(&["healthcheck", "run", "again"]).code, 1);
    let s = &inspect(&b, "again");
    assert_eq!(
        (s["State"]["Status"].as_str(), s["RestartCount"].as_u64()),
        (Some("running"), Some(1))
    );

    // The scheduler restarting its own container survives the exit command's cleanup (a
    // new start, a new scheduler; the old one ends after its restart), and all are gone
    // after rm -f.
    let id = sleeper(
        &b,
        "looping",
        &[&common[..], &["--health-interval", "1s"]].concat(),
    );
    assert!(
        eventually(100, || inspect(&b, "looping")["RestartCount"].as_u64()
            >= Some(2)),
        "{}",
        inspect(&b, "looping")
    );
    b.ok(&["rm", "-f", "-t", "0", &id]);
    assert!(
        eventually(50, || schedulers(&b).is_empty()),
        "{:?}",
        schedulers(&b)
    );
}

/// `IMG` again as `localhost/bbhc:latest`, with a `HEALTHCHECK` in its config: saved as a
/// docker archive, its config edited, loaded back.
fn image_with_healthcheck(b: &Berth) -> &'static str {
    let dir = b.dir.path().join("hcimg");
    std::fs::create_dir_all(&dir).unwrap();
    let tar = dir.join("in.tar");
    b.ok(&[
        "save",
        "--format",
        "docker-archive",
        "-o",
        tar.to_str().unwrap(),
        IMG,
    ]);
    let x = dir.join("x");
    std::fs::create_dir_all(&x).unwrap();
    untar(&tar, &x);
    let manifest_path = x.join("manifest.json");
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let config_path = x.join(manifest[0]["Config"].as_str().unwrap());
    let mut config: Value = serde_json::from_slice(&std::fs::read(&config_path).unwrap()).unwrap();
    config["config"]["Healthcheck"] = serde_json::json!({
        "Test": ["CMD-SHELL", "echo from-image"],
        "Interval": 2_000_000_000i64,
        "Retries": 2,
    });
    std::fs::write(&config_path, serde_json::to_vec(&config).unwrap()).unwrap();
    manifest[0]["RepoTags"] = serde_json::json!(["localhost/bbhc:latest"]);
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let out = dir.join("out.tar");
    let st = std::process::Command::new("tar")
        .arg("-C")
        .arg(&x)
        .arg("-cf")
        .arg(&out)
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());
    b.ok(&["load", "-i", out.to_str().unwrap()]);
    "localhost/bbhc:latest"
}

fn untar(tar: &Path, into: &Path) {
    let st = std::process::Command::new("tar")
        .arg("-C")
        .arg(into)
        .arg("-xf")
        .arg(tar)
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn the_image_healthcheck_is_the_default_and_can_be_turned_off() {
    let b = Berth::new();
    let img = image_with_healthcheck(&b);
    let shown: Value = serde_json::from_str(&b.ok(&[
        "image",
        "inspect",
        img,
        "--format",
        "{{json .HealthCheck}}",
    ]))
    .unwrap();
    assert_eq!(
        shown["Test"],
        serde_json::json!(["CMD-SHELL", "echo from-image"])
    );
    let id = b
        .ok(&[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "img",
            img,
            "sleep",
            "600",
        ])
        .trim()
        .to_owned();
    let hc = &inspect(&b, "img")["Config"]["Healthcheck"];
    assert_eq!(
        hc["Test"],
        serde_json::json!(["CMD-SHELL", "echo from-image"])
    );
    assert_eq!(
        (
            hc["Interval"].as_i64(),
            hc["Timeout"].as_i64(),
            hc["Retries"].as_i64()
        ),
        (Some(2_000_000_000), Some(30_000_000_000), Some(2))
    );
    assert!(scheduler_pid(&b, &id).is_some());
    b.ok(&["healthcheck", "run", "img"]);
    assert_eq!(health(&b, "img")["Log"][0]["Output"], "from-image");

    // --health-cmd replaces it; --no-healthcheck and --health-cmd none turn it off.
    b.ok(&[
        "create",
        "--name",
        "mine",
        "--health-cmd",
        "echo mine",
        img,
        "true",
    ]);
    assert_eq!(
        inspect(&b, "mine")["Config"]["Healthcheck"]["Test"],
        serde_json::json!(["CMD-SHELL", "echo mine"])
    );
    for (name, flags) in [
        ("off", &["--no-healthcheck"][..]),
        ("none", &["--health-cmd", "none"][..]),
    ] {
        let mut args = vec!["run", "-d", "--network", "none", "--name", name];
        args.extend(flags);
        args.extend([img, "sleep", "600"]);
        let id = b.ok(&args).trim().to_owned();
        assert_eq!(
            inspect(&b, name)["Config"]["Healthcheck"]["Test"],
            serde_json::json!(["NONE"])
        );
        assert!(scheduler_pid(&b, &id).is_none());
        b.fails(
            &["healthcheck", "run", name],
            &format!("container {id} has no defined healthcheck"),
        );
        assert!(!status_of(&b, name).contains('('));
    }
    let mut none = names_with(&b, "health=none");
    none.sort();
    assert_eq!(none, ["none", "off"]);
}

#[test]
fn bad_health_values_are_refused_and_nothing_is_created() {
    let b = Berth::new();
    for (flags, part) in [
        (
            &["--health-cmd", "true", "--health-interval", "500ms"][..],
            "--health-interval",
        ),
        (
            &["--health-cmd", "true", "--health-interval", "bogus"][..],
            "--health-interval",
        ),
        (
            &["--health-cmd", "true", "--health-retries", "0"][..],
            "--health-retries",
        ),
        (
            &["--health-cmd", "true", "--health-timeout", "0s"][..],
            "--health-timeout",
        ),
        (
            &["--health-cmd", "true", "--health-start-period", "-1s"][..],
            "--health-start-period",
        ),
        (&["--health-cmd", "[1]"][..], "--health-cmd"),
        (&["--health-cmd", ""][..], "--health-cmd"),
        (
            &["--health-cmd", "true", "--no-healthcheck"][..],
            "--no-healthcheck",
        ),
        (
            &["--health-cmd", "true", "--health-on-failure", "explode"][..],
            "--health-on-failure",
        ),
    ] {
        for verb in ["create", "run"] {
            let mut args = vec![verb, "--name", "x"];
            args.extend(flags);
            args.extend([IMG, "true"]);
            b.fails_with(&args, part);
            assert_eq!(b.ok(&["ps", "-a", "-q"]), "", "{args:?} created something");
        }
    }
    b.fails_with(
        &["ps", "--filter", "health=sick"],
        "unknown health \"sick\"",
    );
}

//! End to end: the events log (`TMP/events/events.log`) written by every berth
//! process that does something, conmon's exit command included, and `berth
//! events` reading it: podman 4.3.1's sequences for a container's life,
//! filters, `--since`/`--until`, following, bad input, concurrent writers and
//! rotation.

mod common;

use common::{Berth, IMG};
use std::io::BufRead;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The statuses `events --stream=false` shows for `filters`, in order.
fn statuses(b: &Berth, filters: &[&str]) -> Vec<String> {
    let mut args = vec!["events", "--stream=false", "--format", "{{.Status}}"];
    for f in filters {
        args.extend(["--filter", f]);
    }
    b.ok(&args).lines().map(str::to_owned).collect()
}

/// Now as a Unix time with nanoseconds (a `--since`/`--until` value).
fn now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

fn log_path(b: &Berth) -> std::path::PathBuf {
    b.dir.path().join("tmp/events/events.log")
}

#[test]
fn a_containers_life_reads_as_podmans() {
    let b = Berth::new();
    // `podman run --rm`: create, init, start, attach, died, remove (no cleanup event: its
    // cleanup is its removal).
    let r = b.run_rm(
        &["--name", "once", "--label", "team=a"],
        &["sh", "-c", "exit 3"],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert_eq!(
        statuses(&b, &["container=once"]),
        ["create", "init", "start", "attach", "died", "remove"]
    );
    let died = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "container=once",
        "--filter",
        "event=died",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(died.trim()).unwrap();
    assert_eq!(v["ContainerExitCode"], 3, "{v}");
    assert_eq!(v["Type"], "container");
    assert_eq!(v["Name"], "once");
    assert_eq!(v["Image"], IMG);
    assert_eq!(v["Attributes"]["team"], "a");
    assert_eq!(v["ID"].as_str().unwrap().len(), 64);

    // `podman create/start/stop/rm`: died, then stop and cleanup (conmon's exit command adds
    // nothing: the stop cleaned up already).
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "life",
        IMG,
        "sleep",
        "600",
    ]);
    b.ok(&["start", "life"]);
    b.ok(&["stop", "-t", "0", "life"]);
    b.ok(&["rm", "life"]);
    assert_eq!(
        statuses(&b, &["container=life"]),
        ["create", "init", "start", "died", "stop", "cleanup", "remove"]
    );
    let codes = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "container=life",
        "--filter",
        "event=died",
        "--format",
        "{{.ContainerExitCode}}",
    ]);
    assert_eq!(codes, "137\n");

    // A detached container that ends by itself: conmon's exit command records died and
    // cleanup.
    b.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "self",
        IMG,
        "true",
    ]);
    assert!(
        common::eventually(100, || statuses(&b, &["container=self"]).len() >= 5),
        "{:?}",
        statuses(&b, &["container=self"])
    );
    assert_eq!(
        statuses(&b, &["container=self"]),
        ["create", "init", "start", "died", "cleanup"]
    );

    // pause, unpause, kill, exec, mount, unmount, restart.
    let id = b.sleeper("busy", &[]);
    b.ok(&["pause", "busy"]);
    b.ok(&["unpause", "busy"]);
    b.ok(&["exec", "busy", "true"]);
    b.ok(&["restart", "-t", "0", "busy"]);
    b.ok(&["kill", "busy"]);
    // conmon's exit command records the end of the killed process.
    let filter = format!("container={}", &id[..12]);
    assert!(common::eventually(100, || statuses(&b, &[&filter])
        .last()
        .is_some_and(|s| s == "cleanup")));
    b.ok(&["rm", "busy"]);
    assert_eq!(
        statuses(&b, &[&filter]),
        [
            "create",
            "init",
            "start",
            "pause",
            "unpause",
            "exec",
            "exec_died",
            "restart",
            "died",
            "stop",
            "cleanup",
            "init",
            "start",
            "kill",
            "died",
            "cleanup",
            "remove"
        ]
    );

    // The default line is podman's, ids whole unless --no-trunc=false.
    let line = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "container=once",
        "--filter",
        "event=create",
    ]);
    let full = v["ID"].as_str().unwrap();
    assert!(
        line.trim_end().ends_with(&format!(
            " container create {full} (image={IMG}, name=once, team=a)"
        )),
        "{line}"
    );
    assert!(line.contains(" +0000 UTC container create"), "{line}");
    let short = b.ok(&[
        "events",
        "--stream=false",
        "--no-trunc=false",
        "--filter",
        "container=once",
        "--filter",
        "event=create",
    ]);
    assert!(
        short.contains(&format!(" {} (image=", &full[..12])),
        "{short}"
    );
}

#[test]
fn images_volumes_networks_and_pods_are_recorded() {
    let b = Berth::new();
    b.ok(&["tag", IMG, "localhost/other:1"]);
    b.ok(&["untag", IMG, "localhost/other:1"]);
    let img = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "type=image",
        "--format",
        "{{.Status}} {{.Name}}",
    ]);
    let lines: Vec<&str> = img.lines().collect();
    assert_eq!(
        lines,
        [
            format!("import {IMG}").as_str(),
            "tag localhost/other:1",
            "untag localhost/other:1"
        ]
    );
    b.ok(&["volume", "create", "v1"]);
    b.ok(&["volume", "rm", "v1"]);
    b.ok(&["volume", "create", "v2"]);
    b.ok(&["volume", "prune", "-f"]);
    let vols = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "type=volume",
        "--format",
        "{{.Status}} {{.Name}}",
    ]);
    assert_eq!(
        vols,
        "create v1\nremove v1\ncreate v2\nremove v2\nprune v2\n"
    );
    assert!(b
        .ok(&["events", "--stream=false", "--filter", "type=volume"])
        .contains(" volume create v1\n"));

    let bridge = format!("{}n", b.bridge);
    let subnet = format!("10.{}.250.0/24", 230 + std::process::id() % 20);
    b.ok(&[
        "network",
        "create",
        "--subnet",
        &subnet,
        "-o",
        &format!("com.docker.network.bridge.name={bridge}"),
        "evnet",
    ]);
    b.ok(&["network", "rm", "evnet"]);
    assert_eq!(statuses(&b, &["network=evnet"]), ["create", "remove"]);

    b.ok(&["pod", "create", "--infra=false", "--name", "evpod"]);
    b.ok(&["pod", "rm", "evpod"]);
    assert_eq!(statuses(&b, &["pod=evpod"]), ["create", "remove"]);
}

#[test]
fn filters_and_or_and_times_select() {
    let b = Berth::new();
    b.ok(&["volume", "create", "--label", "k=v", "a1"]);
    let mid = now();
    std::thread::sleep(Duration::from_millis(20));
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "c1",
        "--label",
        "k=v",
        IMG,
        "true",
    ]);
    b.ok(&["create", "--network", "none", "--name", "c2", IMG, "true"]);
    b.ok(&["rm", "c1", "c2"]);
    // One key: any value; several keys: all of them.
    assert_eq!(statuses(&b, &["container=c1", "container=c2"]).len(), 4);
    assert_eq!(
        statuses(&b, &["container=c1", "container=c2", "event=remove"]),
        ["remove", "remove"]
    );
    assert_eq!(statuses(&b, &["label=k=v"]), ["create", "remove"]);
    assert_eq!(
        statuses(&b, &["type=volume", "type=container", "event=create"]).len(),
        3
    );
    // --since leaves out the volume, --until everything after `mid`.
    let since = b.ok(&[
        "events",
        "--since",
        &mid,
        "--format",
        "{{.Type}}",
        "--stream=false",
    ]);
    assert!(
        !since.contains("volume") && since.contains("container"),
        "{since}"
    );
    let until = b.ok(&["events", "--until", &mid, "--format", "{{.Type}}"]);
    assert!(
        until.contains("volume") && !until.contains("container"),
        "{until}"
    );
    // Durations: --since 1h is everything; --until in a few seconds streams until then.
    assert_eq!(
        b.ok(&["events", "--since", "1h", "--stream=false"])
            .lines()
            .count(),
        b.ok(&["events", "--stream=false"]).lines().count()
    );
    let start = Instant::now();
    let r = b.ok(&[
        "events",
        "--since",
        "1h",
        "--until",
        "2s",
        "--filter",
        "type=volume",
    ]);
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert_eq!(r.lines().count(), 1, "{r}");
}

#[test]
fn streaming_follows_until_interrupted() {
    let b = Berth::new();
    b.ok(&["volume", "create", "old"]);
    for sig in [nix::sys::signal::SIGINT, nix::sys::signal::SIGTERM] {
        let mut child = b
            .cmd()
            .args([
                "events",
                "--filter",
                "type=volume",
                "--format",
                "{{.Status}} {{.Name}}",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        // Streaming starts at the end of the log: only what happens from now on.
        std::thread::sleep(Duration::from_millis(500));
        let name = format!("new{}", sig as i32);
        b.ok(&["volume", "create", &name]);
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line, format!("create {name}\n"));
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{sig:?}");
    }
}

#[test]
fn bad_input_is_refused_and_writes_nothing() {
    let b = Berth::new();
    let before = std::fs::read(log_path(&b)).unwrap();
    for (args, part) in [
        (
            &["events", "--filter", "bogus=1"][..],
            "bogus is an invalid filter",
        ),
        (
            &["events", "--filter", "container"][..],
            "expected KEY=VALUE",
        ),
        (
            &["events", "--filter", "type=ship"][..],
            "unknown event type \"ship\"",
        ),
        (
            &["events", "--filter", "event=explode"][..],
            "unknown event \"explode\"",
        ),
        (&["events", "--since", "yesterday"][..], "--since"),
        (&["events", "--until", "soon"][..], "--until"),
        (&["events", "--format", "{{.Nope"][..], "--format"),
        (&["events", "--stream=maybe"][..], "maybe"),
    ] {
        b.fails_with(args, part);
    }
    b.fails_with(
        &["--events-backend", "none", "events", "--stream=false"],
        "cannot read events with the \"none\" backend",
    );
    b.fails_with(&["--events-backend", "pigeon", "events"], "pigeon");
    assert_eq!(std::fs::read(log_path(&b)).unwrap(), before);
}

#[test]
fn the_none_backend_records_nothing_even_from_conmon() {
    let b = Berth::new();
    let before = std::fs::read(log_path(&b)).unwrap();
    let none = ["--events-backend", "none"];
    let run = |args: &[&str]| b.ok(&[&none[..], args].concat());
    // Ends by itself: conmon's exit command (which carries --events-backend) cleans up.
    run(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "quiet",
        IMG,
        "true",
    ]);
    assert!(common::eventually(100, || run(&[
        "ps",
        "-a",
        "--format",
        "{{.Status}}"
    ])
    .starts_with("Exited")));
    std::thread::sleep(Duration::from_millis(300));
    run(&["rm", "quiet"]);
    run(&["volume", "create", "q"]);
    assert_eq!(
        run(&["info", "--format", "{{.Host.EventLogger}}"]).trim(),
        "none"
    );
    assert_eq!(
        b.ok(&["info", "--format", "{{.Host.EventLogger}}"]).trim(),
        "file"
    );
    assert_eq!(std::fs::read(log_path(&b)).unwrap(), before);
}

#[test]
fn concurrent_writers_lose_no_line() {
    let b = Berth::new();
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let mut c = b.cmd();
            let mut args = vec!["tag".to_owned(), IMG.to_owned()];
            args.extend((0..8).map(|i| format!("localhost/w{w}:{i}")));
            c.args(&args).stdout(Stdio::null());
            c.spawn().unwrap()
        })
        .collect();
    for mut w in workers {
        assert!(w.wait().unwrap().success());
    }
    let tags = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "event=tag",
        "--format",
        "{{.Name}}",
    ]);
    let mut names: Vec<&str> = tags.lines().collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 48, "{tags}");
    // Every line of the log is whole JSON.
    let log = std::fs::read_to_string(log_path(&b)).unwrap();
    for l in log.lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{l}: {e}"));
    }
}

#[test]
fn the_log_rotates_at_podmans_size_limit() {
    let b = Berth::new();
    let path = log_path(&b);
    // Close to podman's 1,000,000 bytes with old volume events.
    let old = r#"{"Name":"filler","Status":"create","Time":"2020-01-01T00:00:00Z","Type":"volume","Attributes":null}"#;
    let mut text = std::fs::read_to_string(&path).unwrap();
    while text.len() < 999_900 {
        text.push_str(old);
        text.push('\n');
    }
    std::fs::write(&path, &text).unwrap();
    b.ok(&["volume", "create", "after"]);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 400_000 && size < 600_000, "{size}");
    let tail = b.ok(&[
        "events",
        "--stream=false",
        "--since",
        "2021-01-01T00:00:00Z",
        "--format",
        "{{.Type}} {{.Status}} {{.Name}}",
    ]);
    assert_eq!(
        tail,
        format!(
            "system log-rotation {}\nvolume create after\n",
            path.display()
        )
    );
    assert!(b
        .ok(&["events", "--stream=false"])
        .contains(" volume create filler"));
}

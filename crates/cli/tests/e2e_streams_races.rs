//! End to end: logs pass bytes through, `--sig-proxy=false`, and listings and volume
//! removal racing `run --rm` and `create`.

mod common;

use common::{eventually, Berth, IMG};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

fn raw(b: &Berth, args: &[&str]) -> Output {
    b.cmd().args(args).output().unwrap()
}

#[test]
fn logs_pass_bytes_that_are_not_utf8_through_unchanged() {
    let b = Berth::new();
    let run = raw(
        &b,
        &[
            "run",
            "--name",
            "bytes",
            "--network",
            "none",
            IMG,
            "printf",
            r"a\xff\xfe\nz\n",
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    assert_eq!(run.stdout, b"a\xff\xfe\nz\n");
    let logs = raw(&b, &["logs", "bytes"]);
    assert_eq!(logs.status.code(), Some(0), "{logs:?}");
    assert_eq!(logs.stdout, b"a\xff\xfe\nz\n");
    let tail = raw(&b, &["logs", "--tail", "1", "bytes"]);
    assert_eq!(tail.stdout, b"z\n");
    let first = raw(&b, &["logs", "--tail", "2", "bytes"]);
    assert_eq!(first.stdout, b"a\xff\xfe\nz\n");

    // -t, --since and --until still select and prefix.
    let stamped = raw(&b, &["logs", "-t", "bytes"]);
    let text = String::from_utf8_lossy(&stamped.stdout);
    assert!(text.lines().all(|l| l.starts_with("20")), "{text}");
    assert!(text.ends_with(" z\n"), "{text}");
    assert!(raw(&b, &["logs", "--since", "1m", "bytes"])
        .stdout
        .ends_with(b"z\n"));
    assert!(
        raw(&b, &["logs", "--since", "2099-01-01T00:00:00Z", "bytes"])
            .stdout
            .is_empty()
    );
    assert!(
        raw(&b, &["logs", "--until", "2000-01-01T00:00:00Z", "bytes"])
            .stdout
            .is_empty()
    );
    assert!(
        raw(&b, &["logs", "--until", "2099-01-01T00:00:00Z", "bytes"])
            .stdout
            .ends_with(b"z\n")
    );
}

/// Spawns a foreground `run` of a container that traps SIGTERM (exit 7) and waits until it
/// printed `ready`.
fn trapping_run(b: &Berth, extra: &[&str], name: &str) -> std::process::Child {
    let mut c = b.cmd();
    c.arg("run")
        .args(extra)
        .args(["--name", name, "--network", "none", IMG]);
    c.args([
        "sh",
        "-c",
        "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done",
    ]);
    c.stdout(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut buf = [0u8; 6];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut buf).unwrap();
    assert_eq!(&buf, b"ready\n");
    child
}

fn sigterm(child: &std::process::Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
}

fn wait_for(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("berth run did not end after SIGTERM");
}

#[test]
fn sig_proxy_false_leaves_the_container_running_and_the_default_forwards() {
    use std::os::unix::process::ExitStatusExt;
    let b = Berth::new();
    let mut child = trapping_run(&b, &["--sig-proxy=false"], "kept");
    // Once berth has recorded the start (the process may print before that).
    let status_of = |n: &str| b.ok(&["inspect", "--format", "{{.State.Status}}", n]);
    assert!(eventually(100, || status_of("kept").trim() == "running"));
    sigterm(&child);
    let status = wait_for(&mut child);
    // berth itself ended by the signal; the container never saw it.
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(status_of("kept").trim(), "running");
    assert!(!b.ok(&["logs", "kept"]).contains("got-term"));
    b.ok(&["rm", "-f", "-t", "0", "kept"]);

    // With the default, SIGTERM goes to the container, which exits 7.
    let mut child = trapping_run(&b, &[], "proxied");
    sigterm(&child);
    let status = wait_for(&mut child);
    assert_eq!(status.code(), Some(7), "{status:?}");
    b.ok(&["rm", "-f", "proxied"]);
}

/// Runs `f` on `n` threads until `dur` has passed; returns every failure message.
fn loop_for(dur: Duration, f: impl Fn(usize) -> Option<String> + Sync) -> Vec<String> {
    let end = Instant::now() + dur;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let f = &f;
                s.spawn(move || {
                    let mut errs = Vec::new();
                    let mut i = 0;
                    while Instant::now() < end {
                        errs.extend(f(t * 10_000 + i));
                        i += 1;
                    }
                    errs
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn failure(what: &str, o: &Output) -> Option<String> {
    (!o.status.success()).then(|| {
        format!(
            "{what}: {:?}: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn listings_beside_run_rm_never_fail_and_always_parse() {
    let b = Berth::new();
    b.ok(&["pod", "create", "--name", "busy"]);
    let errors = loop_for(Duration::from_secs(8), |i| match i % 4 {
        0 => {
            let args = ["run", "--rm", "--network", "none", IMG, "true"];
            failure("run --rm", &raw(&b, &args))
        }
        1 => {
            let args = ["run", "--rm", "--pod", "busy", IMG, "true"];
            failure("run --rm --pod", &raw(&b, &args))
        }
        2 => {
            let o = raw(&b, &["ps", "-a", "--format", "json"]);
            failure("ps -a", &o).or_else(|| {
                serde_json::from_slice::<serde_json::Value>(&o.stdout)
                    .err()
                    .map(|e| format!("ps -a output does not parse: {e}"))
            })
        }
        _ => {
            let o = raw(&b, &["pod", "ps", "--format", "json"]);
            failure("pod ps", &o)
                .or_else(|| {
                    serde_json::from_slice::<serde_json::Value>(&o.stdout)
                        .err()
                        .map(|e| format!("pod ps output does not parse: {e}"))
                })
                .or_else(|| failure("pod inspect", &raw(&b, &["pod", "inspect", "busy"])))
        }
    });
    assert!(errors.is_empty(), "{} failures: {errors:#?}", errors.len());
    b.ok(&["pod", "rm", "-f", "busy"]);
}

#[test]
fn volume_rm_racing_create_never_leaves_a_container_on_a_removed_volume() {
    let b = Berth::new();
    let mut refused = 0;
    let mut create_failed = 0;
    for i in 0..15 {
        let vol = format!("v{i}");
        let name = format!("c{i}");
        b.ok(&["volume", "create", &vol]);
        let mount = format!("{vol}:/data");
        let (created, removed) = std::thread::scope(|s| {
            let c = s.spawn(|| {
                raw(
                    &b,
                    &[
                        "create",
                        "--name",
                        &name,
                        "--network",
                        "none",
                        "-v",
                        &mount,
                        IMG,
                        "true",
                    ],
                )
            });
            let r = s.spawn(|| raw(&b, &["volume", "rm", &vol]));
            (c.join().unwrap(), r.join().unwrap())
        });
        let exists = b.run(&["volume", "inspect", &vol]).code == 0;
        if created.status.success() {
            // Whichever came first, the container's volume exists: rm refused it ("being
            // used"), or rm came first and create made the volume anew.
            assert!(
                exists,
                "a container was created on a removed volume: {created:?} {removed:?} {:?}",
                b.run(&["volume", "inspect", &vol])
            );
            if removed.status.success() {
                create_failed += 1;
            } else {
                let err = String::from_utf8_lossy(&removed.stderr);
                assert!(err.contains("is being used"), "{err}");
                refused += 1;
            }
            b.ok(&["rm", "-v", &name]);
        } else {
            // Create lost the race at its last step: a clear error, nothing of it left.
            let err = String::from_utf8_lossy(&created.stderr);
            assert!(err.contains(&vol), "{err}");
            assert!(b.run(&["container", "exists", &name]).code != 0);
            if exists {
                b.ok(&["volume", "rm", &vol]);
            }
        }
    }
    eprintln!("rm refused {refused} times, rm came first {create_failed} times");
    assert!(b.ok(&["ps", "-a", "-q"]).is_empty());
    assert!(b.ok(&["volume", "ls", "-q"]).is_empty());
}

//! End to end: podman 4.3.1's security defaults on real containers (runc, conmon), each
//! test with its own instance (see `common`). The expected figures are what podman 4.3.1
//! prints for the same commands on `localhost/bb`.

mod common;

use common::{Berth, IMG};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

/// podman's default capability set as `/proc/PID/status` prints it.
const DEFAULT_CAPS: &str = "00000000800405fb";
const NO_CAPS: &str = "0000000000000000";

/// `CapXxx` lines of a status file, as (name, mask).
fn caps(status: &str) -> Vec<(String, String)> {
    status
        .lines()
        .filter_map(|l| l.strip_prefix("Cap"))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

fn cap(status: &str, which: &str) -> String {
    caps(status)
        .into_iter()
        .find(|(k, _)| k == which)
        .unwrap_or_else(|| panic!("no Cap{which} in {status:?}"))
        .1
}

/// The bundle directory of container `id`, where its config.json and exec specs are.
fn bundle(b: &Berth, id: &str) -> std::path::PathBuf {
    b.dir.path().join("tmp/containers").join(id)
}

#[test]
fn exec_and_run_as_a_non_root_user_get_podmans_capabilities() {
    let b = Berth::new();
    let id = b.sleeper("c", &[]);
    let status = |user: Option<&str>, privileged: bool| {
        let mut args = vec!["exec"];
        if let Some(u) = user {
            args.extend(["--user", u]);
        }
        if privileged {
            args.push("--privileged");
        }
        args.extend(["c", "cat", "/proc/self/status"]);
        b.ok(&args)
    };
    // Root keeps the default set.
    for user in [None, Some("0"), Some("root")] {
        let s = status(user, false);
        for set in ["Eff", "Prm", "Bnd"] {
            assert_eq!(cap(&s, set), DEFAULT_CAPS, "{user:?} Cap{set}");
        }
    }
    // Any other user: nothing effective or permitted, the bounding set unchanged.
    for user in ["1000", "1000:1000", "nobody"] {
        let s = status(Some(user), false);
        for set in ["Eff", "Prm", "Inh", "Amb"] {
            assert_eq!(cap(&s, set), NO_CAPS, "{user} Cap{set}");
        }
        assert_eq!(cap(&s, "Bnd"), DEFAULT_CAPS, "{user}");
    }
    // --privileged widens only the bounding set of a non-root exec.
    let s = status(Some("1000"), true);
    assert_eq!(cap(&s, "Eff"), NO_CAPS);
    assert_ne!(cap(&s, "Bnd"), DEFAULT_CAPS);

    // The exec process spec itself carries no capability for another user (runc would apply
    // any it listed before the execve of a binary with file capabilities).
    b.ok(&["exec", "-d", "--user", "1000", "c", "sleep", "30"]);
    let session = std::fs::read_dir(bundle(&b, &id))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("exec-process.json"))
        .find(|p| p.exists())
        .expect("a detached exec session");
    let process: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&session).unwrap()).unwrap();
    for set in ["effective", "permitted", "inheritable", "ambient"] {
        assert_eq!(
            process["capabilities"][set],
            serde_json::json!([]),
            "{set} in {}",
            session.display()
        );
    }
    let mode = std::fs::metadata(&session).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600, "{}", session.display());

    // run --user 1000: the same rule; with --cap-add the added capability in all four sets.
    let status_of = ["cat", "/proc/self/status"];
    let s = b.run_rm(&["--user", "1000"], &status_of).ok();
    assert_eq!(cap(&s, "Eff"), NO_CAPS);
    assert_eq!(cap(&s, "Bnd"), DEFAULT_CAPS);
    let s = b
        .run_rm(&["--user", "1000", "--cap-add", "NET_ADMIN"], &status_of)
        .ok();
    for set in ["Eff", "Prm", "Inh", "Amb"] {
        assert_eq!(cap(&s, set), "0000000000001000", "Cap{set}");
    }
    // exec as that container's own user keeps its capabilities; another user gets none.
    b.sleeper("u", &["--user", "1000", "--cap-add", "NET_ADMIN"]);
    let s = b.ok(&["exec", "u", "cat", "/proc/self/status"]);
    assert_eq!(cap(&s, "Eff"), "0000000000001000");
    let s = b.ok(&["exec", "--user", "2000", "u", "cat", "/proc/self/status"]);
    assert_eq!(cap(&s, "Eff"), NO_CAPS);
}

#[test]
fn pids_limit_defaults_to_2048_and_follows_the_flag() {
    let b = Berth::new();
    let pids_max = |opts: &[&str]| {
        let cat = "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max";
        b.run_rm(opts, &["sh", "-c", cat]).ok().trim().to_owned()
    };
    assert_eq!(pids_max(&[]), "2048");
    assert_eq!(pids_max(&["--pids-limit", "100"]), "100");
    assert_eq!(pids_max(&["--pids-limit", "-1"]), "max");
    assert_eq!(pids_max(&["--pids-limit", "0"]), "max");
    // The record holds the default, as podman's inspect shows it.
    b.ok(&["create", "--network", "none", "--name", "d", IMG, "true"]);
    assert_eq!(
        b.ok(&["inspect", "--format", "{{.HostConfig.PidsLimit}}", "d"])
            .trim(),
        "2048"
    );
    // The limit holds: 8 background sleeps under a limit of 4 cannot all fork.
    let r = b.run_rm(
        &["--pids-limit", "4"],
        &[
            "sh",
            "-c",
            "for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; wait",
        ],
    );
    assert!(r.err.contains("fork"), "{r:?}");
}

#[test]
fn masked_paths_read_empty_and_readonly_paths_refuse_writes() {
    let b = Berth::new();
    let script = "wc -c < /proc/timer_list; ls /sys/firmware | wc -l; \
         echo x > /proc/sysrq-trigger 2>/dev/null && echo writable || echo refused; \
         grep ' /dev ' /proc/mounts";
    let out = b.run_rm(&[], &["sh", "-c", script]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0].trim(), "0", "{out}");
    assert_eq!(lines[1].trim(), "0", "{out}");
    assert_eq!(lines[2], "refused", "{out}");
    assert!(lines[3].contains("noexec"), "{out}");
    // The host's own /proc/timer_list is not empty, so the mask is what emptied it.
    assert!(!std::fs::read_to_string("/proc/timer_list")
        .unwrap()
        .is_empty());
}

#[test]
fn passwd_planted_as_a_link_to_a_host_file_is_never_read() {
    let b = Berth::new();
    // A host file only the host has: the user in it must never be found.
    let host_file = b.dir.path().join("host-passwd");
    std::fs::write(&host_file, "hostuser:x:4242:4242::/hostonly:/bin/sh\n").unwrap();
    b.sleeper("c", &[]);
    let plant = format!(
        "rm /etc/passwd && ln -s {} /etc/passwd",
        host_file.display()
    );
    b.ok(&["exec", "c", "sh", "-c", &plant]);
    b.fails_with(
        &["exec", "--user", "hostuser", "c", "id"],
        "unable to find user hostuser: no matching entries in passwd file",
    );
    // A numeric uid needs no entry; podman's fallback for it is HOME=/.
    assert_eq!(b.ok(&["exec", "--user", "4242", "c", "id", "-u"]), "4242\n");
    assert_eq!(
        b.run_rm(&["--user", "4242"], &["sh", "-c", "echo $HOME"])
            .ok(),
        "/\n"
    );
    // A FIFO as /etc/group: a clear error at once, not a hang.
    b.ok(&[
        "exec",
        "c",
        "sh",
        "-c",
        "rm /etc/group && mkfifo /etc/group",
    ]);
    let start = Instant::now();
    let r = b.fails_with(
        &["exec", "--user", "1000", "c", "true"],
        "not a regular file",
    );
    assert!(start.elapsed() < Duration::from_secs(30));
    assert!(r.err.contains("/etc/group"), "{r:?}");
    assert_eq!(
        std::fs::read_to_string(&host_file).unwrap(),
        "hostuser:x:4242:4242::/hostonly:/bin/sh\n"
    );
}

#[test]
fn bundle_config_json_is_private() {
    let b = Berth::new();
    let id = b.sleeper("c", &["-e", "DB_PASSWORD=hunter2"]);
    let config = bundle(&b, &id).join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("hunter2"),
        "the secret is in {}",
        config.display()
    );
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600, "{}", config.display());
    // The files mounted into the container stay readable by its users.
    let hosts = config.with_file_name("hosts");
    let mode = std::fs::metadata(&hosts).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o644);
    assert_eq!(
        b.ok(&["exec", "--user", "1000", "c", "cat", "/etc/hostname"]),
        format!("{}\n", &id[..12])
    );
}

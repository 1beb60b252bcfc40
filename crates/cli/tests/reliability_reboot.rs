//! The reliability suite, reboot part: with containers in every state (running,
//! stopped, created, one publishing a port, one in a pod), simulate a reboot
//! (conmon and the container processes killed, root filesystems and everything
//! under the instance unmounted, netns files deleted, cgroups and the bridge
//! gone, run root and tmp dir wiped); the next commands refresh exactly once
//! and every container starts again.

mod common;

use common::leftovers;
use common::{free_port, http_get, Berth, IMG};
use std::collections::BTreeSet;
use std::path::Path;

fn sigkill(pid: i32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// Pids of the processes whose command line names `dir` (conmon, a lingering exit command).
fn processes_naming(dir: &Path) -> Vec<i32> {
    let d = dir.display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| pid != std::process::id() as i32)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&d))
        })
        .collect()
}

/// Clears a dir's contents, keeping the dir.
fn wipe(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let r = if e.file_type().unwrap().is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        r.unwrap_or_else(|err| panic!("wiping {}: {err}", p.display()));
    }
}

/// What a reboot takes: processes, mounts, netns, cgroups, the bridge, the per-boot dirs.
fn simulate_reboot(b: &Berth, ids: &BTreeSet<String>, pids: &[i32]) {
    let d = b.dir.path();
    for pid in processes_naming(d) {
        sigkill(pid);
    }
    for &pid in pids {
        sigkill(pid);
    }
    // Let the killed processes go (their netns and cgroups are empty only then).
    assert!(
        common::eventually(50, || processes_naming(d).is_empty()
            && pids
                .iter()
                .all(|p| !Path::new(&format!("/proc/{p}")).exists())),
        "processes survived SIGKILL"
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| Path::new(p).starts_with(d))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in &points {
        nix::mount::umount2(*p, nix::mount::MntFlags::MNT_DETACH)
            .unwrap_or_else(|e| panic!("umount {p}: {e}"));
    }
    eprintln!("reboot: unmounted {} mount points", points.len());
    for ctrl in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        for id in ids {
            let cg = ctrl.path().join("berth").join(id);
            if cg.exists() {
                // Empty now; a cgroup dir is removed with rmdir.
                let _ = std::fs::remove_dir(&cg);
            }
        }
    }
    let _ = std::process::Command::new("ip")
        .args(["link", "del", &b.bridge])
        .status();
    wipe(&d.join("tmp"));
    wipe(&d.join("run"));
}

#[test]
fn after_a_simulated_reboot_the_next_command_refreshes_once_and_every_container_starts() {
    let b = Berth::new();
    let port = free_port();
    let publish = format!("{port}:80");
    let mut ids = BTreeSet::new();
    let mut keep = |s: String| ids.insert(s.trim().to_owned());
    keep(b.ok(&["run", "-d", "--name", "running", IMG, "sleep", "1000"]));
    keep(b.ok(&[
        "run", "-d", "--name", "web", "-p", &publish, IMG, "httpd", "-f", "-p", "80", "-h",
        "/var/www",
    ]));
    keep(b.ok(&["create", "--name", "created", IMG, "sleep", "1000"]));
    keep(b.ok(&["create", "--name", "stopped", IMG, "sleep", "1000"]));
    b.ok(&["start", "stopped"]);
    b.ok(&["stop", "-t", "0", "stopped"]);
    b.ok(&["pod", "create", "--name", "p"]);
    keep(b.ok(&[
        "run", "-d", "--pod", "p", "--name", "inpod", IMG, "sleep", "1000",
    ]));
    assert!(http_get(port, "/").contains("hello"));
    let all: Vec<serde_json::Value> =
        serde_json::from_str(&b.ok(&["ps", "-a", "--format", "json"])).unwrap();
    let pids: Vec<i32> = all
        .iter()
        .filter_map(|c| c["Pid"].as_i64())
        .filter(|&p| p > 0)
        .map(|p| p as i32)
        .collect();
    ids.extend(
        all.iter()
            .filter_map(|c| c["Id"].as_str().map(str::to_owned)),
    );
    let before: Vec<(String, String)> = all
        .iter()
        .map(|c| {
            (
                c["Names"][0].as_str().unwrap().to_owned(),
                c["State"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    eprintln!("before the reboot: {before:?}");

    simulate_reboot(&b, &ids, &pids);

    // Four commands at once after the reboot: exactly one refreshes.
    let outs: Vec<common::Run> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| b.run(&["--log-level", "info", "ps", "-a", "--format", "json"])))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let refreshes: usize = outs
        .iter()
        .map(|r| r.err.matches("refreshing after reboot").count())
        .sum();
    for r in &outs {
        assert_eq!(r.code, 0, "{r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), all.len(), "{}", r.out);
    }
    assert_eq!(refreshes, 1, "{outs:?}");
    let again = b.run(&["--log-level", "info", "ps", "-a"]);
    assert!(!again.err.contains("refreshing"), "{again:?}");
    let after: Vec<serde_json::Value> =
        serde_json::from_str(&b.ok(&["ps", "-a", "--format", "json"])).unwrap();
    let states: Vec<(String, String)> = after
        .iter()
        .map(|c| {
            (
                c["Names"][0].as_str().unwrap().to_owned(),
                c["State"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    eprintln!("after the reboot: {states:?}");
    assert!(
        states.iter().all(|(_, s)| s != "running"),
        "nothing runs after a reboot: {states:?}"
    );

    // Everything starts again.
    b.ok(&["pod", "start", "p"]);
    for name in ["running", "web", "created", "stopped"] {
        b.ok(&["start", name]);
    }
    for name in ["running", "web", "created", "stopped", "inpod"] {
        assert_eq!(
            b.ok(&["exec", name, "echo", "back"]),
            "back\n",
            "exec in {name}"
        );
    }
    assert!(
        http_get(port, "/").contains("hello"),
        "the published port answers again"
    );

    b.ok(&["pod", "rm", "-f", "p"]);
    b.ok(&["rm", "-a", "-f", "-t", "0"]);
    let s = leftovers::settled(&b, &ids, 10);
    leftovers::assert_nothing(&s, "after the reboot and rm -af");
}

//! System test: refresh after a (simulated) reboot. Containers run; their conmons and
//! processes are killed, the per-boot dirs wiped and the root filesystems unmounted as a
//! reboot would; then 4 processes start at once: exactly one refreshes, and every container
//! starts again.

mod common;

use berth_runtime::{ContainerStatus, ListOptions};
use common::{create_and_start, import_busybox, sleeper, unmount_below, TestEnv};

#[test]
fn refresh_happens_once_and_everything_restarts() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    let mut ids = Vec::new();
    for n in ["r1", "r2", "r3"] {
        let id = create_and_start(&rt, &sleeper(n));
        ids.push(id);
    }
    let never = rt.create_container(&sleeper("never")).unwrap().config.id;
    let pids: Vec<(u32, u32)> = ids
        .iter()
        .map(|id| {
            let s = rt.container(id).unwrap().state;
            (s.conmon_pid, s.pid)
        })
        .collect();
    rt.shutdown(false).ok();
    drop(rt);

    // The "reboot".
    for (conmon, pid) in &pids {
        for p in [conmon, pid] {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(*p as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
    for (_, pid) in &pids {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "process {pid} did not die"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    unmount_below(env.root());
    for dir in [
        env.settings.tmp_dir(),
        env.root().join("run"),
        env.settings.runc_root(),
    ] {
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // Four processes at the same moment.
    let outputs = env.helpers_at_once(4, |_| vec!["open".into()]);
    let refreshed = outputs
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stdout).contains("refreshed=true"))
        .count();
    assert_eq!(refreshed, 1, "exactly one process refreshes");

    let rt = env.runtime();
    assert!(!rt.refreshed());
    for id in &ids {
        let rec = rt.container(id).unwrap();
        assert_eq!(rec.state.status, ContainerStatus::Exited, "{id}");
        assert_eq!((rec.state.pid, rec.state.conmon_pid), (0, 0));
        assert!(rec.state.mount_point.is_empty() && rec.state.netns_path.is_empty());
    }
    assert_eq!(
        rt.container(&never).unwrap().state.status,
        ContainerStatus::Configured
    );
    for id in ids.iter().chain([&never]) {
        rt.start_container(id).unwrap();
    }
    let running = rt.list_containers(&ListOptions::default()).unwrap();
    assert_eq!(running.len(), 4);
    for id in ids.iter().chain([&never]) {
        rt.stop_container(id, Some(std::time::Duration::from_millis(500)))
            .unwrap();
    }
    rt.shutdown(false).unwrap();
}

//! System test: the container lifecycle with the real layers (root, runc, conmon, CNI).

mod common;

use std::time::Duration;

use berth_runtime::{ContainerStatus, ExecOptions, LogOptions, WaitCondition};
use berth_testsupport::SharedBuf;
use common::{create_and_start, import_busybox, sleeper, TestEnv};

#[test]
fn container_lifecycle_with_real_layers() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    assert!(rt.refreshed());
    import_busybox(&rt);

    // Run to completion, read the log.
    let mut o = berth_runtime::ContainerCreateOptions::new(
        "busybox",
        &["sh", "-c", "echo hello; echo oops >&2; exit 3"],
    );
    o.name = Some("once".into());
    let once = rt.create_container(&o).unwrap().config.id;
    rt.start_container("once").unwrap();
    assert_eq!(
        rt.wait_container("once", WaitCondition::Exited, Some(Duration::from_secs(20)))
            .unwrap(),
        3
    );
    let mut out = Vec::new();
    rt.container_logs(&once, &LogOptions::default(), &mut out)
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out), "hello\noops\n");
    rt.cleanup_container(&once).unwrap();
    assert_eq!(
        rt.container(&once).unwrap().state.status,
        ContainerStatus::Exited
    );
    // It starts again.
    rt.start_container(&once).unwrap();
    assert_eq!(
        rt.wait_container("once", WaitCondition::Exited, Some(Duration::from_secs(20)))
            .unwrap(),
        3
    );
    rt.remove_container(&once, false, false).unwrap();

    // Follow a running container's log until it exits; init first, then start.
    let mut o = berth_runtime::ContainerCreateOptions::new(
        "busybox",
        &["sh", "-c", "echo first; sleep 1; echo second"],
    );
    o.name = Some("talker".into());
    let talker = rt.create_container(&o).unwrap().config.id;
    let rec = rt.init_container(&talker).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Created);
    assert_eq!(
        rt.wait_container(
            &talker,
            WaitCondition::Created,
            Some(Duration::from_secs(1))
        )
        .unwrap(),
        0
    );
    rt.start_container(&talker).unwrap();
    let mut out = Vec::new();
    let opts = LogOptions {
        follow: true,
        timestamps: true,
        ..LogOptions::default()
    };
    rt.container_logs(&talker, &opts, &mut out).unwrap();
    let text = String::from_utf8_lossy(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].ends_with(" first") && lines[1].ends_with(" second"),
        "{text}"
    );
    assert!(lines[0].starts_with("20"), "timestamps come first: {text}");
    rt.remove_container(&talker, true, false).unwrap();

    // A long-running one: exec, top, stats, pause, stop.
    let id = rt.create_container(&sleeper("sleepy")).unwrap().config.id;
    let rec = rt.start_container(&id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Running);
    assert!(std::path::Path::new(&format!("/proc/{}", rec.state.pid)).exists());
    let inspect = rt.inspect_container("sleepy").unwrap();
    assert!(inspect.state.running);
    assert!(
        !inspect.network_settings.ip_address.is_empty(),
        "CNI gave an address"
    );
    let ex = rt
        .exec_container(
            &id,
            &ExecOptions {
                command: vec!["sh".into(), "-c".into(), "exit 7".into()],
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert_eq!(ex.exit_code, Some(7));
    let out = SharedBuf::default();
    let io = berth_runtime::AttachIo {
        stdin: None,
        stdout: Box::new(out.clone()),
        stderr: Box::new(std::io::sink()),
        size: None,
    };
    let ex = rt
        .exec_container(
            &id,
            &ExecOptions {
                command: vec!["cat".into(), "/etc/hostname".into()],
                ..Default::default()
            },
            Some(io),
        )
        .unwrap();
    assert_eq!(ex.exit_code, Some(0));
    assert_eq!(out.text().trim(), &id[..12], "exec output is streamed back");
    let top = rt.container_top(&id).unwrap();
    assert!(top.iter().any(|r| r.command.contains("sleep")), "{top:?}");
    let stats = rt.container_stats(&id).unwrap();
    assert!(stats.pids >= 1 && stats.memory_usage > 0, "{stats:?}");
    rt.pause_container(&id).unwrap();
    assert_eq!(
        rt.container(&id).unwrap().state.status,
        ContainerStatus::Paused
    );
    rt.unpause_container(&id).unwrap();
    // sleep as pid 1 ignores SIGTERM: stop escalates to SIGKILL after the timeout.
    let code = rt
        .stop_container(&id, Some(Duration::from_secs(1)))
        .unwrap();
    assert_eq!(code, 137);
    let rec = rt.container(&id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Exited);
    assert!(rec.state.netns_path.is_empty() && rec.state.mount_point.is_empty());
    rt.remove_container(&id, false, false).unwrap();
    assert!(!rt.container_exists(&id).unwrap());

    let info = rt.info().unwrap();
    assert!(
        info.host.oci_runtime.version.contains("runc"),
        "{:?}",
        info.host.oci_runtime
    );
    assert!(
        info.host.conmon.version.contains("conmon"),
        "{:?}",
        info.host.conmon
    );
    assert_eq!(info.store.driver, "overlay");

    // force remove of a running container.
    let id = create_and_start(&rt, &sleeper("forced"));
    rt.remove_container(&id, true, false).unwrap();
    rt.shutdown(false).unwrap();
}

#[test]
fn exit_command_cleans_up_and_auto_removes() {
    let env = TestEnv::new(true);
    let rt = env.runtime();
    import_busybox(&rt);
    let mut o = berth_runtime::ContainerCreateOptions::new("busybox", &["true"]);
    o.auto_remove = true;
    let id = create_and_start(&rt, &o);
    // conmon runs `helper SETTINGS cleanup ID`, which removes the container.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while rt.container_exists(&id).unwrap() {
        assert!(
            std::time::Instant::now() < deadline,
            "auto-remove did not happen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // `run --rm`: wait still learns the exit code after cleanup removed the container.
    let mut o =
        berth_runtime::ContainerCreateOptions::new("busybox", &["sh", "-c", "sleep 0.3; exit 5"]);
    o.auto_remove = true;
    let id = create_and_start(&rt, &o);
    assert_eq!(
        rt.wait_container(&id, WaitCondition::Exited, Some(Duration::from_secs(20)))
            .unwrap(),
        5
    );

    let mut o = berth_runtime::ContainerCreateOptions::new("busybox", &["true"]);
    o.name = Some("kept".into());
    let id = create_and_start(&rt, &o);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let rec = rt.container(&id).unwrap();
        if rec.state.status == ContainerStatus::Exited {
            assert!(rec.state.mount_point.is_empty() && rec.state.netns_path.is_empty());
            assert_eq!(rec.state.exit_code, Some(0));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "cleanup did not happen: {:?}",
            rec.state
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    rt.shutdown(false).unwrap();
}

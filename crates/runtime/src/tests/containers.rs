//! Happy paths and rules of the container lifecycle, with fakes.

use std::time::Duration;

use berth_oci::testing::Call;
use berth_state::{ContainerStatus, State as _};

use super::Fx;
use crate::{ContainerCreateOptions, Error, ListOptions, LogOptions, WaitCondition};

#[test]
fn create_resolves_allocates_and_records_configured() {
    let fx = Fx::new();
    let rec = fx
        .rt
        .create_container(&ContainerCreateOptions::new("busybox", &[]))
        .unwrap();
    assert_eq!(rec.config.id.len(), 64);
    crate::validate_name(&rec.config.name).unwrap();
    assert!(rec.config.name.contains('_'), "{}", rec.config.name);
    assert_eq!(rec.state.status, ContainerStatus::Configured);
    assert_eq!(rec.config.command, vec!["sh"], "image Cmd is the default");
    assert_eq!(rec.config.networks, vec!["berth"]);
    assert_eq!(fx.storage_methods(), ["resolve_image", "create_container"]);
    assert!(fx.oci.calls().is_empty() && fx.net.calls().is_empty());
}

#[test]
fn create_records_the_default_pids_limit_unless_given() {
    let fx = Fx::new();
    let rec = fx
        .rt
        .create_container(&ContainerCreateOptions::new("busybox", &[]))
        .unwrap();
    // podman's 2048, unless a rootless engine on cgroup v1 cannot set limits at all.
    let can_limit = nix::unistd::geteuid().is_root()
        || std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    assert_eq!(rec.config.resources.pids_limit, can_limit.then_some(2048));
    for given in [-1, 100] {
        let mut o = ContainerCreateOptions::new("busybox", &[]);
        o.resources.pids_limit = Some(given);
        let rec = fx.rt.create_container(&o).unwrap();
        assert_eq!(rec.config.resources.pids_limit, Some(given));
    }
}

#[test]
fn create_merges_env_and_refuses_bad_input() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.env = vec!["PATH=/x".into(), "A=1".into()];
    let rec = fx.rt.create_container(&o).unwrap();
    assert_eq!(rec.config.env, vec!["PATH=/x", "A=1"]);

    for (opts, what) in [
        (
            ContainerCreateOptions {
                name: Some("-bad".into()),
                ..ContainerCreateOptions::new("busybox", &[])
            },
            "name",
        ),
        (
            ContainerCreateOptions {
                env: vec!["NOEQUALS".into()],
                ..ContainerCreateOptions::new("busybox", &[])
            },
            "environment",
        ),
        (
            ContainerCreateOptions {
                entrypoint: Some(vec![]),
                ..ContainerCreateOptions::new("busybox", &[])
            },
            "no command",
        ),
        (
            ContainerCreateOptions::new("nosuchimage", &[]),
            "nosuchimage",
        ),
    ] {
        let err = fx.rt.create_container(&opts).unwrap_err().to_string();
        assert!(err.contains(what), "{what}: {err}");
    }
    // Nothing leaked from the refused ones.
    assert_eq!(
        fx.rt
            .list_containers(&ListOptions {
                all: true,
                pod: None
            })
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn duplicate_name_is_refused_before_any_storage_is_made() {
    let fx = Fx::new();
    fx.create("web");
    let mut o = ContainerCreateOptions::new("busybox", &[]);
    o.name = Some("web".into());
    let err = fx.rt.create_container(&o).unwrap_err();
    assert!(
        matches!(&err, Error::State(e) if e.is_name_in_use()),
        "{err}"
    );
    let m = fx.storage_methods();
    assert_eq!(
        m.iter().filter(|c| **c == "create_container").count(),
        1,
        "{m:?}"
    );
    assert_eq!(
        berth_storage::Storage::list_containers(&*fx.storage)
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn start_runs_the_steps_in_order() {
    let fx = Fx::new();
    let id = fx.create("a");
    let rec = fx.rt.start_container("a").unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Running);
    assert!(rec.state.pid > 0 && rec.state.conmon_pid > 0);
    assert!(!rec.state.netns_path.is_empty() && rec.state.network_results.is_some());
    assert_eq!(
        fx.storage_methods(),
        ["resolve_image", "create_container", "mount_container"]
    );
    assert_eq!(fx.net_calls(), ["Plan", "CreateNetns", "Setup"]);
    assert_eq!(fx.oci_calls(), ["Create", "Start"]);
    assert!(fx.rt.bundle_dir(&id).join("config.json").exists());
    // Starting again is a no-op.
    fx.rt.start_container(&id).unwrap();
    assert_eq!(fx.oci_calls(), ["Create", "Start"]);
}

#[test]
fn stop_signals_then_cleans_up() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    let code = fx.rt.stop_container(&id, None).unwrap();
    assert_eq!(code, 128 + libc::SIGTERM);
    let rec = fx.rt.container(&id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Exited);
    assert_eq!(rec.state.exit_code, Some(143));
    assert!(rec.state.mount_point.is_empty() && rec.state.netns_path.is_empty());
    assert_eq!(
        fx.net_calls(),
        ["Plan", "CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert_eq!(fx.storage.mount_count(&rec.config.rootfs_storage_id), 0);
    assert!(fx
        .oci
        .calls()
        .contains(&Call::Kill(id.clone(), libc::SIGTERM, false)));
    assert!(!fx.oci.contains(&id));
    // Stopping again only cleans up, harmlessly.
    assert_eq!(fx.rt.stop_container(&id, None).unwrap(), 143);
    // And it can start again.
    fx.rt.start_container(&id).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Running);
}

#[test]
fn stop_escalates_to_sigkill_after_the_timeout() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.oci.ignore_signal(libc::SIGTERM);
    let code = fx
        .rt
        .stop_container(&id, Some(Duration::from_millis(50)))
        .unwrap();
    assert_eq!(code, 128 + libc::SIGKILL);
    assert!(fx
        .oci
        .calls()
        .contains(&Call::Kill(id, libc::SIGKILL, true)));
}

#[test]
fn status_comes_from_exit_files_and_liveness_not_runc_state() {
    let fx = Fx::new();
    let a = fx.create("a");
    let b = fx.create("b");
    fx.rt.start_container(&a).unwrap();
    let rb = fx.rt.start_container(&b).unwrap();
    fx.oci.exit(&a, 7);
    // b's conmon and process vanished without an exit file.
    fx.probe.kill(rb.state.conmon_pid);
    fx.probe.kill(rb.state.pid);
    let list = fx
        .rt
        .list_containers(&ListOptions {
            all: true,
            pod: None,
        })
        .unwrap();
    let st = |id: &str| {
        list.iter()
            .find(|r| r.config.id == id)
            .unwrap()
            .state
            .clone()
    };
    assert_eq!(st(&a).status, ContainerStatus::Stopped);
    assert_eq!(st(&a).exit_code, Some(7));
    assert_eq!(st(&b).status, ContainerStatus::Stopped);
    assert_eq!(st(&b).exit_code, Some(-1), "unknown, as podman says");
    assert!(!fx.oci.calls().iter().any(|c| matches!(c, Call::State(_))));
    // Not running: `ps` without -a hides them.
    assert!(fx
        .rt
        .list_containers(&ListOptions::default())
        .unwrap()
        .is_empty());
}

#[test]
fn cleanup_is_idempotent_and_removes_auto_remove_containers() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.oci.exit(&id, 3);
    fx.rt.cleanup_container(&id).unwrap();
    let rec = fx.rt.container(&id).unwrap();
    assert_eq!(
        (rec.state.status, rec.state.exit_code),
        (ContainerStatus::Exited, Some(3))
    );
    let calls = fx.net_calls().len();
    fx.rt.cleanup_container(&id).unwrap();
    assert_eq!(fx.net_calls().len(), calls, "second cleanup does nothing");

    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.auto_remove = true;
    let r = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&r).unwrap();
    fx.oci.exit(&r, 0);
    fx.rt.cleanup_container(&r).unwrap();
    assert!(!fx.rt.container_exists(&r).unwrap());
    fx.rt.cleanup_container(&r).unwrap();
    // Cleanup of a running container is refused.
    let c = fx.create("c");
    fx.rt.start_container(&c).unwrap();
    assert!(matches!(
        fx.rt.cleanup_container(&c),
        Err(Error::InvalidStatus { .. })
    ));
    // So is a created one (a late exit command of its previous run must not tear it down).
    let d = fx.create("d");
    fx.rt.init_container(&d).unwrap();
    assert!(matches!(
        fx.rt.cleanup_container(&d),
        Err(Error::InvalidStatus { .. })
    ));
    assert_eq!(fx.status(&d), ContainerStatus::Created);
}

#[test]
fn lookup_by_prefix_name_and_id() {
    let fx = Fx::new();
    let id = fx.create("named");
    assert_eq!(fx.rt.container(&id[..8]).unwrap().config.id, id);
    assert_eq!(fx.rt.container("named").unwrap().config.id, id);
    assert!(fx.rt.container_exists(&id).unwrap());
    assert!(!fx.rt.container_exists("other").unwrap());
    assert!(fx.rt.container("other").unwrap_err().is_not_found());
}

#[test]
fn remove_needs_force_for_running_and_refuses_dependents() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    let err = fx.rt.remove_container(&id, false, false).unwrap_err();
    assert!(matches!(err, Error::ContainerRunning { .. }), "{err}");
    fx.rt.remove_container(&id, true, false).unwrap();
    assert!(!fx.rt.container_exists(&id).unwrap());
    assert_eq!(fx.storage_methods().last(), Some(&"delete_container"));
    assert!(!fx.rt.static_container_dir(&id).exists());
    assert!(fx
        .rt
        .remove_container(&id, true, false)
        .unwrap_err()
        .is_not_found());

    // A dependent (sharing the net namespace) blocks removal.
    let base = fx.create("base");
    let dep = berth_state::ContainerConfig {
        id: crate::new_id(),
        name: "dep".into(),
        shared_namespaces: berth_state::SharedNamespaces {
            net: Some(base.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    fx.state
        .add_container(&dep, &berth_state::ContainerState::default())
        .unwrap();
    let err = fx.rt.remove_container(&base, true, false).unwrap_err();
    assert!(
        matches!(&err, Error::ContainerInUse { dependents, .. } if dependents == &vec![dep.id.clone()]),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "container {base} has dependent containers which must be removed before it: {}",
            dep.id
        )
    );
    // `rm --depend`: the dependent first, then the container itself.
    assert_eq!(
        fx.rt.removal_order("base").unwrap(),
        vec![dep.id.clone(), base.clone()]
    );
    assert_eq!(fx.rt.removal_order("dep").unwrap(), vec![dep.id.clone()]);
    assert!(fx.rt.removal_order("nope").unwrap_err().is_not_found());
}

#[test]
fn pause_unpause_kill_wait_restart() {
    let fx = Fx::new();
    let id = fx.create("a");
    assert!(matches!(
        fx.rt.pause_container(&id),
        Err(Error::InvalidStatus { .. })
    ));
    fx.rt.start_container(&id).unwrap();
    fx.rt.pause_container(&id).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Paused);
    assert!(matches!(
        fx.rt.start_container(&id),
        Err(Error::InvalidStatus { .. })
    ));
    fx.rt.unpause_container(&id).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Running);
    fx.rt
        .restart_container(&id, Some(Duration::from_millis(10)))
        .unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Running);
    assert_eq!(fx.rt.inspect_container(&id).unwrap().restart_count, 1);
    let err = fx
        .rt
        .wait_container(&id, WaitCondition::Exited, Some(Duration::from_millis(30)))
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    fx.rt.kill_container(&id, libc::SIGKILL).unwrap();
    assert_eq!(
        fx.rt
            .wait_container(&id, WaitCondition::Exited, None)
            .unwrap(),
        137
    );
    assert!(matches!(
        fx.rt.kill_container(&id, 9),
        Err(Error::InvalidStatus { .. })
    ));
}

#[test]
fn exec_needs_a_running_container_and_passes_the_request() {
    let fx = Fx::new();
    let id = fx.create("a");
    let opts = crate::ExecOptions {
        command: vec!["ls".into()],
        ..Default::default()
    };
    assert!(matches!(
        fx.rt.exec_container(&id, &opts, None),
        Err(Error::InvalidStatus { .. })
    ));
    fx.rt.start_container(&id).unwrap();
    fx.oci.set_exec_result(5, b"");
    let out = fx.rt.exec_container(&id, &opts, None).unwrap();
    assert_eq!(out.exit_code, Some(5));
    let empty = crate::ExecOptions::default();
    assert!(fx
        .rt
        .exec_container(&id, &empty, None)
        .unwrap_err()
        .to_string()
        .contains("command"));
}

#[test]
fn inspect_has_podmans_shape() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "1"]);
    o.name = Some("web".into());
    o.ports = berth_cni::PortMapping::parse("8080:80").unwrap();
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    let v = serde_json::to_value(fx.rt.inspect_container("web").unwrap()).unwrap();
    assert_eq!(v["Id"], id.as_str());
    assert_eq!(v["Name"], "web");
    assert_eq!(v["Path"], "sleep");
    assert_eq!(v["Args"][0], "1");
    assert_eq!(v["State"]["Status"], "running");
    assert_eq!(v["State"]["Running"], true);
    assert_eq!(
        v["HostConfig"]["PortBindings"]["80/tcp"][0]["HostPort"],
        "8080"
    );
    assert!(v["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .starts_with("10."));
    assert_eq!(v["Config"]["Cmd"][0], "sleep");
    assert_eq!(fx.rt.container_ports("web").unwrap()[0].host_port, 8080);
}

#[test]
fn logs_read_the_k8s_file() {
    let fx = Fx::new();
    let id = fx.create("a");
    let rec = fx.rt.container(&id).unwrap();
    std::fs::write(
        &rec.config.log_path,
        "2024-01-01T00:00:00Z stdout F hello\n2024-01-01T00:00:01Z stderr F world\n",
    )
    .unwrap();
    let mut out = Vec::new();
    fx.rt
        .container_logs(
            &id,
            &LogOptions {
                tail: Some(1),
                ..Default::default()
            },
            &mut out,
        )
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "world\n");
    let mut out = Vec::new();
    // Follow on a stopped container returns after the existing lines.
    fx.rt
        .container_logs(
            &id,
            &LogOptions {
                follow: true,
                ..Default::default()
            },
            &mut out,
        )
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "hello\nworld\n");
}

#[test]
fn mount_and_unmount_count_references() {
    let fx = Fx::new();
    let id = fx.create("a");
    let sid = fx.rt.container(&id).unwrap().config.rootfs_storage_id;
    let p = fx.rt.mount_container(&id).unwrap();
    assert_eq!(
        fx.rt.container(&id).unwrap().state.mount_point,
        p.to_string_lossy()
    );
    assert_eq!(fx.storage.mount_count(&sid), 1);
    fx.rt.unmount_container(&id, false).unwrap();
    assert_eq!(fx.storage.mount_count(&sid), 0);
    assert!(fx.rt.container(&id).unwrap().state.mount_point.is_empty());
}

#[test]
fn a_running_container_keeps_its_own_mount_but_drops_a_users() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    let sid = fx.rt.container(&id).unwrap().config.rootfs_storage_id;
    assert_eq!(fx.storage.mount_count(&sid), 1);
    let e = fx.rt.unmount_container(&id, false).unwrap_err();
    assert!(e.to_string().contains("unmount"), "{e}");
    fx.rt.mount_container(&id).unwrap();
    assert_eq!(fx.storage.mount_count(&sid), 2);
    fx.rt.unmount_container(&id, false).unwrap();
    assert_eq!(fx.storage.mount_count(&sid), 1);
    assert!(!fx.rt.container(&id).unwrap().state.mount_point.is_empty());
}

#[test]
fn shutdown_stops_everything_and_then_every_call_fails() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.rt.shutdown(true).unwrap();
    assert_eq!(fx.storage_methods().last(), Some(&"shutdown"));
    assert!(fx
        .oci
        .calls()
        .contains(&Call::Kill(id.clone(), libc::SIGTERM, false)));
    assert!(fx.rt.config().unwrap_err().is_stopped());
    assert!(fx.rt.container(&id).unwrap_err().is_stopped());
    assert!(fx.rt.list_pods().unwrap_err().is_stopped());
    assert!(fx.rt.shutdown(false).unwrap_err().is_stopped());
}

#[test]
fn config_is_a_copy() {
    let fx = Fx::new();
    let mut c = fx.rt.config().unwrap();
    c.namespace = "changed".into();
    assert_eq!(fx.rt.config().unwrap().namespace, "");
}

#[test]
fn exit_command_gets_the_id_appended() {
    let fx = Fx::new();
    let mut engine = fx.rt.engine_options().unwrap();
    engine.exit_command = Some(vec![
        "/usr/bin/berth".into(),
        "container".into(),
        "cleanup".into(),
    ]);
    let mut cfg = super::config_in(fx.dir.path());
    cfg.namespace = String::new();
    let rt = crate::Runtime::from_layers(
        cfg,
        crate::Layers {
            state: fx.state.clone(),
            storage: fx.storage.clone(),
            oci: fx.oci.clone(),
            network: fx.net.clone(),
            registry: fx.registry.clone(),
            networks: fx.nets.clone(),
        },
        engine,
    )
    .unwrap();
    let id = fx.create("a");
    rt.start_container(&id).unwrap();
    let req = fx
        .oci
        .calls()
        .into_iter()
        .find_map(|c| match c {
            Call::Create(r) => Some(r),
            _ => None,
        })
        .unwrap();
    let ec = req.exit_command.unwrap();
    assert_eq!(ec.path, std::path::PathBuf::from("/usr/bin/berth"));
    assert_eq!(ec.args, vec!["container".to_string(), "cleanup".into(), id]);
}

#[test]
fn info_counts_containers_by_status() {
    let fx = Fx::new();
    let a = fx.create("a");
    fx.create("b");
    fx.rt.start_container(&a).unwrap();
    let info = fx.rt.info().unwrap();
    assert_eq!(info.store.containers.total, 2);
    assert_eq!(info.store.containers.running, 1);
    assert_eq!(info.store.containers.stopped, 1);
    assert_eq!(info.host.os, "linux");
    assert!(info.host.cpus >= 1 && info.host.mem_total > 0);
    assert_eq!(info.host.cgroup_manager, "cgroupfs");
    assert!(!info.version.Version.is_empty());
    let v = serde_json::to_value(&info).unwrap();
    assert!(v["registries"].is_object());
    assert_eq!(v["store"]["containerStore"]["number"], 2);
    assert!(v["host"]["security"]["capabilities"]
        .as_str()
        .unwrap()
        .starts_with("CAP_"));
}

#[test]
fn wait_on_an_auto_removed_container_returns_its_exit_code() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &["false"]);
    o.auto_remove = true;
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    let rt2 = fx.again();
    let waiter = std::thread::scope(|s| {
        let h = s.spawn(|| fx.rt.wait_container(&id, WaitCondition::Exited, None));
        std::thread::sleep(Duration::from_millis(50));
        fx.oci.exit(&id, 1);
        rt2.cleanup_container(&id).unwrap();
        h.join().unwrap()
    });
    assert!(!fx.rt.container_exists(&id).unwrap());
    assert_eq!(waiter.unwrap(), 1);
}

/// `runtime start` ran, but the command that ran it was killed before it saved `running`:
/// the next command sees the real status (only `created` records with a live process ask
/// the OCI runtime), and start, stop and rm behave as for any running container.
#[test]
fn a_created_record_whose_process_was_started_reads_running() {
    let fx = Fx::new();
    let id = fx.create("a");
    let untouched = fx.create("b");
    fx.rt.init_container(&id).unwrap();
    fx.rt.init_container(&untouched).unwrap();
    berth_oci::OciRuntime::start(&*fx.oci, &id).unwrap();

    let again = fx.again();
    let rec = again.container(&id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Running);
    assert!(rec.state.started_at.is_some());
    assert_eq!(
        fx.state.container(&id).unwrap().state.status,
        ContainerStatus::Running,
        "saved"
    );
    assert_eq!(fx.status(&untouched), ContainerStatus::Created);

    let starts = |fx: &Fx| {
        fx.oci
            .calls()
            .iter()
            .filter(|c| matches!(c, Call::Start(_)))
            .count()
    };
    again.start_container(&id).unwrap();
    assert_eq!(starts(&fx), 1, "already running: not started twice");
    assert_eq!(again.stop_container(&id, None).unwrap(), 143);
    again.start_container(&untouched).unwrap();
    assert_eq!(fx.status(&untouched), ContainerStatus::Running);
}

/// conmon was SIGKILLed, the process lives on: nobody will write an exit file, so a stop
/// watches the process and records the signal that ended it, at once (the OCI layer's
/// wait alone gave up after 5 s, failing `rm -f -t 0`).
#[test]
fn a_stop_without_conmon_watches_the_process_instead_of_an_exit_file() {
    let fx = Fx::new();
    fx.probe.follow(fx.oci.clone());
    let started = |name: &str| {
        let id = fx.create(name);
        let rec = fx.rt.start_container(&id).unwrap();
        fx.probe.kill(rec.state.conmon_pid);
        fx.oci.kill_conmon(&id);
        assert_eq!(
            fx.status(&id),
            ContainerStatus::Running,
            "the process runs on"
        );
        id
    };

    let a = started("a");
    let t = std::time::Instant::now();
    let code = fx.rt.stop_container(&a, Some(Duration::from_secs(30)));
    assert_eq!(code.unwrap(), 128 + libc::SIGTERM);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    let rec = fx.rt.container(&a).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Exited);
    assert_eq!(rec.state.exit_code, Some(128 + libc::SIGTERM));

    // The stop signal is ignored: SIGKILL to every process after the timeout.
    let b = started("b");
    fx.oci.ignore_signal(libc::SIGTERM);
    let code = fx.rt.stop_container(&b, Some(Duration::from_millis(50)));
    assert_eq!(code.unwrap(), 128 + libc::SIGKILL);
    assert!(fx.oci.calls().contains(&Call::Kill(b, libc::SIGKILL, true)));

    // rm -f -t 0 the same way.
    let c = started("c");
    fx.rt
        .remove_container_within(&c, true, false, Duration::ZERO)
        .unwrap();
    assert!(!fx.rt.container_exists(&c).unwrap());
}

#[test]
fn create_replace_removes_the_container_of_that_name_first() {
    let fx = Fx::new();
    let old = fx.create("web");
    fx.rt.start_container(&old).unwrap();
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "100"]);
    o.name = Some("web".into());
    assert!(fx.rt.create_container(&o).is_err(), "the name is taken");
    o.replace = true;
    let new = fx.rt.create_container(&o).unwrap().config.id;
    assert_ne!(new, old);
    assert!(fx.state.container(&old).is_err(), "the old one is gone");
    assert_eq!(fx.rt.container("web").unwrap().config.id, new);

    // A name no container has just creates; one whose id starts with the name stays.
    o.name = Some(new[..8].to_string());
    fx.rt.create_container(&o).unwrap();
    assert!(fx.state.container(&new).is_ok());

    o.name = None;
    let err = fx.rt.create_container(&o).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{err}");
}

#[test]
fn external_containers_are_root_filesystems_no_record_owns() {
    use berth_storage::Storage as _;
    let fx = Fx::new();
    let own = fx.create("own");
    assert!(fx.rt.external_containers().unwrap().is_empty());
    let image = fx.rt.container(&own).unwrap().config.image_id;
    let stray = fx.storage.create_container("not-berths", &image).unwrap();
    let ext = fx.rt.external_containers().unwrap();
    assert_eq!(ext.len(), 1, "{ext:?}");
    assert_eq!(ext[0].id, stray);
    assert_eq!(ext[0].image_id, image);
}

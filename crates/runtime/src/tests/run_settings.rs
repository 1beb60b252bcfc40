//! The run/create settings kept in the record's `extra` (`RunSettings`): stored at create,
//! applied at init (conmon's request, pid files, namespaces, `/etc/localtime`), with fakes.

use berth_oci::testing::Call;

use super::Fx;
use crate::{
    ContainerCreateOptions, Healthcheck, LogConfig, LogDriver, LogOptions, NamespaceChoice,
    NamespaceOptions, RunSettings,
};

fn spec_json(fx: &Fx, id: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fx.rt.bundle_dir(id).join("config.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn create_keeps_the_settings_and_unsets_image_variables() {
    let fx = Fx::new();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("my.log");
    let o = ContainerCreateOptions {
        log: LogConfig {
            driver: LogDriver::K8sFile,
            path: Some(log.clone()),
            max_size: Some(4096),
            tag: Some("t".into()),
        },
        timeout: Some(7),
        healthcheck: Some(Healthcheck {
            test: vec!["CMD-SHELL".into(), "true".into()],
            interval_secs: 30,
            timeout_secs: 30,
            start_period_secs: 0,
            retries: 3,
            on_failure: "none".into(),
        }),
        unset_env: vec!["PATH".into()],
        env: vec!["A=1".into()],
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let rec = fx.rt.create_container(&o).unwrap();
    assert_eq!(rec.config.log_path, log.to_string_lossy());
    assert_eq!(rec.config.env, ["A=1"], "PATH of the image is unset");
    let s = RunSettings::from_extra(&rec.config.extra);
    assert_eq!(s.log.max_size, Some(4096));
    assert_eq!(s.timeout, Some(7));
    assert_eq!(s.healthcheck.unwrap().retries, 3);
    // The record reads back the same from the state.
    let again = fx.rt.container(&rec.config.id).unwrap();
    assert_eq!(
        RunSettings::from_extra(&again.config.extra).timeout,
        Some(7)
    );
    // Defaults store nothing.
    let plain = fx
        .rt
        .create_container(&ContainerCreateOptions::new("busybox", &["true"]))
        .unwrap();
    let kept = RunSettings::from_extra(&plain.config.extra);
    assert_eq!(
        kept,
        RunSettings {
            image_digest: kept.image_digest.clone(),
            ..RunSettings::default()
        }
    );
    let all = ContainerCreateOptions {
        unset_env_all: true,
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    assert!(fx.rt.create_container(&all).unwrap().config.env.is_empty());
}

#[test]
fn an_unknown_time_zone_is_refused_before_anything_is_made() {
    let fx = Fx::new();
    let o = ContainerCreateOptions {
        timezone: Some("Mars/Olympus".into()),
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let e = fx.rt.create_container(&o).unwrap_err().to_string();
    assert!(e.contains("--tz") && e.contains("Mars/Olympus"), "{e}");
    assert_eq!(fx.storage_methods(), ["resolve_image"]);
}

#[test]
fn init_passes_the_log_driver_timeout_and_writes_the_pid_files() {
    let fx = Fx::new();
    let dir = tempfile::tempdir().unwrap();
    let (conmon, pid) = (dir.path().join("conmon.pid"), dir.path().join("ctr.pid"));
    let o = ContainerCreateOptions {
        name: Some("a".into()),
        log: LogConfig {
            driver: LogDriver::None,
            max_size: Some(100),
            ..LogConfig::default()
        },
        timeout: Some(9),
        conmon_pidfile: Some(conmon.clone()),
        pidfile: Some(pid.clone()),
        namespaces: NamespaceOptions {
            uts: NamespaceChoice::Host,
            ipc: NamespaceChoice::Host,
            ..NamespaceOptions::default()
        },
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let id = fx.rt.create_container(&o).unwrap().config.id;
    let rec = fx.rt.start_container(&id).unwrap();
    let req = fx
        .oci
        .calls()
        .into_iter()
        .find_map(|c| match c {
            Call::Create(r) => Some(r),
            _ => None,
        })
        .unwrap();
    assert_eq!(req.log_driver, berth_oci::LogDriver::None);
    assert_eq!((req.log_size_max, req.timeout), (Some(100), Some(9)));
    assert_eq!(
        std::fs::read_to_string(&conmon).unwrap(),
        rec.state.conmon_pid.to_string()
    );
    assert_eq!(
        std::fs::read_to_string(&pid).unwrap(),
        rec.state.pid.to_string()
    );
    // Host namespaces are left out of the spec; the others stay.
    let spec = spec_json(&fx, &id);
    let kinds: Vec<&str> = spec["linux"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["type"].as_str())
        .collect();
    assert!(
        !kinds.contains(&"uts") && !kinds.contains(&"ipc"),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"pid") && kinds.contains(&"mount"),
        "{kinds:?}"
    );
    // Without a k8s-file log there is nothing to read.
    let e = fx
        .rt
        .container_logs("a", &LogOptions::default(), &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("this container is using the 'none' log driver, cannot read logs"),
        "{e}"
    );
}

#[test]
fn a_time_zone_is_mounted_at_etc_localtime() {
    let zone = std::path::Path::new("/usr/share/zoneinfo/UTC");
    assert!(zone.exists(), "tzdata is needed for this test");
    let fx = Fx::new();
    let o = ContainerCreateOptions {
        timezone: Some("UTC".into()),
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    let spec = spec_json(&fx, &id);
    let m = spec["mounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["destination"] == "/etc/localtime")
        .expect("an /etc/localtime mount");
    assert_eq!(m["source"], zone.to_str().unwrap());
    assert!(
        m["options"].as_array().unwrap().iter().any(|o| o == "ro"),
        "{m}"
    );
}

#[test]
fn device_cgroup_rules_join_the_allow_list() {
    let fx = Fx::new();
    let o = ContainerCreateOptions {
        device_rules: vec![crate::parse_device_cgroup_rule("c 10:229 rw").unwrap()],
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    let spec = spec_json(&fx, &id);
    let rules = spec["linux"]["resources"]["devices"].as_array().unwrap();
    let last = rules.last().unwrap();
    assert_eq!(
        (
            &last["type"],
            &last["major"],
            &last["minor"],
            &last["access"],
            &last["allow"]
        ),
        (
            &serde_json::json!("c"),
            &serde_json::json!(10),
            &serde_json::json!(229),
            &serde_json::json!("rw"),
            &serde_json::json!(true)
        )
    );
    // Deny-all stays first.
    assert_eq!(rules[0]["allow"], false);
}

#[test]
fn restart_policy_applies_to_exits_not_to_stops() {
    use berth_state::ContainerStatus;
    let fx = Fx::new();
    let o = ContainerCreateOptions {
        restart: Some(crate::RestartPolicy::OnFailure(1)),
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    // A failure: started again, once.
    fx.oci.exit(&id, 1);
    fx.rt.cleanup_container(&id).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Running);
    fx.oci.exit(&id, 1);
    fx.rt.cleanup_container(&id).unwrap();
    assert_eq!(
        fx.status(&id),
        ContainerStatus::Exited,
        "the retry is used up"
    );
    assert_eq!(fx.rt.inspect_container(&id).unwrap().restart_count, 1);

    let o = ContainerCreateOptions {
        restart: Some(crate::RestartPolicy::Always),
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    fx.oci.exit(&id, 0);
    fx.rt.cleanup_container(&id).unwrap();
    assert_eq!(
        fx.status(&id),
        ContainerStatus::Running,
        "always: after a success too"
    );
    // A stop is final: the exit command after it leaves the container stopped.
    fx.rt.stop_container(&id, None).unwrap();
    fx.rt.cleanup_container(&id).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Exited);
    // Not with --rm.
    let o = ContainerCreateOptions {
        restart: Some(crate::RestartPolicy::Always),
        auto_remove: true,
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    let e = fx.rt.create_container(&o).unwrap_err().to_string();
    assert!(e.contains("--restart"), "{e}");
}

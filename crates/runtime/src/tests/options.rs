//! Typed create options: mounts, seccomp, extra hosts and the CPU limit go from
//! `ContainerCreateOptions` to the record and on to `config.json` without a detour through
//! strings or floats.

use std::net::IpAddr;

use berth_state::State;

use super::Fx;
use crate::{ContainerCreateOptions, ContainerMount, CpuLimit, HostEntry, Seccomp};

#[test]
fn typed_options_reach_the_record_and_the_spec() {
    let fx = Fx::new();
    let host = tempfile::tempdir().unwrap();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.mounts = vec![
        ContainerMount::Bind {
            source: host.path().into(),
            destination: "/host".into(),
            read_only: true,
            options: vec!["nosuid".into()],
        },
        ContainerMount::Volume {
            name: None,
            destination: "/anon".into(),
            read_only: false,
            options: vec![],
        },
        ContainerMount::Tmpfs {
            destination: "/scratch".into(),
            read_only: false,
            options: vec!["size=1m".into()],
        },
    ];
    o.seccomp = Seccomp::Unconfined;
    o.add_hosts = vec![HostEntry {
        name: "db".into(),
        ip: "fd00::5".parse::<IpAddr>().unwrap(),
    }];
    let cpu = CpuLimit::from_cpus(1.5);
    o.resources.cpu_quota = Some(cpu.quota_us);
    o.resources.cpu_period = Some(cpu.period_us);
    let rec = fx.rt.create_container(&o).unwrap();

    let c = &rec.config;
    assert_eq!(c.mounts.len(), 2);
    assert_eq!(
        (c.mounts[0].kind.as_str(), c.mounts[0].options.clone()),
        ("bind", vec!["nosuid".to_owned(), "ro".to_owned()])
    );
    assert_eq!(c.mounts[1].kind, "tmpfs");
    assert_eq!(c.named_volumes.len(), 1);
    assert_eq!(c.named_volumes[0].name.len(), 64, "anonymous volume named");
    assert!(fx.rt.volume_exists(&c.named_volumes[0].name).unwrap());
    assert_eq!(c.security.seccomp_profile.as_deref(), Some("unconfined"));
    assert_eq!(c.hosts_add, ["db:fd00::5"]);
    assert_eq!(
        (c.resources.cpu_quota, c.resources.cpu_period),
        (Some(150_000), Some(100_000))
    );

    fx.rt.start_container(&c.id).unwrap();
    let cfg: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fx.rt.bundle_dir(&c.id).join("config.json")).unwrap(),
    )
    .unwrap();
    let cpu = &cfg["linux"]["resources"]["cpu"];
    assert_eq!(
        (cpu["quota"].as_i64(), cpu["period"].as_u64()),
        (Some(150_000), Some(100_000))
    );
    assert!(cfg["linux"]["seccomp"].is_null(), "unconfined: no filter");
    let hosts = std::fs::read_to_string(fx.rt.bundle_dir(&c.id).join("hosts")).unwrap();
    assert!(hosts.contains("fd00::5") && hosts.contains("db"), "{hosts}");
}

#[test]
fn a_relative_mount_destination_is_refused() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.mounts = vec![ContainerMount::Tmpfs {
        destination: "rel".into(),
        read_only: false,
        options: vec![],
    }];
    let err = fx.rt.create_container(&o).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("absolute"), "{err}");
}

#[test]
fn unreadable_network_results_fail_the_cleanup_instead_of_leaking_the_netns() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    let mut rec = fx.state.container(&id).unwrap();
    assert!(!rec.state.netns_path.is_empty());
    rec.state.network_results = Some(serde_json::json!({"not": "attachments"}));
    fx.state.save_container_state(&id, &rec.state).unwrap();

    let calls_before = fx.net.calls().len();
    let err = fx.rt.remove_container(&id, true, false).unwrap_err();
    assert!(
        err.to_string().contains("network_results"),
        "the damaged field is named: {err}"
    );
    // Nothing was torn down on a guess, and the netns is still there for a repair.
    assert_eq!(fx.net.calls().len(), calls_before, "{:?}", fx.net.calls());
    assert_eq!(fx.net.live_netns().len(), 1);
    assert!(
        fx.rt.inspect_container(&id).is_err(),
        "inspect reports it too"
    );
}

#[test]
fn system_check_reports_unreadable_network_results_and_repair_records_them_again() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    let mut rec = fx.state.container(&id).unwrap();
    rec.state.network_results = Some(serde_json::json!({"not": "attachments"}));
    fx.state.save_container_state(&id, &rec.state).unwrap();
    let err = fx.rt.inspect_container(&id).unwrap_err();
    assert!(
        matches!(
            err,
            crate::Error::RecordDecode {
                field: "network_results",
                ..
            }
        ),
        "{err:?}"
    );

    let opts = crate::CheckOptions {
        repair: false,
        min_age: std::time::Duration::ZERO,
    };
    let report = fx.rt.system_check(&opts).unwrap();
    let unreadable: Vec<_> = report
        .orphans
        .iter()
        .filter(|o| o.kind == crate::OrphanKind::UnreadableNetworkResults)
        .collect();
    assert_eq!(unreadable.len(), 1, "{report:?}");
    assert_eq!(unreadable[0].owner.as_deref(), Some(id.as_str()));
    assert!(unreadable[0].what.contains("network_results"), "{report:?}");
    // Reported, not torn down: the record is left for the repair.
    let teardowns = |fx: &Fx| {
        fx.net_calls()
            .iter()
            .filter(|c| c.as_str() == "Teardown")
            .count()
    };
    assert_eq!(teardowns(&fx), 0);

    let repaired = fx
        .rt
        .system_check(&crate::CheckOptions {
            repair: true,
            ..opts.clone()
        })
        .unwrap();
    let o = repaired
        .orphans
        .iter()
        .find(|o| o.kind == crate::OrphanKind::UnreadableNetworkResults)
        .unwrap();
    assert!(o.repaired, "{o:?}");
    // The running container's network is recorded again as planned from its config, not
    // torn down; its removal then follows the record.
    assert_eq!(teardowns(&fx), 0);
    let rec = fx.state.container(&id).unwrap();
    let atts = crate::container::network_attachments(&rec).unwrap();
    assert_eq!(
        atts.iter().map(|a| a.network.as_str()).collect::<Vec<_>>(),
        ["berth"]
    );
    let again = fx.rt.system_check(&opts).unwrap();
    assert!(
        !again
            .orphans
            .iter()
            .any(|o| o.kind == crate::OrphanKind::UnreadableNetworkResults),
        "{again:?}"
    );
    fx.rt.remove_container(&id, true, false).unwrap();
    assert_eq!(teardowns(&fx), 1);
    assert!(fx.net.live_netns().is_empty());
}

#[test]
fn restart_count_and_infra_are_record_fields() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.rt
        .stop_container(&id, Some(std::time::Duration::ZERO))
        .unwrap();
    fx.rt.start_container(&id).unwrap();
    let rec = fx.state.container(&id).unwrap();
    assert_eq!(rec.state.restart_count, 2);
    // Only the run settings (the image's digest) are kept in `extra`.
    assert!(rec.state.extra.is_empty());
    assert!(rec
        .config
        .extra
        .keys()
        .all(|k| k == crate::options::RunSettings::KEY));
    assert!(!rec.config.is_infra());
    assert_eq!(fx.rt.inspect_container(&id).unwrap().restart_count, 1);
}

//! Pods with fakes.

use berth_config::testing::InjectFailures as _;
use berth_oci::testing::Call;
use berth_state::{ContainerStatus, PodStatus, State as _};

use super::Fx;
use crate::{ContainerCreateOptions, Error, PodCreateOptions};

fn pod_with_member(fx: &Fx) -> (String, String, String) {
    let mut o = PodCreateOptions {
        name: Some("p".into()),
        ..PodCreateOptions::default()
    };
    o.ports = berth_cni::PortMapping::parse("8080:80").unwrap();
    let pod = fx.rt.create_pod(&o).unwrap();
    let infra = pod.config.infra_container_id.clone().unwrap();
    let mut c = ContainerCreateOptions::new("busybox", &["sleep", "9"]);
    c.pod = Some("p".into());
    let member = fx.rt.create_container(&c).unwrap().config.id;
    (pod.config.id, infra, member)
}

#[test]
fn pod_create_builds_the_infra_image_once_and_an_infra_container() {
    let fx = Fx::new();
    let (pod, infra, member) = pod_with_member(&fx);
    let imports = fx
        .storage_methods()
        .iter()
        .filter(|m| **m == "import_rootfs")
        .count();
    assert_eq!(imports, 1);
    fx.rt.create_pod(&PodCreateOptions::default()).unwrap();
    let imports = fx
        .storage_methods()
        .iter()
        .filter(|m| **m == "import_rootfs")
        .count();
    assert_eq!(imports, 1, "infra image reused");
    let i = fx.state.container(&infra).unwrap();
    assert_eq!(i.config.pod_id.as_deref(), Some(pod.as_str()));
    assert_eq!(i.config.command, vec!["/catatonit", "-P"]);
    assert_eq!(i.config.port_mappings[0].host_port, 8080);
    let m = fx.state.container(&member).unwrap();
    assert_eq!(
        m.config.shared_namespaces.net.as_deref(),
        Some(infra.as_str())
    );
    assert_eq!(
        m.config.shared_namespaces.ipc.as_deref(),
        Some(infra.as_str())
    );
    assert_eq!(
        m.config.shared_namespaces.uts.as_deref(),
        Some(infra.as_str())
    );
    assert!(m.config.shared_namespaces.pid.is_none());
    // The pod's ports are the member's ports.
    assert_eq!(fx.rt.container_ports(&member).unwrap()[0].host_port, 8080);
    // Members cannot publish their own.
    let mut c = ContainerCreateOptions::new("busybox", &["true"]);
    c.pod = Some("p".into());
    c.ports = berth_cni::PortMapping::parse("9090:90").unwrap();
    assert!(fx
        .rt
        .create_container(&c)
        .unwrap_err()
        .to_string()
        .contains("pod"));
}

#[test]
fn pod_start_starts_infra_first_and_members_join_its_netns() {
    let fx = Fx::new();
    let (pod, infra, member) = pod_with_member(&fx);
    assert!(fx.rt.start_pod("p").unwrap().is_empty());
    let starts: Vec<String> = fx
        .oci
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Start(id) => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(starts, vec![infra.clone(), member.clone()]);
    // Only the infra container got a netns.
    assert_eq!(fx.net.live_netns().len(), 1);
    let ipid = fx.state.container(&infra).unwrap().state.pid;
    let cfg: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fx.rt.bundle_dir(&member).join("config.json")).unwrap(),
    )
    .unwrap();
    let ns = cfg["linux"]["namespaces"].as_array().unwrap();
    assert!(
        ns.iter()
            .any(|n| n["type"] == "network" && n["path"] == format!("/proc/{ipid}/ns/net")),
        "{ns:?}"
    );
    assert_eq!(fx.rt.pod(&pod).unwrap().state.status, PodStatus::Running);
    let inspect = fx.rt.inspect_pod("p").unwrap();
    assert_eq!(inspect.num_containers, 2);
    assert_eq!(inspect.shared_namespaces, vec!["net", "ipc", "uts"]);
    assert_eq!(inspect.infra_container_id, infra);
    assert!(inspect.create_infra);
    let ic = inspect
        .infra_config
        .as_ref()
        .expect("a pod with infra has InfraConfig");
    assert!(!ic.host_network);
    let v = serde_json::to_value(&inspect).unwrap();
    assert_eq!(v["InfraConfig"]["HostNetwork"], false);
    assert!(v["InfraConfig"]["DNSServer"].is_null());
    assert_eq!(v["ExitPolicy"], "continue");
}

#[test]
fn starting_a_member_starts_its_infra() {
    let fx = Fx::new();
    let (_, infra, member) = pod_with_member(&fx);
    fx.rt.start_container(&member).unwrap();
    assert_eq!(fx.status(&infra), ContainerStatus::Running);
}

#[test]
fn a_member_that_exits_while_infra_runs_leaves_the_pod_degraded() {
    let fx = Fx::new();
    let (pod, _infra, member) = pod_with_member(&fx);
    fx.rt.start_pod(&pod).unwrap();
    fx.oci.exit(&member, 1);
    assert_eq!(fx.rt.pod(&pod).unwrap().state.status, PodStatus::Degraded);
    let listed = fx.rt.list_pods().unwrap();
    assert_eq!(listed[0].state.status, PodStatus::Degraded);
}

#[test]
fn pod_stop_kill_restart_remove() {
    let fx = Fx::new();
    let (pod, infra, member) = pod_with_member(&fx);
    fx.rt.start_pod(&pod).unwrap();
    assert!(fx.rt.stop_pod(&pod, None).unwrap().is_empty());
    assert_eq!(fx.status(&member), ContainerStatus::Exited);
    assert_eq!(fx.status(&infra), ContainerStatus::Exited);
    assert!(fx.net.live_netns().is_empty());
    fx.rt.restart_pod(&pod, None).unwrap();
    assert_eq!(fx.status(&member), ContainerStatus::Running);
    assert!(fx.rt.kill_pod(&pod, libc::SIGKILL).unwrap().is_empty());
    assert_eq!(fx.rt.pod(&pod).unwrap().state.status, PodStatus::Exited);

    // The infra container is removed with the pod, never alone.
    assert!(fx.rt.remove_container(&infra, true, false).is_err());
    // Without force a running member stops the removal.
    fx.rt.start_pod(&pod).unwrap();
    let err = fx.rt.remove_pod(&pod, false).unwrap_err();
    assert!(matches!(err, Error::PodHasContainers { .. }), "{err}");
    fx.rt.remove_pod(&pod, true).unwrap();
    assert!(!fx.rt.pod_exists(&pod).unwrap());
    assert!(!fx.rt.container_exists(&member).unwrap());
    assert!(!fx.rt.container_exists(&infra).unwrap());
    assert!(fx.rt.list_pods().unwrap().is_empty());
}

#[test]
fn pod_create_failure_removes_the_pod_record() {
    let fx = Fx::new();
    fx.storage.fail_next("create_container");
    assert!(fx.rt.create_pod(&PodCreateOptions::default()).is_err());
    assert!(fx.rt.list_pods().unwrap().is_empty());
    assert!(fx.state.all_containers().unwrap().is_empty());
}

#[test]
fn names_are_unique_across_pods_and_containers() {
    let fx = Fx::new();
    fx.create("x");
    let err = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("x".into()),
            ..PodCreateOptions::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("name"), "{err}");
}

#[test]
fn kill_pod_signals_every_running_member() {
    let fx = Fx::new();
    let (pod, infra, member) = pod_with_member(&fx);
    fx.rt.start_pod(&pod).unwrap();
    fx.rt.kill_pod(&pod, libc::SIGTERM).unwrap();
    let kills: Vec<String> = fx
        .oci
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            Call::Kill(id, sig, _) if sig == libc::SIGTERM => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(kills, vec![member, infra], "members first, infra last");
}

#[test]
fn pod_create_replace_removes_the_pod_of_that_name_with_its_members() {
    let fx = Fx::new();
    let (old, infra, member) = pod_with_member(&fx);
    fx.rt.start_pod(&old).unwrap();
    // Without replace the name is taken.
    let again = PodCreateOptions {
        name: Some("p".into()),
        ..PodCreateOptions::default()
    };
    assert!(fx.rt.create_pod(&again).is_err());
    let new = fx
        .rt
        .create_pod(&PodCreateOptions {
            replace: true,
            ..again.clone()
        })
        .unwrap();
    assert_ne!(new.config.id, old);
    assert_eq!(fx.rt.pod("p").unwrap().config.id, new.config.id);
    for gone in [&infra, &member] {
        assert!(fx.state.container(gone).is_err(), "{gone} removed");
    }
    assert!(fx.state.pod(&old).is_err());

    // Replacing a name no pod has just creates; a pod whose id starts with the name stays.
    let prefix = new.config.id[..8].to_string();
    let other = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some(prefix.clone()),
            replace: true,
            ..PodCreateOptions::default()
        })
        .unwrap();
    assert_eq!(other.config.name, prefix);
    assert!(fx.state.pod(&new.config.id).is_ok());

    // replace needs a name.
    let err = fx
        .rt
        .create_pod(&PodCreateOptions {
            replace: true,
            ..PodCreateOptions::default()
        })
        .unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{err}");
}

#[test]
fn pod_reports_are_the_rows_of_pod_ps() {
    let fx = Fx::new();
    let (pod, infra, member) = pod_with_member(&fx);
    let mut labels = std::collections::BTreeMap::new();
    labels.insert("tier".to_string(), "db".to_string());
    let second = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("q".into()),
            labels: labels.clone(),
            ..PodCreateOptions::default()
        })
        .unwrap();
    fx.rt.start_pod(&pod).unwrap();

    let all = crate::Filters::default();
    let rows = fx.rt.list_pod_reports(&all).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["q", "p"],
        "newest first"
    );
    let p = &rows[1];
    assert_eq!(p.id, pod);
    assert_eq!(p.status, PodStatus::Running);
    assert_eq!(p.infra_id.as_deref(), Some(infra.as_str()));
    let mut ids: Vec<_> = p.containers.iter().map(|c| c.id.clone()).collect();
    ids.sort();
    let mut want = vec![infra.clone(), member.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert!(p
        .containers
        .iter()
        .all(|c| c.status == ContainerStatus::Running));
    assert_eq!(p.networks, ["berth"]);
    assert_eq!(rows[0].id, second.config.id);
    assert_eq!(rows[0].labels, labels);
    assert_eq!(rows[0].status, PodStatus::Created);
    assert_eq!(rows[0].containers.len(), 1);

    let filters =
        crate::parse_filters(crate::FilterTarget::Pods, &["label=tier=db".to_string()]).unwrap();
    let rows = fx.rt.list_pod_reports(&filters).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "q");
}

#[test]
fn pod_infra_options_reach_the_infra_container_and_members_inherit_dns_and_hosts() {
    let fx = Fx::new();
    let o = PodCreateOptions {
        name: Some("p".into()),
        infra: Some(crate::PodInfraOptions {
            name: Some("p-holder".into()),
            command: Some(vec!["/catatonit".into(), "-P".into(), "-g".into()]),
            dns_servers: vec!["192.0.2.53".into()],
            dns_search: vec!["example.test".into()],
            dns_options: vec!["ndots:2".into()],
            add_hosts: crate::parse_add_hosts("--add-host", &["db:192.0.2.10".to_owned()]).unwrap(),
            sysctls: [("net.ipv4.ip_forward".to_owned(), "1".to_owned())].into(),
            ..Default::default()
        }),
        ..PodCreateOptions::default()
    };
    let pod = fx.rt.create_pod(&o).unwrap();
    let infra = fx.rt.container("p-holder").unwrap();
    assert_eq!(
        pod.config.infra_container_id.as_deref(),
        Some(infra.config.id.as_str())
    );
    assert_eq!(infra.config.entrypoint, vec!["/catatonit", "-P", "-g"]);
    assert_eq!(infra.config.sysctls["net.ipv4.ip_forward"], "1");
    let mut c = ContainerCreateOptions::new("busybox", &["sleep", "9"]);
    c.pod = Some("p".into());
    let m = fx.rt.create_container(&c).unwrap().config;
    assert_eq!(m.dns_servers, ["192.0.2.53"]);
    assert_eq!(m.dns_search, ["example.test"]);
    assert_eq!(m.dns_options, ["ndots:2"]);
    assert_eq!(m.hosts_add.len(), 1);
    // A member's own settings win.
    let mut c = ContainerCreateOptions::new("busybox", &["sleep", "9"]);
    c.pod = Some("p".into());
    c.dns_servers = vec!["192.0.2.54".into()];
    let m = fx.rt.create_container(&c).unwrap().config;
    assert_eq!(m.dns_servers, ["192.0.2.54"]);
}

#[test]
fn a_pod_without_infra_has_no_infra_container() {
    let fx = Fx::new();
    let pod = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("bare".into()),
            infra: None,
            ..PodCreateOptions::default()
        })
        .unwrap();
    assert!(pod.config.infra_container_id.is_none());
    let mut c = ContainerCreateOptions::new("busybox", &["sleep", "9"]);
    c.pod = Some("bare".into());
    let m = fx.rt.create_container(&c).unwrap().config;
    assert!(m.shared_namespaces.net.is_none());
    assert!(fx.rt.start_pod("bare").unwrap().is_empty());
    fx.rt.remove_pod("bare", true).unwrap();
}

#[test]
fn a_pod_whose_members_exited_is_removed_without_force_even_with_its_infra_running() {
    let fx = Fx::new();
    let (pod, infra, member) = pod_with_member(&fx);
    fx.rt.start_pod(&pod).unwrap();
    fx.rt.stop_container(&member, None).unwrap();
    assert_eq!(fx.status(&infra), ContainerStatus::Running);
    fx.rt.remove_pod(&pod, false).unwrap();
    assert!(!fx.rt.pod_exists(&pod).unwrap());
    assert!(!fx.rt.container_exists(&member).unwrap());
    assert!(!fx.rt.container_exists(&infra).unwrap());
}

//! System test: pods with the real layers. The infra container runs catatonit from the image
//! berth builds itself; members join its namespaces.

mod common;

use berth_runtime::{ContainerStatus, PodCreateOptions, PodStatus};
use common::{assert_no_containers, import_busybox, sleeper, TestEnv};

fn ns_link(pid: u32, kind: &str) -> String {
    std::fs::read_link(format!("/proc/{pid}/ns/{kind}"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn pod_members_share_the_infra_namespaces() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    let pod = rt
        .create_pod(&PodCreateOptions {
            name: Some("web".into()),
            ..PodCreateOptions::default()
        })
        .unwrap();
    let infra = pod.config.infra_container_id.clone().unwrap();
    let mut a = sleeper("a");
    a.pod = Some("web".into());
    let a = rt.create_container(&a).unwrap().config.id;
    let mut b = sleeper("b");
    b.pod = Some(pod.config.id.clone());
    let b = rt.create_container(&b).unwrap().config.id;

    assert!(rt.start_pod("web").unwrap().is_empty());
    assert_eq!(rt.pod("web").unwrap().state.status, PodStatus::Running);
    let pid = |id: &str| rt.container(id).unwrap().state.pid;
    let infra_cmd = std::fs::read_to_string(format!("/proc/{}/cmdline", pid(&infra))).unwrap();
    assert!(infra_cmd.starts_with("/catatonit"), "{infra_cmd:?}");
    for kind in ["net", "ipc", "uts"] {
        assert_eq!(ns_link(pid(&a), kind), ns_link(pid(&infra), kind), "{kind}");
        assert_eq!(ns_link(pid(&b), kind), ns_link(pid(&infra), kind), "{kind}");
    }
    assert_ne!(
        ns_link(pid(&a), "pid"),
        ns_link(pid(&b), "pid"),
        "pid is not shared by default"
    );
    assert!(!rt
        .inspect_container(&infra)
        .unwrap()
        .network_settings
        .ip_address
        .is_empty());

    let inspect = rt.inspect_pod("web").unwrap();
    assert_eq!(inspect.num_containers, 3);
    assert_eq!(inspect.hostname, "web");

    assert!(rt
        .stop_pod("web", Some(std::time::Duration::from_secs(1)))
        .unwrap()
        .is_empty());
    for id in [&a, &b, &infra] {
        assert_eq!(
            rt.container(id).unwrap().state.status,
            ContainerStatus::Exited
        );
    }
    rt.restart_pod("web", Some(std::time::Duration::from_secs(1)))
        .unwrap();
    assert_eq!(
        rt.container(&a).unwrap().state.status,
        ContainerStatus::Running
    );
    assert!(rt.remove_pod("web", false).is_err());
    // sleep ignores SIGTERM as pid 1: stop quickly rather than wait for remove's 10 s.
    rt.stop_container(&a, Some(std::time::Duration::from_millis(500)))
        .unwrap();
    rt.stop_container(&b, Some(std::time::Duration::from_millis(500)))
        .unwrap();
    rt.remove_pod("web", true).unwrap();
    assert!(!rt.pod_exists("web").unwrap());
    assert_no_containers(&rt);
    rt.shutdown(false).unwrap();
}

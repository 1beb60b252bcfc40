//! The contract every `State` backend keeps. Each test is written once as a
//! function over `&dyn State` and run against `MemoryState` and `RedbState`
//! by the `contract_suite!` macro at the bottom.

use std::collections::BTreeMap;

use berth_state::{
    ContainerConfig, ContainerState, ContainerStatus, Kind, MemoryState, Mount, NamedVolume,
    PodConfig, PodSharedNamespaces, PodState, PodStatus, PortMapping, RedbState, ResourceLimits,
    SecurityOptions, SharedNamespaces, State, StateError,
};

/// A backend under test, with whatever it must keep alive (a temp dir).
struct Fixture {
    state: Box<dyn State>,
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for Fixture {
    type Target = dyn State;
    fn deref(&self) -> &Self::Target {
        &*self.state
    }
}

fn memory_fixture() -> Fixture {
    Fixture {
        state: Box::new(MemoryState::new()),
        _dir: None,
    }
}

fn redb_fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("create a temp dir");
    let state = RedbState::open(&dir.path().join("static"), "").expect("open the redb state");
    Fixture {
        state: Box::new(state),
        _dir: Some(dir),
    }
}

fn id(prefix: &str, n: u32) -> String {
    let mut s = format!("{prefix}{n:08x}");
    while s.len() < 64 {
        s.push('0');
    }
    s
}

fn ctr(id: &str, name: &str) -> ContainerConfig {
    ContainerConfig {
        id: id.to_string(),
        name: name.to_string(),
        ..ContainerConfig::default()
    }
}

fn ctr_in(id: &str, name: &str, ns: &str) -> ContainerConfig {
    ContainerConfig {
        namespace: ns.to_string(),
        ..ctr(id, name)
    }
}

fn pod(id: &str, name: &str) -> PodConfig {
    PodConfig {
        id: id.to_string(),
        name: name.to_string(),
        ..PodConfig::default()
    }
}

fn add(s: &dyn State, c: &ContainerConfig) {
    s.add_container(c, &ContainerState::default())
        .unwrap_or_else(|e| panic!("add container {}: {e}", c.name));
}

fn ids(records: &[berth_state::ContainerRecord]) -> Vec<String> {
    records.iter().map(|r| r.config.id.clone()).collect()
}

fn full_config() -> ContainerConfig {
    ContainerConfig {
        id: id("c0", 1),
        name: "full".into(),
        namespace: String::new(),
        image_name: "docker.io/library/busybox:latest".into(),
        image_id: "f".repeat(64),
        command: vec!["sh".into(), "-c".into(), "echo hi".into()],
        entrypoint: vec!["/bin/entry".into()],
        env: vec!["PATH=/bin".into(), "A=b=c".into()],
        working_dir: "/work".into(),
        user: "1000:1000".into(),
        labels: BTreeMap::from([("app".into(), "web".into())]),
        annotations: BTreeMap::from([("io.x".into(), "y".into())]),
        pod_id: None,
        networks: vec!["berth".into()],
        port_mappings: vec![PortMapping {
            host_ip: Some("127.0.0.1".parse().unwrap()),
            host_port: 8080,
            container_port: 80,
            protocol: berth_state::Protocol::Tcp,
        }],
        mounts: vec![Mount {
            destination: "/data".into(),
            source: "/srv".into(),
            kind: "bind".into(),
            options: vec!["ro".into()],
        }],
        named_volumes: vec![NamedVolume {
            name: "vol".into(),
            destination: "/v".into(),
            options: vec![],
        }],
        shared_namespaces: SharedNamespaces::default(),
        rootfs_storage_id: "r".repeat(10),
        resources: ResourceLimits {
            memory: Some(1 << 30),
            pids_limit: Some(100),
            ulimits: vec![("RLIMIT_NOFILE".into(), 1024, 2048)],
            ..ResourceLimits::default()
        },
        security: SecurityOptions {
            cap_add: vec!["CAP_NET_ADMIN".into()],
            no_new_privileges: true,
            ..SecurityOptions::default()
        },
        stop_signal: 15,
        stop_timeout: 10,
        auto_remove: true,
        created: chrono::DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap(),
        tty: true,
        stdin: true,
        hostname: "box".into(),
        dns_servers: vec!["10.0.0.1".into()],
        dns_search: vec!["example.test".into()],
        dns_options: vec!["ndots:2".into()],
        hosts_add: vec!["db:10.0.0.2".into()],
        log_path: "/var/log/x.log".into(),
        network_mode: Some(berth_state::NetworkMode::Networks(vec!["berth".into()])),
        sysctls: BTreeMap::from([("net.ipv4.ip_forward".into(), "1".into())]),
        cgroup_parent: Some("/berth".into()),
        infra_pod: None,
        create_command: vec!["berth".into(), "run".into(), "img".into()],
        extra: BTreeMap::from([("future".into(), serde_json::json!({"k": [1, 2]}))]),
    }
}

fn container_round_trips(s: &dyn State) {
    let cfg = full_config();
    let st = ContainerState {
        status: ContainerStatus::Created,
        pid: 7,
        conmon_pid: 6,
        pid_start_time: 12_345,
        conmon_start_time: 12_340,
        exit_code: Some(0),
        started_at: Some(chrono::Utc::now()),
        finished_at: None,
        oom_killed: false,
        mount_point: "/m".into(),
        netns_path: "/run/netns/n".into(),
        network_results: Some(serde_json::json!([{"cniVersion": "1.0.0"}])),
        restart_count: 3,
        extra: BTreeMap::new(),
    };
    s.add_container(&cfg, &st).unwrap();
    let rec = s.container(&cfg.id).unwrap();
    assert_eq!(rec.config, cfg);
    assert_eq!(rec.state, st);
    assert!(s.has_container(&cfg.id).unwrap());
    assert!(!s.has_container(&id("c0", 2)).unwrap());
    assert_eq!(s.container_state(&cfg.id).unwrap(), st);
    assert_eq!(ids(&s.all_containers().unwrap()), [cfg.id]);
    let err = s.container(&id("c0", 2)).unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

fn all_containers_ordered_by_id(s: &dyn State) {
    for n in [5, 1, 3, 2, 4] {
        let st = ContainerState {
            pid: n,
            ..ContainerState::default()
        };
        s.add_container(&ctr(&id("aa", n), &format!("c{n}")), &st)
            .unwrap();
    }
    s.save_container_state(
        &id("aa", 3),
        &ContainerState {
            pid: 33,
            ..ContainerState::default()
        },
    )
    .unwrap();
    let records = s.all_containers().unwrap();
    let pids: Vec<u32> = records.iter().map(|r| r.state.pid).collect();
    assert_eq!(pids, [1, 2, 33, 4, 5]);
    let all = ids(&records);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert_eq!(all.len(), 5);
}

fn lookup_by_id_name_and_prefix(s: &dyn State) {
    let a = ctr(&format!("abc1{}", "0".repeat(60)), "alpha");
    let b = ctr(&format!("abc2{}", "0".repeat(60)), "beta");
    // a container whose name is a prefix of another's id
    let c = ctr(&format!("def0{}", "0".repeat(60)), "abc1");
    for x in [&a, &b, &c] {
        add(s, x);
    }
    assert_eq!(s.lookup_container(&a.id).unwrap().config.name, "alpha");
    assert_eq!(s.lookup_container("beta").unwrap().config.id, b.id);
    assert_eq!(s.lookup_container("abc2").unwrap().config.id, b.id);
    assert_eq!(s.lookup_container("d").unwrap().config.id, c.id);
    // an exact name wins over an id prefix
    assert_eq!(s.lookup_container("abc1").unwrap().config.id, c.id);
    match s.lookup_container("abc").unwrap_err() {
        StateError::AmbiguousPrefix {
            kind,
            prefix,
            matches,
        } => {
            assert_eq!(kind, Kind::Container);
            assert_eq!(prefix, "abc");
            assert_eq!(matches, [a.id.clone(), b.id.clone()]);
        }
        other => panic!("expected an ambiguous prefix, got {other}"),
    }
    let msg = s.lookup_container("ab").unwrap_err().to_string();
    assert!(msg.contains(&a.id) && msg.contains(&b.id), "{msg}");
    assert!(s.lookup_container("zzz").unwrap_err().is_not_found());
    assert!(s.lookup_container("").unwrap_err().is_not_found());
    // pods are not containers
    s.add_pod(&pod(&id("ee", 1), "thepod"), &PodState::default())
        .unwrap();
    assert!(s.lookup_container("thepod").unwrap_err().is_not_found());
    assert!(s.lookup_container("ee").unwrap_err().is_not_found());
}

fn names_unique_across_containers_and_pods(s: &dyn State) {
    add(s, &ctr(&id("a0", 1), "shared"));
    let err = s
        .add_container(&ctr(&id("a0", 2), "shared"), &ContainerState::default())
        .unwrap_err();
    assert!(err.is_name_in_use(), "{err}");
    assert!(err.to_string().contains("name in use"), "{err}");
    let err = s
        .add_pod(&pod(&id("b0", 1), "shared"), &PodState::default())
        .unwrap_err();
    assert!(err.is_name_in_use(), "{err}");
    s.add_pod(&pod(&id("b0", 2), "podname"), &PodState::default())
        .unwrap();
    let err = s
        .add_container(&ctr(&id("a0", 3), "podname"), &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            StateError::NameInUse {
                kind: Kind::Pod,
                ..
            }
        ),
        "{err}"
    );
    // nothing of the refused adds was stored
    assert_eq!(s.all_containers().unwrap().len(), 1);
    assert_eq!(s.all_pods().unwrap().len(), 1);
}

fn ids_unique_across_containers_and_pods(s: &dyn State) {
    let shared = id("cc", 1);
    add(s, &ctr(&shared, "one"));
    let err = s
        .add_container(&ctr(&shared, "two"), &ContainerState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::IdInUse { .. }), "{err}");
    let err = s
        .add_pod(&pod(&shared, "three"), &PodState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::IdInUse { .. }), "{err}");
    let pid = id("dd", 1);
    s.add_pod(&pod(&pid, "p"), &PodState::default()).unwrap();
    let err = s
        .add_container(&ctr(&pid, "four"), &ContainerState::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            StateError::IdInUse {
                kind: Kind::Pod,
                ..
            }
        ),
        "{err}"
    );
    // the refused names stay free
    add(s, &ctr(&id("cc", 2), "two"));
}

fn invalid_ids_and_names_are_refused(s: &dyn State) {
    for (cid, name, field) in [
        ("short", "ok", "id"),
        (&*"A".repeat(64), "ok", "id"),
        (&*"a".repeat(64), "", "name"),
        (&*"a".repeat(64), "bad/name", "name"),
        (&*"a".repeat(64), "-lead", "name"),
    ] {
        match s
            .add_container(&ctr(cid, name), &ContainerState::default())
            .unwrap_err()
        {
            StateError::InvalidRecord { field: f, .. } => assert_eq!(f, field),
            other => panic!("expected invalid {field}, got {other}"),
        }
        assert!(matches!(
            s.add_pod(&pod(cid, name), &PodState::default()),
            Err(StateError::InvalidRecord { .. })
        ));
    }
    assert!(s.all_containers().unwrap().is_empty());
}

fn save_and_read_container_state(s: &dyn State) {
    let c = ctr(&id("a1", 1), "c");
    add(s, &c);
    let mut st = ContainerState::with_status(ContainerStatus::Running);
    st.pid = 1234;
    st.netns_path = "/run/berth/netns/x".into();
    s.save_container_state(&c.id, &st).unwrap();
    assert_eq!(s.container_state(&c.id).unwrap(), st);
    assert_eq!(s.lookup_container("c").unwrap().state, st);
    let err = s
        .save_container_state(&id("a1", 2), &ContainerState::default())
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(s.container_state(&id("a1", 2)).unwrap_err().is_not_found());
}

fn remove_container_frees_id_and_name(s: &dyn State) {
    let c = ctr(&id("a2", 1), "gone");
    add(s, &c);
    s.remove_container(&c.id).unwrap();
    assert!(s.container(&c.id).unwrap_err().is_not_found());
    assert!(s.lookup_container("gone").unwrap_err().is_not_found());
    assert!(s.remove_container(&c.id).unwrap_err().is_not_found());
    add(s, &c);
    s.remove_container(&c.id).unwrap();
    s.add_pod(&pod(&c.id, "gone"), &PodState::default())
        .unwrap();
}

fn pods_round_trip_and_lookup(s: &dyn State) {
    let p1 = PodConfig {
        labels: BTreeMap::from([("x".into(), "y".into())]),
        infra_container_id: Some(id("99", 1)),
        shared_namespaces: PodSharedNamespaces {
            net: true,
            ipc: true,
            ..PodSharedNamespaces::default()
        },
        cgroup_parent: "/berth".into(),
        created: chrono::DateTime::from_timestamp(1_700_000_000, 5).unwrap(),
        ..pod(&format!("f1{}", "0".repeat(62)), "pod-one")
    };
    let p2 = pod(&format!("f2{}", "0".repeat(62)), "pod-two");
    s.add_pod(&p1, &PodState::default()).unwrap();
    s.add_pod(&p2, &PodState::default()).unwrap();
    assert_eq!(s.pod(&p1.id).unwrap().config, p1);
    assert!(s.has_pod(&p2.id).unwrap());
    assert!(!s.has_pod(&id("f3", 0)).unwrap());
    assert_eq!(s.lookup_pod("pod-two").unwrap().config.id, p2.id);
    assert_eq!(s.lookup_pod("f1").unwrap().config.id, p1.id);
    assert_eq!(s.lookup_pod(&p2.id).unwrap().config.id, p2.id);
    match s.lookup_pod("f").unwrap_err() {
        StateError::AmbiguousPrefix { kind, matches, .. } => {
            assert_eq!(kind, Kind::Pod);
            assert_eq!(matches, [p1.id.clone(), p2.id.clone()]);
        }
        other => panic!("expected an ambiguous prefix, got {other}"),
    }
    assert!(s.lookup_pod("nope").unwrap_err().is_not_found());
    let all: Vec<String> = s
        .all_pods()
        .unwrap()
        .into_iter()
        .map(|p| p.config.id)
        .collect();
    assert_eq!(all, [p1.id.clone(), p2.id.clone()]);

    let st = PodState {
        status: PodStatus::Running,
        cgroup_path: "/sys/fs/cgroup/berth/p1".into(),
        ..PodState::default()
    };
    s.save_pod_state(&p1.id, &st).unwrap();
    assert_eq!(s.pod_state(&p1.id).unwrap(), st);
    assert!(s
        .save_pod_state(&id("f3", 0), &st)
        .unwrap_err()
        .is_not_found());
    s.remove_pod(&p2.id).unwrap();
    assert!(s.pod(&p2.id).unwrap_err().is_not_found());
    assert!(s.remove_pod(&p2.id).unwrap_err().is_not_found());
}

fn pod_with_containers_cannot_be_removed(s: &dyn State) {
    let p = pod(&id("b1", 1), "p");
    s.add_pod(&p, &PodState::default()).unwrap();
    let c1 = ContainerConfig {
        pod_id: Some(p.id.clone()),
        ..ctr(&id("b1", 2), "c1")
    };
    let c2 = ContainerConfig {
        pod_id: Some(p.id.clone()),
        ..ctr(&id("b1", 3), "c2")
    };
    let outside = ctr(&id("b1", 4), "outside");
    for c in [&c1, &c2, &outside] {
        add(s, c);
    }
    assert_eq!(
        ids(&s.pod_containers(&p.id).unwrap()),
        [c1.id.clone(), c2.id.clone()]
    );
    match s.remove_pod(&p.id).unwrap_err() {
        StateError::PodHasContainers { pod, containers } => {
            assert_eq!(pod, p.id);
            assert_eq!(containers, [c1.id.clone(), c2.id.clone()]);
        }
        other => panic!("expected pod has containers, got {other}"),
    }
    s.remove_container(&c1.id).unwrap();
    assert!(s.remove_pod(&p.id).is_err());
    s.remove_container(&c2.id).unwrap();
    assert!(s.pod_containers(&p.id).unwrap().is_empty());
    s.remove_pod(&p.id).unwrap();
    assert!(s.pod_containers(&p.id).unwrap_err().is_not_found());
}

fn container_cannot_join_a_missing_pod(s: &dyn State) {
    let c = ContainerConfig {
        pod_id: Some(id("b2", 9)),
        ..ctr(&id("b2", 1), "c")
    };
    let err = s.add_container(&c, &ContainerState::default()).unwrap_err();
    assert!(matches!(err, StateError::PodMismatch { .. }), "{err}");
    assert!(s.all_containers().unwrap().is_empty());
}

fn namespaces_isolate(s: &dyn State) {
    s.set_namespace("a").unwrap();
    assert_eq!(s.namespace().unwrap(), "a");
    let in_b = ctr_in(&id("c1", 1), "in-b", "b");
    let err = s
        .add_container(&in_b, &ContainerState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::NamespaceMismatch { .. }), "{err}");
    let err = s
        .add_pod(
            &PodConfig {
                namespace: "b".into(),
                ..pod(&id("c1", 9), "pb")
            },
            &PodState::default(),
        )
        .unwrap_err();
    assert!(matches!(err, StateError::NamespaceMismatch { .. }), "{err}");
    let in_a = ctr_in(&id("c1", 2), "in-a", "a");
    add(s, &in_a);
    let pod_a = PodConfig {
        namespace: "a".into(),
        ..pod(&id("c1", 3), "pod-a")
    };
    s.add_pod(&pod_a, &PodState::default()).unwrap();

    s.set_namespace("b").unwrap();
    add(s, &in_b);
    // what is in "a" is invisible from "b"
    assert!(s.container(&in_a.id).unwrap_err().is_not_found());
    assert!(!s.has_container(&in_a.id).unwrap());
    assert!(s.lookup_container("in-a").unwrap_err().is_not_found());
    assert_eq!(s.lookup_container("c1").unwrap().config.id, in_b.id);
    assert_eq!(ids(&s.all_containers().unwrap()), [in_b.id.as_str()]);
    // ... except to what namespaces share (named volumes)
    let mut every = vec![in_a.id.as_str(), in_b.id.as_str()];
    every.sort_unstable();
    assert_eq!(ids(&s.all_containers_in_every_namespace().unwrap()), every);
    assert!(s.remove_container(&in_a.id).unwrap_err().is_not_found());
    assert!(s
        .save_container_state(&in_a.id, &ContainerState::default())
        .unwrap_err()
        .is_not_found());
    assert!(s.container_state(&in_a.id).unwrap_err().is_not_found());
    assert!(s.pod(&pod_a.id).unwrap_err().is_not_found());
    assert!(s.lookup_pod("pod-a").unwrap_err().is_not_found());
    assert!(s.all_pods().unwrap().is_empty());
    assert!(s.remove_pod(&pod_a.id).unwrap_err().is_not_found());
    assert!(s.pod_containers(&pod_a.id).unwrap_err().is_not_found());
    // names are still unique across namespaces
    let err = s
        .add_container(
            &ctr_in(&id("c1", 4), "in-a", "b"),
            &ContainerState::default(),
        )
        .unwrap_err();
    assert!(err.is_name_in_use(), "{err}");
    // a container of "b" cannot join the pod of "a"
    let joiner = ContainerConfig {
        pod_id: Some(pod_a.id.clone()),
        ..ctr_in(&id("c1", 5), "joiner", "b")
    };
    let err = s
        .add_container(&joiner, &ContainerState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::PodMismatch { .. }), "{err}");

    s.set_namespace("").unwrap();
    assert_eq!(s.all_containers().unwrap().len(), 2);
    assert_eq!(s.lookup_container("in-a").unwrap().config.id, in_a.id);
    assert_eq!(s.all_pods().unwrap().len(), 1);
    // also from the all-seeing namespace, a container cannot join a pod of another namespace
    let err = s
        .add_container(&joiner, &ContainerState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::PodMismatch { .. }), "{err}");
    assert!(err.to_string().contains("namespace"), "{err}");
    let ok = ContainerConfig {
        pod_id: Some(pod_a.id.clone()),
        ..ctr_in(&id("c1", 6), "joiner-a", "a")
    };
    add(s, &ok);
}

fn dependencies_block_removal(s: &dyn State) {
    let a = ctr(&id("d1", 1), "a");
    add(s, &a);
    let b = ContainerConfig {
        shared_namespaces: SharedNamespaces {
            net: Some(a.id.clone()),
            ipc: Some(a.id.clone()),
            ..SharedNamespaces::default()
        },
        ..ctr(&id("d1", 2), "b")
    };
    add(s, &b);
    let c = ContainerConfig {
        shared_namespaces: SharedNamespaces {
            pid: Some(a.id.clone()),
            ..SharedNamespaces::default()
        },
        ..ctr(&id("d1", 3), "c")
    };
    add(s, &c);
    assert_eq!(
        s.container_dependents(&a.id).unwrap(),
        [b.id.clone(), c.id.clone()]
    );
    assert!(s.container_dependents(&b.id).unwrap().is_empty());
    match s.remove_container(&a.id).unwrap_err() {
        StateError::ContainerInUse { id, dependents } => {
            assert_eq!(id, a.id);
            assert_eq!(dependents, [b.id.clone(), c.id.clone()]);
        }
        other => panic!("expected container in use, got {other}"),
    }
    s.remove_container(&b.id).unwrap();
    assert_eq!(s.container_dependents(&a.id).unwrap(), [c.id.as_str()]);
    assert!(s.remove_container(&a.id).is_err());
    s.remove_container(&c.id).unwrap();
    s.remove_container(&a.id).unwrap();
    assert!(s.all_containers().unwrap().is_empty());
}

fn rename_moves_the_name_and_keeps_the_rest(s: &dyn State) {
    let a = ctr(&id("e1", 1), "a");
    add(s, &a);
    let b = ContainerConfig {
        shared_namespaces: SharedNamespaces {
            net: Some(a.id.clone()),
            ..SharedNamespaces::default()
        },
        ..ctr(&id("e1", 2), "b")
    };
    add(s, &b);
    s.add_pod(&pod(&id("e2", 1), "p"), &PodState::default())
        .unwrap();
    s.rename_container(&a.id, "a2").unwrap();
    assert_eq!(s.lookup_container("a2").unwrap().config.id, a.id);
    assert!(s.lookup_container("a").is_err());
    assert_eq!(s.container_dependents(&a.id).unwrap(), [b.id.as_str()]);
    // the old name is free again; taken names and bad names are refused
    add(s, &ctr(&id("e1", 3), "a"));
    for taken in ["b", "p"] {
        let e = s.rename_container(&a.id, taken).unwrap_err();
        assert!(matches!(e, StateError::NameInUse { .. }), "{e}");
    }
    let e = s.rename_container(&a.id, "bad name").unwrap_err();
    assert!(matches!(e, StateError::InvalidRecord { .. }), "{e}");
    s.rename_container(&a.id, "a2").unwrap();
    assert!(s.rename_container(&id("e9", 9), "x").is_err());
    assert_eq!(s.container(&a.id).unwrap().config.name, "a2");
}

fn update_resources_replaces_the_limits_only(s: &dyn State) {
    let a = ctr(&id("e3", 1), "u");
    add(s, &a);
    let limits = ResourceLimits {
        memory: Some(64 << 20),
        cpu_shares: Some(512),
        ..ResourceLimits::default()
    };
    s.update_container_resources(&a.id, &limits).unwrap();
    let rec = s.lookup_container("u").unwrap();
    assert_eq!(rec.config.resources, limits);
    assert_eq!(rec.config.name, "u");
    assert!(s.update_container_resources(&id("e9", 8), &limits).is_err());
}

fn bad_dependencies_are_refused(s: &dyn State) {
    let missing = ContainerConfig {
        shared_namespaces: SharedNamespaces {
            net: Some(id("d2", 99)),
            ..SharedNamespaces::default()
        },
        ..ctr(&id("d2", 1), "x")
    };
    let err = s
        .add_container(&missing, &ContainerState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::BadDependency { .. }), "{err}");
    let own = id("d2", 2);
    let itself = ContainerConfig {
        shared_namespaces: SharedNamespaces {
            net: Some(own.clone()),
            ..SharedNamespaces::default()
        },
        ..ctr(&own, "y")
    };
    assert!(matches!(
        s.add_container(&itself, &ContainerState::default()),
        Err(StateError::BadDependency { .. })
    ));
    // other namespace
    let other_ns = ctr_in(&id("d2", 3), "other", "o");
    add(s, &other_ns);
    let cross = ContainerConfig {
        shared_namespaces: SharedNamespaces {
            uts: Some(other_ns.id.clone()),
            ..SharedNamespaces::default()
        },
        ..ctr(&id("d2", 4), "cross")
    };
    assert!(matches!(
        s.add_container(&cross, &ContainerState::default()),
        Err(StateError::BadDependency { .. })
    ));
    // in a pod, the dependency must be in the same pod
    let p = pod(&id("d2", 5), "p");
    s.add_pod(&p, &PodState::default()).unwrap();
    let outside = ctr(&id("d2", 6), "outside");
    add(s, &outside);
    let inside = ContainerConfig {
        pod_id: Some(p.id.clone()),
        shared_namespaces: SharedNamespaces {
            net: Some(outside.id.clone()),
            ..SharedNamespaces::default()
        },
        ..ctr(&id("d2", 7), "inside")
    };
    assert!(matches!(
        s.add_container(&inside, &ContainerState::default()),
        Err(StateError::BadDependency { .. })
    ));
    // nothing refused was stored, and no dependency was recorded
    assert_eq!(s.all_containers().unwrap().len(), 2);
    assert!(s.container_dependents(&outside.id).unwrap().is_empty());
    s.remove_container(&outside.id).unwrap();
}

fn refresh_resets_every_namespace(s: &dyn State) {
    let mut expected = Vec::new();
    for (n, status) in ContainerStatus::ALL.into_iter().enumerate() {
        let ns = if n % 2 == 0 { "x" } else { "y" };
        let c = ctr_in(&id("e1", n as u32), &format!("c{n}"), ns);
        let st = ContainerState {
            status,
            pid: 100,
            conmon_pid: 99,
            exit_code: Some(n as i32),
            mount_point: "/mnt".into(),
            netns_path: "/netns".into(),
            network_results: Some(serde_json::json!({})),
            oom_killed: true,
            ..ContainerState::default()
        };
        s.add_container(&c, &st).unwrap();
        expected.push((c.id, status.after_reboot(), n as i32));
    }
    let p = PodConfig {
        namespace: "y".into(),
        ..pod(&id("e2", 1), "p")
    };
    s.add_pod(
        &p,
        &PodState {
            status: PodStatus::Running,
            ..PodState::default()
        },
    )
    .unwrap();
    s.set_namespace("x").unwrap();
    s.refresh().unwrap();
    s.set_namespace("").unwrap();
    for (cid, status, code) in expected {
        let st = s.container_state(&cid).unwrap();
        assert_eq!(st.status, status, "{cid}");
        assert_eq!((st.pid, st.conmon_pid), (0, 0));
        assert!(st.mount_point.is_empty() && st.netns_path.is_empty());
        assert!(st.network_results.is_none());
        assert_eq!(st.exit_code, Some(code));
        assert!(st.oom_killed);
    }
    assert_eq!(s.pod_state(&p.id).unwrap().status, PodStatus::Exited);
}

fn every_call_fails_after_close(s: &dyn State) {
    let c = ctr(&id("f0", 1), "c");
    add(s, &c);
    s.close().unwrap();
    let st = ContainerState::default();
    let p = pod(&id("f0", 2), "p");
    let results: Vec<(&str, Result<(), StateError>)> = vec![
        ("namespace", s.namespace().map(drop)),
        ("set_namespace", s.set_namespace("x")),
        ("refresh", s.refresh()),
        ("close", s.close()),
        (
            "add_container",
            s.add_container(&ctr(&id("f0", 3), "d"), &st),
        ),
        ("remove_container", s.remove_container(&c.id)),
        ("container", s.container(&c.id).map(drop)),
        ("has_container", s.has_container(&c.id).map(drop)),
        ("lookup_container", s.lookup_container("c").map(drop)),
        ("all_containers", s.all_containers().map(drop)),
        ("container_state", s.container_state(&c.id).map(drop)),
        ("save_container_state", s.save_container_state(&c.id, &st)),
        (
            "container_dependents",
            s.container_dependents(&c.id).map(drop),
        ),
        ("add_pod", s.add_pod(&p, &PodState::default())),
        ("remove_pod", s.remove_pod(&p.id)),
        ("pod", s.pod(&p.id).map(drop)),
        ("has_pod", s.has_pod(&p.id).map(drop)),
        ("lookup_pod", s.lookup_pod("p").map(drop)),
        ("pod_containers", s.pod_containers(&p.id).map(drop)),
        ("all_pods", s.all_pods().map(drop)),
        ("pod_state", s.pod_state(&p.id).map(drop)),
        (
            "save_pod_state",
            s.save_pod_state(&p.id, &PodState::default()),
        ),
    ];
    for (name, result) in results {
        let err = result.expect_err(name);
        assert!(err.is_closed(), "{name}: {err}");
        assert_eq!(err.to_string(), "state closed", "{name}");
    }
}

macro_rules! contract_suite {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $( #[test] fn $name() { super::$name(&*super::memory_fixture()); } )*
        }
        mod redb {
            $( #[test] fn $name() { super::$name(&*super::redb_fixture()); } )*
        }
    };
}

contract_suite!(
    container_round_trips,
    all_containers_ordered_by_id,
    lookup_by_id_name_and_prefix,
    names_unique_across_containers_and_pods,
    ids_unique_across_containers_and_pods,
    invalid_ids_and_names_are_refused,
    save_and_read_container_state,
    remove_container_frees_id_and_name,
    pods_round_trip_and_lookup,
    pod_with_containers_cannot_be_removed,
    container_cannot_join_a_missing_pod,
    namespaces_isolate,
    dependencies_block_removal,
    rename_moves_the_name_and_keeps_the_rest,
    update_resources_replaces_the_limits_only,
    bad_dependencies_are_refused,
    refresh_resets_every_namespace,
    every_call_fails_after_close,
);

//! Golden specs: the generated `config.json` for representative inputs, checked in as insta snapshots.

use std::collections::BTreeMap;

use super::{golden_spec, Fixture};
use crate::container_spec::{BindMount, Namespaces, Resources, TmpfsMount, Ulimit};
use crate::generate::{canonical_json, generate_spec, NamespaceMode, SeccompChoice};
use crate::ContainerSpec;

fn golden(spec: &ContainerSpec) -> serde_json::Value {
    let f = Fixture::new();
    canonical_json(&generate_spec(spec, &f.opts).unwrap()).unwrap()
}

#[test]
fn golden_default_container() {
    insta::assert_json_snapshot!("default", golden(&golden_spec()));
}

#[test]
fn golden_hardened_interactive_container() {
    let mut s = golden_spec();
    s.tty = true;
    s.stdin = true;
    s.user = Some("1000:1000".into());
    s.read_only = true;
    s.no_new_privileges = true;
    s.cap_drop = vec!["ALL".into()];
    s.cap_add = vec!["NET_BIND_SERVICE".into()];
    s.resources = Resources {
        memory: Some(256 << 20),
        cpu_quota: Some(150_000),
        cpu_period: Some(100_000),
        pids_limit: Some(100),
        ..Resources::default()
    };
    s.ulimits = vec![Ulimit {
        name: "nofile".into(),
        soft: 512,
        hard: 1024,
    }];
    s.sysctls = BTreeMap::from([("net.ipv4.ip_forward".to_owned(), "1".to_owned())]);
    s.annotations = BTreeMap::from([("org.example/role".to_owned(), "frontend".to_owned())]);
    s.tmpfs = vec![TmpfsMount {
        destination: "/cache".into(),
        options: vec!["size=64m".into()],
    }];
    s.mounts = vec![BindMount {
        source: "/tmp".into(),
        destination: "/data".into(),
        read_only: true,
        nosuid: true,
        ..BindMount::default()
    }];
    s.namespaces.network = NamespaceMode::Path("/run/netns/berth-0123".into());
    insta::assert_json_snapshot!("hardened", golden(&s));
}

#[test]
fn golden_pod_member_with_host_network() {
    let mut s = golden_spec();
    s.entrypoint = Some(vec![]);
    s.command = vec!["sleep".into(), "1000".into()];
    s.seccomp = SeccompChoice::Unconfined;
    s.namespaces = Namespaces {
        network: NamespaceMode::Host,
        ipc: NamespaceMode::Path("/proc/4242/ns/ipc".into()),
        uts: NamespaceMode::Path("/proc/4242/ns/uts".into()),
        ..Namespaces::default()
    };
    s.no_etc_files = true;
    insta::assert_json_snapshot!("pod_member", golden(&s));
}

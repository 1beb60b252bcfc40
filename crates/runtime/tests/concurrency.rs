//! System test: several berth processes at once never interleave operations on the same
//! containers or corrupt the state.

mod common;

use std::process::Stdio;

use berth_runtime::ListOptions;
use common::{import_busybox, TestEnv};

#[test]
fn concurrent_processes_create_start_stop_remove() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    rt.shutdown(false).unwrap();
    drop(rt);
    let children: Vec<_> = (0..3)
        .map(|i| {
            env.helper(&["churn", "3", &format!("p{i}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "churn failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let rt = env.runtime();
    assert!(rt
        .list_containers(&ListOptions {
            all: true,
            pod: None
        })
        .unwrap()
        .is_empty());
    rt.shutdown(false).unwrap();
}

#[test]
fn concurrent_cleanup_of_one_container_is_harmless() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    let mut o = berth_runtime::ContainerCreateOptions::new("busybox", &["true"]);
    o.name = Some("short".into());
    let id = rt.create_container(&o).unwrap().config.id;
    rt.start_container(&id).unwrap();
    rt.wait_container(
        &id,
        berth_runtime::WaitCondition::Exited,
        Some(std::time::Duration::from_secs(20)),
    )
    .unwrap();
    let children: Vec<_> = (0..4)
        .map(|_| {
            env.helper(&["cleanup", &id])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(
        rt.container(&id).unwrap().state.status,
        berth_runtime::ContainerStatus::Exited
    );
    rt.shutdown(false).unwrap();
}

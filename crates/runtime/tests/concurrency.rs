//! System test: several berth processes at once never interleave operations on the same
//! containers or corrupt the state.

mod common;

use common::{assert_no_containers, create_and_start, import_busybox, TestEnv};

#[test]
fn concurrent_processes_create_start_stop_remove() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    rt.shutdown(false).unwrap();
    drop(rt);
    env.helpers_at_once(3, |i| vec!["churn".into(), "3".into(), format!("p{i}")]);
    let rt = env.runtime();
    assert_no_containers(&rt);
    rt.shutdown(false).unwrap();
}

#[test]
fn concurrent_cleanup_of_one_container_is_harmless() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    let mut o = berth_runtime::ContainerCreateOptions::new("busybox", &["true"]);
    o.name = Some("short".into());
    let id = create_and_start(&rt, &o);
    rt.wait_container(
        &id,
        berth_runtime::WaitCondition::Exited,
        Some(std::time::Duration::from_secs(20)),
    )
    .unwrap();
    env.helpers_at_once(4, |_| vec!["cleanup".into(), id.clone()]);
    assert_eq!(
        rt.container(&id).unwrap().state.status,
        berth_runtime::ContainerStatus::Exited
    );
    rt.shutdown(false).unwrap();
}

//! System test: libpod namespaces. A runtime in namespace `a` neither sees nor touches the
//! objects of `b`; a runtime in `""` sees both.

mod common;

use common::{import_busybox, sleeper, TestEnv, PS_ALL};

#[test]
fn namespaces_isolate_containers_and_pods() {
    let env = TestEnv::new(false);
    let a = env.runtime_in("a");
    let b = env.runtime_in("b");
    import_busybox(&a);
    let ca = a.create_container(&sleeper("in-a")).unwrap().config.id;
    assert_eq!(a.container(&ca).unwrap().config.namespace, "a");
    let cb = b.create_container(&sleeper("in-b")).unwrap().config.id;
    let pa = a
        .create_pod(&berth_runtime::PodCreateOptions::default())
        .unwrap();

    assert!(!b.container_exists(&ca).unwrap());
    assert!(!b.container_exists("in-a").unwrap());
    assert!(b
        .remove_container(&ca, true, false)
        .unwrap_err()
        .is_not_found());
    assert!(b.start_container("in-a").unwrap_err().is_not_found());
    assert!(!b.pod_exists(&pa.config.id).unwrap());
    let listed: Vec<_> = b
        .list_containers(&PS_ALL)
        .unwrap()
        .into_iter()
        .map(|r| r.config.id)
        .collect();
    assert_eq!(listed, vec![cb.clone()]);

    a.start_container(&ca).unwrap();
    let all = env.runtime_in("");
    let n = all.list_containers(&PS_ALL).unwrap().len();
    assert_eq!(
        n, 3,
        "the empty namespace sees a's, b's and a's infra container"
    );
    a.stop_container(&ca, Some(std::time::Duration::from_millis(300)))
        .unwrap();
    a.remove_container(&ca, false, false).unwrap();
    assert!(b.container_exists(&cb).unwrap());
    for rt in [a, b, all] {
        rt.shutdown(false).unwrap();
    }
}

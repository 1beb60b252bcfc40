//! Refresh after reboot, with fakes.

use berth_config::testing::InjectFailures as _;
use berth_oci::testing::Call;
use berth_state::{ContainerStatus, State as _};

use super::Fx;

#[test]
fn first_runtime_refreshes_then_alive_prevents_it() {
    let fx = Fx::new();
    assert!(fx.rt.refreshed(), "first use refreshes");
    assert!(fx.rt.alive_path().exists());
    assert!(!fx.again().refreshed());
}

#[test]
fn refresh_resets_every_container_and_pod() {
    let fx = Fx::new();
    let ran = fx.create("ran");
    let created = fx.create("created");
    let never = fx.create("never");
    fx.rt.start_container(&ran).unwrap();
    fx.rt.init_container(&created).unwrap();
    fx.oci.exit(&ran, 4);
    fx.rt.container(&ran).unwrap(); // syncs: stopped with exit code 4
    fx.rt.start_container(&ran).unwrap();
    let pod = fx
        .rt
        .create_pod(&crate::PodCreateOptions::default())
        .unwrap();
    fx.rt.start_pod(&pod.config.id).unwrap();

    // "Reboot": the tmp dir is wiped.
    std::fs::remove_dir_all(fx.dir.path().join("tmp")).unwrap();
    let rt = fx.again();
    assert!(rt.refreshed());
    let st = |id: &str| fx.state.container(id).unwrap().state;
    assert_eq!(st(&ran).status, ContainerStatus::Exited);
    assert_eq!(st(&created).status, ContainerStatus::Configured);
    assert_eq!(st(&never).status, ContainerStatus::Configured);
    for id in [&ran, &created] {
        let s = st(id);
        assert_eq!((s.pid, s.conmon_pid), (0, 0));
        assert!(s.mount_point.is_empty() && s.netns_path.is_empty());
        assert!(rt.bundle_dir(id).is_dir(), "per-boot dir recreated");
        assert!(fx.oci.calls().contains(&Call::Delete(id.clone(), true)));
    }
    assert_eq!(
        fx.state.pod_state(&pod.config.id).unwrap().status,
        berth_state::PodStatus::Exited
    );
    // Everything starts again.
    fx.oci.exit(&ran, 0); // the fake still holds the old process
    rt.start_container(&ran).unwrap();
    rt.start_container(&created).unwrap();
    rt.start_pod(&pod.config.id).unwrap();
    assert_eq!(
        rt.container(&ran).unwrap().state.status,
        ContainerStatus::Running
    );
}

#[test]
fn refresh_failure_leaves_alive_missing_so_the_next_runtime_retries() {
    let fx = Fx::new();
    std::fs::remove_file(fx.rt.alive_path()).unwrap();
    fx.state.fail_next("refresh");
    let mut cfg = super::config_in(fx.dir.path());
    cfg.namespace = String::new();
    let err = crate::Runtime::from_layers(
        cfg,
        crate::Layers {
            state: fx.state.clone(),
            storage: fx.storage.clone(),
            oci: fx.oci.clone(),
            network: fx.net.clone(),
            registry: fx.registry.clone(),
            networks: fx.nets.clone(),
        },
        crate::EngineOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, crate::Error::State(_)), "{err}");
    assert!(!fx.rt.alive_path().exists());
    assert!(fx.again().refreshed());
}

#[test]
fn refresh_happens_once_across_threads() {
    let fx = Fx::new();
    std::fs::remove_file(fx.rt.alive_path()).unwrap();
    let n = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| fx.again().refreshed())).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|r| *r)
            .count()
    });
    assert_eq!(n, 1);
}

//! Every failure point of the multi-step operations: what was undone, in which order, and
//! what is left.

use berth_cni::testing::FakeStep;
use berth_oci::testing::Op;
use berth_state::ContainerStatus;

use super::Fx;
use crate::{ContainerCreateOptions, Error};

/// After a failed start: configured, nothing mounted, no netns, no OCI container.
fn assert_clean(fx: &Fx, id: &str) {
    let rec = fx.state.container(id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Configured, "{id}");
    assert!(
        rec.state.mount_point.is_empty(),
        "mount point left: {:?}",
        rec.state
    );
    assert!(
        rec.state.netns_path.is_empty(),
        "netns left: {:?}",
        rec.state
    );
    assert!(rec.state.network_results.is_none());
    assert_eq!(
        fx.storage.mount_count(&rec.config.rootfs_storage_id),
        0,
        "still mounted"
    );
    assert!(
        fx.net.live_netns().is_empty(),
        "netns alive: {:?}",
        fx.net.live_netns()
    );
    assert!(fx.net.live_attachments().is_empty());
    assert!(!fx.oci.contains(id), "OCI container left");
}

use berth_state::State as _;

#[test]
fn start_fails_at_mount() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.storage.fail_on("mount_container");
    let err = fx.rt.start_container(&id).unwrap_err();
    assert!(matches!(err, Error::Storage(_)), "{err}");
    assert!(fx.net.calls().is_empty() && fx.oci.calls().is_empty());
    assert_clean(&fx, &id);
    fx.rt.start_container(&id).unwrap();
}

#[test]
fn start_fails_at_netns_creation() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.net.fail_at(FakeStep::CreateNetns);
    let err = fx.rt.start_container(&id).unwrap_err();
    assert!(matches!(err, Error::Network(_)), "{err}");
    assert_eq!(
        fx.storage_methods()[2..],
        ["mount_container", "unmount_container"]
    );
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_at_network_setup() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.net.fail_at(FakeStep::Setup);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Network(_))));
    assert_eq!(fx.net_calls(), ["CreateNetns", "Setup", "RemoveNetns"]);
    assert_eq!(fx.storage_methods().last(), Some(&"unmount_container"));
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_saving_the_network_state() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.flaky.fail_save(1);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::State(_))));
    assert_eq!(
        fx.net_calls(),
        ["CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert!(fx.oci.calls().is_empty());
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_writing_the_bundle() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.user = Some("nosuchuser".into());
    let id = fx.rt.create_container(&o).unwrap().config.id;
    let err = fx.rt.start_container(&id).unwrap_err();
    assert!(matches!(err, Error::Oci(_)), "{err}");
    assert!(err.to_string().contains("nosuchuser"), "{err}");
    assert_eq!(
        fx.net_calls(),
        ["CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert!(fx.oci.calls().is_empty());
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_at_oci_create() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.oci.fail_on(Op::Create);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Oci(_))));
    // Undo runs newest first: state restored, network down, netns gone, rootfs unmounted.
    assert_eq!(
        fx.net_calls(),
        ["CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert_eq!(fx.storage_methods().last(), Some(&"unmount_container"));
    assert_clean(&fx, &id);
    fx.oci.clear_failure(Op::Create);
    fx.rt.start_container(&id).unwrap();
}

#[test]
fn start_fails_saving_created() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.flaky.fail_save(2);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::State(_))));
    assert_eq!(fx.oci_calls(), ["Create", "Delete"]);
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_at_oci_start() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.oci.fail_on(Op::Start);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Oci(_))));
    assert_eq!(fx.oci_calls(), ["Create", "Start", "Delete"]);
    assert_eq!(
        fx.net_calls(),
        ["CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_saving_running_kills_the_process() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.flaky.fail_save(3);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::State(_))));
    let calls = fx.oci_calls();
    assert_eq!(calls[..3], ["Create", "Start", "Kill"], "{calls:?}");
    assert_eq!(calls.last().map(String::as_str), Some("Delete"));
    assert_clean(&fx, &id);
}

#[test]
fn undo_failures_travel_with_the_error() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.oci.fail_on(Op::Create);
    fx.net.fail_at(FakeStep::Teardown);
    let err = fx.rt.start_container(&id).unwrap_err();
    match &err {
        Error::Undo { source, undo } => {
            assert!(matches!(**source, Error::Oci(_)));
            assert_eq!(undo.len(), 1, "{undo:?}");
        }
        other => panic!("expected Undo, got {other}"),
    }
    assert!(err.to_string().contains("undoing"), "{err}");
}

#[test]
fn create_fails_at_storage_then_at_state() {
    let fx = Fx::new();
    fx.storage.fail_on("create_container");
    assert!(matches!(
        fx.rt
            .create_container(&ContainerCreateOptions::new("busybox", &[])),
        Err(Error::Storage(_))
    ));
    assert!(fx.state.all_containers().unwrap().is_empty());

    fx.state.fail_next("add_container");
    assert!(matches!(
        fx.rt
            .create_container(&ContainerCreateOptions::new("busybox", &[])),
        Err(Error::State(_))
    ));
    assert!(fx.state.all_containers().unwrap().is_empty());
    assert_eq!(fx.storage_methods().last(), Some(&"delete_container"));
    assert!(berth_storage::Storage::list_containers(&*fx.storage)
        .unwrap()
        .is_empty());
    let dirs = std::fs::read_dir(fx.dir.path().join("static/containers"))
        .unwrap()
        .count();
    assert_eq!(dirs, 0, "container dir left behind");
}

#[test]
fn stop_failure_leaves_it_running_and_a_retry_works() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.oci.fail_on(Op::Kill);
    assert!(fx.rt.stop_container(&id, None).is_err());
    assert_eq!(fx.status(&id), ContainerStatus::Running);
    fx.oci.clear_failure(Op::Kill);
    fx.rt.stop_container(&id, None).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Exited);
}

#[test]
fn cleanup_tries_every_step_and_a_retry_finishes() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.oci.exit(&id, 0);
    fx.net.fail_at(FakeStep::Teardown);
    let err = fx.rt.cleanup_container(&id).unwrap_err();
    assert!(
        matches!(&err, Error::Cleanup { errors, .. } if errors.len() == 1),
        "{err}"
    );
    let rec = fx.rt.container(&id).unwrap();
    // The rootfs was still unmounted; the netns waits for a working teardown.
    assert!(rec.state.mount_point.is_empty());
    assert!(!rec.state.netns_path.is_empty());
    assert_eq!(rec.state.status, ContainerStatus::Stopped);
    fx.rt.cleanup_container(&id).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Exited);
    assert!(fx.net.live_netns().is_empty());
}

#[test]
fn remove_failure_keeps_the_record_for_a_retry() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.storage.fail_on("delete_container");
    assert!(matches!(
        fx.rt.remove_container(&id, false, false),
        Err(Error::Storage(_))
    ));
    assert!(fx.rt.container_exists(&id).unwrap());
    fx.rt.remove_container(&id, false, false).unwrap();
    assert!(!fx.rt.container_exists(&id).unwrap());
}

#[test]
fn pause_save_failure_thaws_again() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.flaky.fail_save(1);
    assert!(fx.rt.pause_container(&id).is_err());
    assert_eq!(fx.oci_calls()[2..], ["Pause", "Resume"]);
    assert_eq!(fx.status(&id), ContainerStatus::Running);
}

#[test]
fn mount_save_failure_unmounts() {
    let fx = Fx::new();
    let id = fx.create("a");
    let sid = fx.state.container(&id).unwrap().config.rootfs_storage_id;
    fx.flaky.fail_save(1);
    assert!(fx.rt.mount_container(&id).is_err());
    assert_eq!(fx.storage.mount_count(&sid), 0);
}

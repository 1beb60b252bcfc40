//! Every failure point of the multi-step operations: what was undone, in which order, and
//! what is left.

use berth_cni::testing::FakeStep;
use berth_config::testing::InjectFailures as _;
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
    fx.storage.fail_next("mount_container");
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
    fx.net.fail_next(FakeStep::CreateNetns);
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
    fx.net.fail_next(FakeStep::Setup);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Network(_))));
    // The failed ADD is followed by a DEL of what was planned, then the netns goes.
    assert_eq!(
        fx.net_calls(),
        ["Plan", "CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert_eq!(fx.storage_methods().last(), Some(&"unmount_container"));
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_at_network_planning() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.net.fail_next(FakeStep::Plan);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Network(_))));
    assert_eq!(fx.net_calls(), ["Plan"]);
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_saving_the_planned_network() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.state.fail_nth("save_container_state", 1);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::State(_))));
    // Nothing was made: no netns and no ADD before the plan is recorded.
    assert_eq!(fx.net_calls(), ["Plan"]);
    assert_clean(&fx, &id);
}

#[test]
fn a_failed_add_whose_del_fails_keeps_the_plan_for_a_later_cleanup() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.net.fail_next(FakeStep::Setup);
    fx.net.fail_next(FakeStep::Teardown);
    let err = fx.rt.start_container(&id).unwrap_err();
    // Both the ADD's and the DEL's errors are reported.
    match &err {
        Error::Undo { source, undo } => {
            assert!(matches!(**source, Error::Network(_)), "{source}");
            assert_eq!(undo.len(), 1, "{undo:?}");
            assert!(undo[0].to_string().contains("Teardown"), "{}", undo[0]);
        }
        other => panic!("expected Undo, got {other}"),
    }
    // The record keeps the netns and the planned attachment (network, interface,
    // config) that teardown needs: a later command finishes the job from it alone.
    let rec = fx.state.container(&id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Configured);
    assert!(!rec.state.netns_path.is_empty(), "{:?}", rec.state);
    let kept: Vec<berth_cni::NetworkAttachment> =
        serde_json::from_value(rec.state.network_results.clone().unwrap()).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].network.as_str(), kept[0].interface.as_str()),
        ("berth", "eth0")
    );
    assert!(!kept[0].has_result(), "no ADD result was ever saved");
    assert_eq!(kept[0].config["name"], "berth");

    let before = fx.net.calls().len();
    fx.again().remove_container(&id, true, false).unwrap();
    let after: Vec<String> = fx.net_calls()[before..].to_vec();
    assert_eq!(after, ["Teardown", "RemoveNetns"]);
    assert!(fx.net.live_netns().is_empty());
    assert!(fx.net.live_attachments().is_empty());
}

#[test]
fn start_fails_saving_the_network_state() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.state.fail_nth("save_container_state", 2);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::State(_))));
    assert_eq!(
        fx.net_calls(),
        ["Plan", "CreateNetns", "Setup", "Teardown", "RemoveNetns"]
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
        ["Plan", "CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert!(fx.oci.calls().is_empty());
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_at_oci_create() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.oci.fail_always(Op::Create);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Oci(_))));
    // Undo runs newest first: state restored, network down, netns gone, rootfs unmounted.
    assert_eq!(
        fx.net_calls(),
        ["Plan", "CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert_eq!(fx.storage_methods().last(), Some(&"unmount_container"));
    assert_clean(&fx, &id);
    fx.oci.clear_failure(&Op::Create);
    fx.rt.start_container(&id).unwrap();
}

#[test]
fn start_fails_saving_created() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.state.fail_nth("save_container_state", 3);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::State(_))));
    assert_eq!(fx.oci_calls(), ["Create", "Delete"]);
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_at_oci_start() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.oci.fail_always(Op::Start);
    assert!(matches!(fx.rt.start_container(&id), Err(Error::Oci(_))));
    assert_eq!(fx.oci_calls(), ["Create", "Start", "Delete"]);
    assert_eq!(
        fx.net_calls(),
        ["Plan", "CreateNetns", "Setup", "Teardown", "RemoveNetns"]
    );
    assert_clean(&fx, &id);
}

#[test]
fn start_fails_saving_running_kills_the_process() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.state.fail_nth("save_container_state", 4);
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
    fx.oci.fail_always(Op::Create);
    fx.net.fail_next(FakeStep::Teardown);
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
    let leftovers = |what: &str| {
        assert!(fx.state.all_containers().unwrap().is_empty(), "{what}");
        assert!(
            berth_storage::Storage::list_containers(&*fx.storage)
                .unwrap()
                .is_empty(),
            "{what}"
        );
        for dir in [
            fx.dir.path().join("static/containers"),
            fx.rt.lock_dir.clone(),
        ] {
            let n = std::fs::read_dir(&dir).map_or(0, Iterator::count);
            assert_eq!(n, 0, "{what}: {} not empty", dir.display());
        }
    };
    // Storage fails after the record was written: the record, its lock file and its
    // directory go again.
    fx.storage.fail_next("create_container");
    assert!(matches!(
        fx.rt
            .create_container(&ContainerCreateOptions::new("busybox", &[])),
        Err(Error::Storage(_))
    ));
    leftovers("storage failed");

    // The record cannot be written: storage is never asked.
    let creates = |fx: &Fx| {
        fx.storage_methods()
            .iter()
            .filter(|m| **m == "create_container")
            .count()
    };
    let before = creates(&fx);
    fx.state.fail_next("add_container");
    assert!(matches!(
        fx.rt
            .create_container(&ContainerCreateOptions::new("busybox", &[])),
        Err(Error::State(_))
    ));
    assert_eq!(creates(&fx), before);
    leftovers("state failed");
}

/// The record is written before the root filesystem, under the storage id storage then
/// uses: a crash in between leaves a record that `ps -a` shows and `rm` removes, never a
/// root filesystem that nobody sees and that keeps its image in use.
#[test]
fn create_records_the_container_before_its_root_filesystem() {
    let fx = Fx::new();
    let rec = fx
        .rt
        .create_container(&ContainerCreateOptions::new("busybox", &[]))
        .unwrap();
    let storage = berth_storage::Storage::list_containers(&*fx.storage).unwrap();
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].id, rec.config.rootfs_storage_id);
    assert_eq!(storage[0].container_id, rec.config.id);

    // As after a kill between the two steps: the record alone. rm removes it cleanly.
    berth_storage::Storage::delete_container(&*fx.storage, &rec.config.rootfs_storage_id).unwrap();
    assert_eq!(fx.status(&rec.config.id), ContainerStatus::Configured);
    fx.rt
        .remove_container(&rec.config.id, false, false)
        .unwrap();
    assert!(fx.state.all_containers().unwrap().is_empty());
}

#[test]
fn stop_failure_leaves_it_running_and_a_retry_works() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.oci.fail_always(Op::Kill);
    assert!(fx.rt.stop_container(&id, None).is_err());
    assert_eq!(fx.status(&id), ContainerStatus::Running);
    fx.oci.clear_failure(&Op::Kill);
    fx.rt.stop_container(&id, None).unwrap();
    assert_eq!(fx.status(&id), ContainerStatus::Exited);
}

#[test]
fn cleanup_tries_every_step_and_a_retry_finishes() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.oci.exit(&id, 0);
    fx.net.fail_next(FakeStep::Teardown);
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
    fx.storage.fail_next("delete_container");
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
    fx.state.fail_nth("save_container_state", 1);
    assert!(fx.rt.pause_container(&id).is_err());
    assert_eq!(fx.oci_calls()[2..], ["Pause", "Resume"]);
    assert_eq!(fx.status(&id), ContainerStatus::Running);
}

#[test]
fn mount_save_failure_unmounts() {
    let fx = Fx::new();
    let id = fx.create("a");
    let sid = fx.state.container(&id).unwrap().config.rootfs_storage_id;
    fx.state.fail_nth("save_container_state", 1);
    assert!(fx.rt.mount_container(&id).is_err());
    assert_eq!(fx.storage.mount_count(&sid), 0);
}

/// Delegates to the fake network and, at ADD, reads what the state says about the
/// container at that moment (what a SIGKILL during ADD would leave).
#[derive(Debug)]
struct SeesStateAtAdd {
    net: std::sync::Arc<berth_cni::testing::FakeNetworkPlugin>,
    state: std::sync::Arc<berth_state::MemoryState>,
    seen: std::sync::Mutex<Option<berth_state::ContainerState>>,
    /// Written into the state during the next `prepare_ports`: the record of a concurrent
    /// create that chose a port, recorded it and let it go.
    plant: std::sync::Mutex<Option<berth_state::ContainerRecord>>,
}

impl berth_cni::NetworkPlugin for SeesStateAtAdd {
    fn netns_path(&self, name: &str) -> std::path::PathBuf {
        self.net.netns_path(name)
    }
    fn create_netns(&self, name: &str) -> berth_cni::Result<std::path::PathBuf> {
        self.net.create_netns(name)
    }
    fn remove_netns(&self, path: &std::path::Path) -> berth_cni::Result<()> {
        self.net.remove_netns(path)
    }
    fn plan(
        &self,
        id: &str,
        networks: &[String],
        ports: &[berth_cni::PortMapping],
    ) -> berth_cni::Result<Vec<berth_cni::NetworkAttachment>> {
        self.net.plan(id, networks, ports)
    }
    fn setup_planned(
        &self,
        id: &str,
        netns: &std::path::Path,
        planned: &[berth_cni::NetworkAttachment],
    ) -> berth_cni::Result<Vec<berth_cni::NetworkAttachment>> {
        *self.seen.lock().unwrap() = self.state.container(id).ok().map(|r| r.state);
        self.net.setup_planned(id, netns, planned)
    }
    fn teardown(
        &self,
        id: &str,
        netns: &std::path::Path,
        a: &[berth_cni::NetworkAttachment],
    ) -> berth_cni::Result<()> {
        self.net.teardown(id, netns, a)
    }
    fn check(
        &self,
        id: &str,
        netns: &std::path::Path,
        a: &[berth_cni::NetworkAttachment],
    ) -> berth_cni::Result<()> {
        self.net.check(id, netns, a)
    }
    fn reserve_ports(
        &self,
        ports: &[berth_cni::PortMapping],
    ) -> berth_cni::Result<Vec<std::os::fd::OwnedFd>> {
        self.net.reserve_ports(ports)
    }
    fn prepare_ports(
        &self,
        wanted: &[berth_cni::PortMapping],
        taken: &[berth_cni::PortMapping],
        recorded: &[berth_cni::PortMapping],
    ) -> berth_cni::Result<berth_cni::PreparedPorts> {
        if let Some(r) = self.plant.lock().unwrap().take() {
            self.state.add_container(&r.config, &r.state).unwrap();
        }
        self.net.prepare_ports(wanted, taken, recorded)
    }
    fn status(&self) -> berth_cni::Result<berth_cni::NetworkStatus> {
        self.net.status()
    }
    fn default_network(&self) -> &str {
        self.net.default_network()
    }
}

fn seeing_runtime(fx: &Fx) -> (std::sync::Arc<SeesStateAtAdd>, crate::Runtime) {
    let seer = std::sync::Arc::new(SeesStateAtAdd {
        net: fx.net.clone(),
        state: fx.state.clone(),
        seen: std::sync::Mutex::new(None),
        plant: std::sync::Mutex::new(None),
    });
    let layers = crate::Layers {
        state: fx.state.clone(),
        storage: fx.storage.clone(),
        oci: fx.oci.clone(),
        network: seer.clone(),
        registry: fx.registry.clone(),
        networks: fx.nets.clone(),
    };
    let engine = crate::EngineOptions {
        probe: fx.probe.clone(),
        ..crate::EngineOptions::default()
    };
    let rt = crate::Runtime::from_layers(super::config_in(fx.dir.path()), layers, engine).unwrap();
    (seer, rt)
}

#[test]
fn the_attachment_is_recorded_before_add() {
    let fx = Fx::new();
    let (seer, rt) = seeing_runtime(&fx);
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.ports = vec![berth_cni::PortMapping::tcp(8080, 80)];
    let id = rt.create_container(&o).unwrap().config.id;
    rt.start_container(&id).unwrap();
    let seen = seer.seen.lock().unwrap().clone().expect("ADD ran");
    // At ADD time the record already names the netns and the planned attachment with
    // the container's ports and the config list to use.
    assert_eq!(seen.netns_path, format!("/fake/netns/{id}"));
    let planned: Vec<berth_cni::NetworkAttachment> =
        serde_json::from_value(seen.network_results.expect("recorded")).unwrap();
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].network, "berth");
    assert_eq!(planned[0].port_mappings, o.ports);
    assert!(!planned[0].has_result());
    // Afterwards the record holds the result.
    let after: Vec<berth_cni::NetworkAttachment> = serde_json::from_value(
        fx.state
            .container(&id)
            .unwrap()
            .state
            .network_results
            .unwrap(),
    )
    .unwrap();
    assert!(after[0].has_result());
}

#[test]
fn a_port_another_create_records_while_it_is_chosen_is_chosen_again() {
    let fx = Fx::new();
    let (seer, rt) = seeing_runtime(&fx);
    let first = berth_cni::testing::FIRST_CHOSEN_PORT;
    // Another create chose `first`, recorded it and let it go after this one read the
    // records and before its choice: the choice is made again.
    let mut other = berth_state::ContainerRecord::default();
    other.config.id = "b".repeat(64);
    other.config.name = "other".into();
    other.config.port_mappings = vec![berth_cni::PortMapping::tcp(first, 80)];
    *seer.plant.lock().unwrap() = Some(other);
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.ports = vec![berth_cni::PortMapping::tcp(0, 80)];
    let rec = rt.create_container(&o).unwrap();
    assert_eq!(rec.config.port_mappings[0].host_port, first + 1);
    // A port a record names (running or not) is never chosen.
    let rec = rt.create_container(&o).unwrap();
    assert_eq!(rec.config.port_mappings[0].host_port, first + 2);
}

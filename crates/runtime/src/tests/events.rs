//! The events the runtime records, with the fakes: one container's life, pods and volumes,
//! and the `none` backend.

use super::Fx;
use crate::events::{Event, EventReadOptions, EventStatus, EventType};

fn recorded(fx: &Fx) -> Vec<Event> {
    let mut out = Vec::new();
    fx.rt
        .read_events(&EventReadOptions::default(), &|| true, &mut |e| {
            out.push(e.clone());
            true
        })
        .unwrap();
    out
}

fn statuses(fx: &Fx, kind: EventType) -> Vec<&'static str> {
    recorded(fx)
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.status.as_str())
        .collect()
}

#[test]
fn a_containers_life_is_recorded_in_order() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    fx.rt.pause_container(&id).unwrap();
    fx.rt.unpause_container(&id).unwrap();
    fx.rt.stop_container(&id, None).unwrap();
    // A second stop only cleans up: nothing more is recorded.
    fx.rt.stop_container(&id, None).unwrap();
    fx.rt.remove_container(&id, false, false).unwrap();
    assert_eq!(
        statuses(&fx, EventType::Container),
        ["create", "init", "start", "pause", "unpause", "died", "stop", "cleanup", "remove"]
    );
    let died = recorded(&fx)
        .into_iter()
        .find(|e| e.status == EventStatus::Died)
        .unwrap();
    assert_eq!(died.exit_code, 143);
    assert_eq!(died.id, id);
    assert_eq!(died.name, "a");
    assert!(fx.rt.events_log_path().unwrap().starts_with(fx.dir.path()));
}

#[test]
fn pods_and_volumes_are_recorded() {
    let fx = Fx::new();
    fx.rt
        .create_volume(&crate::VolumeCreateOptions {
            name: Some("v".into()),
            ..Default::default()
        })
        .unwrap();
    fx.rt.remove_volume("v", false).unwrap();
    assert_eq!(statuses(&fx, EventType::Volume), ["create", "remove"]);
    let pod = fx
        .rt
        .create_pod(&crate::PodCreateOptions {
            name: Some("p".into()),
            infra: None,
            ..Default::default()
        })
        .unwrap();
    fx.rt.remove_pod(&pod.config.id, false).unwrap();
    assert_eq!(statuses(&fx, EventType::Pod), ["create", "remove"]);
}

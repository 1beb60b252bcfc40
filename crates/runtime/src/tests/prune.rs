//! Prune, system prune, reset, df and refresh over the fakes.

use std::collections::BTreeMap;

use berth_storage::ImageConfig;

use super::Fx;
use crate::{
    ContainerCreateOptions, ContainerPruneOptions, ImagePruneOptions, PodCreateOptions,
    PruneFilters, SystemPruneOptions, VolumeCreateOptions, VolumePruneOptions,
};
use berth_config::testing::InjectFailures as _;

fn labelled(fx: &Fx, name: &str, labels: &[(&str, &str)]) -> String {
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "100"]);
    o.name = Some(name.into());
    o.labels = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    fx.rt.create_container(&o).unwrap().config.id
}

fn filters(words: &[&str]) -> PruneFilters {
    PruneFilters::parse(&words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>()).unwrap()
}

fn ids(r: &crate::PruneReport) -> Vec<String> {
    r.ids().map(str::to_owned).collect()
}

#[test]
fn container_prune_takes_stopped_containers_outside_pods_that_pass_the_filters() {
    let fx = Fx::new();
    let running = labelled(&fx, "running", &[]);
    fx.rt.start_container(&running).unwrap();
    let keep = labelled(&fx, "keep", &[("keep", "yes")]);
    let gone = labelled(&fx, "gone", &[]);
    let pod = fx.rt.create_pod(&PodCreateOptions::default()).unwrap();

    let r = fx
        .rt
        .prune_containers(&ContainerPruneOptions {
            filters: filters(&["label!=keep=yes"]),
        })
        .unwrap();
    assert_eq!(ids(&r), vec![gone.clone()]);
    assert!(r.errors.is_empty());
    assert!(!fx.rt.container_exists(&gone).unwrap());
    assert!(fx.rt.container_exists(&keep).unwrap());
    assert!(fx.rt.container_exists(&running).unwrap());
    let infra = pod.config.infra_container_id.unwrap();
    assert!(fx.rt.container_exists(&infra).unwrap(), "pod members stay");

    // until= in the past of every container: nothing goes.
    let r = fx
        .rt
        .prune_containers(&ContainerPruneOptions {
            filters: filters(&["until=1h"]),
        })
        .unwrap();
    assert!(r.removed.is_empty());
    let r = fx
        .rt
        .prune_containers(&ContainerPruneOptions::default())
        .unwrap();
    assert_eq!(ids(&r), [keep]);
}

#[test]
fn a_container_that_fails_to_go_is_reported_and_the_others_still_go() {
    let fx = Fx::new();
    let a = labelled(&fx, "a", &[]);
    let b = labelled(&fx, "b", &[]);
    fx.storage.fail_next("delete_container");
    let r = fx
        .rt
        .prune_containers(&ContainerPruneOptions::default())
        .unwrap();
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.removed.len(), 1);
    let failed = &r.errors[0].id;
    assert!(failed == &a || failed == &b);
    assert!(r.errors[0].error.to_string().contains("delete_container"));
}

#[test]
fn pod_prune_takes_pods_with_nothing_running_or_paused() {
    let fx = Fx::new();
    let idle = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("idle".into()),
            ..PodCreateOptions::default()
        })
        .unwrap();
    let busy = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("busy".into()),
            ..PodCreateOptions::default()
        })
        .unwrap();
    fx.rt.start_pod("busy").unwrap();
    let idle_infra = idle.config.infra_container_id.clone().unwrap();
    let r = fx.rt.prune_pods().unwrap();
    assert_eq!(ids(&r), vec![idle.config.id.clone()]);
    assert!(!fx.rt.container_exists(&idle_infra).unwrap());
    assert!(fx.rt.pod_exists(&busy.config.id).unwrap());
    fx.rt.stop_pod("busy", None).unwrap();
    assert_eq!(ids(&fx.rt.prune_pods().unwrap()), [busy.config.id]);
}

#[test]
fn image_prune_takes_unused_dangling_images_or_all_unused_ones() {
    let fx = Fx::new();
    let dangling = fx.storage.add_image(&[], ImageConfig::default());
    let tagged = fx.storage.add_image(
        &["localhost/spare"],
        ImageConfig {
            labels: BTreeMap::from([("keep".to_owned(), "yes".to_owned())]),
            ..ImageConfig::default()
        },
    );
    let other = fx
        .storage
        .add_image(&["localhost/other"], ImageConfig::default());
    labelled(&fx, "user", &[]); // uses busybox

    let r = fx.rt.prune_images(&ImagePruneOptions::default()).unwrap();
    assert_eq!(ids(&r), vec![dangling.id.clone()]);
    let r = fx
        .rt
        .prune_images(&ImagePruneOptions {
            all: true,
            filters: filters(&["label!=keep=yes"]),
        })
        .unwrap();
    assert_eq!(ids(&r), vec![other.id.clone()]);
    let left: Vec<String> = fx
        .storage
        .calls()
        .iter()
        .filter_map(|c| match c {
            berth_storage::testing::Call::RemoveImage(id, force) => {
                assert!(!force);
                Some(id.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(left, [dangling.id, other.id]);
    let r = fx
        .rt
        .prune_images(&ImagePruneOptions {
            all: true,
            ..ImagePruneOptions::default()
        })
        .unwrap();
    assert_eq!(ids(&r), [tagged.id], "busybox stays: a container uses it");
}

#[test]
fn volume_prune_takes_unused_volumes_that_pass_the_filters_and_counts_their_bytes() {
    let fx = Fx::new();
    let mk = |name: &str, labels: &[(&str, &str)]| {
        fx.rt
            .create_volume(&VolumeCreateOptions {
                name: Some(name.into()),
                labels: labels
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                ..VolumeCreateOptions::default()
            })
            .unwrap()
    };
    let big = mk("big", &[]);
    std::fs::create_dir(big.mountpoint.join("sub")).unwrap();
    std::fs::write(big.mountpoint.join("sub/f"), vec![0u8; 1000]).unwrap();
    mk("kept", &[("keep", "1")]);
    mk("used", &[]);
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.mounts = vec![crate::ContainerMount::Volume {
        name: Some("used".into()),
        destination: "/u".into(),
        read_only: false,
        options: vec![],
    }];
    fx.rt.create_container(&o).unwrap();

    assert_eq!(
        fx.rt.unused_volumes(&PruneFilters::default()).unwrap(),
        ["big", "kept"]
    );
    // The confirmation lists what the filters let through, as podman.
    assert_eq!(
        fx.rt.unused_volumes(&filters(&["label=keep"])).unwrap(),
        ["kept"]
    );
    let r = fx
        .rt
        .prune_volumes(&VolumePruneOptions {
            filters: filters(&["label!=keep=1"]),
        })
        .unwrap();
    assert_eq!(ids(&r), ["big"]);
    assert_eq!(r.reclaimed(), 1000);
    assert!(fx.rt.volume_exists("kept").unwrap());
    assert!(fx.rt.volume_exists("used").unwrap());
}

#[test]
fn system_prune_runs_every_part_in_order() {
    let fx = Fx::new();
    let ctr = labelled(&fx, "stopped", &[]);
    fx.rt
        .create_volume(&VolumeCreateOptions {
            name: Some("v".into()),
            ..VolumeCreateOptions::default()
        })
        .unwrap();
    let img = fx.storage.add_image(&[], ImageConfig::default());
    let r = fx.rt.prune_system(&SystemPruneOptions::default()).unwrap();
    assert_eq!(ids(&r.containers), [ctr]);
    assert!(r.pods.removed.is_empty());
    assert!(r.volumes.is_none(), "volumes only when asked");
    assert_eq!(ids(&r.images), [img.id]);
    assert!(fx.rt.volume_exists("v").unwrap());
    let r = fx
        .rt
        .prune_system(&SystemPruneOptions {
            all: true,
            volumes: true,
            ..SystemPruneOptions::default()
        })
        .unwrap();
    assert_eq!(ids(r.volumes.as_ref().unwrap()), ["v"]);
    assert_eq!(r.images.removed.len(), 1, "busybox, unused now");
}

#[test]
fn disk_usage_counts_images_containers_and_volumes() {
    let fx = Fx::new();
    fx.storage
        .add_image(&["localhost/unused"], ImageConfig::default());
    let a = labelled(&fx, "a", &[]);
    labelled(&fx, "b", &[]);
    fx.rt.start_container(&a).unwrap();
    fx.rt
        .create_volume(&VolumeCreateOptions::default())
        .unwrap();
    let du = fx.rt.disk_usage().unwrap();
    assert_eq!((du.images.total, du.images.active), (2, 1));
    assert_eq!((du.containers.total, du.containers.active), (2, 1));
    assert_eq!(du.volumes.total, 1);
}

#[test]
fn system_reset_removes_everything_then_the_directories() {
    let fx = Fx::new();
    labelled(&fx, "a", &[]);
    fx.rt.create_pod(&PodCreateOptions::default()).unwrap();
    fx.rt
        .create_volume(&VolumeCreateOptions::default())
        .unwrap();
    let r = fx.rt.system_reset().unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(r.pods.len(), 1);
    assert_eq!(r.containers.len(), 1, "the pod took its infra container");
    assert_eq!(r.volumes.len(), 1);
    assert_eq!(r.images.len(), 2, "busybox and the infra image");
    assert!(fx.rt.list_volumes().unwrap_err().is_stopped());
    for d in ["graph", "static", "tmp"] {
        assert!(!fx.dir.path().join(d).exists(), "{d}");
    }
    assert!(!r.removed_dirs.is_empty());
}

#[test]
fn system_reset_keeps_the_directories_when_something_could_not_go() {
    let fx = Fx::new();
    fx.storage.fail_next("remove_image");
    let r = fx.rt.system_reset().unwrap();
    assert_eq!(r.errors.len(), 1);
    assert!(r.removed_dirs.is_empty());
    assert!(fx.dir.path().join("static").exists());
}

#[test]
fn system_refresh_resets_containers_as_after_a_reboot() {
    let fx = Fx::new();
    let id = labelled(&fx, "a", &[]);
    fx.rt.start_container(&id).unwrap();
    fx.rt.system_refresh().unwrap();
    assert!(fx.rt.alive_path().exists());
    assert_ne!(fx.status(&id), berth_state::ContainerStatus::Running);
}

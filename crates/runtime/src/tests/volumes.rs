//! Named volumes.

use super::Fx;
use crate::{ContainerCreateOptions, Error, VolumeCreateOptions};

#[test]
fn volume_lifecycle_and_in_use_checks() {
    let fx = Fx::new();
    let v = fx
        .rt
        .create_volume(&VolumeCreateOptions {
            name: Some("data".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(v.mountpoint.ends_with("volumes/data/_data") && v.mountpoint.is_dir());
    assert!(matches!(
        fx.rt.create_volume(&VolumeCreateOptions {
            name: Some("data".into()),
            ..Default::default()
        }),
        Err(Error::VolumeExists(_))
    ));
    let anon = fx
        .rt
        .create_volume(&VolumeCreateOptions::default())
        .unwrap();
    assert_eq!(anon.name.len(), 64);
    assert_eq!(fx.rt.list_volumes().unwrap().len(), 2);
    assert_eq!(fx.rt.inspect_volume("data").unwrap(), v);

    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.mounts = vec![
        crate::ContainerMount::Volume {
            name: Some("data".into()),
            destination: "/data".into(),
            read_only: false,
            options: vec![],
        },
        crate::ContainerMount::Volume {
            name: Some("auto".into()),
            destination: "/auto".into(),
            read_only: false,
            options: vec![],
        },
    ];
    let id = fx.rt.create_container(&o).unwrap().config.id;
    assert!(
        fx.rt.volume_exists("auto").unwrap(),
        "missing volumes are created"
    );
    assert!(matches!(
        fx.rt.remove_volume("data", false),
        Err(Error::VolumeInUse { .. })
    ));
    // prune keeps the used ones.
    let pruned = fx
        .rt
        .prune_volumes(&crate::VolumePruneOptions::default())
        .unwrap();
    assert_eq!(pruned.ids().collect::<Vec<_>>(), vec![anon.name.as_str()]);
    fx.rt.start_container(&id).unwrap();
    let cfg = std::fs::read_to_string(fx.rt.bundle_dir(&id).join("config.json")).unwrap();
    assert!(
        cfg.contains("volumes/data/_data"),
        "volume bound into the container"
    );
    fx.rt.remove_volume("data", true).unwrap();
    assert!(
        !fx.rt.container_exists(&id).unwrap(),
        "force removed its user"
    );
    assert!(fx.rt.inspect_volume("data").unwrap_err().is_not_found());
    assert!(fx
        .rt
        .inspect_volume("../x")
        .unwrap_err()
        .to_string()
        .contains("name"));
}

#[test]
fn remove_with_volumes_drops_unused_ones() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.mounts = vec![crate::ContainerMount::Volume {
        name: Some("v".into()),
        destination: "/v".into(),
        read_only: false,
        options: vec![],
    }];
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.remove_container(&id, false, true).unwrap();
    assert!(!fx.rt.volume_exists("v").unwrap());
}

#[test]
fn corrupt_volume_record_is_named() {
    let fx = Fx::new();
    fx.rt
        .create_volume(&VolumeCreateOptions {
            name: Some("c".into()),
            ..Default::default()
        })
        .unwrap();
    let p = fx.dir.path().join("graph/volumes/c/volume.json");
    std::fs::write(&p, "{not json").unwrap();
    let err = fx.rt.inspect_volume("c").unwrap_err().to_string();
    assert!(
        err.contains("volume.json") && err.contains("corrupt"),
        "{err}"
    );
}

#[test]
fn a_volume_used_in_another_namespace_is_neither_removed_nor_pruned() {
    let fx = Fx::new();
    let in_a = fx.in_namespace("a");
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.mounts = vec![crate::ContainerMount::Volume {
        name: Some("shared".into()),
        destination: "/data".into(),
        read_only: false,
        options: vec![],
    }];
    let user = in_a.create_container(&o).unwrap().config.id;
    let in_b = fx.in_namespace("b");
    assert_eq!(
        in_b.volume_users("shared").unwrap(),
        std::slice::from_ref(&user)
    );
    for force in [false, true] {
        match in_b.remove_volume("shared", force) {
            Err(Error::VolumeInUse { containers, .. }) => {
                assert_eq!(containers, std::slice::from_ref(&user));
            }
            other => panic!("force={force}: {other:?}"),
        }
    }
    assert!(in_b
        .prune_volumes(&crate::VolumePruneOptions::default())
        .unwrap()
        .removed
        .is_empty());
    assert!(in_b.volume_exists("shared").unwrap());
}

#[test]
fn a_container_is_recorded_only_while_its_volumes_exist() {
    let fx = Fx::new();
    // What create does last, under the volumes' lock: a volume a racing `volume rm`
    // removed fails the create (whose steps are then undone) instead of being used.
    let err = fx.rt.with_volumes_held(&["nosuch"], || Ok(())).unwrap_err();
    assert!(matches!(err, Error::NoSuchVolume(_)), "{err}");
    assert!(fx.rt.with_volumes_held(&[], || Ok(())).is_ok());
}

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

#[test]
fn volume_options_are_checked_as_podmans_local_driver() {
    let fx = Fx::new();
    let create = |name: &str, kv: &[(&str, &str)]| {
        fx.rt.create_volume(&VolumeCreateOptions {
            name: Some(name.into()),
            options: kv
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..VolumeCreateOptions::default()
        })
    };
    let e = create("b1", &[("type", "bind"), ("device", "/bogus/nowhere")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid volume option device for driver 'local': stat /bogus/nowhere: no such file or directory"
    );
    assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    let e = create("b2", &[("type", "bind")]).unwrap_err().to_string();
    assert!(e.contains("needs -o device=PATH"), "{e}");
    let e = create("b3", &[("colour", "red")]).unwrap_err().to_string();
    assert_eq!(
        e,
        "invalid volume option colour for driver 'local': invalid argument"
    );
    // podman's answers for `o=`: sizes need project quotas, which these machines lack;
    // `uid=`/`gid=` must be numbers.
    let e = create("b4", &[("type", "tmpfs"), ("o", "size=1m")])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Filesystem does not support Project Quota"),
        "{e}"
    );
    let e = create("b5", &[("o", "uid=me")]).unwrap_err().to_string();
    assert!(e.contains("cannot convert UID \"me\" to an integer"), "{e}");
    // Nothing is left of a refused volume.
    assert!(fx.rt.list_volumes().unwrap().is_empty());
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().to_string_lossy().into_owned();
    create("bound", &[("type", "bind"), ("device", &device)]).unwrap();
    // The caller's own ids: the unit tests also run as nobody, who may chown only to itself.
    use std::os::unix::fs::MetadataExt;
    let me = std::fs::metadata(dir.path()).unwrap();
    let (uid, gid) = (me.uid(), me.gid());
    let o = format!("mode=0700,uid={uid},gid={gid},noquota");
    let mem = create("mem", &[("type", "tmpfs"), ("device", "tmpfs"), ("o", &o)]).unwrap();
    // As podman records them: UID/GID/NOQUOTA beside `o`, which keeps what mount(8) takes.
    assert_eq!((mem.uid, mem.gid), (Some(uid), Some(gid)));
    assert_eq!(mem.options["o"], format!("mode=0700,uid={uid},gid={gid}"));
    assert_eq!(mem.options["UID"], uid.to_string());
    assert_eq!(mem.options["NOQUOTA"], "true");
    assert!(mem.needs_mount() && !mem.needs_chown && mem.needs_copy_up);
    // Any other filesystem type is mount(8)'s to judge, when the volume is mounted.
    let nfs = create("n", &[("type", "nfs"), ("device", "host:/x")]).unwrap();
    assert!(nfs.needs_mount());
    let owned = create("owned", &[("o", &format!("uid={uid}"))]).unwrap();
    assert!(!owned.needs_mount(), "uid= alone mounts nothing");
    assert_eq!(std::fs::metadata(&owned.mountpoint).unwrap().uid(), uid);
    assert_eq!(fx.rt.list_volumes().unwrap().len(), 4);
}

//! The image API on the fakes: list, inspect, history, tag, untag, remove, exists, import,
//! load, save, and pull through the registry of the layers.

use berth_storage::registry::testing::Call as RegistryCall;
use berth_storage::registry::PullOptions;
use berth_storage::testing::Call;
use berth_storage::{ArchiveFormat, HistoryEntry, ImageConfig, ImportOptions};

use super::Fx;
use crate::{
    apply_import_change, Error, ErrorKind, ImageListOptions, ImageRemoveOptions, ImageSaveOptions,
};

const BUSYBOX: &str = "docker.io/library/busybox:latest";

fn names(fx: &Fx, image: &str) -> Vec<String> {
    fx.rt.resolve_image(image).unwrap().names
}

#[test]
fn list_gives_what_images_prints_and_filters_by_name() {
    let fx = Fx::new();
    let mut labels = std::collections::BTreeMap::new();
    labels.insert("a".to_string(), "1".to_string());
    fx.storage.add_image(
        &["localhost/bb:1"],
        ImageConfig {
            labels: labels.clone(),
            ..ImageConfig::default()
        },
    );
    fx.storage.add_image(&[], ImageConfig::default());

    let all = fx.rt.list_images(&ImageListOptions::default()).unwrap();
    assert_eq!(all.len(), 3);
    let bb = all.iter().find(|i| i.names == ["localhost/bb:1"]).unwrap();
    assert_eq!(bb.labels, labels);
    assert!(!bb.dangling);
    assert_eq!(bb.digest, format!("sha256:{}", bb.id));
    assert_eq!(
        bb.repo_digests(),
        [format!("localhost/bb@sha256:{}", bb.id)]
    );
    assert!(all.iter().any(|i| i.dangling && i.names.is_empty()));

    for want in ["localhost/bb:1", "bb", "localhost/bb"] {
        let only = fx
            .rt
            .list_images(&ImageListOptions {
                name: Some(want.into()),
            })
            .unwrap();
        assert_eq!(only.len(), 1, "{want}");
        assert_eq!(only[0].id, bb.id);
    }
    let none = fx
        .rt
        .list_images(&ImageListOptions {
            name: Some("other".into()),
        })
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn a_missing_image_is_a_typed_not_found() {
    let fx = Fx::new();
    for e in [
        fx.rt.inspect_image("nothere").unwrap_err(),
        fx.rt.image_history("nothere").unwrap_err(),
        fx.rt.resolve_image("nothere").unwrap_err(),
        fx.rt
            .tag_image("nothere", &["x:1".to_string()])
            .unwrap_err(),
        fx.rt.untag_image("nothere", &[]).unwrap_err(),
    ] {
        assert!(
            matches!(&e, Error::NoSuchImage(n) if n.contains("nothere")),
            "{e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }
    assert!(!fx.rt.image_exists("nothere").unwrap());
    assert!(fx.rt.image_exists("busybox").unwrap());
}

#[test]
fn inspect_serializes_with_podmans_keys() {
    let fx = Fx::new();
    let i = fx.rt.inspect_image("busybox").unwrap();
    assert_eq!(i.repo_tags, [BUSYBOX]);
    let v = serde_json::to_value(&i).unwrap();
    for key in [
        "Id",
        "Digest",
        "RepoTags",
        "RepoDigests",
        "Created",
        "Config",
        "Architecture",
        "Os",
        "Size",
        "VirtualSize",
        "RootFS",
        "History",
        "NamesHistory",
    ] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v["Config"]["Cmd"], serde_json::json!(["sh"]));
    assert_eq!(v["RootFS"]["Type"], "layers");
    assert_eq!(
        v["RepoDigests"][0],
        format!("docker.io/library/busybox@sha256:{}", i.id)
    );
}

#[test]
fn tag_moves_a_name_and_untag_removes_one_or_all() {
    let fx = Fx::new();
    let other = fx
        .storage
        .add_image(&["localhost/o:1"], ImageConfig::default());
    fx.rt
        .tag_image("busybox", &["localhost/o:1".into(), "localhost/b:2".into()])
        .unwrap();
    assert_eq!(
        names(&fx, "busybox"),
        [BUSYBOX, "localhost/o:1", "localhost/b:2"]
    );
    assert!(names(&fx, &other.id).is_empty(), "the name moved");

    fx.rt
        .untag_image("busybox", &["localhost/o:1".into()])
        .unwrap();
    assert_eq!(names(&fx, "busybox"), [BUSYBOX, "localhost/b:2"]);
    let e = fx
        .rt
        .untag_image("busybox", &["localhost/o:1".into()])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e:?}");

    let id = fx.rt.resolve_image("busybox").unwrap().id;
    fx.rt.untag_image(&id, &[]).unwrap();
    assert!(names(&fx, &id).is_empty());
}

#[test]
fn remove_untags_a_second_name_and_refuses_an_image_in_use() {
    let fx = Fx::new();
    let id = fx.rt.resolve_image("busybox").unwrap().id;
    fx.rt.tag_image(&id, &["localhost/b:2".into()]).unwrap();
    let r = fx
        .rt
        .remove_images(&ImageRemoveOptions {
            images: vec!["localhost/b:2".into()],
            ..ImageRemoveOptions::default()
        })
        .unwrap();
    assert_eq!(r.untagged, ["localhost/b:2"]);
    assert!(r.deleted.is_empty() && r.errors.is_empty());

    let ctr = fx.create("user");
    let r = fx
        .rt
        .remove_images(&ImageRemoveOptions {
            images: vec!["busybox".into()],
            ..ImageRemoveOptions::default()
        })
        .unwrap();
    assert!(r.deleted.is_empty());
    match &r.errors[..] {
        [Error::ImageInUse { image, containers }] => {
            assert_eq!(image, &id);
            assert_eq!(containers, &[ctr.as_str()], "the runtime's container id");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.errors[0].kind(), ErrorKind::InUse);
    assert!(fx.rt.image_exists(&id).unwrap());

    let r = fx
        .rt
        .remove_images(&ImageRemoveOptions {
            images: vec!["busybox".into()],
            force: true,
            ..ImageRemoveOptions::default()
        })
        .unwrap();
    assert_eq!(r.untagged, [BUSYBOX]);
    assert_eq!(r.deleted, [id.as_str()]);
    assert!(!fx.rt.image_exists(&id).unwrap());
}

#[test]
fn remove_tries_every_image_and_reports_each_failure() {
    let fx = Fx::new();
    let a = fx
        .storage
        .add_image(&["localhost/a:1"], ImageConfig::default());
    let r = fx
        .rt
        .remove_images(&ImageRemoveOptions {
            images: vec!["missing1".into(), "localhost/a:1".into(), "missing2".into()],
            ..ImageRemoveOptions::default()
        })
        .unwrap();
    assert_eq!(r.deleted, [a.id]);
    assert_eq!(r.errors.len(), 2);
    assert!(
        r.errors.iter().all(|e| e.kind() == ErrorKind::NotFound),
        "{:?}",
        r.errors
    );

    let r = fx
        .rt
        .remove_images(&ImageRemoveOptions {
            images: vec!["missing".into()],
            ignore_missing: true,
            ..ImageRemoveOptions::default()
        })
        .unwrap();
    assert!(r.errors.is_empty());

    fx.storage.add_image(&[], ImageConfig::default());
    let r = fx
        .rt
        .remove_images(&ImageRemoveOptions {
            all: true,
            ..ImageRemoveOptions::default()
        })
        .unwrap();
    assert_eq!(r.deleted.len(), 2);
    assert!(fx
        .rt
        .list_images(&ImageListOptions::default())
        .unwrap()
        .is_empty());
}

#[test]
fn import_applies_the_change_instructions() {
    let fx = Fx::new();
    let mut o = ImportOptions {
        names: vec!["localhost/imp:1".into()],
        ..ImportOptions::default()
    };
    for c in [
        "CMD [\"sh\"]",
        "ENV A=1",
        "ENV B 2",
        "EXPOSE 80 53/udp",
        "VOLUME [\"/data\"]",
        "VOLUME /logs /cache",
        "LABEL a=1 \"b=two words\"",
        "USER nobody",
        "STOPSIGNAL SIGQUIT",
        "WORKDIR /srv",
        "ENTRYPOINT /bin/x",
    ] {
        apply_import_change(&mut o, c).unwrap();
    }
    assert_eq!(o.cmd, Some(vec!["sh".to_owned()]));
    assert_eq!(
        o.entrypoint,
        Some(vec!["/bin/sh".into(), "-c".into(), "/bin/x".into()])
    );
    assert_eq!(o.env, ["A=1", "B=2"]);
    assert_eq!(o.exposed_ports, ["80/tcp", "53/udp"]);
    assert_eq!(o.volumes, ["/data", "/logs", "/cache"]);
    assert_eq!(o.labels["b"], "two words");
    assert_eq!(o.user.as_deref(), Some("nobody"));
    assert_eq!(o.stop_signal.as_deref(), Some("SIGQUIT"));
    for bad in ["ONBUILD RUN x", "LABEL novalue", "FROM x"] {
        let e = apply_import_change(&mut o, bad).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArgument { what: "--change", value, .. } if value == bad),
            "{e:?}"
        );
    }

    let rec = fx.rt.import_image(&mut &b"tar bytes"[..], &o).unwrap();
    assert_eq!(fx.storage.calls().last(), Some(&Call::Import(9)));
    let i = fx.rt.inspect_image("localhost/imp:1").unwrap();
    assert_eq!(i.id, rec.id);
    assert_eq!(i.config.working_dir.as_deref(), Some("/srv"));
}

#[test]
fn save_then_load_round_trips_and_history_rows_follow_the_config() {
    let fx = Fx::new();
    let archive = fx.dir.path().join("bb.tar");
    let opts = ImageSaveOptions {
        images: vec!["busybox".into()],
        format: ArchiveFormat::OciArchive,
        output: archive.clone(),
    };
    fx.rt.save_images(&opts).unwrap();
    assert_eq!(
        fx.storage.calls().last(),
        Some(&Call::Save(
            vec!["busybox".into()],
            ArchiveFormat::OciArchive,
            archive.clone()
        ))
    );
    let e = fx
        .rt
        .save_images(&ImageSaveOptions {
            images: vec!["nothere".into()],
            ..opts
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e:?}");

    // A stored image with a two-step history, loaded back.
    let mut rec = fx.rt.resolve_image("busybox").unwrap();
    rec.id = "ab".repeat(32);
    rec.names = vec!["localhost/hist:1".into()];
    rec.size = 42;
    rec.history = vec![
        HistoryEntry {
            created: Some("2024-01-02T03:04:05Z".into()),
            created_by: Some("ADD rootfs".into()),
            ..HistoryEntry::default()
        },
        HistoryEntry {
            created_by: Some("CMD sh".into()),
            comment: Some("no layer".into()),
            empty_layer: true,
            ..HistoryEntry::default()
        },
    ];
    let file = fx.dir.path().join("hist.json");
    std::fs::write(&file, serde_json::to_vec(&[&rec]).unwrap()).unwrap();
    let loaded = fx.rt.load_images(&file).unwrap();
    assert_eq!(loaded[0].id, rec.id);

    let h = fx.rt.image_history("localhost/hist:1").unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].id.as_deref(), Some(rec.id.as_str()));
    assert_eq!(h[0].size, 42);
    assert_eq!(
        h[0].created_time().unwrap().to_rfc3339(),
        "2024-01-02T03:04:05+00:00"
    );
    assert_eq!(h[1].id, None);
    assert_eq!(h[1].size, 0);
    assert_eq!(h[1].comment.as_deref(), Some("no layer"));
}

#[test]
fn pull_goes_through_the_registry_of_the_layers() {
    let fx = Fx::new();
    let mut img = fx.rt.resolve_image("busybox").unwrap();
    img.names = vec!["quay.io/x/y:1".into()];
    fx.registry.add_image("quay.io/x/y:1", img);
    let report = fx
        .rt
        .pull_image("docker://quay.io/x/y:1", &PullOptions::default())
        .unwrap();
    assert_eq!(report.image.names, ["quay.io/x/y:1"]);
    assert_eq!(
        fx.registry.calls(),
        [RegistryCall::Pull("quay.io/x/y:1".into())]
    );
    let e = fx
        .rt
        .pull_image("oci-archive:/tmp/x.tar", &PullOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("berth load"), "{e}");
    assert_eq!(fx.registry.calls().len(), 1, "refused before the registry");
}

#[test]
fn after_shutdown_the_image_api_is_stopped() {
    let fx = Fx::new();
    let rt = fx.again();
    rt.shutdown(false).unwrap();
    assert!(rt
        .list_images(&ImageListOptions::default())
        .unwrap_err()
        .is_stopped());
    assert!(rt.image_exists("busybox").unwrap_err().is_stopped());
    assert!(rt
        .remove_images(&ImageRemoveOptions::default())
        .unwrap_err()
        .is_stopped());
}

//! The store end to end on real overlayfs and vfs: import, image operations,
//! container root filesystems with real mounts, check.

mod common;

use std::io::Cursor;

use berth_storage::{Driver, Error, ImportOptions, Storage};
use berth_testsupport::busybox;
use common::{gzip, Tar, TestStore};

fn import_busybox(ts: &TestStore, name: &str) -> berth_storage::ImageRecord {
    let tar = busybox::rootfs_tar();
    ts.store
        .import_rootfs(
            &mut Cursor::new(tar),
            &ImportOptions {
                names: vec![name.into()],
                cmd: Some(vec!["/bin/sh".into()]),
                env: vec!["PATH=/bin".into()],
                working_dir: Some("/root".into()),
                ..ImportOptions::default()
            },
        )
        .unwrap()
}

fn lifecycle(driver: Driver) {
    let ts = TestStore::new(driver);
    let img = import_busybox(&ts, "bb");
    assert_eq!(img.names, vec!["localhost/bb:latest"]);
    assert_eq!(
        img.config.cmd.as_deref(),
        Some(&["/bin/sh".to_string()][..])
    );
    assert_eq!(img.config.working_dir.as_deref(), Some("/root"));
    assert_eq!(img.layers.len(), 1);
    // lookups: name forms, id, prefix
    for key in [
        "bb",
        "localhost/bb",
        "localhost/bb:latest",
        &img.id,
        &img.id[..12],
        &format!("sha256:{}", img.id),
    ] {
        assert_eq!(ts.store.resolve_image(key).unwrap().id, img.id, "{key}");
    }
    assert!(matches!(
        ts.store.resolve_image("nope"),
        Err(Error::ImageNotFound(_))
    ));

    // container storage
    let sid = ts.store.create_container("ctr1", &img.id).unwrap();
    assert!(matches!(
        ts.store.create_container("ctr1", &img.id),
        Err(Error::ContainerExists(_))
    ));
    assert_eq!(ts.store.mount_point(&sid).unwrap(), None);
    let root = ts.store.mount_container(&sid).unwrap();
    assert!(root.join("bin/busybox").exists());
    assert_eq!(ts.store.mount_container(&sid).unwrap(), root);
    std::fs::write(root.join("tmp/hello"), b"hello").unwrap();
    std::fs::remove_file(root.join("etc/group")).unwrap();
    assert!(ts.store.container_size(&sid).unwrap() >= 5);
    assert!(ts.store.shutdown(false).is_err(), "busy while mounted");
    assert!(
        ts.store.unmount_container(&sid, false).unwrap(),
        "still one reference"
    );
    assert_eq!(ts.store.mount_point(&sid).unwrap(), Some(root.clone()));
    assert!(!ts.store.unmount_container(&sid, false).unwrap());
    assert_eq!(ts.store.mount_point(&sid).unwrap(), None);
    // changes persist across mounts and do not touch the image
    let root = ts.store.mount_container(&sid).unwrap();
    assert_eq!(std::fs::read(root.join("tmp/hello")).unwrap(), b"hello");
    assert!(!root.join("etc/group").exists());
    let sid2 = ts.store.create_container("ctr2", &img.id).unwrap();
    let root2 = ts.store.mount_container(&sid2).unwrap();
    assert!(root2.join("etc/group").exists());
    assert!(!root2.join("tmp/hello").exists());
    assert_eq!(ts.store.list_containers().unwrap().len(), 2);

    // the image is in use
    assert!(matches!(
        ts.store.remove_image("bb", false),
        Err(Error::ImageInUse { .. })
    ));
    ts.store.shutdown(true).unwrap();
    assert_eq!(ts.store.mount_point(&sid).unwrap(), None);
    ts.store.delete_container(&sid).unwrap();
    ts.store.delete_container(&sid2).unwrap();
    assert!(matches!(
        ts.store.delete_container(&sid),
        Err(Error::ContainerNotFound(_))
    ));
    assert!(ts.store.list_containers().unwrap().is_empty());
    ts.store.tag_image("bb", "second").unwrap();
    let r = ts.store.remove_image("second", false).unwrap();
    assert_eq!(
        (r.deleted, r.untagged),
        (false, vec!["docker.io/library/second:latest".to_string()]),
        "one of two names: untag only"
    );
    assert!(ts.store.remove_image("bb", false).unwrap().deleted);
    assert!(ts.store.images().unwrap().is_empty());
    assert!(
        ts.store.layers().unwrap().is_empty(),
        "layers go with their last image"
    );
    assert!(
        ts.store.check(false).unwrap().is_clean(),
        "{:?}",
        ts.store.check(false).unwrap()
    );
}

#[test]
fn overlay_lifecycle() {
    lifecycle(Driver::Overlay);
}

#[test]
fn vfs_lifecycle() {
    lifecycle(Driver::Vfs);
}

#[test]
fn forced_removal_keeps_layers_for_containers() {
    let ts = TestStore::new(Driver::Overlay);
    let img = import_busybox(&ts, "keep");
    let sid = ts.store.create_container("c", &img.id).unwrap();
    ts.store.remove_image(&img.id, true).unwrap();
    let root = ts.store.mount_container(&sid).unwrap();
    assert!(root.join("bin/busybox").exists());
    ts.store.delete_container(&sid).unwrap();
    assert!(ts.store.layers().unwrap().is_empty());
}

fn layered(driver: Driver) {
    let ts = TestStore::new(driver);
    // two images built by load over shared layers: build via import of gz + zstd
    let base = Tar::new()
        .file("a", b"a")
        .file("d/x", b"x")
        .file("d/y", b"y")
        .file("o/old", b"o")
        .finish();
    let i1 = ts
        .store
        .import_rootfs(
            &mut Cursor::new(gzip(&base)),
            &ImportOptions {
                names: vec!["gz".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let z = zstd::encode_all(&base[..], 3).unwrap();
    let i2 = ts
        .store
        .import_rootfs(
            &mut Cursor::new(z),
            &ImportOptions {
                names: vec!["zs".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(i1.layers, i2.layers, "same content, same layer");
    assert_eq!(ts.store.layers().unwrap().len(), 1);
    // tag/untag
    ts.store.tag_image("gz", "other:1").unwrap();
    assert_eq!(ts.store.resolve_image("other:1").unwrap().id, i1.id);
    ts.store.tag_image("zs", "other:1").unwrap();
    assert_eq!(
        ts.store.resolve_image("other:1").unwrap().id,
        i2.id,
        "a name moves"
    );
    assert!(!ts
        .store
        .image(&i1.id)
        .unwrap()
        .names
        .contains(&"docker.io/library/other:1".to_string()));
    ts.store.untag_image("zs", "other:1").unwrap();
    assert!(ts.store.resolve_image("other:1").is_err());
    ts.store.untag_image(&i1.id, "localhost/gz").unwrap();
    assert_eq!(ts.store.prune_images().unwrap(), vec![i1.id.clone()]);
    assert_eq!(ts.store.images().unwrap().len(), 1);
    assert_eq!(ts.store.image_history("zs").unwrap().len(), 1);
}

#[test]
fn overlay_shared_layers_and_tags() {
    layered(Driver::Overlay);
}

#[test]
fn vfs_shared_layers_and_tags() {
    layered(Driver::Vfs);
}

#[test]
fn bad_inputs_get_clear_errors() {
    let ts = TestStore::new(Driver::Vfs);
    let e = ts
        .store
        .import_rootfs(
            &mut Cursor::new(b"BZh91AY&SY garbage".to_vec()),
            &ImportOptions::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("bzip2"), "{e}");
    let e = ts
        .store
        .import_rootfs(
            &mut Cursor::new(Tar::new().file("x", b"").finish()),
            &ImportOptions {
                names: vec!["Bad Name".into()],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::InvalidReference { .. }), "{e}");
    let e = ts
        .store
        .import_rootfs(
            &mut Cursor::new(Tar::new().file("x", b"").finish()),
            &ImportOptions {
                working_dir: Some("rel".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("WORKDIR"), "{e}");
    let e = ts
        .store
        .import_rootfs(
            &mut Cursor::new(Tar::new().file("../x", b"").finish()),
            &ImportOptions::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("../x"), "{e}");
    assert!(
        ts.store.check(false).unwrap().is_clean(),
        "a refused import leaves nothing: {:?}",
        ts.store.check(false).unwrap()
    );
    assert!(matches!(
        ts.store.mount_container("zz"),
        Err(Error::ContainerNotFound(_))
    ));
    assert!(ts
        .store
        .create_container("bad id!", &"0".repeat(64))
        .is_err());
    assert!(matches!(
        ts.store.create_container("c", &"0".repeat(64)),
        Err(Error::ImageNotFound(_))
    ));
}

#[test]
fn ambiguous_prefix_is_reported() {
    let ts = TestStore::new(Driver::Vfs);
    let mut ids = Vec::new();
    for i in 0..20 {
        let t = Tar::new().file("f", format!("{i}").as_bytes()).finish();
        ids.push(
            ts.store
                .import_rootfs(&mut Cursor::new(t), &ImportOptions::default())
                .unwrap()
                .id,
        );
    }
    // some one-character prefix is shared by two of twenty ids
    let shared = (0..16)
        .map(|d| format!("{d:x}"))
        .find(|p| ids.iter().filter(|i| i.starts_with(p.as_str())).count() > 1)
        .unwrap();
    assert!(matches!(
        ts.store.resolve_image(&shared),
        Err(Error::Ambiguous { .. })
    ));
}

#[test]
fn check_repairs_leftovers() {
    let ts = TestStore::new(Driver::Overlay);
    let img = import_busybox(&ts, "bb");
    let g = ts.store.graph_root().to_path_buf();
    // leftovers of interrupted operations
    std::fs::write(g.join("tmp/blob-deadbeef"), b"partial").unwrap();
    std::fs::create_dir_all(g.join("overlay/tmp-0123/diff/x")).unwrap();
    std::fs::create_dir_all(g.join(format!("overlay/{}/diff", "c".repeat(64)))).unwrap();
    std::fs::write(g.join("images/.tmp-x.json-1234"), b"{").unwrap();
    std::fs::write(g.join("blobs/sha256").join("a".repeat(64)), b"unused").unwrap();
    let report = ts.store.check(false).unwrap();
    assert_eq!(report.problems.len(), 4, "{report:?}");
    let report = ts.store.check(true).unwrap();
    assert!(report.problems.len() >= 5, "{report:?}");
    assert!(ts.store.check(false).unwrap().is_clean());
    assert_eq!(
        ts.store.resolve_image("bb").unwrap().id,
        img.id,
        "good data survives repair"
    );
    // an image whose layer vanished is removed
    let layer = ts.store.resolve_image("bb").unwrap().layers[0].clone();
    std::fs::remove_dir_all(g.join("overlay").join(&layer)).unwrap();
    let report = ts.store.check(true).unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains(&img.id)),
        "{report:?}"
    );
    assert!(ts.store.images().unwrap().is_empty());
    assert!(
        ts.store.check(false).unwrap().is_clean(),
        "{:?}",
        ts.store.check(false).unwrap()
    );
}

#[test]
fn deep_images_mount_with_short_options() {
    let ts = TestStore::new(Driver::Overlay);
    // 60 layers through an OCI layout made by save+load would be slow; build
    // the chain with load of a generated docker-archive.
    let dir = tempfile::tempdir().unwrap();
    let n = 60;
    let mut diff_ids = Vec::new();
    let mut layers = Vec::new();
    let mut t = tar::Builder::new(Vec::new());
    for i in 0..n {
        let layer = Tar::new()
            .file(&format!("l{i}"), format!("{i}").as_bytes())
            .finish();
        diff_ids.push(berth_storage::digest::sha256_digest(&layer));
        let name = format!("{i}.tar");
        let mut h = tar::Header::new_ustar();
        h.set_size(layer.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        t.append_data(&mut h, &name, &layer[..]).unwrap();
        layers.push(name);
    }
    let cfg = serde_json::json!({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":diff_ids}});
    let cfg = serde_json::to_vec(&cfg).unwrap();
    let manifest =
        serde_json::json!([{"Config":"config.json","RepoTags":["deep:latest"],"Layers":layers}]);
    let manifest = serde_json::to_vec(&manifest).unwrap();
    for (name, data) in [("config.json", &cfg), ("manifest.json", &manifest)] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        t.append_data(&mut h, name, &data[..]).unwrap();
    }
    let archive = dir.path().join("deep.tar");
    std::fs::write(&archive, t.into_inner().unwrap()).unwrap();
    let imgs = ts.store.load(&archive).unwrap();
    assert_eq!(imgs[0].layers.len(), n);
    let sid = ts.store.create_container("deep", &imgs[0].id).unwrap();
    let root = ts.store.mount_container(&sid).unwrap();
    for i in 0..n {
        assert!(root.join(format!("l{i}")).exists());
    }
    ts.store.delete_container(&sid).unwrap();
}

/// The same scenario against the real store and the fake, so the fake the
/// runtime's tests use behaves like the real thing.
fn conformance(s: &dyn Storage, image_id: &str) {
    let sid = s.create_container("conf", image_id).unwrap();
    assert!(matches!(
        s.create_container("conf", image_id),
        Err(Error::ContainerExists(_))
    ));
    assert_eq!(s.mount_point(&sid).unwrap(), None);
    let p = s.mount_container(&sid).unwrap();
    assert_eq!(s.mount_container(&sid).unwrap(), p);
    assert!(matches!(s.shutdown(false), Err(Error::Busy(_))));
    assert!(s.unmount_container(&sid, false).unwrap());
    assert_eq!(s.mount_point(&sid).unwrap(), Some(p));
    assert!(!s.unmount_container(&sid, false).unwrap());
    s.mount_container(&sid).unwrap();
    s.shutdown(true).unwrap();
    assert_eq!(s.mount_point(&sid).unwrap(), None);
    assert_eq!(s.list_containers().unwrap().len(), 1);
    assert_eq!(s.list_containers().unwrap()[0].container_id, "conf");
    s.delete_container(&sid).unwrap();
    assert!(matches!(
        s.delete_container(&sid),
        Err(Error::ContainerNotFound(_))
    ));
    assert!(matches!(
        s.mount_container(&sid),
        Err(Error::ContainerNotFound(_))
    ));
    assert!(matches!(
        s.create_container("x", &"f".repeat(64)),
        Err(Error::ImageNotFound(_))
    ));
    assert!(matches!(
        s.resolve_image("no-such-image"),
        Err(Error::ImageNotFound(_))
    ));
}

#[test]
fn real_store_and_fake_agree() {
    let ts = TestStore::new(Driver::Overlay);
    let img = import_busybox(&ts, "conf");
    assert_eq!(ts.store.resolve_image("conf").unwrap().id, img.id);
    conformance(&ts.store, &img.id);
    let fake = berth_storage::testing::FakeStorage::new();
    let fimg = fake.add_image(&["localhost/conf"], berth_storage::ImageConfig::default());
    assert_eq!(fake.resolve_image("localhost/conf").unwrap().id, fimg.id);
    conformance(&fake, &fimg.id);
}

#[test]
fn concurrent_stores_on_one_root_serialize() {
    let ts = TestStore::new(Driver::Overlay);
    let opts = ts.store.options().clone();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let opts = opts.clone();
            std::thread::spawn(move || {
                let store = berth_storage::Store::open(opts).unwrap();
                for i in 0..3 {
                    let tar = Tar::new()
                        .file("shared", b"same")
                        .file(&format!("t{t}-{i}"), b"x")
                        .finish();
                    let img = store
                        .import_rootfs(
                            &mut Cursor::new(tar),
                            &ImportOptions {
                                names: vec![format!("t{t}")],
                                ..Default::default()
                            },
                        )
                        .unwrap();
                    let sid = store
                        .create_container(&format!("c{t}-{i}"), &img.id)
                        .unwrap();
                    assert!(store.mount_container(&sid).unwrap().join("shared").exists());
                    store.delete_container(&sid).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(ts.store.images().unwrap().len(), 12);
    assert!(ts.store.check(false).unwrap().is_clean());
}

#[test]
fn short_names_are_looked_up_as_libimage_does() {
    use berth_storage::registry::{Alias, RegistryRules};
    use berth_storage::RulesSource;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let ts = TestStore::new(Driver::Vfs);
    let mut ids = Vec::new();
    for (i, name) in [
        "localhost/bb",
        "docker.io/library/bb",
        "reg.test:5000/tools/bb",
        "quay.io/x/only:1",
    ]
    .into_iter()
    .enumerate()
    {
        let t = Tar::new().file("f", format!("{i}").as_bytes()).finish();
        let img = ts
            .store
            .import_rootfs(&mut Cursor::new(t), &ImportOptions::default())
            .unwrap();
        ts.store.tag_image(&img.id, name).unwrap();
        ids.push(img.id);
    }
    let found = |s: &berth_storage::Store, name: &str| s.lookup_image(name, None).unwrap();
    // Without rules: localhost/ before docker.io; any registry last.
    assert_eq!(found(&ts.store, "bb").0.id, ids[0]);
    assert_eq!(found(&ts.store, "library/bb").0.id, ids[1]);
    assert_eq!(
        found(&ts.store, "only:1"),
        (
            ts.store.image(&ids[3]).unwrap(),
            Some("quay.io/x/only:1".into())
        )
    );
    assert_eq!(found(&ts.store, &ids[2][..12]).1, None);

    // With rules: the alias first, read at each short-name look-up only.
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reads);
    let store = ts.reopen().with_short_name_rules(RulesSource::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut rules = RegistryRules {
            search: vec!["quay.io".into()],
            ..RegistryRules::default()
        };
        rules.aliases.insert(
            "bb".into(),
            Alias {
                target: "reg.test:5000/tools/bb".into(),
                origin: "test.conf".into(),
            },
        );
        Ok(rules)
    }));
    assert_eq!(
        found(&store, "bb"),
        (
            store.image(&ids[2]).unwrap(),
            Some("reg.test:5000/tools/bb:latest".into())
        )
    );
    assert_eq!(store.image("x/only:1").unwrap().id, ids[3]);
    let before = reads.load(Ordering::SeqCst);
    assert_eq!(before, 2);
    assert_eq!(store.image(&ids[0]).unwrap().id, ids[0]);
    assert_eq!(store.image("localhost/bb").unwrap().id, ids[0]);
    assert_eq!(
        reads.load(Ordering::SeqCst),
        before,
        "ids and full names read no rules"
    );

    // Rules that cannot be read fail a short name with an error naming it.
    let broken = ts.reopen().with_short_name_rules(RulesSource::new(|| {
        Err("registries.conf: line 3: bad".into())
    }));
    let e = broken.image("bb").unwrap_err();
    assert!(matches!(e, Error::ShortNameRules { .. }), "{e}");
    assert!(e.to_string().contains("\"bb\""), "{e}");
    assert_eq!(broken.image("localhost/bb").unwrap().id, ids[0]);
}

#[test]
fn roots_are_private_and_older_loose_roots_are_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let ts = TestStore::new(Driver::Vfs);
    let (graph, run) = (ts.dir.path().join("graph"), ts.dir.path().join("run"));
    assert_eq!((mode(&graph), mode(&run)), (0o700, 0o700));
    for p in [&graph, &run] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    drop(ts.reopen());
    assert_eq!((mode(&graph), mode(&run)), (0o700, 0o700));
}

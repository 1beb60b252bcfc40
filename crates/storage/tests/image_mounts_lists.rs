//! Image mounts (overlay and vfs) and manifest lists on a real store.

mod common;

use std::io::Cursor;

use berth_storage::{Driver, Error, ImportOptions, InstanceEdit, Storage};
use berth_testsupport::busybox;
use common::{require_root, TestStore};

fn import_busybox(ts: &TestStore, name: &str) -> berth_storage::ImageRecord {
    ts.store
        .import_rootfs(
            &mut Cursor::new(busybox::rootfs_tar()),
            &ImportOptions {
                names: vec![name.into()],
                ..ImportOptions::default()
            },
        )
        .unwrap()
}

fn mounts(driver: Driver) {
    let ts = TestStore::new(driver);
    let img = import_busybox(&ts, "bb");
    assert!(ts.store.mounted_images().unwrap().is_empty());
    let (_, p1) = ts.store.mount_image("bb").unwrap();
    let (_, p2) = ts.store.mount_image(&img.id).unwrap();
    assert_eq!(p1, p2);
    assert!(p1.join("bin/busybox").exists());
    let m = ts.store.mounted_images().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].image.id, img.id);
    assert_eq!(ts.store.unmount_image("bb", false).unwrap(), Some(true));
    assert_eq!(ts.store.unmount_image("bb", false).unwrap(), Some(false));
    assert_eq!(ts.store.unmount_image("bb", false).unwrap(), None);
    assert!(ts.store.mounted_images().unwrap().is_empty());
    // force drops every reference; a removed image takes its mount along.
    ts.store.mount_image("bb").unwrap();
    ts.store.mount_image("bb").unwrap();
    assert_eq!(ts.store.unmount_image("bb", true).unwrap(), Some(false));
    ts.store.mount_image("bb").unwrap();
    ts.store.remove_image("bb", false).unwrap();
    assert!(ts.store.mounted_images().unwrap().is_empty());
    assert!(matches!(
        ts.store.mount_image("nosuch"),
        Err(Error::ImageNotFound(_))
    ));
    assert!(ts.store.check_store(false).unwrap().problems.is_empty());
}

#[test]
fn image_mounts_on_overlay() {
    require_root();
    mounts(Driver::Overlay);
}

#[test]
fn image_mounts_on_vfs() {
    mounts(Driver::Vfs);
}

#[test]
fn manifest_lists() {
    let ts = TestStore::new(Driver::Vfs);
    let img = import_busybox(&ts, "bb");
    let s = &ts.store;
    let l = s.create_manifest_list("ml", false).unwrap();
    assert_eq!(l.names, ["localhost/ml:latest"]);
    assert!(s.create_manifest_list("ml", false).is_err());
    assert_eq!(s.create_manifest_list("ml", true).unwrap().id, l.id);
    assert!(
        s.create_manifest_list("bb", false).is_err(),
        "an image has the name"
    );
    let edit = InstanceEdit {
        architecture: Some("arm64".into()),
        variant: Some("v8".into()),
        ..InstanceEdit::default()
    };
    let l = s.add_to_manifest_list("ml", "bb", &edit).unwrap();
    assert_eq!(l.instances.len(), 1);
    let i = &l.instances[0];
    assert_eq!(i.digest, img.manifest_digest);
    assert_eq!(i.platform.architecture, "arm64");
    assert_eq!(i.platform.os, "linux");
    assert_eq!(l.sources[&i.digest], img.id);
    // Adding it again replaces the instance.
    let l = s
        .add_to_manifest_list(&l.id, "bb", &InstanceEdit::default())
        .unwrap();
    assert_eq!(l.instances.len(), 1);
    assert_eq!(l.instances[0].platform.variant, "");
    let doc = serde_json::to_value(l.document(true)).unwrap();
    assert_eq!(doc["mediaType"], "application/vnd.oci.image.index.v1+json");
    assert!(s.manifest_list("bb").is_err(), "an image is no list");
    assert!(matches!(
        s.manifest_list("nosuch"),
        Err(Error::ImageNotFound(_))
    ));
    assert!(s
        .annotate_manifest_list("ml", "sha256:0", &InstanceEdit::default())
        .is_err());
    let l = s
        .remove_from_manifest_list("ml", &img.manifest_digest)
        .unwrap();
    assert!(l.instances.is_empty());
    assert!(serde_json::to_value(l.document(false)).unwrap()["manifests"].is_null());
    s.delete_manifest_list("ml").unwrap();
    assert!(matches!(
        s.manifest_list("ml"),
        Err(Error::ImageNotFound(_))
    ));
    assert!(s.image("bb").is_ok(), "the image stays");
}

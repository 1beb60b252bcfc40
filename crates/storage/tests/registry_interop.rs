//! Interoperability with skopeo (containers/image) on the same registry:
//! an image skopeo pushes (gzip-compressed layers, as containers/image
//! compresses for registries) pulls into berth, and an image berth pushes
//! is readable by skopeo.

mod registry_util;

use std::process::Command;

use berth_storage::registry;
use berth_storage::{ArchiveFormat, Driver, Storage};
use registry_util::*;

fn skopeo(args: &[&str], dir: &std::path::Path) -> String {
    let out = Command::new("skopeo")
        .args(args)
        .env("HOME", dir)
        .env("REGISTRY_AUTH_FILE", dir.join("auth.json"))
        .output()
        .expect("skopeo is needed for the interop tests (apt-get install skopeo)");
    assert!(
        out.status.success(),
        "skopeo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn skopeo_pushed_gzip_images_pull_and_berth_pushed_images_read_back() {
    let reg = Registry::start(RegistryConfig::default());
    let hosts = [reg.host()];
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/bb:1");
    let layout = src.dir.path().join("layout");
    src.store
        .save(&[&img.id], ArchiveFormat::OciDir, &layout)
        .unwrap();
    let policy = src.dir.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
    .unwrap();
    let dest = format!("{}/sk/bb:gz", reg.host());
    skopeo(
        &[
            "--policy",
            policy.to_str().unwrap(),
            "copy",
            "--dest-tls-verify=false",
            "--dest-compress",
            "--format",
            "v2s2",
            &format!("oci:{}", layout.display()),
            &format!("docker://{dest}"),
        ],
        src.dir.path(),
    );
    let dst = TestStore::new(Driver::Overlay);
    let rep = registry::pull(&dst.store, &dest, &pull_opts(&hosts)).unwrap();
    // Same config, so the same image id and layers, though the registry
    // holds a compressed layer under another digest.
    assert_eq!(rep.image.id, img.id);
    assert_eq!(rep.image.diff_ids, img.diff_ids);
    assert_ne!(rep.manifest_digest, img.manifest_digest);
    assert!(rep.image.digests.contains(&rep.manifest_digest));
    let sid = dst.store.create_container("c", &rep.image.id).unwrap();
    assert!(dst
        .store
        .mount_container(&sid)
        .unwrap()
        .join("bin/busybox")
        .is_file());
    dst.store.delete_container(&sid).unwrap();

    // berth pushes the pulled image elsewhere; skopeo reads it.
    let back = format!("{}/berth/bb:1", reg.host());
    registry::push(&dst.store, &dest, Some(&back), &push_opts(&hosts)).unwrap();
    let out = skopeo(
        &[
            "inspect",
            "--tls-verify=false",
            "--raw",
            &format!("docker://{back}"),
        ],
        src.dir.path(),
    );
    assert!(out.contains(&img.diff_ids[0]), "{out}");
    let out = skopeo(
        &[
            "inspect",
            "--tls-verify=false",
            "--config",
            &format!("docker://{back}"),
        ],
        src.dir.path(),
    );
    assert!(out.contains("/bin/sh"), "{out}");

    // A compressed push: gzip layers that skopeo sees and berth pulls back.
    let gz = format!("{}/berth/bb:gz", reg.host());
    let mut popts = push_opts(&hosts);
    popts.compress = true;
    let rep = registry::push(&dst.store, &dest, Some(&gz), &popts).unwrap();
    assert_ne!(rep.manifest_digest, img.manifest_digest);
    let out = skopeo(
        &[
            "inspect",
            "--tls-verify=false",
            "--raw",
            &format!("docker://{gz}"),
        ],
        src.dir.path(),
    );
    assert!(out.contains("tar+gzip"), "{out}");
    let fresh = TestStore::new(Driver::Vfs);
    let pulled = registry::pull(&fresh.store, &gz, &pull_opts(&hosts)).unwrap();
    assert_eq!(pulled.image.id, img.id);
    assert_eq!(pulled.manifest_digest, rep.manifest_digest);
    assert!(fresh.tmp_entries().is_empty() && dst.tmp_entries().is_empty());
}

//! Push and pull against a real docker-registry on 127.0.0.1: round trip
//! into an empty store (mountable rootfs), identity with `load`, by tag and
//! by digest, manifest lists, mirrors standing in for quay.io, short names.

mod registry_util;

use berth_storage::registry::{self, Client, ClientOptions, Mirror, Platform, RegistryEntry};
use berth_storage::{ArchiveFormat, Driver, Storage};
use registry_util::*;

#[test]
fn push_then_pull_into_an_empty_store_gives_the_same_mountable_image() {
    let reg = Registry::start(RegistryConfig::default());
    let hosts = [reg.host()];
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/busybox-test:latest");
    let dest = format!("{}/test/busybox:1", reg.host());
    let pushed = registry::push(&src.store, &img.id, Some(&dest), &push_opts(&hosts)).unwrap();
    assert_eq!(pushed.blobs_uploaded, 2, "{pushed:?}");
    assert_eq!(pushed.manifest_digest, img.manifest_digest);
    // A second push finds everything there.
    let again = registry::push(&src.store, &img.id, Some(&dest), &push_opts(&hosts)).unwrap();
    assert_eq!((again.blobs_uploaded, again.blobs_skipped), (0, 2));

    let dst = TestStore::new(Driver::Overlay);
    let rep = registry::pull(&dst.store, &dest, &pull_opts(&hosts)).unwrap();
    assert_eq!(rep.reference, dest);
    assert_eq!(rep.source, format!("{}/test/busybox", reg.host()));
    assert_eq!((rep.layers_fetched, rep.layers_skipped), (1, 0));
    assert_eq!(rep.image.id, img.id);
    assert_eq!(rep.image.diff_ids, img.diff_ids);
    assert_eq!(rep.image.layers, img.layers);
    assert_eq!(rep.image.manifest_digest, img.manifest_digest);
    assert_eq!(rep.image.config, img.config);
    assert_eq!(rep.image.names, vec![dest.clone()]);
    assert!(dst.tmp_entries().is_empty(), "{:?}", dst.tmp_entries());
    let check = dst.store.check(false).unwrap();
    assert!(check.is_clean(), "{:?}", check.problems);
    // The same image as `load` of an OCI layout of it makes.
    let layout = src.dir.path().join("layout");
    src.store
        .save(&[&img.id], ArchiveFormat::OciDir, &layout)
        .unwrap();
    let loaded_store = TestStore::new(Driver::Vfs);
    let loaded = loaded_store.store.load(&layout).unwrap().remove(0);
    assert_eq!(
        (
            &loaded.id,
            &loaded.layers,
            &loaded.diff_ids,
            &loaded.manifest_digest,
            loaded.size
        ),
        (
            &rep.image.id,
            &rep.image.layers,
            &rep.image.diff_ids,
            &rep.image.manifest_digest,
            rep.image.size
        )
    );
    // A container of it mounts with busybox inside.
    let sid = dst.store.create_container("c1", &rep.image.id).unwrap();
    let root = dst.store.mount_container(&sid).unwrap();
    assert!(root.join("bin/busybox").is_file());
    assert_eq!(
        std::fs::read_link(root.join("bin/sh")).unwrap().to_str(),
        Some("busybox")
    );
    dst.store.unmount_container(&sid, true).unwrap();
    dst.store.delete_container(&sid).unwrap();
    // --pull=missing finds it locally, never refuses an absent one, always pulls.
    let (found, pulled) = registry::ensure_image(
        &dst.store,
        &dest,
        registry::PullPolicy::Missing,
        &pull_opts(&hosts),
    )
    .unwrap();
    assert_eq!((found.id.as_str(), pulled), (img.id.as_str(), false));
    let absent = format!("{}/test/absent:1", reg.host());
    let e = registry::ensure_image(
        &dst.store,
        &absent,
        registry::PullPolicy::Never,
        &pull_opts(&hosts),
    )
    .unwrap_err();
    assert!(e.to_string().contains("image not known"), "{e}");
    let (_, pulled) = registry::ensure_image(
        &dst.store,
        &dest,
        registry::PullPolicy::Always,
        &pull_opts(&hosts),
    )
    .unwrap();
    assert!(pulled);
    // Pulling again downloads nothing.
    let rep2 = registry::pull(&dst.store, &dest, &pull_opts(&hosts)).unwrap();
    assert_eq!((rep2.layers_fetched, rep2.layers_skipped), (0, 1));
    assert_eq!(rep2.image.id, img.id);
}

#[test]
fn pull_by_digest_chunked_push_and_unknown_tags() {
    let reg = Registry::start(RegistryConfig::default());
    let hosts = [reg.host()];
    let src = TestStore::new(Driver::Vfs);
    let img = import_random(&src.store, "localhost/rand:1", 300_000);
    let dest = format!("{}/chunky:v1", reg.host());
    let mut opts = push_opts(&hosts);
    opts.chunk_size = Some(64 * 1024);
    let pushed = registry::push(&src.store, "localhost/rand:1", Some(&dest), &opts).unwrap();
    let by_digest = format!("{}/chunky@{}", reg.host(), pushed.manifest_digest);
    let dst = TestStore::new(Driver::Vfs);
    let rep = registry::pull(&dst.store, &by_digest, &pull_opts(&hosts)).unwrap();
    assert_eq!(rep.image.id, img.id);
    assert!(rep.image.digests.contains(&pushed.manifest_digest));
    assert_eq!(rep.image.names, vec![by_digest.clone()]);
    assert_eq!(dst.store.image(&by_digest).unwrap().id, img.id);
    // The tag resolves to the same image.
    let rep = registry::pull(&dst.store, &dest, &pull_opts(&hosts)).unwrap();
    assert_eq!(rep.image.id, img.id);
    // Unknown tag and unknown repository: a clear "manifest unknown".
    for missing in [
        format!("{}/chunky:nope", reg.host()),
        format!("{}/nothing:1", reg.host()),
    ] {
        let e = registry::pull(&dst.store, &missing, &pull_opts(&hosts)).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        assert!(e.to_string().contains("manifest unknown"), "{e}");
    }
}

#[test]
fn manifest_lists_pick_the_platform() {
    let reg = Registry::start(RegistryConfig::default());
    let hosts = [reg.host()];
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/bb:1");
    let pushed = push_to(&src.store, &img.id, &reg.host(), "multi:single");
    let client = Client::connect(
        &reg.host(),
        &ClientOptions {
            insecure: true,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let msize = client
        .get_manifest("multi", "single")
        .unwrap()
        .unwrap()
        .data
        .len();
    let host_arch = Platform::host().architecture;
    let other = if host_arch == "amd64" {
        "arm64"
    } else {
        "amd64"
    };
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
          {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d}","size":{msize},"platform":{{"os":"linux","architecture":"{other}"}}}},
          {{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d}","size":{msize},"platform":{{"os":"linux","architecture":"{host_arch}"}}}}]}}"#,
        d = pushed.manifest_digest
    );
    client
        .put_manifest(
            "multi",
            "list",
            "application/vnd.oci.image.index.v1+json",
            index.as_bytes(),
        )
        .unwrap();
    let dst = TestStore::new(Driver::Vfs);
    let list_ref = format!("{}/multi:list", reg.host());
    let rep = registry::pull(&dst.store, &list_ref, &pull_opts(&hosts)).unwrap();
    assert_eq!(rep.image.id, img.id);
    assert_eq!(rep.manifest_digest, pushed.manifest_digest);
    let index_digest = berth_storage::digest::sha256_digest(index.as_bytes());
    assert!(
        rep.image.digests.contains(&index_digest),
        "{:?}",
        rep.image.digests
    );
    let mut opts = pull_opts(&hosts);
    opts.platform = Some(Platform::parse("linux/s390x").unwrap());
    let e = registry::pull(&dst.store, &list_ref, &opts).unwrap_err();
    assert!(
        e.to_string().contains("no image for platform linux/s390x"),
        "{e}"
    );
}

#[test]
fn quay_io_through_an_insecure_local_mirror_and_short_names() {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/bb:1");
    push_to(&src.store, &img.id, &reg.host(), "x/y:tag");
    push_to(&src.store, &img.id, &reg.host(), "shorty:latest");

    // quay.io/x/y:tag comes from the mirror; nothing reaches quay.io.
    let mut opts = pull_opts(&[]);
    opts.rules.registries = vec![RegistryEntry {
        prefix: "quay.io".into(),
        location: "quay.io".into(),
        mirrors: vec![Mirror {
            location: reg.host(),
            insecure: true,
        }],
        ..RegistryEntry::default()
    }];
    let dst = TestStore::new(Driver::Vfs);
    let rep = registry::pull(&dst.store, "quay.io/x/y:tag", &opts).unwrap();
    assert_eq!(rep.reference, "quay.io/x/y:tag");
    assert_eq!(rep.source, format!("{}/x/y", reg.host()));
    assert_eq!(rep.image.names, vec!["quay.io/x/y:tag".to_string()]);
    assert_eq!(dst.store.image("quay.io/x/y:tag").unwrap().id, img.id);

    // Short names: a dead registry first, then the live one; the live one wins.
    let dead = format!("127.0.0.1:{}", free_port());
    let mut opts = pull_opts(&[dead.clone(), reg.host()]);
    opts.rules.search = vec![dead.clone(), reg.host()];
    let rep = registry::pull(&dst.store, "shorty", &opts).unwrap();
    assert_eq!(rep.reference, format!("{}/shorty:latest", reg.host()));
    // A short name nobody has: every candidate is reported.
    let e = registry::pull(&dst.store, "absent", &opts).unwrap_err();
    let s = e.to_string();
    assert!(s.contains(&dead) && s.contains(&reg.host()), "{s}");
}

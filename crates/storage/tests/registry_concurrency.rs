//! Pulls against a real docker-registry that race with other commands on
//! the same store, and manifests that list one blob twice:
//! - a manifest `[X, Y, X]` downloads X once and extracts it twice, in
//!   order (the file both write holds X's content at the top);
//! - `check --repair` run while a pull is in the middle of a download
//!   leaves the pull's staging alone, and the pull completes;
//! - pulls beside a loop of `rmi`, `image prune` and `check --repair` (each
//!   through its own `Store`, as separate processes would) either succeed
//!   with a working image or fail with a clear error, never a diff-id
//!   mismatch.

mod registry_util;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use berth_storage::registry::{Client, ClientOptions, Error};
use berth_storage::{Driver, ImageRecord, ImportOptions, Store};
use registry_util::fake::sha256;
use registry_util::*;

/// Imports a one-layer image whose layer is a tar of `files` (name, content).
fn import_files(store: &Store, name: &str, files: &[(&str, &[u8])]) -> ImageRecord {
    let mut t = common::Tar::new();
    for (n, c) in files {
        t.file(n, c);
    }
    let tar = t.finish();
    store
        .import(
            &mut tar.as_slice(),
            &ImportOptions {
                names: vec![name.to_string()],
                ..ImportOptions::default()
            },
        )
        .unwrap()
}

/// Uploads a config listing `layers` (digest, size) as uncompressed layers
/// and a manifest for it under `repo:tag`; the layer blobs must already be
/// in the repository.
fn put_image(host: &str, repo: &str, tag: &str, layers: &[(String, u64)]) {
    let client = Client::connect(
        host,
        &ClientOptions {
            insecure: true,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let diff_ids: Vec<String> = layers.iter().map(|(d, _)| format!("\"{d}\"")).collect();
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["/bin/sh"]}},"rootfs":{{"type":"layers","diff_ids":[{}]}}}}"#,
        diff_ids.join(",")
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("config");
    std::fs::write(&cfg_path, &config).unwrap();
    let cfg_digest = sha256(config.as_bytes());
    client
        .upload_blob(repo, &cfg_digest, &cfg_path, config.len() as u64, None)
        .unwrap();
    let descs: Vec<String> = layers
        .iter()
        .map(|(d, s)| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{d}","size":{s}}}"#
            )
        })
        .collect();
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cfg_digest}","size":{}}},"layers":[{}]}}"#,
        config.len(),
        descs.join(",")
    );
    client
        .put_manifest(
            repo,
            tag,
            "application/vnd.oci.image.manifest.v1+json",
            manifest.as_bytes(),
        )
        .unwrap();
}

/// The layer (digest, size) of a one-layer image.
fn only_layer(store: &Store, img: &ImageRecord) -> (String, u64) {
    let d = img.diff_ids[0].clone();
    let size = store
        .layers()
        .unwrap()
        .into_iter()
        .find(|l| l.diff_id == d)
        .unwrap()
        .size;
    (d, size)
}

/// Reads `path` in a container made from `image`, then removes the container.
fn read_in_image(store: &Store, image: &str, path: &str) -> berth_storage::Result<Vec<u8>> {
    let id = format!("c{}", rand_suffix());
    let c = store.create_container_storage(&id, image)?;
    let root = store.mount(&c.id)?;
    let data = std::fs::read(root.join(path));
    store.unmount(&c.id, true)?;
    store.delete_container_storage(&c.id)?;
    Ok(data.unwrap())
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{n:08x}{:?}", std::thread::current().id())
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[test]
fn a_manifest_listing_one_blob_twice_downloads_it_once_and_extracts_it_in_order() {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let x = import_files(
        &src.store,
        "localhost/x:1",
        &[("f", b"from x"), ("x", b"x")],
    );
    let y = import_files(
        &src.store,
        "localhost/y:1",
        &[("f", b"from y"), ("y", b"y")],
    );
    push_to(&src.store, &x.id, &reg.host(), "parts/x:1");
    push_to(&src.store, &y.id, &reg.host(), "dup:1");
    // The x blob must be in the dup repository too.
    push_to(&src.store, &x.id, &reg.host(), "dup:x");
    let (lx, ly) = (only_layer(&src.store, &x), only_layer(&src.store, &y));
    put_image(
        &reg.host(),
        "dup",
        "2",
        &[lx.clone(), ly.clone(), lx.clone()],
    );

    let blob_gets: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = blob_gets.clone();
    let proxy = Proxy::start(
        reg.port,
        Arc::new(move |m: &str, p: &str, _, _: &str| {
            if m == "GET" && p.contains("/blobs/") {
                seen.lock().unwrap().push(p.to_string());
            }
            Tamper::Pass
        }),
    );
    for driver in [Driver::Vfs, Driver::Overlay] {
        blob_gets.lock().unwrap().clear();
        let dst = TestStore::new(driver);
        let rep = pull_from(&dst.store, &proxy.host(), "dup:2").unwrap();
        assert_eq!(rep.image.layers.len(), 3, "{driver:?}");
        assert_eq!(rep.layers_fetched, 3);
        assert_eq!(rep.bytes_fetched, lx.1 + ly.1, "x counted once");
        let gets = blob_gets.lock().unwrap().clone();
        let x_gets = gets.iter().filter(|p| p.ends_with(&lx.0)).count();
        assert_eq!(
            x_gets, 1,
            "{driver:?}: the repeated blob was fetched {x_gets} times: {gets:?}"
        );
        // In order: x, then y over it, then x again on top.
        assert_eq!(
            read_in_image(&dst.store, &rep.image.id, "f").unwrap(),
            b"from x"
        );
        assert_eq!(read_in_image(&dst.store, &rep.image.id, "y").unwrap(), b"y");
        assert!(dst.tmp_entries().is_empty(), "{:?}", dst.tmp_entries());
        assert!(dst.store.check(false).unwrap().is_clean());
        // A second pull finds every layer in the store.
        let again = pull_from(&dst.store, &proxy.host(), "dup:2").unwrap();
        assert_eq!((again.layers_fetched, again.layers_skipped), (0, 3));
    }
}

#[test]
fn check_repair_during_a_download_leaves_the_pull_staging_alone() {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let img = import_random(&src.store, "localhost/big:1", 2 << 20);
    push_to(&src.store, &img.id, &reg.host(), "big:1");
    let dst = TestStore::new(Driver::Vfs);
    let layer = img.diff_ids[0].clone();
    let other = dst.reopen();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let rep2 = reports.clone();
    let tmp = dst.dir.path().join("graph/tmp");
    // The layer transfer breaks half way; while it is broken, check --repair runs.
    let proxy = Proxy::start_with(
        reg.port,
        Arc::new(move |m: &str, p: &str, nth, _: &str| {
            if m == "GET" && p.ends_with(&layer) && nth == 1 {
                return Tamper::CutAfter(1 << 20);
            }
            Tamper::Pass
        }),
        Arc::new(move || {
            let staged: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
            let report = other.check(true).unwrap();
            rep2.lock().unwrap().push((staged.len(), report));
        }),
    );
    let rep = pull_from(&dst.store, &proxy.host(), "big:1").unwrap();
    assert_eq!(rep.image.id, img.id);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1);
    let (staged, report) = &reports[0];
    assert_eq!(
        *staged, 1,
        "the pull's staging directory existed during the check"
    );
    assert!(
        report.problems.iter().all(|p| !p.contains("staging")),
        "check --repair touched a live pull's staging: {:?}",
        report.problems
    );
    assert!(dst.tmp_entries().is_empty());
    // A staging directory nobody holds is still a leftover.
    std::fs::create_dir(dst.dir.path().join("graph/tmp/pull-dead")).unwrap();
    let report = dst.store.check(true).unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("pull-dead")),
        "{:?}",
        report.problems
    );
    assert!(dst.tmp_entries().is_empty());
}

/// Errors a pull may end with while other commands remove what it uses.
fn clear_concurrency_error(e: &Error) -> bool {
    matches!(e, Error::LayersRemoved { .. })
}

#[test]
fn pulls_beside_rmi_prune_and_check_repair_succeed_or_fail_clearly() {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let bb = import_busybox(&src.store, "localhost/bb:1");
    let extra = import_files(&src.store, "localhost/e:1", &[("etc/extra", b"extra\n")]);
    push_to(&src.store, &bb.id, &reg.host(), "race:1");
    push_to(&src.store, &extra.id, &reg.host(), "race:e");
    let (lb, le) = (only_layer(&src.store, &bb), only_layer(&src.store, &extra));
    put_image(&reg.host(), "race", "2", &[lb, le]);

    let dst = TestStore::new(Driver::Overlay);
    let name = format!("{}/race:2", reg.host());
    let stop = AtomicBool::new(false);
    let (mut ok, mut clear) = (0, 0);
    let mut other_errors = Vec::new();
    std::thread::scope(|s| {
        // The other "process": its own Store on the same root.
        let remover = dst.reopen();
        let stop = &stop;
        let name = &name;
        let churn = s.spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                match n % 3 {
                    0 => {
                        let _ = remover.remove_image(name, false);
                    }
                    1 => {
                        remover.prune_images().unwrap();
                    }
                    _ => {
                        remover.check(true).unwrap();
                    }
                }
                n += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            n
        });
        for _ in 0..25 {
            match pull_from(&dst.store, &reg.host(), "race:2") {
                Ok(rep) => {
                    ok += 1;
                    // The image works unless the remover took it away meanwhile.
                    match read_in_image(&dst.store, &rep.image.id, "etc/extra") {
                        Ok(data) => assert_eq!(data, b"extra\n"),
                        Err(berth_storage::Error::ImageNotFound(_)) => {}
                        Err(e) => panic!("pulled image {} does not mount: {e}", rep.image.id),
                    }
                }
                Err(e) if clear_concurrency_error(&e) => clear += 1,
                Err(e) => other_errors.push(e.to_string()),
            }
        }
        stop.store(true, Ordering::Relaxed);
        let rounds = churn.join().unwrap();
        eprintln!("25 pulls: {ok} succeeded, {clear} failed clearly; {rounds} rmi/prune/check rounds beside them");
    });
    assert!(
        other_errors.is_empty(),
        "unclear pull errors: {other_errors:#?}"
    );
    assert!(ok > 0);
    assert!(dst.tmp_entries().is_empty(), "{:?}", dst.tmp_entries());
    let report = dst.store.check(false).unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}

#[test]
fn a_layer_removed_by_rmi_during_the_download_is_fetched_again() {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let bb = import_busybox(&src.store, "localhost/bb:1");
    let big = import_random(&src.store, "localhost/big:1", 2 << 20);
    push_to(&src.store, &bb.id, &reg.host(), "two:1");
    push_to(&src.store, &big.id, &reg.host(), "two:big");
    let (lb, lbig) = (only_layer(&src.store, &bb), only_layer(&src.store, &big));
    put_image(&reg.host(), "two", "2", &[lb, lbig.clone()]);

    let dst = TestStore::new(Driver::Overlay);
    // two:1 (busybox alone) is in the store: two:2 finds its first layer there.
    let first = pull_from(&dst.store, &reg.host(), "two:1").unwrap();
    let other = dst.reopen();
    let first_id = first.image.id.clone();
    let removed = Arc::new(AtomicBool::new(false));
    let flag = removed.clone();
    // While two:2's second layer is on the wire, "another process" removes
    // two:1 and with it the busybox layer two:2 was going to reuse.
    let proxy = Proxy::start_with(
        reg.port,
        Arc::new(move |m: &str, p: &str, nth, _: &str| {
            if m == "GET" && p.ends_with(&lbig.0) && nth == 1 {
                return Tamper::CutAfter(1 << 20);
            }
            Tamper::Pass
        }),
        Arc::new(move || {
            other.remove_image(&first_id, false).unwrap();
            flag.store(true, Ordering::SeqCst);
        }),
    );
    let rep = pull_from(&dst.store, &proxy.host(), "two:2").unwrap();
    assert!(removed.load(Ordering::SeqCst), "the removal did not run");
    assert_eq!(rep.image.layers.len(), 2);
    assert_eq!(
        read_in_image(&dst.store, &rep.image.id, "bin/busybox")
            .unwrap()
            .len(),
        std::fs::metadata("/bin/busybox").unwrap().len() as usize
    );
    assert!(dst.tmp_entries().is_empty());
    assert!(dst.store.check(false).unwrap().is_clean());
}

//! Faults: a blob served with a wrong digest (nothing enters the store), a
//! dropped connection (resumed with Range), a registry killed mid-pull
//! (clean failure, then a second pull completes), the signature policy
//! (`reject`, unimplemented requirement types) and `blocked` registries.

mod registry_util;

use std::sync::{Arc, Mutex};

use berth_storage::registry::{self, Error, Policy, PolicySource, RegistryEntry};
use berth_storage::{Driver, ImageRecord, Store};
use registry_util::*;

/// A registry holding the image `import` makes, pushed as `repo`, and the
/// store it came from.
fn registry_with(
    repo: &str,
    import: impl FnOnce(&Store) -> ImageRecord,
) -> (Registry, TestStore, ImageRecord) {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let img = import(&src.store);
    push_to(&src.store, &img.id, &reg.host(), repo);
    (reg, src, img)
}

fn busybox(store: &Store) -> ImageRecord {
    import_busybox(store, "localhost/bb:1")
}

/// Two megabytes of random bytes in one layer.
fn big(store: &Store) -> ImageRecord {
    import_random(store, "localhost/big:1", 2 << 20)
}

fn assert_empty(s: &TestStore) {
    assert!(s.store.images().unwrap().is_empty(), "images left behind");
    assert!(s.store.layers().unwrap().is_empty(), "layers left behind");
    assert!(
        s.tmp_entries().is_empty(),
        "tmp entries: {:?}",
        s.tmp_entries()
    );
}

#[test]
fn a_blob_with_a_wrong_digest_fails_the_pull_and_stores_nothing() {
    let (reg, _src, img) = registry_with("bb:1", busybox);
    let layer = img.diff_ids[0].clone();
    let proxy = Proxy::on_get(reg.port, move |p| p.ends_with(&layer), Tamper::Corrupt);
    let dst = TestStore::new(Driver::Vfs);
    let e = pull_from(&dst.store, &proxy.host(), "bb:1").unwrap_err();
    assert!(matches!(e, Error::Mismatch { .. }), "{e}");
    assert!(e.to_string().contains("nothing was stored"), "{e}");
    assert_empty(&dst);
    // A corrupted config is caught the same way.
    let cfg = format!("sha256:{}", img.id);
    let proxy = Proxy::on_get(reg.port, move |p| p.ends_with(&cfg), Tamper::Corrupt);
    let e = pull_from(&dst.store, &proxy.host(), "bb:1").unwrap_err();
    assert!(matches!(e, Error::Mismatch { .. }), "{e}");
    assert_empty(&dst);
}

#[test]
fn a_corrupted_manifest_and_concurrent_pulls() {
    let (reg, _src, _img) = registry_with("bb:1", busybox);
    let name = format!("{}/bb:1", reg.host());
    let proxy = Proxy::on_get(reg.port, |p| p.contains("/manifests/"), Tamper::Corrupt);
    let dst = TestStore::new(Driver::Vfs);
    let e = pull_from(&dst.store, &proxy.host(), "bb:1").unwrap_err();
    assert!(e.to_string().contains("digest of manifest"), "{e}");
    assert_empty(&dst);
    // Two pulls of one image into one store at once both succeed, with progress events.
    let events = Arc::new(Mutex::new(Vec::new()));
    let ev = events.clone();
    let mut opts = pull_opts(&[reg.host()]);
    opts.progress = Some(registry::ProgressFn(Arc::new(
        move |e: &registry::Event| {
            ev.lock().unwrap().push(e.clone());
        },
    )));
    std::thread::scope(|s| {
        let a = s.spawn(|| registry::pull(&dst.store, &name, &opts).unwrap());
        let b = s.spawn(|| registry::pull(&dst.store, &name, &opts).unwrap());
        assert_eq!(a.join().unwrap().image.id, b.join().unwrap().image.id);
    });
    assert_eq!(dst.store.images().unwrap().len(), 1);
    assert!(dst.tmp_entries().is_empty());
    let ev = events.lock().unwrap();
    assert!(
        ev.iter()
            .any(|e| matches!(e, registry::Event::BlobDone { .. })),
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|e| matches!(e, registry::Event::Committing)),
        "{ev:?}"
    );
}

#[test]
fn server_errors_are_retried_with_backoff_until_they_stop() {
    let (reg, _src, img) = registry_with("bb:1", busybox);
    // Two 503s on the manifest and on the layer, then the real answers.
    let layer = img.diff_ids[0].clone();
    let proxy = Proxy::start(
        reg.port,
        Arc::new(move |m: &str, p: &str, nth, _: &str| {
            let flaky = p.contains("/manifests/") || p.ends_with(&layer);
            if m == "GET" && flaky && nth <= 2 {
                Tamper::Status(if nth == 1 { 503 } else { 502 })
            } else {
                Tamper::Pass
            }
        }),
    );
    let dst = TestStore::new(Driver::Vfs);
    let rep = pull_from(&dst.store, &proxy.host(), "bb:1").unwrap();
    assert_eq!(rep.image.id, img.id);
    // A registry that keeps failing: the error names the status, nothing is stored.
    let proxy = Proxy::on_get(reg.port, |p| p.contains("/manifests/"), Tamper::Status(500));
    let other = TestStore::new(Driver::Vfs);
    let e = pull_from(&other.store, &proxy.host(), "bb:1").unwrap_err();
    assert!(e.to_string().contains("HTTP 500"), "{e}");
    assert_empty(&other);
}

#[test]
fn a_dropped_connection_resumes_with_range() {
    let (reg, _src, img) = registry_with("big:1", big);
    let layer = img.diff_ids[0].clone();
    let seen: Arc<Mutex<Vec<(usize, bool)>>> = Arc::default();
    let seen2 = seen.clone();
    let proxy = Proxy::start(
        reg.port,
        Arc::new(move |m: &str, p: &str, nth, head: &str| {
            if m == "GET" && p.ends_with(&layer) {
                let range = head
                    .to_ascii_lowercase()
                    .contains("\r\nrange: bytes=700000-");
                seen2.lock().unwrap().push((nth, range));
                if nth == 1 {
                    return Tamper::CutAfter(700_000);
                }
            }
            Tamper::Pass
        }),
    );
    let dst = TestStore::new(Driver::Vfs);
    let rep = pull_from(&dst.store, &proxy.host(), "big:1").unwrap();
    assert_eq!(rep.image.id, img.id);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(1, false), (2, true)],
        "one cut transfer, then one request resuming at the cut with Range"
    );
    assert!(dst.tmp_entries().is_empty());
}

#[test]
fn a_registry_killed_mid_pull_fails_cleanly_then_a_second_pull_completes() {
    let (reg, _src, img) = registry_with("big:1", big);
    let layer = img.diff_ids[0].clone();
    let killer = reg.killer();
    // The registry dies while the layer is on the wire: half of it has
    // reached the client when the process is killed and the connection drops.
    let proxy = Proxy::start_with(
        reg.port,
        Arc::new(move |m: &str, p: &str, nth, _: &str| {
            if m == "GET" && p.ends_with(&layer) && nth == 1 {
                return Tamper::CutAfter(1 << 20);
            }
            Tamper::Pass
        }),
        Arc::new(move || kill_child(&killer)),
    );
    let dst = TestStore::new(Driver::Vfs);
    let e = pull_from(&dst.store, &proxy.host(), "big:1").unwrap_err();
    assert!(
        matches!(e, Error::Transport { .. } | Error::Io { .. }),
        "{e}"
    );
    assert_empty(&dst);
    reg.spawn();
    let rep = pull_from(&dst.store, &proxy.host(), "big:1").unwrap();
    assert_eq!(rep.image.id, img.id);
}

#[test]
fn the_signature_policy_and_blocked_registries_stop_pulls() {
    let dst = TestStore::new(Driver::Vfs);
    let dead = format!("127.0.0.1:{}", free_port());
    // reject for one scope, accept elsewhere; nothing is contacted.
    let policy = Policy::parse(
        format!(
            r#"{{"default":[{{"type":"insecureAcceptAnything"}}],
                "transports":{{"docker":{{"{dead}/x":[{{"type":"reject"}}],
                                           "{dead}/signed":[{{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}}]}}}}}}"#
        )
        .as_bytes(),
        "test-policy.json",
    )
    .unwrap();
    let mut o = pull_opts(std::slice::from_ref(&dead));
    o.policy = PolicySource::Inline(policy);
    let e = registry::pull(&dst.store, &format!("{dead}/x/app:1"), &o).unwrap_err();
    assert!(matches!(e, Error::PolicyRejected { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("rejected by the signature policy test-policy.json"),
        "{e}"
    );
    let e = registry::pull(&dst.store, &format!("{dead}/signed/app:1"), &o).unwrap_err();
    assert!(
        e.to_string().contains("signedBy") && e.to_string().contains("does not implement"),
        "{e}"
    );
    // Other repositories go on to the (dead) registry: a transport error, not a policy one.
    let e = registry::pull(&dst.store, &format!("{dead}/y:1"), &o).unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e}");

    // A policy file on disk.
    let f = dst.dir.path().join("policy.json");
    std::fs::write(&f, r#"{"default":[{"type":"reject"}]}"#).unwrap();
    o.policy = PolicySource::File(f.clone());
    let e = registry::pull(&dst.store, &format!("{dead}/y:1"), &o).unwrap_err();
    assert!(e.to_string().contains(&f.display().to_string()), "{e}");
    o.policy = PolicySource::File(dst.dir.path().join("missing.json"));
    let e = registry::pull(&dst.store, &format!("{dead}/y:1"), &o).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");

    // blocked = true refuses clearly.
    let mut o = pull_opts(&[]);
    o.rules.registries = vec![RegistryEntry {
        prefix: dead.clone(),
        location: dead.clone(),
        blocked: true,
        ..RegistryEntry::default()
    }];
    let e = registry::pull(&dst.store, &format!("{dead}/y:1"), &o).unwrap_err();
    assert!(matches!(e, Error::Blocked { .. }), "{e}");
    assert!(e.to_string().contains("blocked in registries.conf"), "{e}");
    assert_empty(&dst);
}

//! Crash safety: a child process (this test binary re-run with an env var)
//! imports, loads and makes containers in a loop and is killed with SIGKILL
//! at random moments. After each kill, `check(repair)` must bring the store
//! back to a state where every visible image is whole and usable.

mod common;

use std::io::Cursor;
use std::process::Command;
use std::time::{Duration, SystemTime};

use berth_storage::{Driver, ImportOptions, Storage, Store, StoreOptions};
use berth_testsupport::busybox;
use common::{unmount_under, Tar, TestStore};

const CHILD_ENV: &str = "BERTH_STORAGE_CRASH_CHILD";

/// The child's work loop; a no-op when run as an ordinary test.
#[test]
fn crash_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (graph, run) = spec.split_once(':').unwrap();
    let store = Store::open(StoreOptions {
        graph_root: graph.into(),
        run_root: run.into(),
        driver: Driver::Overlay,
    })
    .unwrap();
    let base = busybox::rootfs_tar();
    for i in 0u64.. {
        // a distinct layer every time so each import extracts for real
        let mut t = Tar::new();
        t.file(&format!("pad/{i}"), &vec![b'x'; 256 * 1024]);
        let extra = t.finish();
        let mut tar = base[..base.len() - 1024].to_vec();
        tar.extend_from_slice(&extra);
        let img = store
            .import_rootfs(
                &mut Cursor::new(tar),
                &ImportOptions {
                    names: vec![format!("crash{}", i % 3)],
                    ..Default::default()
                },
            )
            .unwrap();
        let sid = store.create_container(&format!("c{i}"), &img.id).unwrap();
        store.mount_container(&sid).unwrap();
        store.unmount_container(&sid, false).unwrap();
        if i % 2 == 0 {
            store.delete_container(&sid).unwrap();
        }
        if i % 3 == 0 {
            let _ = store.prune_images();
        }
    }
}

fn seed() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        .into()
}

#[test]
fn sigkill_at_random_points_leaves_nothing_half_made() {
    let ts = TestStore::new(Driver::Overlay);
    let opts = ts.store.options().clone();
    let exe = std::env::current_exe().unwrap();
    let mut rng = seed();
    let (mut seen_images, mut repairs) = (0, 0);
    let mut first_image_ms: Option<u64> = None;
    for round in 0..8 {
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(
                CHILD_ENV,
                format!("{}:{}", opts.graph_root.display(), opts.run_root.display()),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let delay = if let Some(t) = first_image_ms {
            // anywhere from early in the first import to a few operations later
            let d = t / 4 + (rng >> 33) % (t * 2);
            std::thread::sleep(Duration::from_millis(d));
            d
        } else {
            // round 0 measures how long the first import takes on this machine
            let start = std::time::Instant::now();
            let images = opts.graph_root.join("images");
            while !std::fs::read_dir(&images).is_ok_and(|mut d| {
                d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".json")))
            }) {
                assert!(
                    start.elapsed() < Duration::from_secs(120),
                    "the child made no image in 120 s"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            let t = start.elapsed().as_millis() as u64;
            first_image_ms = Some(t.max(20));
            t
        };
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        child.wait().unwrap();

        let store = ts.reopen();
        let report = store.check(true).unwrap();
        repairs += report.problems.len();
        let after = store.check(false).unwrap();
        assert!(after.is_clean(), "round {round} (killed after {delay} ms): still broken after repair: {after:?} (repaired {report:?})");
        // Everything visible is whole.
        let images = store.images().unwrap();
        seen_images += images.len();
        for img in images {
            let cfg = store.image_config_blob(&img.id).unwrap();
            assert_eq!(
                berth_storage::digest::sha256_digest(&cfg),
                format!("sha256:{}", img.id)
            );
            let sid = store
                .create_container(&format!("verify{round}"), &img.id)
                .unwrap();
            let root = store.mount_container(&sid).unwrap();
            assert!(
                root.join("bin/busybox").exists(),
                "round {round}: image {} is missing files",
                img.id
            );
            store.delete_container(&sid).unwrap();
        }
        for c in store.list_containers().unwrap() {
            let root = store.mount_container(&c.id).unwrap();
            assert!(root.join("bin/busybox").exists());
            store.unmount_container(&c.id, true).unwrap();
        }
    }
    eprintln!("crash test: {seen_images} images seen, {repairs} leftovers repaired");
    assert!(
        seen_images > 0,
        "the child never finished an import: the test proves nothing"
    );
    ts.store.shutdown(true).unwrap();
    unmount_under(ts.dir.path());
}

//! berth-storage against podman 4.3.1 on the same machine, side by side:
//! - import of a 60 MB root filesystem tar (`Store::import` vs `podman import`)
//! - a container root's create + mount + unmount + delete
//!   (vs `podman create` + `podman rm` of the same image)
//!
//! Both use overlayfs and private roots in a temp dir. Needs root and podman.
//! Run: `cargo bench -p berth-storage --bench storage_vs_podman`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use berth_storage::{Driver, ImportOptions, Storage, Store, StoreOptions};

#[path = "../tests/common/mod.rs"]
mod common;

struct Env {
    dir: PathBuf,
    tar: PathBuf,
    store: Store,
    image: String,
}

/// A private podman (its root, run root and tmp dir under `dir/podman`), overlay.
fn podman(dir: &Path) -> Command {
    common::podman_command(&dir.join("podman"), "overlay")
}

fn run(mut c: Command) -> String {
    let out = c.output().expect("podman is installed");
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A 60 MB rootfs: busybox plus 59 files of 1 MiB of incompressible-ish data.
fn make_tar(path: &Path) {
    let f = std::fs::File::create(path).unwrap();
    let mut b = tar::Builder::new(std::io::BufWriter::new(f));
    let mut h = tar::Header::new_ustar();
    let bb = std::fs::read("/bin/busybox").expect("/bin/busybox (busybox-static) is needed");
    h.set_size(bb.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    b.append_data(&mut h, "bin/busybox", &bb[..]).unwrap();
    for i in 0..59 {
        let data = berth_testsupport::noise(0x9e37_79b9_7f4a_7c15 + i, 1 << 20);
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("usr/share/data/{i:02}.bin"), &data[..])
            .unwrap();
    }
    b.into_inner().unwrap().flush().unwrap();
}

fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        assert!(
            nix::unistd::geteuid().is_root(),
            "the benchmark needs root (overlay mounts)"
        );
        let dir = std::env::temp_dir().join(format!("berth-storage-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tar = dir.join("rootfs.tar");
        make_tar(&tar);
        let store = Store::open(StoreOptions {
            graph_root: dir.join("graph"),
            run_root: dir.join("run"),
            driver: Driver::Overlay,
        })
        .unwrap();
        let image = store
            .import_rootfs(
                &mut std::fs::File::open(&tar).unwrap(),
                &ImportOptions {
                    names: vec!["bench".into()],
                    ..Default::default()
                },
            )
            .unwrap()
            .id;
        let mut c = podman(&dir);
        c.arg("import").arg(&tar).arg("localhost/bench");
        run(c);
        Env {
            dir,
            tar,
            store,
            image,
        }
    })
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_60mb_berth() {
    let e = env();
    e.store
        .import_rootfs(
            &mut std::fs::File::open(&e.tar).unwrap(),
            &ImportOptions::default(),
        )
        .unwrap();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn import_60mb_podman() {
    let e = env();
    let mut c = podman(&e.dir);
    c.arg("import").arg(&e.tar);
    run(c);
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn container_cycle_berth(b: divan::Bencher) {
    let e = env();
    let mut n = 0u64;
    b.bench_local(|| {
        n += 1;
        let sid = e
            .store
            .create_container(&format!("b{}-{n}", std::process::id()), &e.image)
            .unwrap();
        e.store.mount_container(&sid).unwrap();
        e.store.unmount_container(&sid, false).unwrap();
        e.store.delete_container(&sid).unwrap();
    });
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn container_cycle_podman() {
    let e = env();
    let mut c = podman(&e.dir);
    c.args([
        "create",
        "--network",
        "none",
        "localhost/bench",
        "/bin/busybox",
        "true",
    ]);
    let id = run(c);
    let mut c = podman(&e.dir);
    c.args(["rm", &id]);
    run(c);
}

fn main() {
    divan::main();
    cleanup(&std::env::temp_dir().join(format!("berth-storage-bench-{}", std::process::id())));
}

fn cleanup(dir: &Path) {
    if !dir.exists() {
        return;
    }
    let _ = podman(dir).args(["rm", "-af"]).output();
    common::unmount_under(dir);
    let _ = std::fs::remove_dir_all(dir);
}

//! create+start+wait of a busybox `true` container through berth-oci (conmon + runc) against
//! bare `runc run` of the same bundle. Needs root, runc, conmon and /bin/busybox.
//!
//! Run: `cargo bench -p berth-oci --bench lifecycle`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use berth_oci::generate::{write_bundle, SpecOptions};
use berth_oci::{ContainerSpec, CreateRequest, OciRuntime, RuncConmon, RuncConmonConfig};

const RUNC: &str = "/usr/sbin/runc";
const CONMON: &str = "/usr/bin/conmon";

struct Env {
    dir: tempfile::TempDir,
    bundle: PathBuf,
    runc_root: PathBuf,
    rt: RuncConmon,
}

static ENV: OnceLock<Env> = OnceLock::new();

fn env() -> &'static Env {
    ENV.get_or_init(|| {
        assert!(nix::unistd::geteuid().is_root(), "the benchmark needs root");
        for bin in [RUNC, CONMON, "/bin/busybox"] {
            assert!(Path::new(bin).exists(), "the benchmark needs {bin}");
        }
        let dir = tempfile::Builder::new()
            .prefix("berth-oci-bench-")
            .tempdir()
            .unwrap();
        let rootfs = dir.path().join("rootfs");
        for d in ["bin", "etc", "proc", "sys", "dev", "tmp"] {
            std::fs::create_dir_all(rootfs.join(d)).unwrap();
        }
        std::fs::copy("/bin/busybox", rootfs.join("bin/busybox")).unwrap();
        std::os::unix::fs::symlink("busybox", rootfs.join("bin/true")).unwrap();
        let bundle = dir.path().join("bundle");
        let mut spec = ContainerSpec::new("bench", &rootfs, &bundle);
        spec.command = vec!["/bin/true".into()];
        spec.cgroup_parent = Some(format!("berth-oci-bench-{}", std::process::id()));
        write_bundle(&spec, &SpecOptions::default()).unwrap();
        let runc_root = dir.path().join("runc-root");
        let mut cfg = RuncConmonConfig::new(RUNC, CONMON, dir.path().join("run"));
        cfg.runtime_root = Some(runc_root.clone());
        let rt = RuncConmon::new(cfg).unwrap();
        Env {
            dir,
            bundle,
            runc_root,
            rt,
        }
    })
}

static N: AtomicUsize = AtomicUsize::new(0);

fn next_id(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn berth_oci_create_start_wait() {
    let e = env();
    let id = next_id("berth");
    let req = CreateRequest {
        id: id.clone(),
        bundle: e.bundle.clone(),
        ..CreateRequest::default()
    };
    e.rt.create(&req).unwrap();
    e.rt.start(&id).unwrap();
    assert_eq!(e.rt.wait(&id, Duration::from_secs(30)).unwrap(), 0);
    e.rt.delete(&id, true).unwrap();
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn bare_runc_run() {
    let e = env();
    let id = next_id("bare");
    let status = Command::new(RUNC)
        .arg(format!("--root={}", e.runc_root.display()))
        .args(["run", "--bundle"])
        .arg(&e.bundle)
        .arg(&id)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

fn main() {
    divan::main();
    // The static is never dropped: remove its temp dir by hand.
    if let Some(e) = ENV.get() {
        let _ = std::fs::remove_dir_all(e.dir.path());
    }
    let parent = format!("berth-oci-bench-{}", std::process::id());
    if let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") {
        for e in entries.flatten() {
            let _ = std::fs::remove_dir(e.path().join(&parent));
        }
    }
}

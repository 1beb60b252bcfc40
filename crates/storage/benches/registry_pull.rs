//! Pull of a ~100 MB four-layer image from a local docker-registry into an
//! empty store, side by side in one run: berth (`registry::pull` into an
//! overlay store), `podman pull` (own root, overlay) and `skopeo copy` to a
//! local `dir:`. Needs root, docker-registry, podman and skopeo.
//! Run: `cargo bench -p berth-storage --bench registry_pull`.

#[path = "../tests/registry_util/mod.rs"]
mod registry_util;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use berth_storage::digest::sha256_digest;
use berth_storage::registry;
use berth_storage::{Driver, Store, StoreOptions};
use berth_testsupport::noise;
use registry_util::common::{podman_command, unmount_under, Tar};
use registry_util::{pull_opts, push_opts, Registry, RegistryConfig};

const LAYERS: usize = 4;
const LAYER_BYTES: usize = 25 << 20;

struct Env {
    reg: Registry,
    image: String,
    _dir: tempfile::TempDir,
}

// The registry lives for the whole run; the process exit reaps it.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let reg = Registry::start(RegistryConfig::default());
        let dir = tempfile::tempdir().unwrap();
        let layout = dir.path().join("layout");
        write_layout(&layout);
        let store = Store::open(StoreOptions {
            graph_root: dir.path().join("src/graph"),
            run_root: dir.path().join("src/run"),
            driver: Driver::Vfs,
        })
        .unwrap();
        let img = store.load(&layout).unwrap().remove(0);
        let image = format!("{}/bench/big:1", reg.host());
        registry::push(&store, &img.id, Some(&image), &push_opts(&[reg.host()])).unwrap();
        Env {
            reg,
            image,
            _dir: dir,
        }
    })
}

/// An OCI layout with `LAYERS` uncompressed layers of random data.
fn write_layout(dir: &Path) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |data: &[u8]| {
        let d = sha256_digest(data);
        std::fs::write(blobs.join(&d[7..]), data).unwrap();
        d
    };
    let mut layers = Vec::new();
    for i in 0..LAYERS {
        let tar = Tar::new()
            .file(&format!("layer{i}.bin"), &noise(i as u64 + 7, LAYER_BYTES))
            .finish();
        layers.push((put(&tar), tar.len()));
    }
    let diff_ids: Vec<&String> = layers.iter().map(|(d, _)| d).collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": berth_storage::oci::host_arch(), "os": "linux",
        "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}
    }))
    .unwrap();
    let cd = put(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
        "layers": layers.iter().map(|(d, n)| serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": n})).collect::<Vec<_>>()
    }))
    .unwrap();
    let md = put(&manifest);
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": manifest.len(),
            "annotations": {"org.opencontainers.image.ref.name": "localhost/bench/big:1"}}]}))
        .unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
}

fn run(mut c: Command) {
    let out = c.output().expect("the peer tool is installed");
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "this benchmark needs root (overlay stores, podman)"
    );
    env();
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn pull_100mb_berth(b: divan::Bencher) {
    let e = env();
    b.with_inputs(|| tempfile::tempdir().unwrap())
        .bench_local_values(|dir| {
            let store = Store::open(StoreOptions {
                graph_root: dir.path().join("graph"),
                run_root: dir.path().join("run"),
                driver: Driver::Overlay,
            })
            .unwrap();
            let r = registry::pull(&store, &e.image, &pull_opts(&[e.reg.host()])).unwrap();
            assert_eq!(r.layers_fetched, LAYERS);
            unmount_under(dir.path());
            dir
        });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn pull_100mb_podman(b: divan::Bencher) {
    let e = env();
    b.with_inputs(|| tempfile::tempdir().unwrap())
        .bench_local_values(|dir| {
            let mut c = podman_command(dir.path(), "overlay");
            c.args(["pull", "-q", "--tls-verify=false", &e.image]);
            run(c);
            let _ = podman_command(dir.path(), "overlay")
                .args(["system", "reset", "-f"])
                .output();
            unmount_under(dir.path());
            dir
        });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn pull_100mb_skopeo_to_dir(b: divan::Bencher) {
    let e = env();
    b.with_inputs(|| tempfile::tempdir().unwrap())
        .bench_local_values(|dir| {
            let policy = dir.path().join("policy.json");
            std::fs::write(
                &policy,
                r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
            )
            .unwrap();
            let mut c = Command::new("skopeo");
            c.arg("--policy").arg(&policy).args([
                "copy",
                "-q",
                "--src-tls-verify=false",
                &format!("docker://{}", e.image),
                &format!("dir:{}", dir.path().join("out").display()),
            ]);
            run(c);
            dir
        });
}

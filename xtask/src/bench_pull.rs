//! The `pull` group of `cargo xtask bench`: a ~100 MB, five-layer image
//! pulled from a local docker-registry into an empty store, side by side in
//! one run: `berth pull`, `podman pull` and `skopeo copy` to a `dir:`.
//!
//! The bench starts Debian's `docker-registry` on a free port of 127.0.0.1
//! with its storage under `target/bench/pull`, pushes a generated OCI layout
//! to it once with skopeo, then times each tool on a fresh, empty store per
//! run. The registry is stopped when the group ends, even on failure.

#![allow(unsafe_code)] // umount2(2) of mounts a pull may leave; see `umount_under`.

use crate::bench::{median_ms, Engine, Row, Setup};
use crate::run;
use anyhow::{bail, Context, Result};
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
const LAYERS: usize = 5;
const LAYER_MIB: usize = 20;
const REPO: &str = "bench/big:latest";

/// Runs the pull row and removes its scratch space (registry storage
/// included) afterwards. Berth's column is empty (`n/a`) when this build of
/// berth has no `pull` command yet.
pub(crate) fn pull(setup: &Setup) -> Result<Row> {
    for bin in [REGISTRY_BIN, "/usr/bin/skopeo"] {
        if !Path::new(bin).exists() {
            bail!("the pull bench needs {bin}; run `cargo xtask deps`");
        }
    }
    let dir = setup.dir.join("pull");
    fs::create_dir_all(&dir)?;
    let registry = Registry::start(&dir.join("registry"))?;
    let image = format!("{}/{REPO}", registry.host);
    let layout = dir.join("layout");
    write_layout(&layout, &dir.join("work"))?;
    run::output(
        Command::new("skopeo")
            .args(["copy", "-q", "--dest-tls-verify=false"])
            .arg(format!("oci:{}:latest", layout.display()))
            .arg(format!("docker://{image}")),
    )
    .context("pushing the bench image to the local registry")?;
    fs::remove_dir_all(&layout)?;
    let runs = setup.runs.min(5);

    let berth = match median_ms(runs, || {
        engine_pull(&dir.join("berth"), &image, |d| {
            Engine::berth(&setup.berth_bin, d)
        })
    }) {
        Ok(ms) => Some(ms),
        Err(e) if format!("{e:#}").contains("unrecognized subcommand") => {
            eprintln!("xtask: this berth has no `pull` command yet; its column says n/a");
            None
        }
        Err(e) => return Err(e),
    };
    let podman = if setup.with_podman {
        Some(median_ms(runs, || {
            engine_pull(&dir.join("podman"), &image, |d| Ok(Engine::podman(d)))
        })?)
    } else {
        None
    };
    let skopeo = median_ms(runs, || skopeo_pull(&dir.join("skopeo"), &image))?;
    drop(registry);
    fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;

    let vs_skopeo = berth.map_or_else(|| "n/a".to_owned(), |b| format!("{:.2}x", skopeo / b));
    Ok(Row {
        workload: format!(
            "pull ~{} MB, {LAYERS} layers, local registry",
            LAYERS * LAYER_MIB
        ),
        berth,
        podman,
        baseline: Some(skopeo),
        unit: "ms",
        target: format!("1x podman (skopeo / berth: {vs_skopeo})"),
    })
}

/// One timed pull by an engine into a fresh store under `scratch`, which is
/// emptied again (images removed, mounts detached, directories deleted).
fn engine_pull(
    scratch: &Path,
    image: &str,
    make: impl Fn(&Path) -> Result<Engine>,
) -> Result<Duration> {
    let _ = fs::remove_dir_all(scratch);
    let engine = make(scratch)?;
    let start = Instant::now();
    engine.ok(&["pull", "--tls-verify=false", "-q", image])?;
    let took = start.elapsed();
    let ids = engine.ok(&["images", "-q"])?;
    let _ = engine.ok(&["rmi", "-a", "-f"]);
    umount_under(scratch);
    fs::remove_dir_all(scratch).with_context(|| format!("removing {}", scratch.display()))?;
    if ids.trim().is_empty() {
        bail!("{} pull {image} succeeded but lists no image", engine.name);
    }
    Ok(took)
}

/// One timed `skopeo copy` into a fresh `dir:` under `scratch`.
fn skopeo_pull(scratch: &Path, image: &str) -> Result<Duration> {
    let _ = fs::remove_dir_all(scratch);
    let out = scratch.join("image");
    fs::create_dir_all(scratch)?;
    let start = Instant::now();
    run::output(
        Command::new("skopeo")
            .args(["copy", "-q", "--src-tls-verify=false"])
            .arg(format!("docker://{image}"))
            .arg(format!("dir:{}", out.display()))
            .stdin(Stdio::null()),
    )?;
    let took = start.elapsed();
    let complete = out.join("manifest.json").exists();
    fs::remove_dir_all(scratch)?;
    if !complete {
        bail!("skopeo copy of {image} wrote no manifest.json");
    }
    Ok(took)
}

/// Detaches every mount at or below `dir`, deepest first.
pub(crate) fn umount_under(dir: &Path) {
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let prefix = dir.to_string_lossy().into_owned();
    let mut points: Vec<&str> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| p.starts_with(&prefix))
        .collect();
    points.sort_unstable_by_key(|p| std::cmp::Reverse(p.len()));
    for point in points {
        let Ok(c) = std::ffi::CString::new(point) else {
            continue;
        };
        // SAFETY: `c` is a valid NUL-terminated path that outlives the call.
        let _ = unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
    }
}

/// A docker-registry child on 127.0.0.1, killed and reaped on drop.
struct Registry {
    child: Child,
    host: String,
}

impl Registry {
    fn start(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir.join("storage"))?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let host = format!("127.0.0.1:{port}");
        let config = dir.join("config.yml");
        fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
                 storage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: {host}\n",
                dir.join("storage").display()
            ),
        )?;
        let log = fs::File::create(dir.join("registry.log"))?;
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {REGISTRY_BIN}"))?;
        let mut registry = Self { child, host };
        registry.wait_ready(&dir.join("registry.log"))?;
        Ok(registry)
    }

    fn wait_ready(&mut self, log: &Path) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if TcpStream::connect(&self.host).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "docker-registry exited ({status}) before listening on {}: {}",
                    self.host,
                    fs::read_to_string(log).unwrap_or_default().trim()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "docker-registry did not listen on {} within 15 s",
                    self.host
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes an OCI image layout at `layout` with `LAYERS` uncompressed layers,
/// each one file of `LAYER_MIB` MiB of random data, tagged `latest`. `work`
/// is scratch space for the layers' contents.
fn write_layout(layout: &Path, work: &Path) -> Result<()> {
    let blobs = layout.join("blobs/sha256");
    fs::create_dir_all(&blobs)?;
    let mut layers = Vec::new();
    for i in 0..LAYERS {
        let content = work.join(format!("layer{i}"));
        fs::create_dir_all(content.join("data"))?;
        run::status(
            Command::new("dd")
                .args(["if=/dev/urandom", "bs=1M", "status=none"])
                .arg(format!("count={LAYER_MIB}"))
                .arg(format!(
                    "of={}",
                    content.join(format!("data/layer{i}.bin")).display()
                )),
        )?;
        let tar = work.join(format!("layer{i}.tar"));
        run::status(
            Command::new("tar")
                .args([
                    "--sort=name",
                    "--mtime=@1600000000",
                    "--owner=0",
                    "--group=0",
                    "--numeric-owner",
                    "-C",
                ])
                .arg(&content)
                .arg("-cf")
                .arg(&tar)
                .arg("."),
        )?;
        layers.push(add_blob(&blobs, &tar)?);
        fs::remove_dir_all(&content)?;
    }
    let quoted = |v: &[(String, u64)]| {
        v.iter()
            .map(|(d, _)| format!("\"{d}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let config = format!(
        r#"{{"architecture":"{}","os":"linux","created":"2020-09-13T12:26:40Z","config":{{"Cmd":["/bin/sh"]}},"rootfs":{{"type":"layers","diff_ids":[{}]}}}}"#,
        oci_arch(),
        quoted(&layers)
    );
    let (config_digest, config_size) = add_bytes(&blobs, work, config.as_bytes())?;
    let layer_descs = layers
        .iter()
        .map(|(d, n)| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{d}","size":{n}}}"#
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{config_size}}},"layers":[{layer_descs}]}}"#
    );
    let (manifest_digest, manifest_size) = add_bytes(&blobs, work, manifest.as_bytes())?;
    fs::write(
        layout.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest_digest}","size":{manifest_size},"annotations":{{"org.opencontainers.image.ref.name":"latest"}}}}]}}"#
        ),
    )?;
    fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    fs::remove_dir_all(work)?;
    Ok(())
}

/// Moves `file` into the blob directory under its digest; returns the
/// digest (`sha256:...`) and size.
fn add_blob(blobs: &Path, file: &Path) -> Result<(String, u64)> {
    let sum = run::output(Command::new("sha256sum").arg(file))?;
    let hex = sum
        .split_whitespace()
        .next()
        .filter(|h| h.len() == 64)
        .with_context(|| format!("sha256sum printed `{}`", sum.trim()))?
        .to_owned();
    let size = fs::metadata(file)?.len();
    let dest: PathBuf = blobs.join(&hex);
    fs::rename(file, &dest)
        .with_context(|| format!("moving {} to {}", file.display(), dest.display()))?;
    Ok((format!("sha256:{hex}"), size))
}

fn add_bytes(blobs: &Path, work: &Path, bytes: &[u8]) -> Result<(String, u64)> {
    let tmp = work.join("blob.tmp");
    fs::write(&tmp, bytes)?;
    add_blob(blobs, &tmp)
}

/// The host's architecture in OCI's spelling.
fn oci_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

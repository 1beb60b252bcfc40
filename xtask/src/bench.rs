//! `cargo xtask bench [--runs N] [--no-podman] [--only GROUP]`: berth side by
//! side with podman and a baseline (bare runc, or skopeo for pulls) in one
//! run, medians and ratios as a markdown table, written into the README
//! between the `bench` markers.
//!
//! The rows come in groups: `containers` (run, create, start, rm, import, ps,
//! RSS) and `pull` (a registry pull, see `bench_pull`). `--only GROUP` runs one
//! group and prints its table without touching the README, so the README
//! always holds one complete run.
//!
//! Every engine gets private directories under `target/bench`, so the host's
//! real installations are never touched.

#![allow(unsafe_code)] // wait4(2) for the peak RSS of a child; see `run_rss`.

use crate::run;
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const IMAGE: &str = "localhost/berth-bench:latest";
const README_START: &str = "<!-- bench:start -->";
const README_END: &str = "<!-- bench:end -->";

/// One engine under test: its program and the global flags that give it
/// private directories.
pub(crate) struct Engine {
    pub(crate) name: &'static str,
    argv: Vec<String>,
}

impl Engine {
    /// berth from `bin`, with its directories under `dir`.
    pub(crate) fn berth(bin: &Path, dir: &Path) -> Result<Self> {
        Ok(Self {
            name: "berth",
            argv: engine_argv(bin.to_str().context("path is not UTF-8")?, dir),
        })
    }

    /// podman with its directories under `dir`, runc and no systemd.
    pub(crate) fn podman(dir: &Path) -> Self {
        Self {
            name: "podman",
            argv: engine_argv("/usr/bin/podman", dir)
                .into_iter()
                .chain(
                    [
                        "--cgroup-manager",
                        "cgroupfs",
                        "--runtime",
                        "/usr/sbin/runc",
                        "--events-backend",
                        "file",
                    ]
                    .map(String::from),
                )
                .collect(),
        }
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.argv[0]);
        cmd.args(&self.argv[1..]).args(args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs to completion; a failure is an error with the engine's stderr.
    pub(crate) fn ok(&self, args: &[&str]) -> Result<String> {
        run::output(&mut self.command(args))
            .with_context(|| format!("{} {}", self.name, args.join(" ")))
    }

    fn time(&self, args: &[&str]) -> Result<Duration> {
        let start = Instant::now();
        self.ok(args)?;
        Ok(start.elapsed())
    }
}

/// One line of the table. `baseline` is bare runc for the container rows and
/// skopeo for the pull row.
pub(crate) struct Row {
    pub(crate) workload: String,
    pub(crate) berth: Option<f64>,
    pub(crate) podman: Option<f64>,
    pub(crate) baseline: Option<f64>,
    pub(crate) unit: &'static str,
    pub(crate) target: String,
}

/// What every group of rows gets: the run count, the scratch directory and
/// the engines' programs.
pub(crate) struct Setup {
    pub(crate) runs: usize,
    pub(crate) dir: PathBuf,
    pub(crate) berth_bin: PathBuf,
    pub(crate) with_podman: bool,
}

const GROUPS: [&str; 2] = ["containers", "pull"];

pub fn run(args: &[String]) -> Result<()> {
    let mut runs = 10usize;
    let mut with_podman = true;
    let mut only = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .context("--runs needs a number")?
                    .parse()
                    .context("--runs: not a number")?;
            }
            "--no-podman" => with_podman = false,
            "--only" => {
                let group = it.next().context("--only needs a group name")?;
                if !GROUPS.contains(&group.as_str()) {
                    bail!(
                        "--only: unknown group `{group}`; the groups are {}",
                        GROUPS.join(", ")
                    );
                }
                only = Some(group.clone());
            }
            other => bail!("xtask bench: unknown argument `{other}`"),
        }
    }
    let root = crate::testimage::workspace_root();
    let dir = root.join("target").join("bench");
    // A previous run may have left mounts (the netns dir) that would keep the dir alive.
    crate::bench_pull::umount_under(&dir);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)?;
    run::cargo(&["build", "--release", "--package", "berth-cli"])?;
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let setup = Setup {
        runs,
        dir,
        berth_bin: target_dir.join("release/berth"),
        with_podman: with_podman && Path::new("/usr/bin/podman").exists(),
    };
    let wants = |group: &str| only.as_deref().is_none_or(|o| o == group);
    let mut rows = Vec::new();
    if wants("containers") {
        rows.extend(containers(&setup)?);
    }
    if wants("pull") {
        rows.push(crate::bench_pull::pull(&setup)?);
    }

    let table = render(&rows);
    println!("{table}");
    if only.is_none() {
        write_readme(&root.join("README.md"), &table)?;
    }
    Ok(())
}

/// The container rows: run, create, start, rm, import, concurrency, ps, RSS.
fn containers(setup: &Setup) -> Result<Vec<Row>> {
    let Setup { runs, ref dir, .. } = *setup;
    let rootfs_tar = crate::testimage::build()?;
    let berth = Engine::berth(&setup.berth_bin, &dir.join("berth"))?;
    let podman = setup
        .with_podman
        .then(|| Engine::podman(&dir.join("podman")));
    let engines: Vec<&Engine> = std::iter::once(&berth).chain(podman.as_ref()).collect();
    for engine in &engines {
        engine.ok(&["import", rootfs_tar.to_str().unwrap_or_default(), IMAGE])?;
    }
    let bundle = runc_bundle(dir, &rootfs_tar)?;

    let mut rows = Vec::new();
    let each = |f: &dyn Fn(&Engine) -> Result<f64>| -> Result<Vec<f64>> {
        engines.iter().map(|e| f(e)).collect()
    };
    let mut push =
        |name: &str, vals: Vec<f64>, runc: Option<f64>, unit: &'static str, target: String| {
            rows.push(Row {
                workload: name.to_owned(),
                berth: vals.first().copied(),
                podman: vals.get(1).copied(),
                baseline: runc,
                unit,
                target,
            });
        };

    let runc_floor = median_ms(runs, || runc_run(dir, &bundle))?;
    let v = each(&|e| {
        median_ms(runs, || {
            e.time(&["run", "--rm", "--network", "none", IMAGE, "true"])
        })
    })?;
    push(
        "run --rm --network none IMG true",
        v,
        Some(runc_floor),
        "ms",
        "3x podman, 2.5x runc".into(),
    );
    let v = each(&|e| median_ms(runs, || e.time(&["run", "--rm", IMAGE, "true"])))?;
    push(
        "run --rm IMG true (bridge)",
        v,
        None,
        "ms",
        "3x podman".into(),
    );
    let v = each(&|e| {
        median_ms(runs, || {
            let start = Instant::now();
            let id = e.ok(&["create", IMAGE, "true"])?;
            let took = start.elapsed();
            e.ok(&["rm", id.trim()])?;
            Ok(took)
        })
    })?;
    push("create", v, None, "ms", "3x podman".into());
    let v = each(&|e| {
        median_ms(runs, || {
            let id = e.ok(&["create", IMAGE, "true"])?;
            let took = e.time(&["start", id.trim()])?;
            e.ok(&["rm", "-f", id.trim()])?;
            Ok(took)
        })
    })?;
    push(
        "start (created container)",
        v,
        None,
        "ms",
        "3x podman".into(),
    );
    let v = each(&|e| {
        median_ms(runs, || {
            let id = e.ok(&["create", IMAGE, "true"])?;
            e.time(&["rm", id.trim()])
        })
    })?;
    push("rm", v, None, "ms", "3x podman".into());
    let big_tar = big_rootfs_tar(dir, &rootfs_tar)?;
    let v = each(&|e| {
        median_ms(runs.min(5), || {
            let took = e.time(&[
                "import",
                big_tar.to_str().unwrap_or_default(),
                "localhost/big:latest",
            ])?;
            e.ok(&["rmi", "localhost/big:latest"])?;
            Ok(took)
        })
    })?;
    push("import 60 MB rootfs tar", v, None, "ms", "3x podman".into());
    let v = each(&|e| concurrent_runs(e, 20))?;
    push(
        "20 concurrent run --rm (wall)",
        v,
        None,
        "ms",
        "3x podman, all succeed".into(),
    );
    let v = each(&|e| {
        Ok(run_rss(e, &["run", "--rm", "--network", "none", IMAGE, "true"])? as f64 / 1024.0)
    })?;
    push("peak RSS of run", v, None, "MiB", "1/3 of podman".into());
    for (count, target) in [(100usize, "3x podman"), (1000, "5x podman")] {
        let v = each(&|e| {
            fill_containers(e, count)?;
            median_ms(runs, || e.time(&["ps", "-a"]))
        })?;
        push(
            &format!("ps -a, {count} containers"),
            v,
            None,
            "ms",
            target.into(),
        );
    }
    let v = each(&|e| Ok(run_rss(e, &["ps", "-a"])? as f64 / 1024.0))?;
    push(
        "peak RSS of ps -a (1000)",
        v,
        None,
        "MiB",
        "1/3 of podman".into(),
    );
    for engine in &engines {
        let _ = engine.ok(&["rm", "-a", "-f"]);
    }
    Ok(rows)
}

fn engine_argv(program: &str, dir: &Path) -> Vec<String> {
    let d = |p: &str| dir.join(p).to_string_lossy().into_owned();
    vec![
        program.into(),
        "--root".into(),
        d("root"),
        "--runroot".into(),
        d("run"),
        "--tmpdir".into(),
        d("tmp"),
    ]
}

pub(crate) fn median_ms(runs: usize, mut f: impl FnMut() -> Result<Duration>) -> Result<f64> {
    let _warmup = f()?;
    let mut samples = (0..runs).map(|_| f()).collect::<Result<Vec<_>>>()?;
    samples.sort();
    Ok(samples[samples.len() / 2].as_secs_f64() * 1000.0)
}

/// Creates containers until the engine has `count`.
fn fill_containers(e: &Engine, count: usize) -> Result<()> {
    let have = e.ok(&["ps", "-a", "-q"])?.lines().count();
    for _ in have..count {
        e.ok(&["create", IMAGE, "true"])?;
    }
    Ok(())
}

fn concurrent_runs(e: &Engine, n: usize) -> Result<f64> {
    let start = Instant::now();
    let children: Vec<Child> = (0..n)
        .map(|_| {
            e.command(&["run", "--rm", IMAGE, "true"])
                .spawn()
                .context("spawning a run")
        })
        .collect::<Result<_>>()?;
    let mut failures = Vec::new();
    for child in children {
        let out = child.wait_with_output()?;
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stderr).trim().to_owned());
        }
    }
    if !failures.is_empty() {
        bail!(
            "{}: {} of {n} concurrent runs failed: {}",
            e.name,
            failures.len(),
            failures.join("; ")
        );
    }
    Ok(start.elapsed().as_secs_f64() * 1000.0)
}

/// Peak resident set size of the engine's own process, in KiB.
fn run_rss(e: &Engine, args: &[&str]) -> Result<i64> {
    let mut cmd = e.command(args);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let child = cmd.spawn().context("spawning for RSS")?;
    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of a plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are valid for writes.
    let rc = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    if rc != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!(
            "{} {} failed while measuring RSS (status {status})",
            e.name,
            args.join(" ")
        );
    }
    Ok(usage.ru_maxrss)
}

/// A bundle for bare `runc run`: the test image's rootfs and `runc spec`'s
/// config with `true` as the process.
fn runc_bundle(dir: &Path, rootfs_tar: &Path) -> Result<PathBuf> {
    let bundle = dir.join("runc-bundle");
    untar(rootfs_tar, &bundle.join("rootfs"))?;
    run::status(
        Command::new("runc")
            .arg("spec")
            .arg("--bundle")
            .arg(&bundle),
    )?;
    let path = bundle.join("config.json");
    let spec = fs::read_to_string(&path)?
        .replace("\"terminal\": true", "\"terminal\": false")
        .replace("\"sh\"", "\"true\"");
    fs::write(&path, spec)?;
    Ok(bundle)
}

fn runc_run(dir: &Path, bundle: &Path) -> Result<Duration> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let id = format!(
        "berth-bench-{}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let start = Instant::now();
    run::output(
        Command::new("runc")
            .arg("--root")
            .arg(dir.join("runc-root"))
            .args(["run", "--bundle"])
            .arg(bundle)
            .arg(&id)
            .stdin(Stdio::null()),
    )?;
    Ok(start.elapsed())
}

/// Extracts `tar` into `dir`, creating it.
fn untar(tar: &Path, dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    run::status(Command::new("tar").arg("-C").arg(dir).arg("-xf").arg(tar))
}

/// The test image plus ~58 MB of incompressible data, as one tar.
fn big_rootfs_tar(dir: &Path, rootfs_tar: &Path) -> Result<PathBuf> {
    let big = dir.join("big");
    untar(rootfs_tar, &big.join("rootfs"))?;
    fs::create_dir_all(big.join("rootfs/data"))?;
    run::status(
        Command::new("dd")
            .args(["if=/dev/urandom", "bs=1M", "count=58", "status=none"])
            .arg(format!("of={}", big.join("rootfs/data/blob").display())),
    )?;
    let tar = big.join("rootfs-60mb.tar");
    run::status(
        Command::new("tar")
            .arg("-C")
            .arg(big.join("rootfs"))
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    )?;
    Ok(tar)
}

fn render(rows: &[Row]) -> String {
    let fmt = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    let mut out = String::from("| workload | berth | podman | bare runc / skopeo | podman / berth | target |\n|---|---|---|---|---|---|\n");
    for r in rows {
        let ratio = match (r.berth, r.podman) {
            (Some(b), Some(p)) if b > 0.0 => format!("{:.2}x", p / b),
            _ => "–".to_owned(),
        };
        let _ = writeln!(
            out,
            "| {} | {} {} | {} | {} | {ratio} | {} |",
            r.workload,
            r.berth
                .map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}")),
            r.unit,
            fmt(r.podman),
            fmt(r.baseline),
            r.target
        );
    }
    out
}

fn write_readme(readme: &Path, table: &str) -> Result<()> {
    let text = fs::read_to_string(readme)?;
    let (Some(a), Some(b)) = (text.find(README_START), text.find(README_END)) else {
        bail!("README.md has no {README_START} ... {README_END} markers");
    };
    let host = run::output(Command::new("uname").arg("-srm")).unwrap_or_default();
    let new = format!(
        "{}{README_START}\nMeasured by `cargo xtask bench` on {} (medians; lower is better).\n\n{table}{}",
        &text[..a],
        host.trim(),
        &text[b..]
    );
    fs::write(readme, new)?;
    Ok(())
}

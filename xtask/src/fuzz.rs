//! `cargo xtask fuzz [--time SECS] [TARGET...]`: every cargo-fuzz target of
//! the workspace, each for SECS seconds (default 60).
//!
//! Fuzz crates live in `crates/<crate>/fuzz` outside the workspace; every
//! `fuzz_targets/*.rs` of every crate is found, so a new crate's targets
//! run without a change here. The
//! machine has a stable toolchain only, so `RUSTC_BOOTSTRAP=1` lets
//! cargo-fuzz pass its `-Z` flags, and the sanitizer is off.

use crate::run;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(args: &[String]) -> Result<()> {
    let mut time = 60u64;
    let mut wanted = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--time" => {
                let v = it.next().context("--time needs a number of seconds")?;
                time = v
                    .parse()
                    .with_context(|| format!("--time {v}: not a number of seconds"))?;
            }
            other => wanted.push(other.to_owned()),
        }
    }
    ensure_cargo_fuzz()?;
    let targets = targets()?;
    if targets.is_empty() {
        bail!("no fuzz targets found under crates/*/fuzz/fuzz_targets");
    }
    if let Some(unknown) = wanted
        .iter()
        .find(|w| !targets.iter().any(|(_, t)| t == *w))
    {
        let names: Vec<&str> = targets.iter().map(|(_, t)| t.as_str()).collect();
        bail!(
            "no fuzz target {unknown:?}; there are: {}",
            names.join(", ")
        );
    }
    // One target after another, each on one core; a crash does not stop
    // the others, and every crashing target is named at the end.
    let mut crashed = Vec::new();
    for (dir, target) in &targets {
        if !wanted.is_empty() && !wanted.contains(target) {
            continue;
        }
        eprintln!("xtask fuzz: {target} for {time}s");
        let result = run::status(
            Command::new("cargo")
                .current_dir(dir)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", "--sanitizer", "none", target, "--"])
                .arg(format!("-max_total_time={time}"))
                .arg("-print_final_stats=1"),
        );
        if let Err(e) = result {
            eprintln!(
                "xtask fuzz: {target}: {e:#} (the input is under {}/artifacts/{target})",
                dir.display()
            );
            crashed.push(target.as_str());
        }
    }
    if !crashed.is_empty() {
        bail!("fuzz targets that crashed: {}", crashed.join(", "));
    }
    Ok(())
}

fn ensure_cargo_fuzz() -> Result<()> {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        run::status(Command::new("cargo").args(["install", "--locked", "cargo-fuzz"]))?;
    }
    Ok(())
}

/// (fuzz crate dir, target name) for every `crates/*/fuzz/fuzz_targets/*.rs`.
fn targets() -> Result<Vec<(PathBuf, String)>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("crates");
    let mut found = Vec::new();
    for krate in std::fs::read_dir(&root).with_context(|| format!("reading {}", root.display()))? {
        let fuzz = krate?.path().join("fuzz");
        let Ok(entries) = std::fs::read_dir(fuzz.join("fuzz_targets")) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "rs") {
                if let Some(stem) = path.file_stem() {
                    found.push((fuzz.clone(), stem.to_string_lossy().into_owned()));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

//! `cargo xtask TASK`: the project's developer tasks.
//!
//! - `deps`: install the Debian packages the tests need, when missing.
//! - `test`: `deps`, then `ci` (what `.ci/run` runs).
//! - `ci`: `cargo fmt --check`, clippy with `-D warnings`, `cargo test --workspace`.
//! - `lint`: fmt check and clippy only.
//! - `fuzz [--time SECS] [TARGET...]`: run the cargo-fuzz targets, each for SECS seconds.
//! - `bench [--runs N] [--no-podman] [--only containers|pull]`: berth vs podman vs bare runc
//!   (containers) and skopeo (registry pull), table into the README (not with `--only`).
//! - `testimage`: build the busybox test image's rootfs tar from busybox-static.
//! - `demo`: deps, release build, test image, then a short tour of berth.
//! - `dist`: shell completions and man pages into `target/dist`.
//! - `ci` also runs `cargo doc` with `-D warnings`.

mod bench;
mod bench_pull;
mod demo;
mod deps;
mod fuzz;
mod run;
mod testimage;
mod unprivileged;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = args
        .split_first()
        .map_or(("help", &[][..]), |(t, r)| (t.as_str(), r));
    match task {
        "deps" => deps::install(),
        "demo" => demo::run(),
        "test" => {
            deps::install()?;
            ci()
        }
        "ci" => ci(),
        "lint" => lint(),
        "unprivileged" => unprivileged::run(),
        "fuzz" => fuzz::run(rest),
        "bench" => bench::run(rest),
        "testimage" => testimage::build().map(drop),
        "dist" => dist(),
        "help" | "--help" | "-h" => {
            println!(
                "usage: cargo xtask <deps|test|ci|lint|unprivileged|demo|bench|testimage|dist|fuzz [--time SECS] [TARGET...]>"
            );
            Ok(())
        }
        other => bail!("unknown task `{other}`; try `cargo xtask help`"),
    }
}

fn lint() -> Result<()> {
    run::cargo(&["fmt", "--all", "--check"])?;
    run::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    run::cargo_env(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )
}

fn ci() -> Result<()> {
    lint()?;
    run::cargo(&["test", "--workspace", "--no-fail-fast"])?;
    unprivileged::run()
}

/// Shell completions and man pages from the CLI's clap tree.
fn dist() -> Result<()> {
    let out = testimage::workspace_root().join("target").join("dist");
    let out = out
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("target path is not UTF-8"))?;
    run::cargo(&[
        "run",
        "--quiet",
        "--package",
        "berth-cli",
        "--example",
        "generate",
        "--",
        out,
    ])
}

//! The unit tests of the runtime, the CLI and the config crate, run as a
//! normal user: an embedder's `cargo test` must not need root. As root, CI
//! copies the test binaries to a world-readable temp dir and runs them as
//! `nobody` (uid 65534) with `setpriv`; as a normal user `cargo test` has
//! already run them as that user.

use anyhow::{bail, Context, Result};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

/// The crates whose unit tests must pass without root.
const CRATES: &[&str] = &[
    "berth-runtime",
    "berth-cli",
    "berth-config",
    "berth-template",
];

/// Runs the unit tests of [`CRATES`] as `nobody` when we are root.
pub fn run() -> Result<()> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(());
    }
    if !std::path::Path::new("/usr/bin/setpriv").exists() {
        bail!("/usr/bin/setpriv is missing (package util-linux): it runs the unit tests as nobody");
    }
    let dir = tempfile::Builder::new().prefix("berth-unpriv").tempdir()?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    for krate in CRATES {
        let exe = unit_test_binary(krate)?;
        let copy = dir.path().join(krate);
        std::fs::copy(&exe, &copy).with_context(|| format!("copying {}", exe.display()))?;
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755))?;
        let scratch = tempfile::Builder::new()
            .prefix("berth-unpriv-tmp")
            .tempdir()?;
        std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o1777))?;
        let mut cmd = Command::new("/usr/bin/setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&copy)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", scratch.path())
            .env("TMPDIR", scratch.path())
            .current_dir(dir.path());
        eprintln!("xtask: unit tests of {krate} as nobody");
        crate::run::status(&mut cmd)?;
    }
    Ok(())
}

/// The unit-test executable cargo built for `krate` (`cargo test --lib --no-run`).
fn unit_test_binary(krate: &str) -> Result<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = crate::run::output(Command::new(cargo).args([
        "test",
        "-p",
        krate,
        "--lib",
        "--no-run",
        "--message-format=json",
    ]))?;
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|j| j["reason"] == "compiler-artifact" && j["target"]["kind"][0] == "lib")
        .find_map(|j| j["executable"].as_str().map(std::path::PathBuf::from))
        .with_context(|| format!("cargo built no unit-test binary for {krate}"))
}

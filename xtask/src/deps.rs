//! `cargo xtask deps`: the Debian packages the tests run against.

use crate::run;
use anyhow::{bail, Result};
use std::process::Command;

/// Debian packages berth's tests and benchmarks need, with why.
pub const PACKAGES: &[(&str, &str)] = &[
    ("runc", "the OCI runtime the tests launch containers with"),
    ("crun", "the second OCI runtime on the default runtime_path"),
    ("conmon", "the container monitor"),
    (
        "containernetworking-plugins",
        "CNI plugins: bridge, host-local, portmap, ...",
    ),
    (
        "iptables",
        "used by the bridge, portmap and firewall plugins",
    ),
    (
        "iproute2",
        "ip netns, ip link: inspecting network state in tests",
    ),
    ("busybox-static", "the root filesystem of the test image"),
    (
        "docker-registry",
        "a real registry on 127.0.0.1 for pull/push tests",
    ),
    ("podman", "the peer in interop tests and benchmarks"),
    (
        "skopeo",
        "the peer in registry interop tests and benchmarks",
    ),
    (
        "openssl",
        "makes the CA and server certificates of the registry TLS tests",
    ),
    ("curl", "fetches the demo's published web server"),
    ("uidmap", "newuidmap/newgidmap for rootless tests"),
    ("catatonit", "the init of pod infra containers and --init"),
    ("hyperfine", "timing in cargo xtask bench"),
];

/// Installs every missing package; prints what it found and what it did.
pub fn install() -> Result<()> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !installed(name))
        .collect();
    if missing.is_empty() {
        eprintln!("xtask deps: all {} packages are installed", PACKAGES.len());
        return Ok(());
    }
    if !is_root() {
        bail!(
            "xtask deps: missing packages {} and not root; run as root or install them with apt-get",
            missing.join(" ")
        );
    }
    eprintln!("xtask deps: installing {}", missing.join(" "));
    run::status(Command::new("apt-get").args(["update", "-q"]))?;
    run::status(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let still: Vec<&str> = missing.into_iter().filter(|p| !installed(p)).collect();
    if !still.is_empty() {
        bail!(
            "xtask deps: apt-get finished but {} are still missing",
            still.join(" ")
        );
    }
    eprintln!("xtask deps: done");
    Ok(())
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status}", package])
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout == b"installed")
}

fn is_root() -> bool {
    run::output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

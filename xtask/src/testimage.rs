//! `cargo xtask testimage`: the busybox test image's root filesystem, built
//! from Debian's busybox-static, as `target/testimage/busybox-rootfs.tar`.
//!
//! The tar holds `/bin/busybox`, a symlink per applet, a minimal `/etc`
//! (passwd, group, hosts, nsswitch), `/tmp` (1777), `/root`, and a page at
//! `/var/www/index.html` for the demo's web server. `berth import` turns it
//! into an image; tests build their own copies the same way.

use anyhow::{Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const BUSYBOX: &str = "/bin/busybox";

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
daemon:x:1:1:daemon:/usr/sbin:/bin/false\n\
nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const GROUP: &str = "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n";
const INDEX: &str = "<html><body><h1>hello from berth</h1></body></html>\n";

/// Builds the rootfs tar and returns its path.
pub fn build() -> Result<PathBuf> {
    let out = workspace_root().join("target").join("testimage");
    let rootfs = out.join("rootfs");
    if rootfs.exists() {
        fs::remove_dir_all(&rootfs).with_context(|| format!("removing {}", rootfs.display()))?;
    }
    populate(&rootfs)?;
    let tar = out.join("busybox-rootfs.tar");
    crate::run::status(
        Command::new("tar")
            .arg("--numeric-owner")
            .arg("--owner=0")
            .arg("--group=0")
            .arg("-C")
            .arg(&rootfs)
            .arg("-cf")
            .arg(&tar)
            .arg("."),
    )?;
    eprintln!("xtask testimage: wrote {}", tar.display());
    Ok(tar)
}

fn populate(root: &Path) -> Result<()> {
    for dir in [
        "bin", "etc", "root", "tmp", "var/www", "proc", "sys", "dev", "run",
    ] {
        fs::create_dir_all(root.join(dir)).with_context(|| format!("creating {dir}"))?;
    }
    set_mode(&root.join("tmp"), 0o1777)?;
    set_mode(&root.join("root"), 0o700)?;
    fs::copy(BUSYBOX, root.join("bin/busybox")).with_context(|| {
        format!("copying {BUSYBOX}; install busybox-static (`cargo xtask deps`)")
    })?;
    let list = crate::run::output(Command::new(BUSYBOX).arg("--list"))?;
    for applet in list
        .lines()
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "busybox")
    {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet))
            .with_context(|| format!("linking applet {applet}"))?;
    }
    for (name, text) in [
        ("etc/passwd", PASSWD),
        ("etc/group", GROUP),
        ("etc/hosts", "127.0.0.1 localhost\n"),
        ("etc/nsswitch.conf", "hosts: files dns\n"),
        ("var/www/index.html", INDEX),
    ] {
        fs::write(root.join(name), text).with_context(|| format!("writing {name}"))?;
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

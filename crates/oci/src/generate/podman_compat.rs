//! What podman gives every container and checks before it starts it: `/run/.containerenv`
//! and a user-named workdir that must exist.

use std::path::Path;

use crate::container_spec::ContainerSpec;
use crate::error::{Error, Result};

/// A workdir the user named must exist in the root filesystem or be a mount's destination,
/// a directory under one or one above one, as podman: the runtime would otherwise create it. The failure is the OCI
/// runtime's class (podman exits 126).
pub(super) fn check_workdir(spec: &ContainerSpec, cwd: &str) -> Result<()> {
    // The runtime makes a mount's destination and the directories above it.
    let within = |inner: &str, outer: &str| {
        let o = outer.trim_end_matches('/');
        inner == outer
            || inner
                .strip_prefix(o)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let under = |dest: &str| within(cwd, dest) || within(dest, cwd);
    if spec.mounts.iter().any(|m| under(&m.destination))
        || spec.tmpfs.iter().any(|m| under(&m.destination))
        || exists_in_root(&spec.rootfs, cwd)
    {
        return Ok(());
    }
    Err(Error::Runtime {
        op: "create",
        id: spec.id.clone(),
        message: format!("workdir {cwd:?} does not exist on container {}", spec.id),
        class: crate::ExitCodeClass::Other,
    })
}

/// Whether `path` (absolute, in the container) names a directory of `rootfs`, its symlinks
/// resolved inside `rootfs` (at most 40, as the kernel).
fn exists_in_root(rootfs: &Path, path: &str) -> bool {
    let mut todo: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
    let mut at: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(c) = todo.pop() {
        match c.as_str() {
            "" | "." => continue,
            ".." => {
                at.pop();
                continue;
            }
            _ => {}
        }
        let host = at
            .iter()
            .fold(rootfs.to_path_buf(), |p, x| p.join(x))
            .join(&c);
        let Ok(meta) = std::fs::symlink_metadata(&host) else {
            return false;
        };
        if meta.file_type().is_symlink() {
            links += 1;
            let Ok(target) = std::fs::read_link(&host) else {
                return false;
            };
            if links > 40 {
                return false;
            }
            let t = target.to_string_lossy().into_owned();
            if t.starts_with('/') {
                at.clear();
            }
            todo.extend(t.split('/').rev().map(str::to_owned));
        } else {
            at.push(c);
        }
    }
    let host = at.iter().fold(rootfs.to_path_buf(), |p, x| p.join(x));
    std::fs::symlink_metadata(host).is_ok_and(|m| m.is_dir())
}

/// The bundle file bound at `/run/.containerenv`.
pub const CONTAINERENV: &str = "containerenv";

/// `/run/.containerenv`: empty, as podman's, unless the container is privileged; then the
/// engine, name, id, image, image id and `rootless=0|1` as shell assignments.
pub fn containerenv(spec: &ContainerSpec) -> String {
    if !spec.privileged {
        return String::new();
    }
    let rootless = u8::from(!nix::unistd::geteuid().is_root());
    format!(
        "engine=\"berth-{}\"\nname={:?}\nid={:?}\nimage={:?}\nimageid={:?}\nrootless={rootless}\n",
        env!("CARGO_PKG_VERSION"),
        spec.name,
        spec.id,
        spec.image_name,
        spec.image_id,
    )
}

//! Mounts: the standard set, the per-container `/etc` files, read-only tmpfs, user tmpfs and binds.

use std::collections::BTreeSet;
use std::path::PathBuf;

use oci_spec::runtime::{Mount, MountBuilder};

use super::{invalid, READ_ONLY_TMPFS};
use crate::container_spec::ContainerSpec;
use crate::error::Result;

fn mount(dest: &str, typ: &str, source: &str, options: &[&str]) -> Result<Mount> {
    Ok(MountBuilder::default()
        .destination(dest)
        .typ(typ)
        .source(source)
        .options(options.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
        .build()?)
}

fn default_mounts(spec: &ContainerSpec) -> Result<Vec<Mount>> {
    let shm_size = format!("size={}k", spec.shm_size.unwrap_or(64 * 1024 * 1024) / 1024);
    let sys_ro = if spec.privileged { "rw" } else { "ro" };
    Ok(vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"])?,
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"],
        )?,
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        )?,
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        )?,
        mount(
            "/sys",
            "sysfs",
            "sysfs",
            &["nosuid", "noexec", "nodev", sys_ro],
        )?,
        mount(
            "/sys/fs/cgroup",
            "cgroup",
            "cgroup",
            &["rprivate", "nosuid", "noexec", "nodev", "relatime", sys_ro],
        )?,
        mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", &shm_size],
        )?,
    ])
}

pub(super) fn check_destination(field: &str, dest: &str) -> Result<()> {
    if !dest.starts_with('/') {
        return Err(invalid(
            field,
            format!("destination {dest:?} must be an absolute path"),
        ));
    }
    if dest.split('/').any(|c| c == "..") {
        return Err(invalid(
            field,
            format!("destination {dest:?} must not contain \"..\""),
        ));
    }
    Ok(())
}

const PROPAGATIONS: [&str; 6] = [
    "rprivate", "private", "rshared", "shared", "rslave", "slave",
];

fn user_mounts(spec: &ContainerSpec) -> Result<Vec<Mount>> {
    let mut out = Vec::new();
    for t in &spec.tmpfs {
        check_destination("tmpfs", &t.destination)?;
        let mut opts = vec!["nosuid".to_owned(), "nodev".to_owned()];
        if !t.options.iter().any(|o| o == "exec" || o == "noexec") {
            opts.push("noexec".into());
        }
        opts.extend(t.options.iter().cloned());
        out.push(
            MountBuilder::default()
                .destination(&t.destination)
                .typ("tmpfs")
                .source("tmpfs")
                .options(opts)
                .build()?,
        );
    }
    for m in &spec.mounts {
        check_destination("mounts", &m.destination)?;
        if !m.source.is_absolute() {
            return Err(invalid(
                "mounts",
                format!("source {} must be an absolute path", m.source.display()),
            ));
        }
        if !m.source.exists() {
            return Err(invalid(
                "mounts",
                format!(
                    "source {} does not exist (create it or fix the volume path)",
                    m.source.display()
                ),
            ));
        }
        let prop = m.propagation.clone().unwrap_or_else(|| "rprivate".into());
        if !PROPAGATIONS.contains(&prop.as_str()) {
            return Err(invalid(
                "mounts",
                format!(
                    "propagation {prop:?} for {} is not one of {}",
                    m.destination,
                    PROPAGATIONS.join(", ")
                ),
            ));
        }
        let mut opts = vec![
            if m.non_recursive { "bind" } else { "rbind" }.to_owned(),
            prop,
        ];
        opts.push(if m.read_only { "ro" } else { "rw" }.into());
        for (on, name) in [
            (m.nosuid, "nosuid"),
            (m.nodev, "nodev"),
            (m.noexec, "noexec"),
        ] {
            if on {
                opts.push(name.into());
            }
        }
        out.push(
            MountBuilder::default()
                .destination(&m.destination)
                .typ("bind")
                .source(&m.source)
                .options(opts)
                .build()?,
        );
    }
    Ok(out)
}

fn etc_mounts(spec: &ContainerSpec) -> Result<Vec<Mount>> {
    if spec.no_etc_files {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (file, dest) in [
        ("hosts", "/etc/hosts"),
        ("resolv.conf", "/etc/resolv.conf"),
        ("hostname", "/etc/hostname"),
    ] {
        if spec.no_hosts && file == "hosts" {
            continue;
        }
        let src = spec.bundle_dir.join(file);
        out.push(
            MountBuilder::default()
                .destination(dest)
                .typ("bind")
                .source(src)
                .options(vec!["bind".to_owned(), "rprivate".to_owned()])
                .build()?,
        );
    }
    Ok(out)
}

/// All mounts: defaults, `/etc` files, read-only tmpfs, user tmpfs and binds. A user mount
/// replaces a default or generated mount with the same destination.
pub(super) fn all_mounts(spec: &ContainerSpec) -> Result<Vec<Mount>> {
    let user = user_mounts(spec)?;
    let taken: BTreeSet<PathBuf> = user.iter().map(|m| m.destination().clone()).collect();
    let mut seen = BTreeSet::new();
    for m in &user {
        if !seen.insert(m.destination().clone()) {
            return Err(invalid(
                "mounts",
                format!("duplicate mount destination {}", m.destination().display()),
            ));
        }
    }
    let mut out: Vec<Mount> = Vec::new();
    let mut generated = default_mounts(spec)?;
    generated.extend(etc_mounts(spec)?);
    if spec.read_only {
        for dest in READ_ONLY_TMPFS {
            generated.push(mount(
                dest,
                "tmpfs",
                "tmpfs",
                &["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"],
            )?);
        }
    }
    // After the read-only tmpfs on /run, which would hide it.
    generated.push(
        MountBuilder::default()
            .destination("/run/.containerenv")
            .typ("bind")
            .source(spec.bundle_dir.join(super::CONTAINERENV))
            .options(vec![
                "bind".to_owned(),
                "rprivate".to_owned(),
                "ro".to_owned(),
            ])
            .build()?,
    );
    out.extend(
        generated
            .into_iter()
            .filter(|m| !taken.contains(m.destination())),
    );
    out.extend(user);
    Ok(out)
}

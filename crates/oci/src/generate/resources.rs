//! cgroup resources and devices: deny-all plus the standard devices, host devices, limits.

use std::path::{Path, PathBuf};

use oci_spec::runtime::{
    LinuxBlockIoBuilder, LinuxCpuBuilder, LinuxDevice, LinuxDeviceBuilder, LinuxDeviceCgroup,
    LinuxDeviceCgroupBuilder, LinuxDeviceType, LinuxMemoryBuilder, LinuxPidsBuilder,
    LinuxResources, LinuxResourcesBuilder, LinuxThrottleDevice, LinuxThrottleDeviceBuilder,
};

use super::invalid;
use crate::container_spec::{ContainerSpec, ThrottleKind};
use crate::error::{Error, Result};

fn devices_rules(privileged: bool) -> Result<Vec<LinuxDeviceCgroup>> {
    let rule = |allow: bool,
                typ: Option<LinuxDeviceType>,
                major: Option<i64>,
                minor: Option<i64>,
                access: &str|
     -> Result<LinuxDeviceCgroup> {
        let mut b = LinuxDeviceCgroupBuilder::default()
            .allow(allow)
            .access(access);
        if let Some(t) = typ {
            b = b.typ(t);
        }
        if let Some(m) = major {
            b = b.major(m);
        }
        if let Some(m) = minor {
            b = b.minor(m);
        }
        Ok(b.build()?)
    };
    if privileged {
        return Ok(vec![rule(true, None, None, None, "rwm")?]);
    }
    let c = Some(LinuxDeviceType::C);
    let mut v = vec![rule(false, None, None, None, "rwm")?];
    // mknod of any device node; then null, zero, full, random, urandom, tty, console, ptmx, pts, tun.
    v.push(rule(true, c, None, None, "m")?);
    v.push(rule(true, Some(LinuxDeviceType::B), None, None, "m")?);
    for (maj, min) in [
        (1, Some(3)),
        (1, Some(5)),
        (1, Some(7)),
        (1, Some(8)),
        (1, Some(9)),
        (5, Some(0)),
        (5, Some(1)),
        (5, Some(2)),
        (136, None),
        (10, Some(200)),
    ] {
        v.push(rule(true, c, Some(maj), min, "rwm")?);
    }
    Ok(v)
}

/// Host devices: the `linux.devices` entries and their cgroup allow rules.
pub(super) fn host_devices(
    spec: &ContainerSpec,
) -> Result<(Vec<LinuxDevice>, Vec<LinuxDeviceCgroup>)> {
    let mut devices = Vec::new();
    let mut rules = Vec::new();
    for d in &spec.devices {
        let st = nix::sys::stat::stat(&d.host_path)
            .map_err(|e| invalid("devices", format!("{}: {e}", d.host_path.display())))?;
        let kind = st.st_mode & libc::S_IFMT;
        let typ = match kind {
            libc::S_IFCHR => LinuxDeviceType::C,
            libc::S_IFBLK => LinuxDeviceType::B,
            _ => {
                return Err(invalid(
                    "devices",
                    format!("{} is not a device node", d.host_path.display()),
                ))
            }
        };
        let perms = if d.permissions.is_empty() {
            "rwm"
        } else {
            d.permissions.as_str()
        };
        if perms.chars().any(|c| !"rwm".contains(c)) {
            return Err(invalid(
                "devices",
                format!(
                    "permissions {perms:?} for {}: use r, w and m",
                    d.host_path.display()
                ),
            ));
        }
        let dest = d
            .container_path
            .clone()
            .unwrap_or_else(|| d.host_path.display().to_string());
        super::mounts::check_destination("devices", &dest)?;
        let (major, minor) = (
            nix::sys::stat::major(st.st_rdev) as i64,
            nix::sys::stat::minor(st.st_rdev) as i64,
        );
        devices.push(
            LinuxDeviceBuilder::default()
                .path(PathBuf::from(dest))
                .typ(typ)
                .major(major)
                .minor(minor)
                .file_mode(st.st_mode & 0o777)
                .uid(0u32)
                .gid(0u32)
                .build()?,
        );
        rules.push(
            LinuxDeviceCgroupBuilder::default()
                .allow(true)
                .typ(typ)
                .major(major)
                .minor(minor)
                .access(perms)
                .build()?,
        );
    }
    for r in &spec.device_cgroup_rules {
        if r.access.is_empty() || r.access.chars().any(|c| !"rwm".contains(c)) {
            return Err(invalid(
                "device_cgroup_rules",
                format!("access {:?}: use r, w and m", r.access),
            ));
        }
        let mut b = LinuxDeviceCgroupBuilder::default()
            .allow(true)
            .access(r.access.clone());
        match r.kind {
            Some('c') => b = b.typ(LinuxDeviceType::C),
            Some('b') => b = b.typ(LinuxDeviceType::B),
            None => b = b.typ(LinuxDeviceType::A),
            Some(k) => {
                return Err(invalid(
                    "device_cgroup_rules",
                    format!("device type {k:?}: use a, b or c"),
                ))
            }
        }
        if let Some(m) = r.major {
            b = b.major(m);
        }
        if let Some(m) = r.minor {
            b = b.minor(m);
        }
        rules.push(b.build()?);
    }
    if spec.privileged {
        // podman's --privileged: every host device, besides the ones named with --device.
        let named: Vec<PathBuf> = devices.iter().map(|d| d.path().clone()).collect();
        devices.extend(
            privileged_devices(Path::new("/dev"))?
                .into_iter()
                .filter(|d| !named.contains(d.path())),
        );
    }
    Ok((devices, rules))
}

/// The device nodes under `dev` (the host's `/dev`), as podman gives a privileged container:
/// every character and block device except `/dev/console` and what the runtime mounts itself
/// (`pts`, `shm`, `mqueue`), in path order. Entries that vanish while walking are skipped.
pub(super) fn privileged_devices(dev: &Path) -> Result<Vec<LinuxDevice>> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let mut out = Vec::new();
    let mut dirs = vec![dev.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && dir != dev => continue,
            Err(source) => {
                return Err(Error::Io {
                    op: "list host devices in",
                    path: dir,
                    source,
                })
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let ft = meta.file_type();
            let typ = if ft.is_dir() {
                let skip = dir == dev
                    && matches!(
                        entry.file_name().to_str(),
                        Some("pts" | "shm" | "mqueue" | "fd" | ".lxc" | ".udev")
                    );
                if !skip {
                    dirs.push(path);
                }
                continue;
            } else if ft.is_char_device() {
                LinuxDeviceType::C
            } else if ft.is_block_device() {
                LinuxDeviceType::B
            } else {
                continue;
            };
            if path == dev.join("console") {
                continue;
            }
            out.push(
                LinuxDeviceBuilder::default()
                    .path(path)
                    .typ(typ)
                    .major(nix::sys::stat::major(meta.rdev()) as i64)
                    .minor(nix::sys::stat::minor(meta.rdev()) as i64)
                    .file_mode(meta.mode() & 0o777)
                    .uid(meta.uid())
                    .gid(meta.gid())
                    .build()?,
            );
        }
    }
    out.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(out)
}

pub(super) fn resources(
    spec: &ContainerSpec,
    extra_rules: Vec<LinuxDeviceCgroup>,
) -> Result<LinuxResources> {
    let mut rules = devices_rules(spec.privileged)?;
    rules.extend(extra_rules);
    let mut out = resource_limits(&spec.resources)?;
    out.set_devices(Some(rules));
    Ok(out)
}

/// The cgroup limits of `r`, checked, without device rules: `linux.resources` of
/// config.json, and what `runc update` takes for a running container.
pub fn resource_limits(r: &crate::container_spec::Resources) -> Result<LinuxResources> {
    let mut b = LinuxResourcesBuilder::default();
    if r.memory.is_some()
        || r.memory_swap.is_some()
        || r.memory_reservation.is_some()
        || r.memory_swappiness.is_some()
        || r.oom_kill_disable
    {
        let mut m = LinuxMemoryBuilder::default();
        if let Some(limit) = r.memory {
            if limit < 6 * 1024 * 1024 {
                return Err(invalid(
                    "resources.memory",
                    format!("{limit} bytes: the minimum memory limit is 6MB"),
                ));
            }
            m = m.limit(limit);
        }
        if let Some(swap) = r.memory_swap {
            if swap != -1 && r.memory.is_some_and(|l| swap < l) {
                return Err(invalid(
                    "resources.memory_swap",
                    "must be at least the memory limit (or -1 for unlimited)",
                ));
            }
            m = m.swap(swap);
        }
        if let Some(res) = r.memory_reservation {
            m = m.reservation(res);
        }
        if let Some(s) = r.memory_swappiness {
            if s > 100 {
                return Err(invalid(
                    "resources.memory_swappiness",
                    format!("{s}: must be between 0 and 100"),
                ));
            }
            m = m.swappiness(s);
        }
        if r.oom_kill_disable {
            m = m.disable_oom_killer(true);
        }
        b = b.memory(m.build()?);
    }
    if r.cpu_quota.is_some()
        || r.cpu_shares.is_some()
        || r.cpuset_cpus.is_some()
        || r.cpuset_mems.is_some()
    {
        let mut c = LinuxCpuBuilder::default();
        if let Some(quota) = r.cpu_quota {
            if quota <= 0 {
                return Err(invalid(
                    "resources.cpu_quota",
                    format!("{quota}: must be a positive number"),
                ));
            }
            let period = r.cpu_period.filter(|p| *p > 0).unwrap_or(100_000);
            c = c.period(period).quota(quota);
        }
        if let Some(s) = r.cpu_shares {
            c = c.shares(s);
        }
        if let Some(set) = &r.cpuset_cpus {
            c = c.cpus(set.clone());
        }
        if let Some(set) = &r.cpuset_mems {
            c = c.mems(set.clone());
        }
        b = b.cpu(c.build()?);
    }
    if let Some(p) = r.pids_limit {
        b = b.pids(LinuxPidsBuilder::default().limit(p).build()?);
    }
    if r.blkio_weight.is_some() || !r.throttles.is_empty() {
        let mut io = LinuxBlockIoBuilder::default();
        if let Some(w) = r.blkio_weight {
            if !(10..=1000).contains(&w) {
                return Err(invalid(
                    "resources.blkio_weight",
                    format!("{w}: must be between 10 and 1000"),
                ));
            }
            io = io.weight(w);
        }
        let mut lists: [Vec<LinuxThrottleDevice>; 4] = Default::default();
        for t in &r.throttles {
            let st = nix::sys::stat::stat(&t.device)
                .map_err(|e| invalid("throttles", format!("{}: {e}", t.device.display())))?;
            if st.st_mode & libc::S_IFMT != libc::S_IFBLK {
                return Err(invalid(
                    "throttles",
                    format!("{} is not a block device", t.device.display()),
                ));
            }
            let dev = LinuxThrottleDeviceBuilder::default()
                .major(nix::sys::stat::major(st.st_rdev) as i64)
                .minor(nix::sys::stat::minor(st.st_rdev) as i64)
                .rate(t.rate)
                .build()?;
            let slot = match t.kind {
                ThrottleKind::ReadBps => 0,
                ThrottleKind::WriteBps => 1,
                ThrottleKind::ReadIops => 2,
                ThrottleKind::WriteIops => 3,
            };
            lists[slot].push(dev);
        }
        let [rb, wb, ri, wi] = lists;
        let some = |v: Vec<LinuxThrottleDevice>| (!v.is_empty()).then_some(v);
        if let Some(v) = some(rb) {
            io = io.throttle_read_bps_device(v);
        }
        if let Some(v) = some(wb) {
            io = io.throttle_write_bps_device(v);
        }
        if let Some(v) = some(ri) {
            io = io.throttle_read_iops_device(v);
        }
        if let Some(v) = some(wi) {
            io = io.throttle_write_iops_device(v);
        }
        b = b.block_io(io.build()?);
    }
    Ok(b.build()?)
}

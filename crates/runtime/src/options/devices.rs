//! Devices and limits of `run`/`create` kept in the run settings: host devices
//! (`--device`), device cgroup rules (`--device-cgroup-rule`), block IO throttles and the
//! process and memory [`Tuning`], with the parsers of their text forms.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// A host device for the container (`--device HOST[:CONTAINER][:PERMISSIONS]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSpec {
    /// The device node on the host.
    pub host_path: PathBuf,
    /// Its path in the container; `None` = the host's.
    pub container_path: Option<String>,
    /// `r`, `w`, `m` combined (default `rwm`).
    pub permissions: String,
}

/// Parses `--device HOST[:CONTAINER][:PERMISSIONS]` (podman's forms: `/dev/fuse`,
/// `/dev/fuse:rw`, `/dev/fuse:/dev/f`, `/dev/fuse:/dev/f:rwm`).
pub fn parse_device(value: &str) -> Result<DeviceSpec, InvalidValue> {
    let bad = |reason: &str| InvalidValue::new("--device", value, reason);
    let perms_ok = |p: &str| !p.is_empty() && p.chars().all(|c| "rwm".contains(c));
    let parts: Vec<&str> = value.split(':').collect();
    let (host, container, perms) = match parts.as_slice() {
        [h] => (*h, None, "rwm"),
        [h, p] if perms_ok(p) => (*h, None, *p),
        [h, c] => (*h, Some(*c), "rwm"),
        [h, c, p] => (*h, Some(*c), *p),
        _ => return Err(bad("use HOST[:CONTAINER][:PERMISSIONS]")),
    };
    if !host.starts_with('/') {
        return Err(bad("the host device must be an absolute path"));
    }
    if container.is_some_and(|c| !c.starts_with('/')) {
        return Err(bad("the container path must be absolute"));
    }
    if !perms_ok(perms) {
        return Err(bad("permissions are a combination of r, w and m"));
    }
    Ok(DeviceSpec {
        host_path: PathBuf::from(host),
        container_path: container.map(str::to_owned),
        permissions: perms.to_owned(),
    })
}

/// One `--device-cgroup-rule`: `TYPE MAJOR:MINOR ACCESS`, e.g. `c 1:3 rwm`, `a *:* rwm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRule {
    /// `c`, `b`, or `None` for `a` (all).
    pub kind: Option<char>,
    /// `None` = `*`.
    pub major: Option<i64>,
    /// `None` = `*`.
    pub minor: Option<i64>,
    /// `r`, `w`, `m` combined.
    pub access: String,
}

/// Parses `--device-cgroup-rule` as podman does: `TYPE MAJOR[:MINOR] ACCESS`, TYPE `a`, `b`
/// or `c`, `*` (or a missing minor) for any number, ACCESS of `r`, `w`, `m`. The reason of
/// the error is podman's message, which scripts match.
pub fn parse_device_cgroup_rule(value: &str) -> Result<DeviceRule, InvalidValue> {
    let bad = |reason: String| InvalidValue::new("--device-cgroup-rule", value, reason);
    let words: Vec<&str> = value.split(' ').collect();
    let [kind, numbers, access] = words.as_slice() else {
        return Err(bad(format!(
            "invalid device cgroup rule requires type, major:Minor, and access rules: {value:?}"
        )));
    };
    let kind = match *kind {
        "a" => None,
        "b" => Some('b'),
        "c" => Some('c'),
        other => {
            return Err(bad(format!(
                "invalid device type in device-access-add: {other}"
            )))
        }
    };
    let (major, minor) = numbers.split_once(':').unwrap_or((numbers, "*"));
    let number = |n: &str| -> Result<Option<i64>, InvalidValue> {
        if n == "*" {
            return Ok(None);
        }
        n.parse::<u32>()
            .map(|v| Some(i64::from(v)))
            .map_err(|_| bad(format!("strconv.ParseUint: parsing {n:?}: invalid syntax")))
    };
    let (major, minor) = (number(major)?, number(minor)?);
    if let Some(c) = access.chars().find(|c| !"rwm".contains(*c)) {
        return Err(bad(format!(
            "invalid device access in device-access-add: {c}"
        )));
    }
    Ok(DeviceRule {
        kind,
        major,
        minor,
        access: (*access).to_owned(),
    })
}

/// `--umask`, `--oom-score-adj`, `--memory-reservation`, `--memory-swappiness`,
/// `--oom-kill-disable`, `--cpuset-mems`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tuning {
    /// The process's umask; `None` = 0022.
    pub umask: Option<u32>,
    /// The process's OOM score adjustment, -1000 to 1000.
    pub oom_score_adj: Option<i32>,
    /// Memory soft limit in bytes.
    pub memory_reservation: Option<i64>,
    /// 0 to 100; `None` = the kernel's.
    pub memory_swappiness: Option<u64>,
    /// No OOM killer in the container's cgroup.
    pub oom_kill_disable: bool,
    /// cpuset memory nodes.
    pub cpuset_mems: Option<String>,
    /// `--device-read-bps`, `--device-write-bps`, `--device-read-iops`,
    /// `--device-write-iops`.
    pub throttles: Vec<Throttle>,
}

/// One block IO throttle (`--device-read-bps /dev/vda:1mb`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttle {
    /// `read-bps`, `write-bps`, `read-iops` or `write-iops`.
    pub kind: String,
    /// The host block device.
    pub device: PathBuf,
    /// Bytes or operations per second.
    pub rate: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_rules() {
        let d = parse_device("/dev/fuse").unwrap();
        assert_eq!((d.container_path, d.permissions.as_str()), (None, "rwm"));
        let d = parse_device("/dev/fuse:r").unwrap();
        assert_eq!(d.permissions, "r");
        let d = parse_device("/dev/fuse:/dev/f:rw").unwrap();
        assert_eq!(d.container_path.as_deref(), Some("/dev/f"));
        for bad in [
            "fuse",
            "/dev/fuse:rel",
            "/dev/fuse:/dev/f:x",
            "/a:/b:r:w",
            "",
        ] {
            assert_eq!(parse_device(bad).unwrap_err().flag, "--device", "{bad}");
        }
        let r = parse_device_cgroup_rule("c 1:3 rwm").unwrap();
        assert_eq!((r.kind, r.major, r.minor), (Some('c'), Some(1), Some(3)));
        let r = parse_device_cgroup_rule("a *:* m").unwrap();
        assert_eq!((r.kind, r.major, r.minor), (None, None, None));
        let r = parse_device_cgroup_rule("a 7 rmw").unwrap();
        assert_eq!((r.kind, r.major, r.minor), (None, Some(7), None));
        let e = parse_device_cgroup_rule("b 7:* rmX").unwrap_err();
        assert_eq!(e.reason, "invalid device access in device-access-add: X");
        let e = parse_device_cgroup_rule("a a:* rmw").unwrap_err();
        assert_eq!(e.reason, "strconv.ParseUint: parsing \"a\": invalid syntax");
        for bad in [
            "c 1:3",
            "x 1:3 rwm",
            "c 1-3 rwm",
            "c 1:3 rwx",
            "c -1:3 r",
            "",
        ] {
            assert!(parse_device_cgroup_rule(bad).is_err(), "{bad}");
        }
    }
}

//! Capabilities: podman's default set, cap-add/cap-drop, privileged.

use std::collections::{BTreeSet, HashSet};

use oci_spec::runtime::{Capability, LinuxCapabilities, LinuxCapabilitiesBuilder};

use crate::error::{Error, Result};

/// Every capability name, indexed by its number (linux/capability.h).
pub const ALL_CAPS: [&str; 41] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// podman 4.3's `default_capabilities`.
pub const DEFAULT_CAPS: [&str; 11] = [
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Normalises `cap_net_admin` / `NET_ADMIN` / `CAP_NET_ADMIN` to `NET_ADMIN`; `ALL` stays `ALL`.
pub fn normalize(name: &str) -> Result<String> {
    let upper = name.trim().to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    if bare == "ALL" || ALL_CAPS.contains(&bare) {
        Ok(bare.to_owned())
    } else {
        Err(Error::UnknownCapability {
            name: name.to_owned(),
        })
    }
}

/// The highest capability number this kernel knows (`/proc/sys/kernel/cap_last_cap`).
fn last_cap() -> usize {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(ALL_CAPS.len() - 1)
        .min(ALL_CAPS.len() - 1)
}

/// The engine's own bounding set (`CapBnd` of `/proc/self/status`), as a mask.
fn own_bounding_mask() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("CapBnd:"))?;
    u64::from_str_radix(line.trim(), 16).ok()
}

/// Every capability a container can be given: the ones this kernel knows that the engine
/// itself holds in its bounding set (podman's `ALL` and `--privileged`; a capability the
/// engine lacks, such as `SYS_RESOURCE` on some hosts, cannot be handed to a container).
pub fn all_capabilities() -> BTreeSet<String> {
    let own = own_bounding_mask().unwrap_or(u64::MAX);
    ALL_CAPS[..=last_cap()]
        .iter()
        .enumerate()
        .filter(|(bit, _)| own & (1u64 << bit) != 0)
        .map(|(_, s)| (*s).to_owned())
        .collect()
}

/// The capability set (bare names) for a container.
pub fn capability_set(
    add: &[String],
    drop: &[String],
    privileged: bool,
) -> Result<BTreeSet<String>> {
    let all = all_capabilities();
    if privileged {
        return Ok(all);
    }
    let add = add
        .iter()
        .map(|c| normalize(c))
        .collect::<Result<Vec<_>>>()?;
    let drop = drop
        .iter()
        .map(|c| normalize(c))
        .collect::<Result<Vec<_>>>()?;
    let mut caps: BTreeSet<String> = if drop.iter().any(|c| c == "ALL") {
        BTreeSet::new()
    } else {
        DEFAULT_CAPS.iter().map(|s| (*s).to_owned()).collect()
    };
    if add.iter().any(|c| c == "ALL") {
        caps.extend(all);
    } else {
        caps.extend(add.iter().cloned());
    }
    for d in &drop {
        if d != "ALL" && !add.contains(d) {
            caps.remove(d);
        }
    }
    Ok(caps)
}

fn to_oci(names: &BTreeSet<String>) -> Result<HashSet<Capability>> {
    names
        .iter()
        .map(|n| {
            serde_json::from_value(serde_json::Value::String(format!("CAP_{n}")))
                .map_err(|_| Error::UnknownCapability { name: n.clone() })
        })
        .collect()
}

/// The spec's capabilities, by podman's rule. Bounding is always the set. uid 0 gets the set as
/// effective and permitted, inheritable and ambient empty. Any other uid gets only what
/// `--cap-add` asked for (`ALL` meaning the whole set), and in all four of effective,
/// permitted, inheritable and ambient, so the added capabilities survive the `execve` of a
/// binary that has no file capabilities; without `--cap-add` its sets are empty.
pub fn linux_capabilities(
    set: &BTreeSet<String>,
    added: &[String],
    uid: u32,
) -> Result<LinuxCapabilities> {
    let bounding = to_oci(set)?;
    if uid == 0 {
        return Ok(LinuxCapabilitiesBuilder::default()
            .bounding(bounding.clone())
            .effective(bounding.clone())
            .permitted(bounding)
            .inheritable(HashSet::new())
            .ambient(HashSet::new())
            .build()?);
    }
    let added: BTreeSet<String> = added
        .iter()
        .filter_map(|c| normalize(c).ok())
        .flat_map(|c| {
            if c == "ALL" {
                set.iter().cloned().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .filter(|c| set.contains(c))
        .collect();
    let granted = to_oci(&added)?;
    Ok(LinuxCapabilitiesBuilder::default()
        .bounding(bounding)
        .effective(granted.clone())
        .permitted(granted.clone())
        .inheritable(granted.clone())
        .ambient(granted)
        .build()?)
}

/// Who an exec'd process runs as, next to the container's own process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecIdentity {
    /// uid of the exec'd process.
    pub uid: u32,
    /// Whether it is the container's own user (no `--user`, or the same uid as the
    /// container's process).
    pub same_as_container: bool,
    /// `exec --privileged`: the bounding set becomes every capability the kernel knows.
    pub privileged: bool,
}

/// The capabilities of an exec'd process, by podman 4.3's rule: the bounding set is the
/// container's (every capability with `--privileged`); uid 0 gets the bounding set as
/// effective and permitted; the container's own non-root user keeps the container's process
/// capabilities; any other non-root user gets empty effective, permitted, inheritable and
/// ambient sets.
pub fn exec_capabilities(
    container: Option<&LinuxCapabilities>,
    who: ExecIdentity,
) -> Result<LinuxCapabilities> {
    let bounding: HashSet<Capability> = if who.privileged {
        to_oci(&all_capabilities())?
    } else {
        container
            .and_then(|c| c.bounding().clone())
            .unwrap_or_default()
    };
    let empty = HashSet::new;
    let b = LinuxCapabilitiesBuilder::default().bounding(bounding.clone());
    let b = if who.uid == 0 {
        b.effective(bounding.clone())
            .permitted(bounding)
            .inheritable(empty())
            .ambient(empty())
    } else if who.same_as_container {
        let own = |f: fn(&LinuxCapabilities) -> &Option<HashSet<Capability>>| {
            container.and_then(|c| f(c).clone()).unwrap_or_default()
        };
        b.effective(own(LinuxCapabilities::effective))
            .permitted(own(LinuxCapabilities::permitted))
            .inheritable(own(LinuxCapabilities::inheritable))
            .ambient(own(LinuxCapabilities::ambient))
    } else {
        b.effective(empty())
            .permitted(empty())
            .inheritable(empty())
            .ambient(empty())
    };
    Ok(b.build()?)
}

/// The `CapEff` bitmask of a set, as `/proc/PID/status` prints it (16 hex digits).
pub fn cap_mask(set: &BTreeSet<String>) -> String {
    let mask = set
        .iter()
        .filter_map(|n| ALL_CAPS.iter().position(|c| c == n))
        .fold(0u64, |m, bit| m | (1u64 << bit));
    format!("{mask:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn default_set_is_podmans() {
        let set = capability_set(&[], &[], false).unwrap();
        assert_eq!(set.len(), 11);
        assert_eq!(cap_mask(&set), "00000000800405fb");
    }

    #[test]
    fn add_and_drop_accept_every_spelling() {
        let set = capability_set(
            &v(&["net_admin", "CAP_SYS_PTRACE"]),
            &v(&["cap_chown", "KILL"]),
            false,
        )
        .unwrap();
        assert!(set.contains("NET_ADMIN") && set.contains("SYS_PTRACE"));
        assert!(!set.contains("CHOWN") && !set.contains("KILL"));
    }

    #[test]
    fn drop_all_then_add() {
        let set = capability_set(&v(&["NET_RAW"]), &v(&["ALL"]), false).unwrap();
        assert_eq!(set.into_iter().collect::<Vec<_>>(), v(&["NET_RAW"]));
    }

    #[test]
    fn privileged_and_add_all_get_everything_the_engine_holds() {
        let n = all_capabilities().len();
        assert!(n <= last_cap() + 1);
        assert_eq!(capability_set(&[], &[], true).unwrap().len(), n);
        assert_eq!(capability_set(&v(&["all"]), &[], false).unwrap().len(), n);
    }

    #[test]
    fn unknown_capability_is_named() {
        let err = capability_set(&v(&["NET_FLY"]), &[], false).unwrap_err();
        assert!(err.to_string().contains("NET_FLY"), "{err}");
    }

    fn masks(c: &LinuxCapabilities) -> [String; 5] {
        let m = |s: &Option<HashSet<Capability>>| {
            let names: BTreeSet<String> = s
                .clone()
                .unwrap_or_default()
                .iter()
                .map(|c| c.to_string().trim_start_matches("CAP_").to_owned())
                .collect();
            cap_mask(&names)
        };
        [
            m(c.bounding()),
            m(c.effective()),
            m(c.permitted()),
            m(c.inheritable()),
            m(c.ambient()),
        ]
    }

    const DEFAULT: &str = "00000000800405fb";
    const NONE: &str = "0000000000000000";

    #[test]
    fn root_gets_the_set_in_effective_and_permitted_only() {
        let set = capability_set(&[], &[], false).unwrap();
        let caps = linux_capabilities(&set, &[], 0).unwrap();
        assert_eq!(masks(&caps), [DEFAULT, DEFAULT, DEFAULT, NONE, NONE]);
    }

    #[test]
    fn non_root_user_gets_nothing_without_cap_add() {
        // podman 4.3.1, `run --user 1000`: CapEff/CapPrm/CapInh/CapAmb 0, CapBnd the default.
        let set = capability_set(&[], &[], false).unwrap();
        let caps = linux_capabilities(&set, &[], 1000).unwrap();
        assert_eq!(masks(&caps), [DEFAULT, NONE, NONE, NONE, NONE]);
        // --privileged widens only the bounding set.
        let all = capability_set(&[], &[], true).unwrap();
        let caps = linux_capabilities(&all, &[], 1000).unwrap();
        assert_eq!(masks(&caps)[0], cap_mask(&all));
        assert_eq!(masks(&caps)[1..], [NONE, NONE, NONE, NONE]);
    }

    #[test]
    fn non_root_user_gets_added_caps_in_all_four_sets() {
        // podman 4.3.1, `run --user 1000 --cap-add NET_ADMIN`: 0x1000 in eff/prm/inh/amb.
        let set = capability_set(&v(&["NET_ADMIN"]), &v(&["CHOWN"]), false).unwrap();
        let caps = linux_capabilities(&set, &v(&["net_admin"]), 1000).unwrap();
        let [bnd, rest @ ..] = masks(&caps);
        assert_eq!(bnd, "00000000800415fa");
        assert_eq!(rest, ["0000000000001000"; 4]);
        // --cap-add ALL grants the whole set.
        let set = capability_set(&v(&["ALL"]), &[], false).unwrap();
        let caps = linux_capabilities(&set, &v(&["all"]), 1000).unwrap();
        assert!(masks(&caps).iter().all(|m| *m == cap_mask(&set)));
    }

    fn container(uid: u32, add: &[&str]) -> LinuxCapabilities {
        let set = capability_set(&v(add), &[], false).unwrap();
        linux_capabilities(&set, &v(add), uid).unwrap()
    }

    fn exec(ctr: &LinuxCapabilities, uid: u32, same: bool, privileged: bool) -> [String; 5] {
        let who = ExecIdentity {
            uid,
            same_as_container: same,
            privileged,
        };
        masks(&exec_capabilities(Some(ctr), who).unwrap())
    }

    #[test]
    fn exec_as_another_non_root_user_gets_no_capabilities() {
        // podman 4.3.1: `exec --user 1000` into a root container, and `exec --user 2000` into
        // a `--user 1000 --cap-add NET_ADMIN` one, print CapEff/CapPrm 0.
        let root_ctr = container(0, &[]);
        assert_eq!(
            exec(&root_ctr, 1000, false, false),
            [DEFAULT, NONE, NONE, NONE, NONE]
        );
        let user_ctr = container(1000, &["NET_ADMIN"]);
        let [_, rest @ ..] = exec(&user_ctr, 2000, false, false);
        assert_eq!(rest, [NONE; 4]);
        // --privileged: every capability in the bounding set, still nothing effective.
        let all = cap_mask(&capability_set(&[], &[], true).unwrap());
        assert_eq!(
            exec(&root_ctr, 1000, false, true),
            [all.as_str(), NONE, NONE, NONE, NONE]
        );
    }

    #[test]
    fn exec_as_root_gets_the_bounding_set() {
        let root_ctr = container(0, &[]);
        assert_eq!(
            exec(&root_ctr, 0, true, false),
            [DEFAULT, DEFAULT, DEFAULT, NONE, NONE]
        );
        let user_ctr = container(1000, &["NET_ADMIN"]);
        let b = "00000000800415fb";
        assert_eq!(exec(&user_ctr, 0, false, false), [b, b, b, NONE, NONE]);
    }

    #[test]
    fn exec_as_the_containers_own_user_keeps_its_capabilities() {
        let user_ctr = container(1000, &["NET_ADMIN"]);
        let [_, rest @ ..] = exec(&user_ctr, 1000, true, false);
        assert_eq!(rest, ["0000000000001000"; 4]);
    }
}

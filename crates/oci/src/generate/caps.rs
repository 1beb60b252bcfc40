//! Capabilities: podman's default set, cap-add/cap-drop, privileged.

use std::collections::BTreeSet;

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

/// The capability set (bare names) for a container.
pub fn capability_set(
    add: &[String],
    drop: &[String],
    privileged: bool,
) -> Result<BTreeSet<String>> {
    let all: BTreeSet<String> = ALL_CAPS[..=last_cap()]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
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

fn to_oci(names: &BTreeSet<String>) -> Result<std::collections::HashSet<Capability>> {
    names
        .iter()
        .map(|n| {
            serde_json::from_value(serde_json::Value::String(format!("CAP_{n}")))
                .map_err(|_| Error::UnknownCapability { name: n.clone() })
        })
        .collect()
}

/// The spec's capabilities: bounding = the set; effective/permitted = the set for uid 0, only
/// the explicitly added capabilities for other users (podman's rule); inheritable and ambient empty.
pub fn linux_capabilities(
    set: &BTreeSet<String>,
    added: &[String],
    uid: u32,
) -> Result<LinuxCapabilities> {
    let bounding = to_oci(set)?;
    let effective = if uid == 0 {
        bounding.clone()
    } else {
        let added: BTreeSet<String> = added
            .iter()
            .filter_map(|c| normalize(c).ok())
            .filter(|c| set.contains(c))
            .collect();
        to_oci(&added)?
    };
    Ok(LinuxCapabilitiesBuilder::default()
        .bounding(bounding)
        .effective(effective.clone())
        .permitted(effective)
        .inheritable(std::collections::HashSet::new())
        .ambient(std::collections::HashSet::new())
        .build()?)
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
    fn privileged_and_add_all_get_everything_the_kernel_knows() {
        let n = last_cap() + 1;
        assert_eq!(capability_set(&[], &[], true).unwrap().len(), n);
        assert_eq!(capability_set(&v(&["all"]), &[], false).unwrap().len(), n);
    }

    #[test]
    fn unknown_capability_is_named() {
        let err = capability_set(&v(&["NET_FLY"]), &[], false).unwrap_err();
        assert!(err.to_string().contains("NET_FLY"), "{err}");
    }

    #[test]
    fn non_root_user_gets_only_added_effective_caps() {
        let set = capability_set(&v(&["NET_ADMIN"]), &[], false).unwrap();
        let caps = linux_capabilities(&set, &v(&["NET_ADMIN"]), 1000).unwrap();
        assert_eq!(caps.effective().as_ref().unwrap().len(), 1);
        assert_eq!(caps.bounding().as_ref().unwrap().len(), 12);
    }
}

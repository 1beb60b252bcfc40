//! Converting a seccomp profile in containers' JSON format to the OCI `linux.seccomp` object.
//!
//! The containers format (also Docker's) adds to the OCI one: `archMap` (native architecture →
//! sub-architectures), per-rule `includes`/`excludes` on capabilities, architectures and a minimum
//! kernel, and `names` lists. Conversion keeps the rules that apply to this host and container.

use std::collections::BTreeSet;
use std::path::Path;

use oci_spec::runtime::LinuxSeccomp;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    default_action: String,
    #[serde(default)]
    default_errno_ret: Option<u32>,
    #[serde(default)]
    architectures: Vec<String>,
    #[serde(default)]
    arch_map: Vec<ArchMap>,
    #[serde(default)]
    syscalls: Vec<Rule>,
    #[serde(default)]
    flags: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchMap {
    architecture: String,
    #[serde(default)]
    sub_architectures: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    name: Option<String>,
    action: String,
    #[serde(default)]
    args: Option<Vec<Value>>,
    #[serde(default)]
    errno_ret: Option<u32>,
    #[serde(default)]
    includes: Filter,
    #[serde(default)]
    excludes: Filter,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    caps: Vec<String>,
    #[serde(default)]
    arches: Vec<String>,
    #[serde(default)]
    min_kernel: Option<String>,
}

/// The host facts a conversion depends on.
#[derive(Debug, Clone)]
pub struct SeccompHost {
    /// Go-style architecture name (`amd64`, `arm64`, ...), as profiles use in `includes.arches`.
    pub go_arch: String,
    /// libseccomp name of the native architecture (`SCMP_ARCH_X86_64`).
    pub scmp_arch: String,
    /// Kernel version (major, minor).
    pub kernel: (u32, u32),
}

impl SeccompHost {
    /// Facts of the machine we run on.
    pub fn detect() -> Self {
        let (go_arch, scmp_arch) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", "SCMP_ARCH_X86_64"),
            "aarch64" => ("arm64", "SCMP_ARCH_AARCH64"),
            "x86" => ("386", "SCMP_ARCH_X86"),
            "arm" => ("arm", "SCMP_ARCH_ARM"),
            "powerpc64" => ("ppc64le", "SCMP_ARCH_PPC64LE"),
            "s390x" => ("s390x", "SCMP_ARCH_S390X"),
            "riscv64" => ("riscv64", "SCMP_ARCH_RISCV64"),
            other => (other, "SCMP_ARCH_NATIVE"),
        };
        let release = nix::sys::utsname::uname()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_default();
        Self {
            go_arch: go_arch.into(),
            scmp_arch: scmp_arch.into(),
            kernel: parse_kernel(&release).unwrap_or((0, 0)),
        }
    }
}

fn parse_kernel(s: &str) -> Option<(u32, u32)> {
    let mut it = s.split(|c: char| !c.is_ascii_digit());
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// Loads `path` and converts it for a container with capability set `caps` (bare names).
pub fn load_profile(
    path: &Path,
    caps: &BTreeSet<String>,
    host: &SeccompHost,
) -> Result<LinuxSeccomp> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Seccomp {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    convert(&text, caps, host).map_err(|reason| Error::Seccomp {
        path: path.to_owned(),
        reason,
    })
}

/// Converts profile text; the error is a message for [`Error::Seccomp`].
pub fn convert(
    text: &str,
    caps: &BTreeSet<String>,
    host: &SeccompHost,
) -> Result<LinuxSeccomp, String> {
    let profile: Profile =
        serde_json::from_str(text).map_err(|e| format!("invalid profile JSON: {e}"))?;

    let mut arches: Vec<String> = Vec::new();
    if profile.arch_map.is_empty() {
        arches.clone_from(&profile.architectures);
    } else {
        for m in profile
            .arch_map
            .iter()
            .filter(|m| m.architecture == host.scmp_arch)
        {
            arches.push(m.architecture.clone());
            arches.extend(m.sub_architectures.iter().cloned());
        }
    }

    let has_cap = |c: &String| {
        let bare = c.trim_start_matches("CAP_");
        caps.contains(bare)
    };
    let mut syscalls = Vec::new();
    for (i, rule) in profile.syscalls.iter().enumerate() {
        let inc = &rule.includes;
        if !inc.caps.is_empty() && !inc.caps.iter().all(has_cap) {
            continue;
        }
        if !inc.arches.is_empty() && !inc.arches.contains(&host.go_arch) {
            continue;
        }
        if let Some(min) = &inc.min_kernel {
            let min = parse_kernel(min).ok_or_else(|| {
                format!("syscalls[{i}].includes.minKernel: invalid version {min:?}")
            })?;
            if host.kernel < min {
                continue;
            }
        }
        let exc = &rule.excludes;
        if exc.caps.iter().any(has_cap) || exc.arches.contains(&host.go_arch) {
            continue;
        }
        if let Some(min) = &exc.min_kernel {
            let min = parse_kernel(min).ok_or_else(|| {
                format!("syscalls[{i}].excludes.minKernel: invalid version {min:?}")
            })?;
            if host.kernel >= min {
                continue;
            }
        }
        let mut names = rule.names.clone();
        if let Some(n) = &rule.name {
            names.push(n.clone());
        }
        if names.is_empty() {
            return Err(format!("syscalls[{i}]: a rule needs \"names\" or \"name\""));
        }
        let mut obj = json!({ "names": names, "action": rule.action });
        if let Some(e) = rule.errno_ret {
            obj["errnoRet"] = json!(e);
        }
        if let Some(args) = rule.args.as_ref().filter(|a| !a.is_empty()) {
            obj["args"] = json!(args);
        }
        syscalls.push(obj);
    }

    let mut out = json!({ "defaultAction": profile.default_action, "architectures": arches, "syscalls": syscalls });
    if let Some(e) = profile.default_errno_ret {
        out["defaultErrnoRet"] = json!(e);
    }
    if !profile.flags.is_empty() {
        out["flags"] = json!(profile.flags);
    }
    serde_json::from_value(out).map_err(|e| format!("unsupported value: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> SeccompHost {
        SeccompHost {
            go_arch: "amd64".into(),
            scmp_arch: "SCMP_ARCH_X86_64".into(),
            kernel: (6, 1),
        }
    }

    fn caps(c: &[&str]) -> BTreeSet<String> {
        c.iter().map(|s| (*s).to_owned()).collect()
    }

    const PROFILE: &str = r#"{
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
      "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                  {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
      "syscalls": [
        {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "args": [], "includes": {}, "excludes": {}},
        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
        {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
        {"names": ["sync_file_range2"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["ppc64le"]}},
        {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "excludes": {"caps": ["CAP_SYS_PTRACE"]}},
        {"names": ["new_thing"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "6.5"}}
      ]}"#;

    fn names(s: &LinuxSeccomp) -> Vec<String> {
        s.syscalls()
            .as_ref()
            .unwrap()
            .iter()
            .flat_map(|r| r.names().clone())
            .collect()
    }

    #[test]
    fn keeps_rules_for_this_arch_caps_and_kernel() {
        let s = convert(PROFILE, &caps(&["CHOWN"]), &host()).unwrap();
        assert_eq!(
            names(&s),
            ["read", "write", "personality", "arch_prctl", "ptrace"]
        );
        assert_eq!(s.architectures().as_ref().unwrap().len(), 3);
        assert_eq!(s.default_errno_ret(), Some(38));
        let ptrace = &s.syscalls().as_ref().unwrap()[3];
        assert_eq!(ptrace.errno_ret(), Some(1));
    }

    #[test]
    fn caps_switch_rules_on_and_off() {
        let s = convert(PROFILE, &caps(&["SYS_ADMIN", "SYS_PTRACE"]), &host()).unwrap();
        let n = names(&s);
        assert!(n.contains(&"mount".to_owned()));
        assert!(!n.contains(&"ptrace".to_owned()));
    }

    #[test]
    fn min_kernel_is_honoured() {
        let mut h = host();
        h.kernel = (6, 6);
        assert!(names(&convert(PROFILE, &caps(&[]), &h).unwrap()).contains(&"new_thing".to_owned()));
    }

    #[test]
    fn bad_profiles_give_clear_errors() {
        assert!(convert("{", &caps(&[]), &host())
            .unwrap_err()
            .contains("invalid profile JSON"));
        let e = convert(
            r#"{"defaultAction": "SCMP_ACT_BOGUS"}"#,
            &caps(&[]),
            &host(),
        )
        .unwrap_err();
        assert!(e.contains("unsupported value"), "{e}");
        let e = convert(
            r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]}"#,
            &caps(&[]),
            &host(),
        )
        .unwrap_err();
        assert!(e.contains("syscalls[0]"), "{e}");
        let e =
            load_profile(Path::new("/nonexistent/seccomp.json"), &caps(&[]), &host()).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/seccomp.json"), "{e}");
    }

    #[test]
    fn the_hosts_profile_converts() {
        let path = Path::new("/usr/share/containers/seccomp.json");
        assert!(
            path.exists(),
            "test needs {} (package golang-github-containers-common)",
            path.display()
        );
        let s = load_profile(path, &caps(&["CHOWN"]), &SeccompHost::detect()).unwrap();
        assert!(names(&s).contains(&"read".to_owned()));
    }
}

//! Resource flags: `-m/--memory` (and other sizes), `--cpus`, `--pids-limit`,
//! `--ulimit`.

use crate::error::{CliError, Result};

/// The smallest memory limit runc accepts in practice (podman's 6 MB).
pub const MIN_MEMORY_LIMIT: u64 = 6 * 1024 * 1024;

/// Parses a size with podman's units: a number (decimals allowed), then
/// optionally `b`, `k`, `m`, `g`, `t` or `p` (binary multiples, case
/// insensitive, an optional `i` and `b` after the letter: `512m`, `1.5GiB`,
/// `100kb`). A bare number is bytes.
pub fn parse_size(flag: &str, value: &str) -> Result<u64> {
    let bad = |reason: &str| CliError::invalid(flag, value, reason);
    let text = value.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return Err(bad(
            "expected <number>[<unit>] with unit b, k, m or g (e.g. 512m)",
        ));
    }
    let number: f64 = number
        .parse()
        .map_err(|_| bad("expected <number>[<unit>] with unit b, k, m or g (e.g. 512m)"))?;
    let unit = unit.trim_start().to_ascii_lowercase();
    let shift = match unit.as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" | "ki" => 10,
        "m" | "mb" | "mib" | "mi" => 20,
        "g" | "gb" | "gib" | "gi" => 30,
        "t" | "tb" | "tib" | "ti" => 40,
        "p" | "pb" | "pib" | "pi" => 50,
        _ => return Err(bad("unknown unit; use b, k, m or g (e.g. 512m)")),
    };
    let bytes = number * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(bad("too large"));
    }
    Ok(bytes as u64)
}

/// Parses a size as go-units' `FromHumanSize` does (podman's `--log-opt max-size`):
/// a number, then optionally `k`, `m`, `g`, `t` or `p` as decimal multiples (`3.047m` is
/// 3 047 000 bytes), an optional `i` and an optional `b`. `None` when it does not parse.
pub fn parse_decimal_size(value: &str) -> Option<u64> {
    let text = value.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    let mut unit = unit.trim_start().to_ascii_lowercase();
    if unit.ends_with('b') {
        unit.pop();
    }
    if unit.len() == 2 && unit.ends_with('i') {
        unit.pop();
    }
    let power = match unit.as_str() {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return None,
    };
    let bytes = number * 1000f64.powi(power);
    (bytes.is_finite() && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// Parses `-m/--memory`: a size of at least 6 MiB.
pub fn parse_memory(value: &str) -> Result<u64> {
    let bytes = parse_size("--memory", value)?;
    if bytes < MIN_MEMORY_LIMIT {
        return Err(CliError::invalid(
            "--memory",
            value,
            "the minimum memory limit is 6m",
        ));
    }
    Ok(bytes)
}

pub use berth_runtime::CpuLimit;

/// Parses `--cpus`: a positive decimal; `0` means no limit (`None`).
pub fn parse_cpus(value: f64) -> Result<Option<CpuLimit>> {
    Ok(berth_runtime::parse_cpus("--cpus", value)?)
}

/// The `--pids-limit` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidsLimit {
    /// `-1` (or `0`): no limit.
    Unlimited,
    /// At most this many processes.
    Limit(u64),
}

/// Parses `--pids-limit`: `-1` or `0` for unlimited, else a positive count.
pub fn parse_pids_limit(value: i64) -> Result<PidsLimit> {
    match value {
        -1 | 0 => Ok(PidsLimit::Unlimited),
        n if n > 0 => Ok(PidsLimit::Limit(n as u64)),
        n => Err(CliError::invalid(
            "--pids-limit",
            &n.to_string(),
            "expected -1 (unlimited) or a positive number",
        )),
    }
}

/// One `--ulimit` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    /// The resource, lower case without `RLIMIT_` (`nofile`).
    pub name: String,
    /// Soft limit; `u64::MAX` for unlimited.
    pub soft: u64,
    /// Hard limit; `u64::MAX` for unlimited.
    pub hard: u64,
}

impl Ulimit {
    /// The OCI name, `RLIMIT_NOFILE`.
    pub fn oci_name(&self) -> String {
        format!("RLIMIT_{}", self.name.to_ascii_uppercase())
    }
}

/// The `--ulimit` values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Ulimits {
    /// The configured defaults (none given).
    #[default]
    Default,
    /// `--ulimit host`: the engine's own limits.
    Host,
    /// These limits over the defaults.
    Set(Vec<Ulimit>),
}

/// Parses `--ulimit NAME=SOFT[:HARD]` entries (`-1` is unlimited; HARD
/// defaults to SOFT) or `--ulimit host`.
pub fn parse_ulimits(values: &[String]) -> Result<Ulimits> {
    if values.iter().any(|v| v == "host") {
        if values.len() > 1 {
            return Err(CliError::conflict(
                "--ulimit",
                "`host` cannot be combined with other limits",
            ));
        }
        return Ok(Ulimits::Host);
    }
    if values.is_empty() {
        return Ok(Ulimits::Default);
    }
    let mut out: Vec<Ulimit> = Vec::new();
    for value in values {
        let bad = |reason: String| CliError::invalid("--ulimit", value, reason);
        let Some((name, limits)) = value.split_once('=') else {
            return Err(bad(
                "expected NAME=SOFT[:HARD], e.g. nofile=1024:2048".into()
            ));
        };
        let name = name.trim().to_ascii_lowercase();
        let name = name.strip_prefix("rlimit_").unwrap_or(&name).to_owned();
        if !berth_runtime::ULIMIT_NAMES.contains(&name.as_str()) {
            return Err(bad(format!(
                "unknown resource {name:?}; known: {}",
                berth_runtime::ULIMIT_NAMES.join(", ")
            )));
        }
        let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
        let number = |s: &str| -> std::result::Result<u64, String> {
            match s.trim() {
                "-1" | "unlimited" => Ok(u64::MAX),
                t => t
                    .parse::<u64>()
                    .map_err(|_| format!("limit {t:?} is not a number (or -1 for unlimited)")),
            }
        };
        let soft = number(soft).map_err(bad)?;
        let hard = number(hard).map_err(bad)?;
        if soft > hard {
            return Err(bad(
                "the soft limit must be less than or equal to the hard limit".into(),
            ));
        }
        out.retain(|u| u.name != name);
        out.push(Ulimit { name, soft, hard });
    }
    Ok(Ulimits::Set(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_sizes_as_go_units_reads_them() {
        assert_eq!(parse_decimal_size("3.047m"), Some(3_047_000));
        assert_eq!(parse_decimal_size("10MB"), Some(10_000_000));
        assert_eq!(parse_decimal_size("1kib"), Some(1000));
        assert_eq!(parse_decimal_size("512"), Some(512));
        assert_eq!(parse_decimal_size("1x"), None);
        assert_eq!(parse_decimal_size("m"), None);
    }

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("--memory", "100").unwrap(), 100);
        assert_eq!(parse_size("--memory", "100b").unwrap(), 100);
        assert_eq!(parse_size("--memory", "2k").unwrap(), 2048);
        assert_eq!(parse_size("--memory", "512m").unwrap(), 512 << 20);
        assert_eq!(parse_size("--memory", "512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("--memory", "1g").unwrap(), 1 << 30);
        assert_eq!(parse_size("--memory", "1.5GiB").unwrap(), 3 << 29);
        assert_eq!(parse_size("--memory", "64 kb").unwrap(), 64 << 10);
        assert_eq!(parse_size("--shm-size", "65536k").unwrap(), 64 << 20);
    }

    #[test]
    fn bad_sizes_name_flag_and_value() {
        for bad in [
            "",
            "1x",
            "m",
            "-1m",
            "1..5m",
            ".5m",
            "1e3",
            "1mm",
            "99999999999999p",
        ] {
            let e = parse_size("--memory", bad).unwrap_err().to_string();
            assert!(e.contains("--memory"), "{bad}: {e}");
            assert!(e.contains(&format!("{bad:?}")), "{bad}: {e}");
        }
    }

    #[test]
    fn memory_minimum() {
        assert_eq!(parse_memory("6m").unwrap(), 6 << 20);
        let e = parse_memory("1m").unwrap_err().to_string();
        assert!(e.contains("minimum"), "{e}");
    }

    #[test]
    fn cpus_errors_name_the_flag() {
        assert_eq!(parse_cpus(1.5).unwrap().unwrap().quota_us, 150_000);
        let e = parse_cpus(-1.0).unwrap_err().to_string();
        assert!(e.contains("--cpus"), "{e}");
    }

    #[test]
    fn pids_limit() {
        assert_eq!(parse_pids_limit(-1).unwrap(), PidsLimit::Unlimited);
        assert_eq!(parse_pids_limit(0).unwrap(), PidsLimit::Unlimited);
        assert_eq!(parse_pids_limit(2048).unwrap(), PidsLimit::Limit(2048));
        let e = parse_pids_limit(-5).unwrap_err().to_string();
        assert!(e.contains("--pids-limit") && e.contains("-5"), "{e}");
    }

    #[test]
    fn ulimits() {
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse_ulimits(&[]).unwrap(), Ulimits::Default);
        assert_eq!(parse_ulimits(&v(&["host"])).unwrap(), Ulimits::Host);
        let Ulimits::Set(set) = parse_ulimits(&v(&[
            "nofile=1024:2048",
            "NPROC=50",
            "core=-1",
            "nofile=10",
        ]))
        .unwrap() else {
            panic!("expected Set");
        };
        assert_eq!(set.len(), 3);
        assert_eq!(
            set[0],
            Ulimit {
                name: "nproc".into(),
                soft: 50,
                hard: 50
            }
        );
        assert_eq!(set[1].soft, u64::MAX);
        assert_eq!(
            set[2],
            Ulimit {
                name: "nofile".into(),
                soft: 10,
                hard: 10
            }
        );
        assert_eq!(set[2].oci_name(), "RLIMIT_NOFILE");
    }

    #[test]
    fn bad_ulimits() {
        for (bad, what) in [
            ("nofile", "NAME=SOFT"),
            ("files=1", "unknown resource"),
            ("nofile=10:5", "soft limit"),
            ("nofile=x", "not a number"),
            ("nofile=1:y", "not a number"),
        ] {
            let e = parse_ulimits(&[bad.to_owned()]).unwrap_err().to_string();
            assert!(e.contains("--ulimit") && e.contains(what), "{bad}: {e}");
        }
        assert!(parse_ulimits(&["host".into(), "nofile=1".into()]).is_err());
    }
}

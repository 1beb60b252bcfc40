//! `--cpus`: a CFS quota per period, computed once from the number of CPUs asked for and kept
//! as integers from there on (record, spec, `config.json`).

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// A CPU limit: `quota_us` microseconds of CPU time in every `period_us`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuLimit {
    /// The CFS quota in microseconds per period.
    pub quota_us: i64,
    /// The CFS period in microseconds.
    pub period_us: u64,
}

impl CpuLimit {
    /// The CFS period used for `--cpus` (100 ms, as podman).
    pub const PERIOD_US: u64 = 100_000;

    /// `cpus` CPUs (`1.5`) as a quota per [`Self::PERIOD_US`], rounded to the microsecond.
    pub fn from_cpus(cpus: f64) -> Self {
        Self {
            quota_us: (cpus * Self::PERIOD_US as f64).round() as i64,
            period_us: Self::PERIOD_US,
        }
    }
}

/// Parses `--cpus`: a positive decimal; `0` means no limit (`None`). The smallest limit is
/// 0.01 CPU.
pub fn parse_cpus(flag: &str, value: f64) -> Result<Option<CpuLimit>, InvalidValue> {
    let text = value.to_string();
    if !value.is_finite() || value < 0.0 {
        return Err(InvalidValue::new(
            flag,
            &text,
            "expected a positive number of CPUs, e.g. 1.5",
        ));
    }
    if value == 0.0 {
        return Ok(None);
    }
    if value < 0.01 {
        return Err(InvalidValue::new(flag, &text, "the minimum is 0.01"));
    }
    Ok(Some(CpuLimit::from_cpus(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpus() {
        assert_eq!(parse_cpus("--cpus", 0.0).unwrap(), None);
        let c = parse_cpus("--cpus", 1.5).unwrap().unwrap();
        assert_eq!((c.quota_us, c.period_us), (150_000, 100_000));
        assert_eq!(parse_cpus("--cpus", 0.01).unwrap().unwrap().quota_us, 1000);
        for bad in [-1.0, f64::NAN, f64::INFINITY, 0.001] {
            let e = parse_cpus("--cpus", bad).unwrap_err().to_string();
            assert!(e.contains("--cpus"), "{bad}: {e}");
        }
    }
}

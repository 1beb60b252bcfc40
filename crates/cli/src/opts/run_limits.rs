//! `run`/`create`'s resource flags → typed values: `--umask`, `--oom-score-adj`,
//! memory tuning, `--cpuset-mems`, block IO throttles, cpuset lists, and the
//! namespace choices (`--ipc`, `--uts`, `--pid`, `--cgroupns`).

use super::resources::parse_size;
use crate::cli::CreateFlags;
use crate::error::{CliError, Result};
use std::path::PathBuf;

/// The process and memory tuning flags.
pub(super) fn tuning(flags: &CreateFlags) -> Result<berth_runtime::Tuning> {
    if let Some(m) = &flags.cpuset_mems {
        check_cpuset_for("--cpuset-mems", m)?;
    }
    let swappiness = match flags.memory_swappiness {
        -1 => None,
        s @ 0..=100 => Some(s.unsigned_abs()),
        s => {
            return Err(CliError::invalid(
                "--memory-swappiness",
                &s.to_string(),
                "between 0 and 100, or -1 for the system default",
            ))
        }
    };
    if let Some(a) = flags.oom_score_adj {
        if !(-1000..=1000).contains(&a) {
            return Err(CliError::invalid(
                "--oom-score-adj",
                &a.to_string(),
                "between -1000 and 1000",
            ));
        }
    }
    let reservation = match flags.memory_reservation.as_deref() {
        None => None,
        Some(v) => Some(
            i64::try_from(parse_size("--memory-reservation", v)?)
                .map_err(|_| CliError::invalid("--memory-reservation", v, "too large"))?,
        )
        .filter(|r| *r > 0),
    };
    Ok(berth_runtime::Tuning {
        // Checked by refuse_unsupported: octal, at most 0777.
        umask: u32::from_str_radix(&flags.umask, 8).ok(),
        oom_score_adj: flags.oom_score_adj,
        memory_reservation: reservation,
        memory_swappiness: swappiness,
        oom_kill_disable: flags.oom_kill_disable,
        cpuset_mems: flags.cpuset_mems.clone(),
        throttles: throttles(flags)?,
    })
}

/// `--device-{read,write}-{bps,iops} DEVICE:RATE` (bps: a size such as 1mb; iops: a count).
pub(super) fn throttles(flags: &CreateFlags) -> Result<Vec<berth_runtime::Throttle>> {
    parse_throttles([
        &flags.device_read_bps,
        &flags.device_write_bps,
        &flags.device_read_iops,
        &flags.device_write_iops,
    ])
}

/// The values of `--device-read-bps`, `--device-write-bps`, `--device-read-iops` and
/// `--device-write-iops`, in that order (`run`/`create` and `update`).
pub fn parse_throttles(values: [&Vec<String>; 4]) -> Result<Vec<berth_runtime::Throttle>> {
    let [read_bps, write_bps, read_iops, write_iops] = values;
    let mut out = Vec::new();
    for (flag, kind, values, bytes) in [
        ("--device-read-bps", "read-bps", read_bps, true),
        ("--device-write-bps", "write-bps", write_bps, true),
        ("--device-read-iops", "read-iops", read_iops, false),
        ("--device-write-iops", "write-iops", write_iops, false),
    ] {
        for v in values {
            let bad = |reason: &str| CliError::invalid(flag, v, reason);
            let (device, rate) = v
                .rsplit_once(':')
                .ok_or_else(|| bad("use DEVICE:RATE, such as /dev/sda:1mb"))?;
            if !device.starts_with('/') {
                return Err(bad("the device must be an absolute path"));
            }
            let rate = if bytes {
                parse_size(flag, rate)?
            } else {
                rate.parse::<u64>()
                    .map_err(|_| bad("the rate is a number of operations per second"))?
            };
            out.push(berth_runtime::Throttle {
                kind: kind.to_owned(),
                device: PathBuf::from(device),
                rate,
            });
        }
    }
    Ok(out)
}

pub(super) fn ns(flag: &str, v: Option<&str>) -> Result<berth_runtime::NamespaceChoice> {
    let v = v.unwrap_or("");
    if v == "none" {
        return Err(CliError::not_supported(
            format!("{flag} {v}"),
            Some("use private or host"),
        ));
    }
    Ok(berth_runtime::parse_namespace(flag, v)?)
}

/// `--cpuset-cpus`: `0-3`, `0,1`.
pub(super) fn check_cpuset(v: &str) -> Result<()> {
    check_cpuset_for("--cpuset-cpus", v)
}

/// A cpuset list (`0-3`, `0,1`) for `flag`.
pub(super) fn check_cpuset_for(flag: &str, v: &str) -> Result<()> {
    let ok = !v.is_empty()
        && v.split(',').all(|part| {
            let mut ends = part.splitn(2, '-');
            let lo = ends.next().and_then(|n| n.parse::<u32>().ok());
            match (lo, ends.next()) {
                (Some(_), None) => true,
                (Some(lo), Some(hi)) => hi.parse::<u32>().is_ok_and(|hi| hi >= lo),
                _ => false,
            }
        });
    if ok {
        Ok(())
    } else {
        Err(CliError::invalid(flag, v, "a list such as 0-3 or 0,1"))
    }
}

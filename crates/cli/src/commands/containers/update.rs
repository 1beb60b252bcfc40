//! `update`: new cgroup limits for a container; prints its id.

use super::{out, Parsed};
use crate::cli::UpdateArgs;
use crate::error::CliError;
use crate::opts::resources::{parse_cpus, parse_memory, parse_size};
use berth_runtime::{ContainerUpdateOptions, Runtime};

/// Turns `update`'s flags into the runtime's options; bad values are refused here.
pub(super) fn parse(a: UpdateArgs) -> anyhow::Result<Parsed> {
    let size = |flag: &str, v: &Option<String>| -> anyhow::Result<Option<i64>> {
        v.as_deref()
            .map(|v| {
                let n = if flag == "--memory" {
                    parse_memory(v)?
                } else {
                    parse_size(flag, v)?
                };
                i64::try_from(n).map_err(|_| CliError::invalid(flag, v, "too large").into())
            })
            .transpose()
    };
    let memory_swap = match a.memory_swap.as_deref() {
        Some("-1") => Some(-1),
        _ => size("--memory-swap", &a.memory_swap)?,
    };
    let memory_swappiness = match a.memory_swappiness {
        -1 => None,
        n @ 0..=100 => Some(n.unsigned_abs()),
        n => {
            return Err(CliError::invalid(
                "--memory-swappiness",
                &n.to_string(),
                "use 0 to 100, or -1 for the system default",
            )
            .into())
        }
    };
    let mut opts = ContainerUpdateOptions {
        memory: size("--memory", &a.memory)?,
        memory_swap,
        memory_reservation: size("--memory-reservation", &a.memory_reservation)?,
        memory_swappiness,
        cpu_shares: a.cpu_shares,
        cpu_quota: a.cpu_quota,
        cpu_period: a.cpu_period,
        cpuset_cpus: a.cpuset_cpus,
        cpuset_mems: a.cpuset_mems,
        throttles: crate::opts::parse_throttles([
            &a.device_read_bps,
            &a.device_write_bps,
            &a.device_read_iops,
            &a.device_write_iops,
        ])?,
    };
    if let Some(cpus) = a.cpus {
        if a.cpu_quota.is_some() || a.cpu_period.is_some() {
            return Err(CliError::conflict(
                "--cpus",
                "cannot be given with --cpu-period or --cpu-quota",
            )
            .into());
        }
        if let Some(limit) = parse_cpus(cpus)? {
            opts.cpu_quota = Some(limit.quota_us);
            opts.cpu_period = Some(limit.period_us);
        }
    }
    if opts == ContainerUpdateOptions::default() {
        anyhow::bail!("no resource limits given: use --memory, --cpus, --cpu-shares, ...");
    }
    Ok(Parsed::Update {
        container: a.container,
        opts: Box::new(opts),
    })
}

/// Runs `update`.
pub(super) fn run(
    rt: &Runtime,
    container: &str,
    opts: &ContainerUpdateOptions,
) -> anyhow::Result<u8> {
    let id = rt.update_container(container, opts)?;
    out(&format!("{id}\n"))?;
    Ok(0)
}

//! update: new cgroup limits for a created, running or paused container (`runc update`).

use berth_state::ContainerStatus;
use tracing::instrument;

use super::invalid_status;
use super::spec::oci_throttles;
use crate::error::Result;
use crate::runtime::Runtime;
use crate::Throttle;

/// The limits `update` changes; `None` (or empty) leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerUpdateOptions {
    /// Memory limit in bytes.
    pub memory: Option<i64>,
    /// Memory plus swap in bytes, `-1` unlimited; with `memory` alone, twice the memory
    /// (podman's default at create).
    pub memory_swap: Option<i64>,
    /// Soft memory limit in bytes.
    pub memory_reservation: Option<i64>,
    /// Swappiness, 0 to 100.
    pub memory_swappiness: Option<u64>,
    /// CPU shares.
    pub cpu_shares: Option<u64>,
    /// CFS quota in microseconds per period.
    pub cpu_quota: Option<i64>,
    /// CFS period in microseconds.
    pub cpu_period: Option<u64>,
    /// cpuset CPUs.
    pub cpuset_cpus: Option<String>,
    /// cpuset memory nodes.
    pub cpuset_mems: Option<String>,
    /// Block IO throttles.
    pub throttles: Vec<Throttle>,
}

impl Runtime {
    /// Changes a container's cgroup limits while it exists in the OCI runtime (created,
    /// running or paused) and records them, so `inspect` shows them; returns its id.
    #[instrument(skip(self))]
    pub fn update_container(
        &self,
        id_or_name: &str,
        opts: &ContainerUpdateOptions,
    ) -> Result<String> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let _lock = self.lock_container(&id)?;
        let rec = self.locked_record(&id)?;
        if !matches!(
            rec.state.status,
            ContainerStatus::Created | ContainerStatus::Running | ContainerStatus::Paused
        ) {
            return Err(invalid_status(&rec, "update its resources"));
        }
        let memory_swap = opts
            .memory_swap
            .or_else(|| opts.memory.map(|m| m.saturating_mul(2)));
        let resources = berth_oci::Resources {
            memory: opts.memory,
            memory_swap,
            memory_reservation: opts.memory_reservation,
            memory_swappiness: opts.memory_swappiness,
            cpu_shares: opts.cpu_shares,
            cpu_quota: opts.cpu_quota,
            cpu_period: opts.cpu_period,
            cpuset_cpus: opts.cpuset_cpus.clone(),
            cpuset_mems: opts.cpuset_mems.clone(),
            throttles: oci_throttles(&opts.throttles)?,
            ..berth_oci::Resources::default()
        };
        self.oci.update(&id, &resources)?;
        let mut limits = rec.config.resources.clone();
        let keep = |new: Option<i64>, old: Option<i64>| new.or(old);
        limits.memory = keep(opts.memory, limits.memory);
        limits.memory_swap = keep(memory_swap, limits.memory_swap);
        limits.cpu_shares = opts.cpu_shares.or(limits.cpu_shares);
        limits.cpu_quota = keep(opts.cpu_quota, limits.cpu_quota);
        limits.cpu_period = opts.cpu_period.or(limits.cpu_period);
        if opts.cpuset_cpus.is_some() {
            limits.cpuset_cpus.clone_from(&opts.cpuset_cpus);
        }
        self.state.update_container_resources(&id, &limits)?;
        Ok(id)
    }
}

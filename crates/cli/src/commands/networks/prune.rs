//! `network prune`: after podman's confirmation unless `--force`, the names of the
//! networks the runtime removed.

use crate::commands::{confirm, print_prune_report};
use berth_runtime::{PruneFilters, Runtime};

/// Runs `network prune`.
pub(super) fn run(rt: &Runtime, filters: &PruneFilters, force: bool) -> anyhow::Result<u8> {
    if !force && !confirm(crate::prompt::NETWORK_PRUNE)? {
        return Ok(0);
    }
    print_prune_report(rt.prune_networks(filters)?)
}

//! `volume prune`: after podman's confirmation unless `--force`.

use crate::commands::{confirm, print_prune_report};
use berth_runtime::{PruneFilters, Runtime};

/// Runs `volume prune`.
pub(super) fn run(rt: &Runtime, filters: PruneFilters, force: bool) -> anyhow::Result<u8> {
    if !force && !confirm(&crate::prompt::volume_prune(&rt.unused_volumes(&filters)?))? {
        return Ok(0);
    }
    print_prune_report(rt.prune_volumes(&berth_runtime::VolumePruneOptions { filters })?)
}

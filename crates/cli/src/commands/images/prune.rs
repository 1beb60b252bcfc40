//! `image prune`.

use crate::cli::GlobalOptions;
use berth_runtime::PruneFilters;

/// `image prune`: the runtime removes the images no container uses that are
/// dangling (or any, with `--all`) and pass the `--filter`s; their IDs.
/// Without `force`, podman's `[y/N]` question first.
pub(super) fn run(
    g: &GlobalOptions,
    all: bool,
    filters: PruneFilters,
    force: bool,
) -> anyhow::Result<u8> {
    let warning = if all {
        crate::prompt::IMAGE_PRUNE_ALL
    } else {
        crate::prompt::IMAGE_PRUNE
    };
    if !force && !crate::commands::confirm(warning)? {
        return Ok(0);
    }
    crate::commands::with_runtime(g, |rt| {
        let report = rt.prune_images(&berth_runtime::ImagePruneOptions { all, filters })?;
        crate::commands::print_prune_report(report)
    })
}

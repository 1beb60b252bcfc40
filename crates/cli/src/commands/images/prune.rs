//! `image prune`.

use crate::cli::GlobalOptions;
use berth_runtime::PruneFilters;

/// `image prune`: the runtime removes the images no container uses that are
/// dangling (or any, with `--all`) and pass the `--filter`s; their IDs.
pub(super) fn run(g: &GlobalOptions, all: bool, filters: PruneFilters) -> anyhow::Result<u8> {
    crate::commands::with_runtime(g, |rt| {
        let report = rt.prune_images(&berth_runtime::ImagePruneOptions { all, filters })?;
        crate::commands::print_prune_report(report)
    })
}

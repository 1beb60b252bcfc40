//! `system prune`: containers, pods, (volumes,) images, after the confirmation.

use crate::cli::GlobalOptions;
use crate::commands::{confirm, finish, out, with_runtime};
use berth_runtime::{PruneFilters, PruneReport};

/// Runs `system prune`.
pub(super) fn run(
    g: &GlobalOptions,
    filters: PruneFilters,
    force: bool,
    all: bool,
    volumes: bool,
) -> anyhow::Result<u8> {
    if !force && !confirm(&crate::prompt::system_prune(all, volumes))? {
        return Ok(0);
    }
    with_runtime(g, |rt| {
        let r = rt.prune_system(&berth_runtime::SystemPruneOptions {
            all,
            volumes,
            filters,
        })?;
        let mut text = String::new();
        let mut errors = Vec::new();
        let mut part = |title: &str, report: PruneReport| {
            text.push_str(title);
            for id in report.ids() {
                text.push_str(id);
                text.push('\n');
            }
            errors.extend(report.errors.into_iter().map(|f| f.error.into()));
        };
        part("Deleted Containers\n", r.containers);
        part("Deleted Pods\n", r.pods);
        if let Some(v) = r.volumes {
            part("Deleted Volumes\n", v);
        }
        part("Deleted Images\n", r.images);
        out(&text)?;
        finish(errors)
    })
}

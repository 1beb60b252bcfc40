//! `system df`.

use crate::commands::print_listing;
use crate::output::{human::human_size, OutputFormat};
use berth_runtime::Runtime;
use serde_json::json;

/// Runs `system df`.
pub(super) fn run(rt: &Runtime, format: OutputFormat) -> anyhow::Result<u8> {
    let du = rt.disk_usage()?;
    let row = |kind: &str, u: &berth_runtime::UsageSummary| json!({"Type": kind, "Total": u.total, "Active": u.active, "Size": human_size(u.size), "Reclaimable": human_size(u.reclaimable)});
    let rows = vec![
        row("Images", &du.images),
        row("Containers", &du.containers),
        row("Local Volumes", &du.volumes),
    ];
    let listing = crate::output::Listing {
        default_template: "{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
        headers: &[],
    };
    print_listing(&format, &listing, &rows, &rows, false)
}

//! `volume ls`.

use crate::commands::{out, print_listing};
use crate::opts::filter::runtime_error;
use crate::opts::Filters;
use crate::output::{rows::VOLUMES, OutputFormat, VolumeSummary};
use berth_runtime::Runtime;
use serde_json::Value;

/// Runs `volume ls`.
pub(super) fn run(
    rt: &Runtime,
    filters: Filters,
    format: OutputFormat,
    quiet: bool,
    noheading: bool,
) -> anyhow::Result<u8> {
    let rows: Vec<VolumeSummary> = rt
        .list_volumes_filtered(&filters)
        .map_err(runtime_error)?
        .into_iter()
        .map(volume_summary)
        .collect();
    if quiet {
        for r in &rows {
            out(&format!("{}\n", r.name))?;
        }
        return Ok(0);
    }
    let t: Vec<Value> = rows.iter().map(VolumeSummary::template_row).collect();
    let j: Vec<Value> = rows.iter().map(VolumeSummary::json).collect();
    print_listing(&format, &VOLUMES, &t, &j, noheading)
}

pub(super) fn volume_summary(v: berth_runtime::Volume) -> VolumeSummary {
    VolumeSummary {
        name: v.name,
        driver: v.driver,
        mountpoint: v.mountpoint.to_string_lossy().into_owned(),
        created: v.created_at,
        labels: v.labels,
        options: v.options,
        state: crate::output::rows::VolumeFlags {
            uid: v.uid.unwrap_or(0),
            gid: v.gid.unwrap_or(0),
            mount_count: v.mount_count,
            needs_copy_up: v.needs_copy_up,
            needs_chown: v.needs_chown,
        },
    }
}

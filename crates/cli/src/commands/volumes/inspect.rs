//! `volume inspect`.

use super::volume_names;
use crate::cli::VolumeInspectArgs;
use crate::commands::render_objects_as;
use crate::output::OutputFormat;
use berth_runtime::Runtime;
use serde_json::json;

/// Runs `volume inspect`.
pub(super) fn run(rt: &Runtime, a: VolumeInspectArgs, format: OutputFormat) -> anyhow::Result<u8> {
    let names = volume_names(rt, a.all, &a.volumes)?;
    let mut objs = Vec::new();
    for n in &names {
        let v = rt.inspect_volume(n)?;
        objs.push(json!({
            "Name": v.name,
            "Driver": v.driver,
            "Mountpoint": v.mountpoint,
            "CreatedAt": v.created_at.to_rfc3339(),
            "Labels": v.labels,
            "Scope": v.scope,
            "Options": v.options,
        }));
    }
    render_objects_as(&format, &objs)
}

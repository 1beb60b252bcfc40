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
        let created = v
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let summary = super::ls::volume_summary(v);
        let mut obj = json!({
            "Name": summary.name,
            "Driver": summary.driver,
            "Mountpoint": summary.mountpoint,
            "CreatedAt": created,
            "Labels": summary.labels,
            "Scope": "local",
            "Options": summary.options,
        });
        if let Some(o) = obj.as_object_mut() {
            if matches!(format, OutputFormat::Template(_) | OutputFormat::Table(_)) {
                summary.state.insert_all(o);
            } else {
                summary.state.insert_into(o);
            }
        }
        objs.push(obj);
    }
    render_objects_as(&format, &objs)
}

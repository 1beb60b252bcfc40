//! `pod inspect`.

use super::ids;
use crate::commands::{out, render_objects_as};
use crate::opts::targets::Selection;
use crate::opts::Targets;
use crate::output::OutputFormat;
use berth_runtime::Runtime;

/// Runs `pod inspect`.
pub(super) fn run(
    rt: &Runtime,
    sel: Selection,
    format: OutputFormat,
    json: bool,
) -> anyhow::Result<u8> {
    let names = match &sel.targets {
        Targets::Named(n) => n.clone(),
        _ => ids(rt, &sel)?,
    };
    let mut objs = Vec::new();
    for n in &names {
        objs.push(serde_json::to_value(rt.inspect_pod(n)?)?);
    }
    // podman 4.3 prints one pod as an object, not an array.
    if objs.len() == 1 && json {
        out(&format!("{}\n", serde_json::to_string_pretty(&objs[0])?))?;
        return Ok(0);
    }
    render_objects_as(&format, &objs)
}

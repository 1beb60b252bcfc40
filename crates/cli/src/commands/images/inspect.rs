//! `image inspect`.

use crate::commands::render_objects_as;
use crate::output::OutputFormat;
use berth_runtime::Runtime;

/// Runs `image inspect`.
pub(super) fn run(rt: &Runtime, images: Vec<String>, format: OutputFormat) -> anyhow::Result<u8> {
    let mut objs = Vec::new();
    for i in &images {
        objs.push(serde_json::to_value(rt.inspect_image(i)?)?);
    }
    render_objects_as(&format, &objs)
}

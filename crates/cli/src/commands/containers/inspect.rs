//! `inspect` of containers.

use super::{finish, render_objects_as};
use crate::output::OutputFormat;
use berth_runtime::Runtime;

/// `inspect` of containers.
pub fn inspect_containers(
    rt: &Runtime,
    names: &[String],
    format: &OutputFormat,
) -> anyhow::Result<u8> {
    let mut objs = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        match rt.inspect_container(n) {
            Ok(i) => objs.push(serde_json::to_value(&i)?),
            Err(e) => errors.push(anyhow::Error::new(e)),
        }
    }
    render_objects_as(format, &objs)?;
    finish(errors)
}

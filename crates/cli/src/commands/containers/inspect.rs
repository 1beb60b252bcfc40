//! `inspect` of containers.

use super::{finish, render_objects_as};
use crate::output::OutputFormat;
use berth_runtime::Runtime;
use serde_json::Value;

/// `inspect` of containers.
pub fn inspect_containers(
    rt: &Runtime,
    names: &[String],
    format: &OutputFormat,
    size: bool,
) -> anyhow::Result<u8> {
    let mut objs = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        match inspect_value(rt, n, size) {
            Ok(v) => objs.push(v),
            Err(e) => errors.push(e),
        }
    }
    render_objects_as(format, &objs)?;
    finish(errors)
}

/// One container's `inspect` object; with `size` (`--size`), podman's
/// `SizeRw` (bytes it wrote) and `SizeRootFs` (those plus its image's).
pub fn inspect_value(rt: &Runtime, name: &str, size: bool) -> anyhow::Result<Value> {
    let mut v = serde_json::to_value(rt.inspect_container(name)?)?;
    if size {
        let (rw, image) = rt.container_disk_size(&rt.container(name)?);
        if let Some(o) = v.as_object_mut() {
            o.insert("SizeRw".into(), rw.into());
            o.insert("SizeRootFs".into(), (rw + image).into());
        }
    }
    Ok(v)
}

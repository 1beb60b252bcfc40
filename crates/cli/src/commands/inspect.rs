//! The top-level `inspect`: containers, then images, pods, volumes.

use super::{finish, newest_container, render_objects_as, with_runtime};
use crate::cli::{GlobalOptions, InspectArgs};
use crate::output::{parse_format, OutputFormat};
use serde_json::{json, Value};

/// The top-level `inspect`, its `--format` parsed before the runtime opens.
#[derive(Debug)]
pub struct Parsed {
    /// The flags as given.
    pub args: InspectArgs,
    /// `--format`.
    pub format: OutputFormat,
}

/// Parses the top-level `inspect`'s `--format` before the runtime opens.
pub fn parse(a: InspectArgs) -> anyhow::Result<Parsed> {
    let format = parse_format("--format", Some(&a.format))?;
    Ok(Parsed { args: a, format })
}

/// Runs a parsed top-level `inspect`.
pub fn run(g: &GlobalOptions, p: Parsed) -> anyhow::Result<u8> {
    let Parsed { args: a, format } = p;
    with_runtime(g, |rt| {
        let names: Vec<String> = if a.latest {
            newest_container(rt)?.into_iter().collect()
        } else {
            a.names.clone()
        };
        let kind = a.kind.as_str();
        let mut objs = Vec::new();
        let mut errors = Vec::new();
        for n in &names {
            let want = |k: &str| kind == "all" || kind == k;
            let found: Option<Value> = if want("container") && rt.container_exists(n)? {
                Some(super::containers::inspect_value(rt, n, a.size)?)
            } else if want("image") && rt.image_exists(n)? {
                Some(serde_json::to_value(rt.inspect_image(n)?)?)
            } else if want("pod") && rt.pod_exists(n)? {
                Some(serde_json::to_value(rt.inspect_pod(n)?)?)
            } else if want("volume") && rt.volume_exists(n)? {
                let v = rt.inspect_volume(n)?;
                Some(
                    json!({"Name": v.name, "Driver": v.driver, "Mountpoint": v.mountpoint, "Labels": v.labels, "Scope": v.scope}),
                )
            } else {
                None
            };
            match found {
                Some(v) => objs.push(v),
                None => errors.push(anyhow::anyhow!("no such object: {n:?}")),
            }
        }
        render_objects_as(&format, &objs)?;
        finish(errors)
    })
}

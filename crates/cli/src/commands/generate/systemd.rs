//! `generate systemd [flags] CTR|POD`: the runtime writes the units' text; this prints
//! them, or with `--files` writes `NAME.service` files into the current directory and
//! prints their paths (`--format json`: a JSON object of unit name to text or path).

use crate::cli::{GenerateSystemdArgs, GlobalOptions};
use crate::commands::{out, with_runtime};
use berth_runtime::{write_units, SystemdOptions, UnitRestartPolicy};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `generate systemd`, parsed.
#[derive(Debug)]
pub struct SystemdRequest {
    /// The container or pod.
    pub target: String,
    /// The runtime's options (without the engine prefix, which needs the globals).
    pub opts: SystemdOptions,
    /// `--files`: write into this directory (the current one).
    pub files: Option<PathBuf>,
    /// `--format json`.
    pub json: bool,
}

/// Checks the flags; a bad `--restart-policy` is podman's error, exit 125.
pub fn parse(a: GenerateSystemdArgs) -> anyhow::Result<SystemdRequest> {
    let policy: UnitRestartPolicy = a.restart_policy.parse()?;
    let files =
        if a.files {
            Some(std::env::current_dir().map_err(|e| {
                anyhow::Error::new(e).context("--files: reading the current directory")
            })?)
        } else {
            None
        };
    Ok(SystemdRequest {
        target: a.target,
        opts: SystemdOptions {
            engine: Vec::new(),
            use_name: a.name,
            new: a.new,
            no_header: a.no_header,
            restart_policy: Some(policy),
            restart_sec: a.restart_sec,
            start_timeout: a.start_timeout,
            stop_timeout: Some(a.stop_timeout),
            container_prefix: a.container_prefix,
            pod_prefix: a.pod_prefix,
            separator: a.separator,
            env: a.env,
            wants: a.wants,
            after: a.after,
            requires: a.requires,
            template: a.template,
            timestamp: None,
        },
        files,
        json: a.format.is_some(),
    })
}

/// Generates the units and prints or writes them; the exit code.
pub fn run(g: &GlobalOptions, mut r: SystemdRequest) -> anyhow::Result<u8> {
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::Error::new(e).context("finding the berth binary for the units"))?;
    r.opts.engine = vec![exe.to_string_lossy().into_owned()];
    r.opts.engine.extend(crate::engine::global_args(g));
    with_runtime(g, |rt| {
        let units = rt.generate_systemd(&r.target, &r.opts)?;
        let shown: Vec<(String, String)> = match &r.files {
            Some(dir) => {
                let paths = write_units(&units, dir).map_err(|e| {
                    anyhow::Error::new(e)
                        .context(format!("--files: writing into {}", dir.display()))
                })?;
                units
                    .iter()
                    .zip(paths)
                    .map(|(u, p)| (u.name.clone(), p.display().to_string()))
                    .collect()
            }
            None => units.into_iter().map(|u| (u.name, u.text)).collect(),
        };
        if r.json {
            let map: BTreeMap<_, _> = shown.into_iter().collect();
            let mut buf = Vec::new();
            let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
            let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
            serde::Serialize::serialize(&map, &mut ser)?;
            buf.push(b'\n');
            out(&String::from_utf8_lossy(&buf))?;
        } else if r.files.is_some() {
            let mut text = String::new();
            for (_, p) in &shown {
                text.push_str(p);
                text.push('\n');
            }
            out(&text)?;
        } else {
            let text: String = shown.into_iter().map(|(_, t)| t).collect();
            out(&text)?;
        }
        Ok(0)
    })
}

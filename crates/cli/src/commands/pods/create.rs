//! `pod create`: the pod, its infra container and `--pod-id-file`.

use crate::commands::{convert, out};
use crate::error::CliError;
use crate::opts::PodCreateOptions;
use berth_runtime::Runtime;

/// Runs `pod create`.
pub(super) fn run(rt: &Runtime, o: &PodCreateOptions) -> anyhow::Result<u8> {
    let spec = convert::pod(o)?;
    // The id file is opened before the pod exists, so a path that
    // cannot be written leaves no pod behind.
    let id_file = o
        .pod_id_file
        .as_ref()
        .map(|f| {
            std::fs::File::create(f).map_err(|e| {
                CliError::invalid("--pod-id-file", &f.to_string_lossy(), e.to_string())
            })
        })
        .transpose()?;
    let p = rt.create_pod(&spec).inspect_err(|_| {
        if let Some(f) = &o.pod_id_file {
            let _ = std::fs::remove_file(f);
        }
    })?;
    if let (Some(mut file), Some(f)) = (id_file, &o.pod_id_file) {
        use std::io::Write as _;
        file.write_all(p.config.id.as_bytes())
            .map_err(|e| CliError::invalid("--pod-id-file", &f.to_string_lossy(), e.to_string()))?;
    }
    out(&format!("{}\n", p.config.id))?;
    Ok(0)
}

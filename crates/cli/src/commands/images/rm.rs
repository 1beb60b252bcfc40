//! `rmi`: podman's output, every `Untagged:` then every `Deleted:`.

use crate::commands::out;
use berth_runtime::{ImageRemoveOptions, Runtime};

/// Runs `rmi`.
pub(super) fn run(rt: &Runtime, opts: &ImageRemoveOptions) -> anyhow::Result<u8> {
    let report = rt.remove_images(opts)?;
    for n in &report.untagged {
        out(&format!("Untagged: {n}\n"))?;
    }
    for id in &report.deleted {
        out(&format!("Deleted: {id}\n"))?;
    }
    let mut errors = report.errors;
    let last = errors.pop();
    for e in &errors {
        eprintln!("Error: {e}");
    }
    last.map_or(Ok(0), |e| Err(coded(e)))
}

/// podman's exit codes for `rmi`: 1 for a missing image, 2 for one in use, else 125.
fn coded(e: berth_runtime::Error) -> anyhow::Error {
    use berth_runtime::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => crate::error::Coded::wrap(1, e),
        ErrorKind::InUse => crate::error::Coded::wrap(2, e),
        _ => e.into(),
    }
}

//! `system reset`: everything removed, after the confirmation.

use crate::cli::GlobalOptions;
use crate::commands::{confirm, finish};

/// Runs `system reset`.
pub(super) fn run(g: &GlobalOptions, force: bool) -> anyhow::Result<u8> {
    let rt = crate::engine::runtime(g)?;
    let cfg = rt.config()?;
    if !force
        && !confirm(&crate::prompt::system_reset(
            &cfg.storage.graph_root,
            &cfg.storage.run_root,
        ))?
    {
        let _ = rt.shutdown(false);
        return Ok(0);
    }
    let report = rt.system_reset()?;
    finish(report.errors.into_iter().map(anyhow::Error::new).collect())
}

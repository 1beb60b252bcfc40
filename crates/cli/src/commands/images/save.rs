//! `save`: images into an archive, or to standard output as podman when no `-o` is given.

use crate::cli::GlobalOptions;
use berth_runtime::{ImageSaveOptions, Runtime};
use std::io::IsTerminal;

/// Runs `save`.
pub(super) fn run(
    rt: &Runtime,
    g: &GlobalOptions,
    mut opts: ImageSaveOptions,
    to_stdout: bool,
) -> anyhow::Result<u8> {
    if !to_stdout {
        rt.save_images(&opts)?;
        return Ok(0);
    }
    if std::io::stdout().is_terminal() {
        return Err(crate::error::CliError::invalid(
            "--output",
            "",
            "refusing to save to terminal. Use -o flag or redirect",
        )
        .into());
    }
    // The archive is written whole first (the writer needs a file), then streamed out.
    let tmp = super::load::spool_file(g, "save")?;
    opts.output = tmp.path().to_path_buf();
    rt.save_images(&opts)?;
    let mut f = std::fs::File::open(tmp.path())
        .map_err(|e| anyhow::anyhow!("opening {}: {e}", tmp.path().display()))?;
    let mut out = std::io::stdout().lock();
    std::io::copy(&mut f, &mut out).map_err(|e| anyhow::anyhow!("writing the archive: {e}"))?;
    std::io::Write::flush(&mut out).map_err(|e| anyhow::anyhow!("writing the archive: {e}"))?;
    Ok(0)
}

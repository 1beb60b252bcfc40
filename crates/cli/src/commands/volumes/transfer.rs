//! `volume export` (a tar of the volume's contents to `-o FILE` or standard output) and
//! `volume import` (a tar file, or `-` for standard input, into an existing volume).

use crate::commands::volumes::VolumeTransfer;
use berth_runtime::Runtime;
use std::io::{IsTerminal, Write};

/// Runs `volume export` or `volume import`.
pub(super) fn run(rt: &Runtime, t: VolumeTransfer) -> anyhow::Result<u8> {
    match t {
        VolumeTransfer::Export { name, output } => {
            // The volume is looked up before the output is opened: a missing one writes
            // nothing.
            rt.inspect_volume(&name)?;
            if output == "/dev/stdout" {
                let mut out = std::io::stdout().lock();
                if out.is_terminal() {
                    return Err(crate::error::CliError::invalid(
                        "--output",
                        "",
                        "refusing to export to terminal. Use -o flag or redirect",
                    )
                    .into());
                }
                rt.export_volume(&name, &mut out)?;
                out.flush()
                    .map_err(|e| anyhow::anyhow!("writing the archive: {e}"))?;
            } else {
                let mut f = std::fs::File::create(&output)
                    .map_err(|e| anyhow::anyhow!("open {output}: {}", io_reason(&e)))?;
                rt.export_volume(&name, &mut f)?;
            }
        }
        VolumeTransfer::Import { name, source } => {
            rt.inspect_volume(&name)?;
            if source == "-" {
                let mut stdin = std::io::stdin().lock();
                rt.import_volume(&name, &mut stdin)?;
            } else {
                let mut f = std::fs::File::open(&source)
                    .map_err(|e| anyhow::anyhow!("open {source}: {}", io_reason(&e)))?;
                rt.import_volume(&name, &mut f)?;
            }
        }
    }
    Ok(0)
}

/// An I/O error in Go's words: `no such file or directory`, without Rust's `(os error N)`.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    text.split(" (os error")
        .next()
        .unwrap_or(&text)
        .to_lowercase()
}

//! `export`: a container's whole root filesystem as a tar, to `-o FILE` or stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::Parsed;
use crate::cli::ExportArgs;
use berth_runtime::Runtime;

/// A parsed `export`.
#[derive(Debug)]
pub struct Export {
    container: String,
    output: Option<PathBuf>,
}

/// Checks `export`'s arguments: without `-o`, stdout must not be a terminal (podman's rule).
pub(super) fn parse(a: ExportArgs) -> anyhow::Result<Parsed> {
    let output = a.output.filter(|o| !o.as_os_str().is_empty());
    if output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("refusing to export to terminal. Use -o flag or redirect");
    }
    Ok(Parsed::Export(Export {
        container: a.container,
        output,
    }))
}

/// Runs `export`: the container is looked up before the output file is made.
pub(super) fn run(rt: &Runtime, e: Export) -> anyhow::Result<u8> {
    let id = rt.container(&e.container)?.config.id;
    let Some(path) = &e.output else {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        rt.export_container(&id, &mut w)?;
        w.flush()?;
        return Ok(0);
    };
    let file = std::fs::File::create(path)
        .map_err(|err| anyhow::anyhow!("creating {}: {err}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let written = rt
        .export_container(&id, &mut w)
        .map_err(anyhow::Error::from)
        .and_then(|()| Ok(w.flush()?));
    if written.is_err() {
        let _ = std::fs::remove_file(path);
    }
    written?;
    Ok(0)
}

//! `import`: a root filesystem tarball as an image.

use crate::cli::ImportArgs;
use crate::commands::out;
use crate::error::CliError;
use berth_runtime::{ImportOptions, Runtime};
use std::io::IsTerminal;

/// Import options for these flags; a bad `--change` is refused before
/// anything is opened.
pub(super) fn import_options(a: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let mut opts = ImportOptions {
        names: a.reference.iter().cloned().collect(),
        message: a.message.clone(),
        architecture: a.arch.clone(),
        os: a.os.clone(),
        variant: a.variant.clone(),
        ..ImportOptions::default()
    };
    for c in &a.change {
        berth_runtime::apply_import_change(&mut opts, c).map_err(|e| match e {
            berth_runtime::Error::InvalidArgument { reason, .. } => {
                CliError::invalid("--change", c, reason).into()
            }
            e => anyhow::Error::new(e),
        })?;
    }
    Ok(opts)
}

/// Runs `import`.
/// `quiet` (`-q`): no progress bar, even on a terminal.
pub(super) fn run(
    rt: &Runtime,
    path: &str,
    opts: &ImportOptions,
    quiet: bool,
) -> anyhow::Result<u8> {
    let rec = if path == "-" {
        rt.import_image(&mut std::io::stdin().lock(), opts)?
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| anyhow::Error::new(e).context(format!("opening {path}")))?;
        let len = file.metadata().map(|m| m.len()).ok();
        let bar = crate::progress::Progress::new(
            len,
            "Importing",
            !quiet && std::io::stderr().is_terminal(),
        );
        let mut r = bar.wrap_read(file);
        let rec = rt.import_image(&mut r, opts)?;
        bar.clear();
        rec
    };
    out(&format!("sha256:{}\n", rec.id))?;
    Ok(0)
}

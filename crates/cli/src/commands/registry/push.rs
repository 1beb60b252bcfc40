//! `push`.

use crate::cli::PushArgs;
use crate::error::CliError;
use crate::progress::{transfer, TransferView};
use berth_runtime::{Credentials, Runtime};

/// `push`, parsed.
#[derive(Debug)]
pub struct Push {
    /// The flags as given.
    pub args: PushArgs,
    /// `--creds`.
    pub creds: Option<Credentials>,
}

/// Runs `push`.
pub(super) fn run(rt: &Runtime, p: Push) -> anyhow::Result<u8> {
    let a = &p.args;
    let mut opts = rt.push_options()?;
    opts.tls_verify = a.registry.tls_verify;
    opts.certs_dir.clone_from(&a.registry.cert_dir);
    opts.auth.authfile.clone_from(&a.registry.authfile);
    opts.auth.credentials = p.creds;
    opts.compress = a.compress || gzip(a.compression_format.as_deref())?;
    opts.progress = transfer(TransferView::for_stderr(a.quiet));
    let report = rt.push_image(&a.image, a.destination.as_deref(), &opts)?;
    if let Some(f) = &a.digestfile {
        std::fs::write(f, &report.manifest_digest).map_err(|e| {
            anyhow::Error::new(e).context(format!("writing --digestfile {}", f.display()))
        })?;
    }
    Ok(0)
}

/// `push --compression-format`: whether uncompressed layers are gzipped.
/// berth compresses with gzip only.
pub(super) fn gzip(format: Option<&str>) -> Result<bool, CliError> {
    match format {
        None => Ok(false),
        Some("gzip") => Ok(true),
        Some(f @ ("zstd" | "zstd:chunked")) => Err(CliError::invalid(
            "--compression-format",
            f,
            "not supported by berth yet: layers are compressed with gzip only",
        )),
        Some(f) => Err(CliError::invalid(
            "--compression-format",
            f,
            "expected gzip, zstd or zstd:chunked",
        )),
    }
}

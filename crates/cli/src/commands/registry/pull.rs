//! `pull`, and the pull `run`/`create --pull` do before creating.

use crate::cli::{PullArgs, RegistryFlags};
use crate::commands::out;
use crate::opts::PullSpec;
use crate::progress::{transfer, TransferView};
use berth_runtime::{Credentials, ImageRecord, Platform, PolicySource, PullOptions, Runtime};

/// `pull`, parsed.
#[derive(Debug)]
pub struct Pull {
    /// The flags as given.
    pub args: PullArgs,
    /// `--platform`, or `--os`/`--arch`/`--variant`.
    pub platform: Option<Platform>,
    /// `--creds`.
    pub creds: Option<Credentials>,
}

/// Pull options for these flags over the runtime's rules and policy.
fn pull_options(
    rt: &Runtime,
    flags: &RegistryFlags,
    platform: Option<Platform>,
    creds: Option<Credentials>,
    view: TransferView,
) -> berth_runtime::Result<PullOptions> {
    let mut opts = rt.pull_options()?;
    opts.platform = platform;
    opts.tls_verify = flags.tls_verify;
    opts.certs_dir.clone_from(&flags.cert_dir);
    opts.auth.authfile.clone_from(&flags.authfile);
    opts.auth.credentials = creds;
    opts.progress = transfer(view);
    Ok(opts)
}

/// Runs `pull`.
pub(super) fn run(rt: &Runtime, p: Pull) -> anyhow::Result<u8> {
    let a = &p.args;
    let mut opts = pull_options(
        rt,
        &a.registry,
        p.platform,
        p.creds,
        TransferView::for_stderr(a.quiet),
    )?;
    if let Some(p) = &a.signature_policy {
        opts.policy = PolicySource::File(p.clone());
    }
    for image in &a.images {
        let report = rt.pull_image(image, &opts)?;
        out(&format!("{}\n", report.image.id))?;
    }
    Ok(0)
}

/// The image for `run`/`create`: pulled first when `spec.policy` says so.
pub fn ensure_image(
    rt: &Runtime,
    image: &str,
    spec: &PullSpec,
    quiet: bool,
) -> anyhow::Result<ImageRecord> {
    let opts = || {
        pull_options(
            rt,
            &spec.registry,
            spec.platform.clone(),
            None,
            TransferView::for_stderr(quiet),
        )
    };
    let policy = spec.policy.unwrap_or_else(|| rt.default_pull_policy());
    let (image, _pulled) = rt.ensure_image(image, policy, opts)?;
    Ok(image)
}

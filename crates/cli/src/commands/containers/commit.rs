//! `commit`: a new image of a container's changes; prints the image id.

use std::path::PathBuf;

use super::{out, Parsed};
use crate::cli::CommitArgs;
use crate::error::CliError;
use berth_runtime::{ContainerCommitOptions, ImportOptions, Runtime};

/// A parsed `commit`.
#[derive(Debug)]
pub struct Commit {
    container: String,
    opts: ContainerCommitOptions,
    iidfile: Option<PathBuf>,
    quiet: bool,
}

/// Checks `commit`'s arguments (`--format`, every `--change`) before the runtime opens.
pub(super) fn parse(a: CommitArgs) -> anyhow::Result<Parsed> {
    match a.format.as_str() {
        "oci" => {}
        "docker" | "v2s2" => {
            return Err(CliError::not_supported(
                "--format docker",
                Some("berth stores OCI images only; use --format oci"),
            )
            .into())
        }
        f => anyhow::bail!("unrecognized image type {f:?}"),
    }
    let mut probe = ImportOptions::default();
    for c in &a.change {
        berth_runtime::apply_import_change(&mut probe, c).map_err(|e| match e {
            berth_runtime::Error::InvalidArgument { reason, .. } => {
                CliError::invalid("--change", c, reason).into()
            }
            e => anyhow::Error::new(e),
        })?;
    }
    Ok(Parsed::Commit(Box::new(Commit {
        container: a.container,
        opts: ContainerCommitOptions {
            image: a.image,
            author: a.author.filter(|s| !s.is_empty()),
            message: a.message.filter(|s| !s.is_empty()),
            changes: a.change,
            pause: a.pause,
            squash: a.squash,
            include_volumes: a.include_volumes,
        },
        iidfile: a.iidfile,
        quiet: a.quiet,
    })))
}

/// Runs `commit`: podman's progress lines on stderr (not with `-q`), the id on stdout.
pub(super) fn run(rt: &Runtime, c: Commit) -> anyhow::Result<u8> {
    rt.container(&c.container)?;
    if !c.quiet {
        eprintln!("Getting image source signatures");
    }
    let img = rt.commit_container(&c.container, &c.opts)?;
    if !c.quiet {
        eprintln!("Copying config sha256:{}", img.id);
        eprintln!("Writing manifest to image destination");
        eprintln!("Storing signatures");
    }
    if let Some(path) = &c.iidfile {
        std::fs::write(path, &img.id)
            .map_err(|e| anyhow::anyhow!("failed to write image ID: {e}"))?;
    }
    out(&format!("{}\n", img.id))?;
    Ok(0)
}

//! The volume commands: `volume create/ls/inspect/rm/prune`.

mod inspect;
mod ls;
mod prune;
mod rm;
mod transfer;

use super::{out, with_runtime};
use crate::cli::{GlobalOptions, VolumeCommand, VolumeInspectArgs, VolumeRmArgs};
use crate::error::CliError;
use crate::opts::filter::{parse_filters, parse_prune_filters};
use crate::opts::{kv::parse_key_values, FilterTarget, Filters};
use crate::output::{parse_format, OutputFormat};
use berth_runtime::{PruneFilters, Runtime, VolumeCreateOptions};

/// A volume command with its arguments parsed once, before the runtime
/// is opened ([`parse`]); [`run`] acts on it.
#[allow(clippy::large_enum_variant)] // built once per process
#[derive(Debug)]
pub enum Parsed {
    /// `volume create`.
    Create(VolumeCreateOptions),
    /// `volume ls`.
    Ls {
        /// `--filter`.
        filters: Filters,
        /// `--format`.
        format: OutputFormat,
        /// `--quiet`.
        quiet: bool,
        /// `--noheading`.
        noheading: bool,
    },
    /// `volume inspect`.
    Inspect {
        /// The flags as given.
        args: VolumeInspectArgs,
        /// `--format`.
        format: OutputFormat,
    },
    /// `volume rm`.
    Rm(VolumeRmArgs),
    /// `volume exists`: exit 0 or 1.
    Exists(String),
    /// `volume mount`: prints the mount point.
    Mount(String),
    /// `volume unmount`: prints the name.
    Unmount(String),
    /// `volume reload`.
    Reload,
    /// `volume export`, `volume import`.
    Transfer(VolumeTransfer),
    /// `volume prune`.
    Prune {
        /// `--filter`.
        filters: PruneFilters,
        /// `--force`: no prompt.
        force: bool,
    },
}

/// `volume export` / `volume import` as parsed.
#[derive(Debug)]
pub enum VolumeTransfer {
    /// `volume export -o OUTPUT NAME`; `/dev/stdout` is standard output.
    Export {
        /// The volume.
        name: String,
        /// `--output`.
        output: String,
    },
    /// `volume import NAME SOURCE`; `-` is standard input.
    Import {
        /// The volume.
        name: String,
        /// The tar file.
        source: String,
    },
}

/// Parses a volume command: bad input is refused before the runtime opens.
pub fn parse(c: VolumeCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        VolumeCommand::Create(a) => {
            if a.driver != "local" {
                return Err(CliError::invalid(
                    "--driver",
                    &a.driver,
                    "berth has only the local driver",
                )
                .into());
            }
            Parsed::Create(VolumeCreateOptions {
                labels: parse_key_values("--label", &a.label)?,
                options: parse_key_values("--opt", &a.opt)?,
                name: a.name,
            })
        }
        VolumeCommand::Ls(a) => Parsed::Ls {
            filters: parse_filters(FilterTarget::Volumes, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            quiet: a.quiet,
            noheading: a.noheading,
        },
        VolumeCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", Some(&a.format))?,
            args: a,
        },
        VolumeCommand::Rm(a) => Parsed::Rm(a),
        VolumeCommand::Exists(a) => Parsed::Exists(a.name),
        VolumeCommand::Mount(a) => Parsed::Mount(a.name),
        VolumeCommand::Unmount(a) => Parsed::Unmount(a.name),
        VolumeCommand::Reload => Parsed::Reload,
        VolumeCommand::Export(a) => {
            if a.output.is_empty() {
                return Err(CliError::invalid(
                    "--output",
                    "",
                    "expects output path, use --output=[path]",
                )
                .into());
            }
            Parsed::Transfer(VolumeTransfer::Export {
                name: a.name,
                output: a.output,
            })
        }
        VolumeCommand::Import(a) => Parsed::Transfer(VolumeTransfer::Import {
            name: a.name,
            source: a.source,
        }),
        VolumeCommand::Prune(a) => Parsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            force: a.force,
        },
    })
}

/// Runs a parsed volume command.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| match c {
        Parsed::Create(o) => {
            let v = rt.create_volume(&o)?;
            out(&format!("{}\n", v.name))?;
            Ok(0)
        }
        Parsed::Ls {
            filters,
            format,
            quiet,
            noheading,
        } => ls::run(rt, filters, format, quiet, noheading),
        Parsed::Inspect { args: a, format } => inspect::run(rt, a, format),
        Parsed::Rm(a) => rm::run(rt, a),
        Parsed::Exists(name) => Ok(u8::from(!rt.volume_exists(&name)?)),
        Parsed::Mount(name) => {
            let path = rt.mount_volume(&name)?;
            out(&format!("{}\n", path.display()))?;
            Ok(0)
        }
        Parsed::Unmount(name) => {
            rt.unmount_volume(&name)?;
            out(&format!("{name}\n"))?;
            Ok(0)
        }
        Parsed::Reload => {
            let report = rt.reload_volumes()?;
            for (title, names) in [("Added", &report.added), ("Removed", &report.removed)] {
                if !names.is_empty() {
                    out(&format!("{title}:\n{}\n", names.join("\n")))?;
                }
            }
            Ok(0)
        }
        Parsed::Transfer(t) => transfer::run(rt, t),
        Parsed::Prune { filters, force } => prune::run(rt, filters, force),
    })
}

/// The volumes a command acts on: every volume with `--all`, else the
/// names given.
pub(super) fn volume_names(
    rt: &Runtime,
    all: bool,
    names: &[String],
) -> anyhow::Result<Vec<String>> {
    if all {
        Ok(rt.list_volumes()?.into_iter().map(|v| v.name).collect())
    } else {
        Ok(names.to_vec())
    }
}

//! The system commands: `info`, `events`, `system df/prune/reset/refresh/check`.

mod check;
mod df;
pub mod events;
mod info;
mod prune;
mod reset;

use super::with_runtime;
use crate::cli::{GlobalOptions, SystemCommand};
use crate::opts::filter::parse_prune_filters;
use crate::output::{parse_format, OutputFormat};
use berth_runtime::PruneFilters;

/// A system command with its arguments parsed once, before the runtime is
/// opened ([`parse`]); [`run`] acts on it.
#[derive(Debug)]
pub enum Parsed {
    /// `system info`.
    Info {
        /// `--format`.
        format: OutputFormat,
    },
    /// `system refresh`.
    Refresh,
    /// `system reset`.
    Reset {
        /// `--force`: no prompt.
        force: bool,
    },
    /// `system prune`.
    Prune {
        /// `--filter`.
        filters: PruneFilters,
        /// `--force`: no prompt.
        force: bool,
        /// `--all`: every unused image, not only dangling ones.
        all: bool,
        /// `--volumes`.
        volumes: bool,
    },
    /// `system df`.
    Df {
        /// `--format`.
        format: OutputFormat,
    },
    /// `system check`.
    Check {
        /// `--repair`.
        repair: bool,
    },
}

/// Parses a system command: bad input is refused before the runtime opens.
pub fn parse(c: SystemCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        SystemCommand::Info(a) => Parsed::Info {
            format: parse_format("--format", a.format.as_deref())?,
        },
        SystemCommand::Refresh => Parsed::Refresh,
        SystemCommand::Reset(a) => Parsed::Reset { force: a.force },
        SystemCommand::Prune(a) => Parsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            force: a.force,
            all: a.all,
            volumes: a.volumes,
        },
        SystemCommand::Df(a) => Parsed::Df {
            format: parse_format("--format", a.format.as_deref())?,
        },
        SystemCommand::Check(a) => Parsed::Check { repair: a.repair },
    })
}

/// `events`: the events log needs no state database.
pub fn run_events(g: &GlobalOptions, p: &events::Parsed) -> anyhow::Result<u8> {
    let rt = crate::engine::image_runtime(g)?;
    let r = events::run(&rt, p);
    let _ = rt.shutdown(false);
    r
}

/// Runs a parsed system command.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    match c {
        Parsed::Info { format } => with_runtime(g, |rt| info::run(rt, format)),
        Parsed::Refresh => {
            let rt = crate::engine::runtime(g)?;
            rt.system_refresh()?;
            rt.shutdown(false)?;
            Ok(0)
        }
        Parsed::Reset { force } => reset::run(g, force),
        Parsed::Prune {
            filters,
            force,
            all,
            volumes,
        } => prune::run(g, filters, force, all, volumes),
        Parsed::Df { format } => with_runtime(g, |rt| df::run(rt, format)),
        Parsed::Check { repair } => with_runtime(g, |rt| check::run(rt, repair)),
    }
}

//! `logs`.

use super::each;
use super::select::names;
use super::Parsed;
use crate::cli::LogsArgs;
use crate::error::CliError;
use crate::opts::targets::Selection;
use crate::opts::time::parse_time;
use berth_runtime::{LogOptions, Runtime};

/// Parses `logs`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &LogsArgs) -> anyhow::Result<Parsed> {
    let now = chrono::Utc::now();
    let since = a
        .since
        .as_deref()
        .map(|t| parse_time("--since", t, now))
        .transpose()?;
    let until = a
        .until
        .as_deref()
        .map(|t| parse_time("--until", t, now))
        .transpose()?;
    if a.tail < -1 {
        return Err(CliError::invalid(
            "--tail",
            &a.tail.to_string(),
            "expected -1 (all) or a number of lines",
        )
        .into());
    }
    Ok(Parsed::Logs {
        sel: Selection::latest_or_named(a.latest, &a.containers)?,
        opts: LogOptions {
            follow: a.follow,
            tail: usize::try_from(a.tail).ok(),
            since,
            until,
            timestamps: a.timestamps,
        },
    })
}

/// Runs `logs`.
pub(super) fn run(rt: &Runtime, sel: Selection, opts: LogOptions) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    let mut stdout = std::io::stdout();
    each(&names, |n| Ok(rt.container_logs(n, &opts, &mut stdout)?))
}

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
    Ok(Parsed::Logs {
        sel: Selection::latest_or_named(a.latest, &a.containers)?,
        opts: log_options(a)?,
        names: a.names,
        color: a.color,
    })
}

/// The log options of `logs`'s flags (shared with `pod logs`), checked.
pub(crate) fn log_options(a: &LogsArgs) -> anyhow::Result<LogOptions> {
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
    Ok(LogOptions {
        follow: a.follow,
        tail: usize::try_from(a.tail).ok(),
        since,
        until,
        timestamps: a.timestamps,
        prefix: None,
    })
}

/// Runs `logs` (shared with `pod logs`).
pub(crate) fn run(
    rt: &Runtime,
    sel: Selection,
    opts: LogOptions,
    by_name: bool,
    color: bool,
) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    let mut stdout = std::io::stdout();
    let multi = names.len() > 1;
    let mut i = 0;
    each(&names, |n| {
        let mut opts = opts.clone();
        if multi {
            opts.prefix = Some(log_prefix(rt, n, by_name, color.then_some(i))?);
        }
        i += 1;
        Ok(rt.container_logs(n, &opts, &mut stdout)?)
    })
}

/// The start of each log line when several containers' logs are shown:
/// the short id, or the name with `--names`; with `--color`, coloured by
/// the container's place in the list.
fn log_prefix(
    rt: &Runtime,
    name: &str,
    by_name: bool,
    color: Option<usize>,
) -> anyhow::Result<String> {
    let rec = rt.container(name)?;
    let text = if by_name {
        rec.config.name
    } else {
        crate::output::human::short_id(&rec.config.id).to_owned()
    };
    Ok(match color {
        // Red, green, yellow, blue, magenta, cyan, in turn.
        Some(i) => format!("\x1b[{}m{text}\x1b[0m", 31 + i % 6),
        None => text,
    })
}

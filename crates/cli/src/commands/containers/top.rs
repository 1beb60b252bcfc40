//! `top`: the processes of a container.

use super::select::names;
use super::Parsed;
use crate::cli::TopArgs;
use crate::commands::print_listing;
use crate::opts::targets::Selection;
use berth_runtime::{Runtime, TopRow};
use serde_json::Value;
use std::time::Duration;

/// Parses `top`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &TopArgs) -> anyhow::Result<Parsed> {
    Ok(Parsed::Top {
        sel: Selection::latest_or_named(a.latest, &a.args[..a.args.len().min(1)])?,
    })
}

/// Runs `top`.
pub(super) fn run(rt: &Runtime, sel: &Selection) -> anyhow::Result<u8> {
    let names = names(rt, sel)?;
    print_top(&rt.container_top(&names[0])?)
}

/// Prints processes in podman's `top` table (shared with `pod top`).
pub(crate) fn print_top(rows: &[TopRow]) -> anyhow::Result<u8> {
    let t: Vec<Value> = rows
        .iter()
        .map(|r| {
            crate::output::stats::TopSummary {
                user: r.user.clone(),
                pid: i32::try_from(r.pid).unwrap_or(0),
                ppid: i32::try_from(r.ppid).unwrap_or(0),
                cpu: 0.0,
                elapsed: Duration::ZERO,
                tty: "?".into(),
                time: r.cpu_time,
                command: r.command.clone(),
            }
            .template_row()
        })
        .collect();
    print_listing(
        &crate::output::OutputFormat::Default,
        &crate::output::stats::TOP,
        &t,
        &t,
        false,
    )
}

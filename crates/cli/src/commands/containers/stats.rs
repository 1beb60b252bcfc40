//! `stats`: CPU, memory and pids of running containers, once or every interval.

use super::select::names;
use crate::cli::StatsArgs;
use crate::commands::print_listing;
use crate::error::CliError;
use crate::opts::targets::Selection;
use crate::output::{parse_format, OutputFormat};
use berth_runtime::{ContainerStatus, ListOptions, Runtime};
use chrono::Utc;
use serde_json::Value;
use std::time::Duration;

/// `stats`, parsed.
#[derive(Debug)]
pub struct Stats {
    /// The flags as given.
    pub args: StatsArgs,
    /// `--format`.
    pub format: OutputFormat,
    /// The containers named (or `--latest`); none means every running
    /// one (every one with `--all`).
    pub sel: Option<Selection>,
}

/// Parses `stats`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: StatsArgs) -> anyhow::Result<Stats> {
    let format = parse_format("--format", a.format.as_deref())?;
    if a.interval == 0 {
        return Err(CliError::invalid("--interval", "0", "must be at least 1 second").into());
    }
    let sel = if a.containers.is_empty() && !a.latest {
        None
    } else {
        Some(Selection::latest_or_named(a.latest, &a.containers)?)
    };
    Ok(Stats {
        args: a,
        format,
        sel,
    })
}

/// `stats`: one table with `--no-stream`, else a new table every `--interval`
/// seconds (the screen cleared first on a terminal, unless `--no-reset`),
/// CPU % over the last interval, until interrupted or the named containers
/// have all stopped.
pub(super) fn run(rt: &Runtime, p: &Stats) -> anyhow::Result<u8> {
    use std::io::IsTerminal;
    let a = &p.args;
    let clear = !a.no_stream && !a.no_reset && std::io::stdout().is_terminal();
    let mut previous = Previous::new();
    loop {
        let names: Vec<String> = if let Some(sel) = &p.sel {
            names(rt, sel)?
        } else {
            rt.list_containers(&ListOptions {
                all: a.all,
                pod: None,
            })?
            .into_iter()
            .filter(|r| r.state.status == ContainerStatus::Running)
            .map(|r| r.config.id)
            .collect()
        };
        let first = previous.is_empty();
        let (rows, running) = sample(rt, &names, &mut previous, first)?;
        if clear {
            crate::commands::out("\x1b[2J\x1b[H")?;
        }
        let t: Vec<Value> = rows.iter().map(|r| r.template_row(a.no_trunc)).collect();
        let j: Vec<Value> = rows
            .iter()
            .map(crate::output::stats::StatsSummary::json)
            .collect();
        print_listing(&p.format, &crate::output::stats::STATS, &t, &j, false)?;
        let named = p.sel.is_some();
        if a.no_stream || (named && running == 0) {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_secs(a.interval));
    }
}

/// Each container's CPU time and when it was read, for CPU % over the
/// last interval.
pub(crate) type Previous = std::collections::HashMap<String, (u64, std::time::Instant)>;

/// One round of stats over the named containers (shared with `pod stats`):
/// a row for each running one, and how many ran. In the `first` round a
/// named container that is not running is an error.
pub(crate) fn sample(
    rt: &Runtime,
    names: &[String],
    previous: &mut Previous,
    first: bool,
) -> anyhow::Result<(Vec<crate::output::stats::StatsSummary>, usize)> {
    let mut rows = Vec::new();
    let mut running = 0;
    for n in names {
        let rec = rt.container(n)?;
        if rec.state.status != ContainerStatus::Running {
            if first {
                // The first round reports a named container that is not running.
                rt.container_stats(n)?;
            }
            continue;
        }
        running += 1;
        let s = rt.container_stats(n)?;
        let now = std::time::Instant::now();
        let up = rec.state.started_at.map_or(0.0, |t| {
            (Utc::now() - t).num_milliseconds().max(1) as f64 / 1000.0
        });
        let avg = if up > 0.0 {
            s.cpu_nanos as f64 / 1e9 / up * 100.0
        } else {
            0.0
        };
        let pct = match previous.insert(s.id.clone(), (s.cpu_nanos, now)) {
            Some((cpu, at)) => {
                let wall = now.duration_since(at).as_secs_f64();
                if wall > 0.0 {
                    s.cpu_nanos.saturating_sub(cpu) as f64 / 1e9 / wall * 100.0
                } else {
                    avg
                }
            }
            None => avg,
        };
        rows.push(crate::output::stats::StatsSummary {
            id: s.id,
            name: s.name,
            cpu_percent: pct,
            avg_cpu_percent: avg,
            cpu_time: Duration::from_nanos(s.cpu_nanos),
            mem_usage: s.memory_usage,
            mem_limit: s.memory_limit.unwrap_or_else(host_memory),
            net_io: (0, 0),
            block_io: (0, 0),
            pids: s.pids,
        });
    }
    Ok((rows, running))
}

/// The host's memory in bytes (podman's limit for an unlimited container).
pub(super) fn host_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

//! `pod stats`: a row of CPU, memory and pids for each running container of
//! the pods (the infra container included), once or every second.

use super::ids_ignoring;
use crate::cli::PodStatsArgs;
use crate::commands::containers::stats::{sample, Previous};
use crate::commands::{out, print_listing};
use crate::error::EXIT_BERTH;
use crate::opts::targets::Selection;
use crate::opts::Targets;
use crate::output::stats::POD_STATS;
use crate::output::{parse_format, OutputFormat};
use anyhow::Context as _;
use berth_runtime::{ContainerStatus, ListOptions, Runtime};
use serde_json::Value;
use std::time::Duration;

/// `pod stats`, parsed.
#[derive(Debug)]
pub struct PodStats {
    /// The flags as given.
    pub args: PodStatsArgs,
    /// `--format`.
    pub format: OutputFormat,
    /// The pods: named, `--latest`, or all.
    pub sel: Selection,
}

/// Parses `pod stats`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: PodStatsArgs) -> anyhow::Result<PodStats> {
    let format = parse_format("--format", a.format.as_deref())?;
    if usize::from(!a.pods.is_empty()) + usize::from(a.all) + usize::from(a.latest) > 1 {
        anyhow::bail!("--all, --latest and arguments cannot be used together");
    }
    let sel = if a.pods.is_empty() && !a.latest {
        Selection::of(Targets::All)
    } else {
        Selection::pods(a.all, a.latest, &a.pods, &[])?
    };
    Ok(PodStats {
        args: a,
        format,
        sel,
    })
}

/// Runs `pod stats`: one table with `--no-stream`, else a new one every
/// second (the screen cleared first on a terminal unless `--no-reset`), until interrupted.
pub(super) fn run(rt: &Runtime, p: &PodStats) -> anyhow::Result<u8> {
    use std::io::IsTerminal;
    let mut previous = Previous::new();
    loop {
        let pods =
            ids_ignoring(rt, &p.sel, false, EXIT_BERTH).context("unable to get list of pods")?;
        let mut rows = Vec::new();
        for pod in &pods {
            let mut members: Vec<_> = rt
                .list_containers(&ListOptions {
                    all: true,
                    pod: Some(pod.clone()),
                })?
                .into_iter()
                .filter(|c| c.state.status == ContainerStatus::Running)
                .collect();
            members.sort_by_key(|c| (!c.config.is_infra(), c.config.created));
            let names: Vec<String> = members.into_iter().map(|c| c.config.id).collect();
            let (summaries, _) = sample(rt, &names, &mut previous, false)?;
            rows.extend(summaries.iter().map(|s| s.pod_row(pod)));
        }
        if !p.args.no_stream && !p.args.no_reset && std::io::stdout().is_terminal() {
            out("\x1b[2J\x1b[H")?;
        }
        if rows.is_empty() && matches!(p.format, OutputFormat::Default) {
            // podman's default table shows a row of dashes when nothing runs.
            let dashes = Value::from_iter(
                [
                    "Pod", "CID", "Name", "CPU", "MemUsage", "Mem", "NetIO", "BlockIO", "PIDS",
                ]
                .map(|k| (k.to_owned(), Value::from("--"))),
            );
            print_listing(&p.format, &POD_STATS, &[dashes], &[], false)?;
        } else {
            print_listing(&p.format, &POD_STATS, &rows, &rows, false)?;
        }
        if p.args.no_stream {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

//! `pod logs`: the logs of a pod's containers (not the infra container),
//! each line prefixed by its container as `logs` does for several.

use super::ids_ignoring;
use crate::cli::{LogsArgs, PodLogsArgs};
use crate::commands::containers::logs;
use crate::error::EXIT_BERTH;
use crate::opts::targets::Selection;
use crate::opts::Targets;
use berth_runtime::{ListOptions, LogOptions, Runtime};

/// `pod logs`, parsed.
#[derive(Debug)]
pub struct PodLogs {
    /// The pod (or `--latest`).
    pub sel: Selection,
    /// `--container`: only this member.
    pub container: Option<String>,
    /// The log options, as `logs` checks them.
    pub opts: LogOptions,
    /// `--names`.
    pub names: bool,
    /// `--color`.
    pub color: bool,
}

/// Parses `pod logs`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: PodLogsArgs) -> anyhow::Result<PodLogs> {
    match (a.latest, &a.pod) {
        (true, Some(_)) => anyhow::bail!("--latest and pods cannot be used together"),
        (false, None) => anyhow::bail!("specify at least one pod name or ID to log"),
        _ => {}
    }
    let opts = logs::log_options(&LogsArgs {
        color: a.color,
        follow: a.follow,
        latest: a.latest,
        names: a.names,
        since: a.since,
        tail: a.tail,
        timestamps: a.timestamps,
        until: a.until,
        containers: Vec::new(),
    })?;
    Ok(PodLogs {
        sel: Selection::latest_or_named(a.latest, &Vec::from_iter(a.pod))?,
        container: a.container,
        opts,
        names: a.names,
        color: a.color,
    })
}

/// Runs `pod logs`.
pub(super) fn run(rt: &Runtime, p: PodLogs) -> anyhow::Result<u8> {
    let Some(pod) = ids_ignoring(rt, &p.sel, false, EXIT_BERTH)?
        .into_iter()
        .next()
    else {
        anyhow::bail!("no pod to show the logs of: no such pod");
    };
    let mut members: Vec<_> = rt
        .list_containers(&ListOptions {
            all: true,
            pod: Some(pod.clone()),
        })?
        .into_iter()
        .filter(|c| !c.config.is_infra())
        .collect();
    members.sort_by_key(|c| c.config.created);
    let mut names: Vec<String> = members.iter().map(|c| c.config.id.clone()).collect();
    if let Some(want) = &p.container {
        let c = rt.container(want)?;
        if !names.contains(&c.config.id) {
            anyhow::bail!("container {want} is not in pod {pod}: no such container");
        }
        names = vec![c.config.id];
    }
    if names.is_empty() {
        return Ok(0);
    }
    logs::run(
        rt,
        Selection::of(Targets::Named(names)),
        p.opts,
        p.names,
        p.color,
    )
}

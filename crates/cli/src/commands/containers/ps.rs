//! `ps`: the container listing.

use crate::cli::PsArgs;
use crate::commands::{print_listing, print_quiet_ids};
use crate::opts::filter::runtime_error;
use crate::opts::Filters;
use crate::output::{rows::ps_listing, ContainerSummary, OutputFormat, StatusView};
use berth_runtime::{ContainerRecord, ContainerStatus, ListOptions, Runtime};
use chrono::Utc;
use serde_json::Value;

/// `ps`, parsed: the flags, with `--filter` and `--format` typed.
#[derive(Debug)]
pub struct List {
    /// The flags as given.
    pub args: PsArgs,
    /// `--filter`.
    pub filters: Filters,
    /// `--format`.
    pub format: OutputFormat,
}

/// How `ps` shows a container's state.
pub(super) fn status_view(r: &ContainerRecord) -> StatusView {
    let epoch = chrono::DateTime::UNIX_EPOCH;
    match r.state.status {
        ContainerStatus::Configured | ContainerStatus::Created => StatusView::Created,
        ContainerStatus::Running => StatusView::Running {
            started: r.state.started_at.unwrap_or(epoch),
        },
        ContainerStatus::Paused => StatusView::Paused,
        ContainerStatus::Stopped | ContainerStatus::Exited => StatusView::Exited {
            code: r.state.exit_code.unwrap_or(0),
            finished: r.state.finished_at.unwrap_or(epoch),
        },
    }
}

/// The `ps` row of a container.
pub(super) fn summary(
    rt: &Runtime,
    r: &ContainerRecord,
    size: Option<(u64, u64)>,
) -> ContainerSummary {
    let mut command = r.config.entrypoint.clone();
    command.extend(r.config.command.iter().cloned());
    let pod_name = r
        .config
        .pod_id
        .as_ref()
        .and_then(|p| rt.pod(p).ok())
        .map(|p| p.config.name);
    ContainerSummary {
        id: r.config.id.clone(),
        image: berth_runtime::container_image_name(r).to_owned(),
        image_id: r.config.image_id.clone(),
        command,
        created: r.config.created,
        status: status_view(r),
        ports: r.config.port_mappings.clone(),
        names: vec![r.config.name.clone()],
        labels: r.config.labels.clone(),
        pod_id: r.config.pod_id.clone(),
        pod_name,
        networks: r.config.networks.clone(),
        mounts: r
            .config
            .mounts
            .iter()
            .map(|m| m.destination.clone())
            .collect(),
        pid: i32::try_from(r.state.pid).unwrap_or(0),
        auto_remove: r.config.auto_remove,
        is_infra: berth_runtime::is_infra_container(r),
        size,
    }
}

/// Runs `ps`.
pub(super) fn run(rt: &Runtime, l: &List) -> anyhow::Result<u8> {
    let a = &l.args;
    let now = Utc::now();
    let all = a.all || !a.filter.is_empty() || a.last >= 0 || a.latest;
    let mut recs = rt.list_containers(&ListOptions { all, pod: None })?;
    recs.sort_by_key(|r| std::cmp::Reverse(r.config.created));
    if a.latest {
        recs.truncate(1);
    } else if let Ok(n) = usize::try_from(a.last) {
        recs.truncate(n);
    }
    let m = rt.container_matcher(&l.filters).map_err(runtime_error)?;
    let mut rows: Vec<(ContainerSummary, _)> = recs
        .iter()
        .filter(|r| m.matches(r))
        .map(|r| {
            let size = a.size.then(|| rt.container_disk_size(r));
            (summary(rt, r, size), r.state.started_at)
        })
        .collect();
    crate::output::sort::sort_containers(&mut rows, &a.sort);
    let rows: Vec<ContainerSummary> = rows.into_iter().map(|(s, _)| s).collect();
    if a.quiet {
        return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
    }
    let t: Vec<Value> = rows
        .iter()
        .map(|r| r.template_row(now, a.no_trunc))
        .collect();
    let j: Vec<Value> = rows.iter().map(|r| r.json(now)).collect();
    print_listing(&l.format, &ps_listing(a.size, a.pod), &t, &j, a.noheading)
}

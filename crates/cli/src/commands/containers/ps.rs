//! `ps`: the container listing.

use crate::cli::PsArgs;
use crate::commands::{print_listing, print_quiet_ids};
use crate::opts::filter::runtime_error;
use crate::opts::Filters;
use crate::output::{
    rows::{ps_listing, PS_NAMESPACES},
    ContainerSummary, OutputFormat, StatusView,
};
use berth_runtime::{ContainerRecord, ContainerStatus, ListOptions, Runtime};
use chrono::Utc;
use serde_json::Value;
use std::time::Duration;

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
        health: rt.health_status(r),
    }
}

/// Runs `ps`.
pub(super) fn run(rt: &Runtime, l: &List) -> anyhow::Result<u8> {
    // `--watch N`: the listing again every N seconds on a cleared screen,
    // until interrupted.
    if let Some(secs) = l.args.watch.filter(|s| *s > 0) {
        loop {
            crate::commands::out("\x1b[2J\x1b[H")?;
            run_once(rt, l)?;
            std::thread::sleep(Duration::from_secs(secs));
        }
    }
    run_once(rt, l)
}

fn run_once(rt: &Runtime, l: &List) -> anyhow::Result<u8> {
    let a = &l.args;
    let now = Utc::now();
    // podman lists stopped containers without -a only for a status= filter.
    let all = a.all || !l.filters.status.is_empty() || a.last >= 0 || a.latest;
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
    if a.external && a.filter.is_empty() {
        // `--external`: storage's root filesystems no container of berth's owns.
        for e in rt.external_containers()? {
            let image = rt
                .resolve_image(&e.image_id)
                .ok()
                .and_then(|i| i.names.first().cloned())
                .unwrap_or_else(|| e.image_id.clone());
            rows.push((external_summary(e, image), None));
        }
    }
    crate::output::sort::sort_containers(&mut rows, &a.sort);
    let rows: Vec<ContainerSummary> = rows.into_iter().map(|(s, _)| s).collect();
    if a.quiet {
        return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
    }
    let mut t: Vec<Value> = rows
        .iter()
        .map(|r| r.template_row(now, a.no_trunc))
        .collect();
    let mut j: Vec<Value> = rows.iter().map(|r| r.json(now)).collect();
    if a.ns {
        // `--ns`: each row's namespaces, for the table and for templates.
        for (row, (tv, jv)) in rows.iter().zip(t.iter_mut().zip(j.iter_mut())) {
            let ns = recs
                .iter()
                .find(|r| r.config.id == row.id)
                .map(|r| rt.container_namespaces(r))
                .unwrap_or_default();
            let ns = serde_json::to_value(ns)?;
            for v in [tv, jv] {
                if let Some(o) = v.as_object_mut() {
                    o.insert("Namespaces".into(), ns.clone());
                }
            }
        }
    }
    let listing = if a.ns {
        PS_NAMESPACES
    } else {
        ps_listing(a.size, a.pod)
    };
    print_listing(&l.format, &listing, &t, &j, a.noheading)
}

/// The `ps --external` row of a root filesystem berth does not own.
fn external_summary(e: berth_runtime::ExternalContainer, image: String) -> ContainerSummary {
    ContainerSummary {
        id: e.id,
        image,
        image_id: e.image_id,
        command: Vec::new(),
        created: e.created.unwrap_or(chrono::DateTime::UNIX_EPOCH),
        status: StatusView::Storage,
        ports: Vec::new(),
        names: Vec::new(),
        labels: std::collections::BTreeMap::new(),
        pod_id: None,
        pod_name: None,
        networks: Vec::new(),
        mounts: Vec::new(),
        pid: 0,
        auto_remove: false,
        is_infra: false,
        size: None,
        health: None,
    }
}

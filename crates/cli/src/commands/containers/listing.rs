//! `ps`, `inspect`, `top` and `stats`: what containers are and do.

use super::parse::{List, Stats};
use super::{finish, names, render_objects_as};
use crate::commands::{print_listing, print_quiet_ids};
use crate::opts::filter::runtime_error;
use crate::opts::targets::Selection;
use crate::output::{
    rows::{ps_listing, PS_NAMESPACES},
    ContainerSummary, OutputFormat, StatusView,
};
use berth_runtime::{ContainerRecord, ContainerStatus, ListOptions, Runtime};
use chrono::Utc;
use serde_json::Value;
use std::time::Duration;

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

pub(super) fn ps(rt: &Runtime, l: &List) -> anyhow::Result<u8> {
    // `--watch N`: the listing again every N seconds on a cleared screen,
    // until interrupted.
    if let Some(secs) = l.args.watch.filter(|s| *s > 0) {
        loop {
            crate::commands::out("\x1b[2J\x1b[H")?;
            ps_once(rt, l)?;
            std::thread::sleep(Duration::from_secs(secs));
        }
    }
    ps_once(rt, l)
}

fn ps_once(rt: &Runtime, l: &List) -> anyhow::Result<u8> {
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
    }
}

/// `inspect` of containers.
pub fn inspect_containers(
    rt: &Runtime,
    names: &[String],
    format: &OutputFormat,
    size: bool,
) -> anyhow::Result<u8> {
    let mut objs = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        match inspect_value(rt, n, size) {
            Ok(v) => objs.push(v),
            Err(e) => errors.push(e),
        }
    }
    render_objects_as(format, &objs)?;
    finish(errors)
}

/// One container's `inspect` object; with `size` (`--size`), podman's
/// `SizeRw` (bytes it wrote) and `SizeRootFs` (those plus its image's).
pub fn inspect_value(rt: &Runtime, name: &str, size: bool) -> anyhow::Result<Value> {
    let mut v = serde_json::to_value(rt.inspect_container(name)?)?;
    if size {
        let (rw, image) = rt.container_disk_size(&rt.container(name)?);
        if let Some(o) = v.as_object_mut() {
            o.insert("SizeRw".into(), rw.into());
            o.insert("SizeRootFs".into(), (rw + image).into());
        }
    }
    Ok(v)
}

pub(super) fn top(rt: &Runtime, sel: &Selection) -> anyhow::Result<u8> {
    let names = names(rt, sel)?;
    let rows = rt.container_top(&names[0])?;
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

/// `stats`: one table with `--no-stream`, else a new table every `--interval`
/// seconds (the screen cleared first on a terminal, unless `--no-reset`),
/// CPU % over the last interval, until interrupted or the named containers
/// have all stopped.
pub(super) fn stats(rt: &Runtime, p: &Stats) -> anyhow::Result<u8> {
    use std::io::IsTerminal;
    let a = &p.args;
    let clear = !a.no_stream && !a.no_reset && std::io::stdout().is_terminal();
    let mut previous: std::collections::HashMap<String, (u64, std::time::Instant)> =
        std::collections::HashMap::new();
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
        let mut rows = Vec::new();
        let mut running = 0;
        for n in &names {
            let rec = rt.container(n)?;
            if rec.state.status != ContainerStatus::Running {
                if previous.is_empty() {
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

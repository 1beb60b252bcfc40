//! The container commands over berth-runtime.

#![allow(clippy::many_single_char_names)] // g/c/a/t/o: the command's parts, as everywhere here

mod copy;
mod listing;
mod run;

use super::io::attach_io;
use super::{
    all_containers, convert, each, exec_error, exit_byte, finish, newest_container, out,
    render_objects, run_error, with_runtime,
};
use crate::cli::{ContainerCommand, GlobalOptions};
use crate::error::CliError;
use crate::opts::filter::{parse_prune_filters, runtime_error};
use crate::opts::targets::{parse_wait_conditions, select_containers};
use crate::opts::time::parse_time;
use crate::opts::{
    signal::parse_signal, CopyOptions, CreateOptions, ExecOptions, ParseContext, RunOptions,
    Targets,
};
use berth_runtime::{ContainerRecord, ContainerStatus, ListOptions, Runtime, WaitCondition};
use chrono::Utc;
use copy::copy;
pub use listing::inspect_containers;
use listing::{ps, stats, top};
use run::{create, exec, foreground, run_container};
use std::time::Duration;

/// How long foreground commands wait for the last output after the exit.
const DRAIN: Duration = Duration::from_secs(5);

/// Runs a container command.
pub fn run(g: &GlobalOptions, c: &ContainerCommand, ctx: &ParseContext<'_>) -> anyhow::Result<u8> {
    // Parse first: bad input never needs the runtime.
    let run_opts = match c {
        ContainerCommand::Run(a) => Some(RunOptions::from_args(a, ctx)?),
        _ => None,
    };
    let create_opts = match c {
        ContainerCommand::Create(a) => Some(CreateOptions::from_flags(
            &a.flags,
            a.image(),
            a.command(),
            ctx,
        )?),
        _ => None,
    };
    let exec_opts = match c {
        ContainerCommand::Exec(a) => Some(ExecOptions::from_args(a, ctx)?),
        _ => None,
    };
    with_runtime(g, |rt| dispatch(g, rt, c, run_opts, create_opts, exec_opts))
}

fn dispatch(
    g: &GlobalOptions,
    rt: &Runtime,
    c: &ContainerCommand,
    run_opts: Option<RunOptions>,
    create_opts: Option<CreateOptions>,
    exec_opts: Option<ExecOptions>,
) -> anyhow::Result<u8> {
    match c {
        ContainerCommand::Run(_) => run_container(rt, &run_opts.unwrap_or_else(|| unreachable!())),
        ContainerCommand::Create(_) => {
            let o = create_opts.unwrap_or_else(|| unreachable!());
            let rec = create(rt, &o)?;
            out(&format!("{}\n", rec.config.id))?;
            Ok(0)
        }
        ContainerCommand::Exec(_) => exec(rt, &exec_opts.unwrap_or_else(|| unreachable!())),
        ContainerCommand::Start(a) => {
            let (filters, t) = select_containers(a.all, a.latest, &a.containers, &[], &a.filter)?;
            let ids = targets(rt, &t, Some(&filters))?;
            if a.attach || a.interactive {
                let [id] = ids.as_slice() else {
                    return Err(CliError::conflict(
                        "--attach",
                        "you cannot start and attach multiple containers at once",
                    )
                    .into());
                };
                let rec = rt.container(id)?;
                let keys = crate::opts::keys::parse_detach_keys(&a.detach_keys)?;
                let sig_proxy = a.sig_proxy.unwrap_or(true);
                return foreground(rt, &rec, a.interactive, sig_proxy, &keys)
                    .map(|c| c.unwrap_or(0));
            }
            each_named(rt, &t, &ids, |id| rt.start_container(id).map_err(run_error))
        }
        ContainerCommand::Stop(a) => {
            let (filters, t) =
                select_containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?;
            let ids = targets_ignoring(rt, &t, Some(&filters), a.ignore)?;
            let timeout = Duration::from_secs(a.time);
            each_named(rt, &t, &ids, |id| Ok(rt.stop_container(id, Some(timeout))?))
        }
        ContainerCommand::Restart(a) => {
            let (filters, t) =
                select_containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?;
            let mut ids = targets(rt, &t, Some(&filters))?;
            if a.running {
                ids.retain(|id| {
                    rt.container(id)
                        .is_ok_and(|r| r.state.status == ContainerStatus::Running)
                });
            }
            let timeout = Duration::from_secs(a.time);
            each_named(rt, &t, &ids, |id| {
                Ok(rt.restart_container(id, Some(timeout))?)
            })
        }
        ContainerCommand::Kill(a) => {
            let sig = parse_signal("--signal", &a.signal)?;
            let (_, t) = select_containers(a.all, a.latest, &a.containers, &a.cidfile, &[])?;
            let ids = targets(rt, &t, None)?;
            each_named(rt, &t, &ids, |id| Ok(rt.kill_container(id, sig.0)?))
        }
        ContainerCommand::Pause(a) | ContainerCommand::Unpause(a) => {
            let pause = matches!(c, ContainerCommand::Pause(_));
            let (filters, t) =
                select_containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?;
            let mut ids = targets(rt, &t, Some(&filters))?;
            if a.all {
                let want = if pause {
                    ContainerStatus::Running
                } else {
                    ContainerStatus::Paused
                };
                ids.retain(|id| rt.container(id).is_ok_and(|r| r.state.status == want));
            }
            each(&ids, |id| {
                if pause {
                    rt.pause_container(id)?;
                } else {
                    rt.unpause_container(id)?;
                }
                out(&format!("{id}\n"))
            })
        }
        ContainerCommand::Rm(a) => {
            let (filters, t) =
                select_containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?;
            let mut ids = targets_ignoring(rt, &t, Some(&filters), a.ignore)?;
            if a.all {
                // Infra containers go with their pod (`pod rm`).
                ids.retain(|id| rt.container(id).is_ok_and(|r| !r.config.is_infra()));
            }
            each(&ids, |id| {
                let shown = given_name(&t, rt, id);
                let timeout = std::time::Duration::from_secs(a.time);
                match rt.remove_container_within(id, a.force, a.volumes, timeout) {
                    Err(e) if a.ignore && e.is_not_found() => return Ok(()),
                    r => r?,
                }
                out(&format!("{shown}\n"))
            })
        }
        ContainerCommand::List(a) => ps(g, rt, a),
        ContainerCommand::Inspect(a) => {
            let names = latest_or(rt, a.latest, &a.containers)?;
            inspect_containers(rt, &names, &a.format)
        }
        ContainerCommand::Logs(a) => {
            let names = latest_or(rt, a.latest, &a.containers)?;
            let now = Utc::now();
            let opts = berth_runtime::LogOptions {
                follow: a.follow,
                tail: usize::try_from(a.tail).ok(),
                since: a
                    .since
                    .as_deref()
                    .map(|s| parse_time("--since", s, now))
                    .transpose()?,
                until: a
                    .until
                    .as_deref()
                    .map(|s| parse_time("--until", s, now))
                    .transpose()?,
                timestamps: a.timestamps,
            };
            let mut stdout = std::io::stdout();
            each(&names, |n| Ok(rt.container_logs(n, &opts, &mut stdout)?))
        }
        ContainerCommand::Wait(a) => {
            let conds = parse_wait_conditions(&a.condition)?;
            let cond = match conds.first().map(String::as_str) {
                Some("running") => WaitCondition::Running,
                Some("paused") => WaitCondition::Paused,
                Some("created" | "configured") => WaitCondition::Created,
                _ => WaitCondition::Exited,
            };
            let names = latest_or(rt, a.latest, &a.containers)?;
            let mut last = 0;
            let mut errors = Vec::new();
            for n in &names {
                match rt.wait_container(n, cond, None) {
                    Ok(code) => {
                        out(&format!("{code}\n"))?;
                        last = code;
                    }
                    Err(e) => errors.push(e.into()),
                }
            }
            if errors.is_empty() {
                Ok(exit_byte(last))
            } else {
                finish(errors)
            }
        }
        ContainerCommand::Attach(a) => {
            let names = latest_or(rt, a.latest, a.container.as_slice())?;
            let rec = rt.container(&names[0])?;
            let keys = crate::opts::keys::parse_detach_keys(&a.detach_keys)?;
            let (io, drained, detached) =
                attach_io(!a.no_stdin && rec.config.stdin, rec.config.tty, &keys);
            let _raw = rec.config.tty.then(crate::terminal::RawMode::enter);
            // The writers tell when the output has drained (with a time limit), so the
            // session handle is not needed.
            drop(rt.attach_container(&rec.config.id, io)?);
            match run::wait_or_detach(rt, &rec.config.id, &detached)? {
                Some(code) => {
                    drained.wait(DRAIN);
                    Ok(exit_byte(code))
                }
                None => Ok(0),
            }
        }
        ContainerCommand::Top(a) => top(rt, a),
        ContainerCommand::Stats(a) => stats(rt, a),
        ContainerCommand::Port(a) => {
            let mut pairs = Vec::new();
            let recs: Vec<ContainerRecord> = if a.all {
                all_containers(rt)?
            } else {
                let names = latest_or(rt, a.latest, a.container.as_slice())?;
                vec![rt.container(&names[0])?]
            };
            for r in &recs {
                let ports = rt.container_ports(&r.config.id)?;
                pairs.push((r.config.id.clone(), ports));
            }
            if a.all {
                out(&crate::output::port::port_all(
                    pairs.iter().map(|(i, p)| (i.as_str(), p.as_slice())),
                ))?;
            } else {
                out(&crate::output::port::port_lines(
                    &pairs[0].1,
                    a.port.as_deref(),
                )?)?;
            }
            Ok(0)
        }
        ContainerCommand::Cp(a) => copy(rt, &CopyOptions::from_args(a)?),
        ContainerCommand::Mount(a) => {
            if a.containers.is_empty() && !a.all && !a.latest {
                for r in all_containers(rt)? {
                    if !r.state.mount_point.is_empty() {
                        out(&format!(
                            "{}  {}\n",
                            &r.config.id[..12],
                            r.state.mount_point
                        ))?;
                    }
                }
                return Ok(0);
            }
            let names = all_latest_or(rt, a.all, a.latest, &a.containers)?;
            each(&names, |n| {
                let p = rt.mount_container(n)?;
                out(&format!("{}\n", p.display()))
            })
        }
        ContainerCommand::Unmount(a) => {
            let names = all_latest_or(rt, a.all, a.latest, &a.containers)?;
            each(&names, |n| {
                rt.unmount_container(n, a.force)?;
                out(&format!("{n}\n"))
            })
        }
        ContainerCommand::Exists(a) => Ok(u8::from(!rt.container_exists(&a.container)?)),
        ContainerCommand::Prune(a) => {
            let filters = parse_prune_filters(&a.filter)?;
            let report = rt.prune_containers(&berth_runtime::ContainerPruneOptions { filters })?;
            super::system::print_prune_report(report)
        }
        ContainerCommand::Cleanup(a) => {
            let names = all_latest_or(rt, a.all, a.latest, &a.containers)?;
            each(&names, |n| {
                rt.cleanup_container(n)?;
                if a.rm {
                    match rt.remove_container(n, true, false) {
                        Err(e) if e.is_not_found() => {}
                        r => r?,
                    }
                }
                Ok(())
            })
        }
    }
}

fn matches_id(rt: &Runtime, name: &str, id: &str) -> bool {
    rt.container(name).is_ok_and(|r| r.config.id == id)
}

/// Runs `op` on each container of the selection `t` (dropping what it
/// returns) and prints each one it succeeded on as the user named it
/// ([`given_name`]): the output of `start`, `stop`, `restart` and `kill`.
/// Errors are reported as [`each`] reports them.
fn each_named<T>(
    rt: &Runtime,
    t: &Targets,
    ids: &[String],
    mut op: impl FnMut(&str) -> anyhow::Result<T>,
) -> anyhow::Result<u8> {
    each(ids, |id| {
        op(id)?;
        out(&format!("{}\n", given_name(t, rt, id)))
    })
}

/// podman echoes a target as the user typed it; for --all/--latest, the id.
fn given_name(t: &Targets, rt: &Runtime, id: &str) -> String {
    if let Targets::Named(names) = t {
        if let Some(n) = names.iter().find(|n| matches_id(rt, n, id)) {
            return n.clone();
        }
    }
    id.to_owned()
}

/// The newest container's ID; an error when there is none.
fn latest(rt: &Runtime) -> anyhow::Result<String> {
    newest_container(rt)?
        .ok_or_else(|| CliError::conflict("--latest", "there are no containers").into())
}

/// Every container's ID.
fn all_ids(rt: &Runtime) -> anyhow::Result<Vec<String>> {
    Ok(all_containers(rt)?
        .into_iter()
        .map(|r| r.config.id)
        .collect())
}

fn latest_or(rt: &Runtime, latest_flag: bool, names: &[String]) -> anyhow::Result<Vec<String>> {
    if latest_flag {
        Ok(vec![latest(rt)?])
    } else if names.is_empty() {
        Err(CliError::conflict("CONTAINER", "give a container name or ID, or --latest").into())
    } else {
        Ok(names.to_vec())
    }
}

fn all_latest_or(
    rt: &Runtime,
    all: bool,
    latest_flag: bool,
    names: &[String],
) -> anyhow::Result<Vec<String>> {
    if all {
        all_ids(rt)
    } else {
        latest_or(rt, latest_flag, names)
    }
}

/// The container ids a selection names, checked to exist.
fn targets(
    rt: &Runtime,
    t: &Targets,
    filters: Option<&crate::opts::Filters>,
) -> anyhow::Result<Vec<String>> {
    targets_ignoring(rt, t, filters, false)
}

fn targets_ignoring(
    rt: &Runtime,
    t: &Targets,
    filters: Option<&crate::opts::Filters>,
    ignore: bool,
) -> anyhow::Result<Vec<String>> {
    match t {
        Targets::All => all_ids(rt),
        Targets::Latest => Ok(vec![latest(rt)?]),
        Targets::Named(n) => {
            let mut ids = Vec::new();
            let mut errors = Vec::new();
            for name in n {
                match rt.container(name) {
                    Ok(r) => ids.push(r.config.id),
                    Err(e) if ignore && e.is_not_found() => {}
                    Err(e) => errors.push(anyhow::Error::new(e)),
                }
            }
            if errors.is_empty() {
                Ok(ids)
            } else {
                finish(errors).map(|_| Vec::new())
            }
        }
        Targets::Filtered => {
            let Some(f) = filters else {
                return Ok(Vec::new());
            };
            let all = ListOptions {
                all: true,
                pod: None,
            };
            Ok(rt
                .list_containers_filtered(&all, f)
                .map_err(runtime_error)?
                .into_iter()
                .map(|r| r.config.id)
                .collect())
        }
    }
}

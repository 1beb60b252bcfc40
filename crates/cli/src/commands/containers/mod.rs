//! The container commands over berth-runtime.

#![allow(clippy::many_single_char_names)] // g/c/a/t/o: the command's parts, as everywhere here

mod copy;
mod listing;
mod parse;
mod run;

use super::io::attach_io;
use super::{
    all_containers, convert, each, exec_error, exit_byte, finish, newest_container, out,
    render_objects_as, run_error, with_runtime,
};
use crate::cli::GlobalOptions;
use crate::error::CliError;
use crate::opts::filter::runtime_error;
use crate::opts::targets::Selection;
use crate::opts::Targets;
use berth_runtime::{ContainerRecord, ContainerStatus, ListOptions, Runtime};
use copy::copy;
pub use listing::inspect_containers;
use listing::{ps, stats, top};
pub use parse::{parse, Parsed};
use run::{create, exec, foreground, run_container};
use std::time::Duration;

/// How long foreground commands wait for the last output after the exit.
const DRAIN: Duration = Duration::from_secs(5);

/// Runs a parsed container command ([`parse`]) on the runtime.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| dispatch(rt, c))
}

fn dispatch(rt: &Runtime, c: Parsed) -> anyhow::Result<u8> {
    match c {
        Parsed::Run(o) => run_container(rt, &o),
        Parsed::Create(o) => {
            let rec = create(rt, &o)?;
            out(&format!("{}\n", rec.config.id))?;
            Ok(0)
        }
        Parsed::Exec(o) => exec(rt, &o),
        Parsed::Start(s) => {
            let ids = targets(rt, &s.sel)?;
            if let Some(f) = &s.foreground {
                let [id] = ids.as_slice() else {
                    return Err(CliError::conflict(
                        "--attach",
                        "you cannot start and attach multiple containers at once",
                    )
                    .into());
                };
                let rec = rt.container(id)?;
                return foreground(rt, &rec, f.interactive, f.sig_proxy, &f.detach_keys, None)
                    .map(|c| c.unwrap_or(0));
            }
            each_named(rt, &s.sel, &ids, |id| {
                rt.start_container(id).map_err(run_error)
            })
        }
        Parsed::Stop {
            sel,
            ignore,
            timeout,
        } => {
            let ids = targets_ignoring(rt, &sel, ignore)?;
            each_named(rt, &sel, &ids, |id| {
                Ok(rt.stop_container(id, Some(timeout))?)
            })
        }
        Parsed::Restart {
            sel,
            running,
            timeout,
        } => {
            let mut ids = targets(rt, &sel)?;
            if running {
                ids.retain(|id| {
                    rt.container(id)
                        .is_ok_and(|r| r.state.status == ContainerStatus::Running)
                });
            }
            each_named(rt, &sel, &ids, |id| {
                Ok(rt.restart_container(id, Some(timeout))?)
            })
        }
        Parsed::Kill { sel, signal } => {
            let ids = targets(rt, &sel)?;
            each_named(rt, &sel, &ids, |id| Ok(rt.kill_container(id, signal.0)?))
        }
        Parsed::Pause { sel, pause } => {
            let mut ids = targets(rt, &sel)?;
            if sel.is_all() {
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
        Parsed::Rm(a) => {
            let mut ids = targets_ignoring(rt, &a.sel, a.ignore)?;
            if a.sel.is_all() {
                // Infra containers go with their pod (`pod rm`).
                ids.retain(|id| rt.container(id).is_ok_and(|r| !r.config.is_infra()));
            }
            each(&ids, |id| {
                let shown = given_name(&a.sel, rt, id);
                match rt.remove_container_within(id, a.force, a.volumes, a.timeout) {
                    Err(e) if a.ignore && e.is_not_found() => return Ok(()),
                    r => r?,
                }
                out(&format!("{shown}\n"))
            })
        }
        Parsed::List(l) => ps(rt, &l),
        Parsed::Inspect { sel, format } => {
            let names = names(rt, &sel)?;
            inspect_containers(rt, &names, &format)
        }
        Parsed::Logs { sel, opts } => {
            let names = names(rt, &sel)?;
            let mut stdout = std::io::stdout();
            each(&names, |n| Ok(rt.container_logs(n, &opts, &mut stdout)?))
        }
        Parsed::Wait { sel, condition } => {
            let names = names(rt, &sel)?;
            let mut last = 0;
            let mut errors = Vec::new();
            for n in &names {
                match rt.wait_container(n, condition, None) {
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
        Parsed::Attach(a) => {
            let names = names(rt, &a.sel)?;
            let rec = rt.container(&names[0])?;
            let (io, drained, detached) =
                attach_io(a.stdin && rec.config.stdin, rec.config.tty, &a.detach_keys);
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
        Parsed::Top { sel } => top(rt, &sel),
        Parsed::Stats(s) => stats(rt, &s),
        Parsed::Port { sel, port } => {
            let mut pairs = Vec::new();
            let recs: Vec<ContainerRecord> = if sel.is_all() {
                all_containers(rt)?
            } else {
                let names = names(rt, &sel)?;
                vec![rt.container(&names[0])?]
            };
            for r in &recs {
                let ports = rt.container_ports(&r.config.id)?;
                pairs.push((r.config.id.clone(), ports));
            }
            if sel.is_all() {
                out(&crate::output::port::port_all(
                    pairs.iter().map(|(i, p)| (i.as_str(), p.as_slice())),
                ))?;
            } else {
                out(&crate::output::port::port_lines(
                    &pairs[0].1,
                    port.as_deref(),
                )?)?;
            }
            Ok(0)
        }
        Parsed::Cp(o) => copy(rt, &o),
        Parsed::Mount { sel: None } => {
            for r in all_containers(rt)? {
                if !r.state.mount_point.is_empty() {
                    out(&format!(
                        "{}  {}\n",
                        &r.config.id[..12],
                        r.state.mount_point
                    ))?;
                }
            }
            Ok(0)
        }
        Parsed::Mount { sel: Some(sel) } => {
            let names = names(rt, &sel)?;
            each(&names, |n| {
                let p = rt.mount_container(n)?;
                out(&format!("{}\n", p.display()))
            })
        }
        Parsed::Unmount { sel, force } => {
            let names = names(rt, &sel)?;
            each(&names, |n| {
                rt.unmount_container(n, force)?;
                out(&format!("{n}\n"))
            })
        }
        Parsed::Exists { container } => Ok(u8::from(!rt.container_exists(&container)?)),
        Parsed::Prune { filters } => {
            let report = rt.prune_containers(&berth_runtime::ContainerPruneOptions { filters })?;
            super::system::print_prune_report(report)
        }
        Parsed::Cleanup { sel, rm } => {
            let names = names(rt, &sel)?;
            each(&names, |n| {
                rt.cleanup_container(n)?;
                if rm {
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

/// Runs `op` on each container of the selection `sel` (dropping what it
/// returns) and prints each one it succeeded on as the user named it
/// ([`given_name`]): the output of `start`, `stop`, `restart` and `kill`.
/// Errors are reported as [`each`] reports them.
fn each_named<T>(
    rt: &Runtime,
    sel: &Selection,
    ids: &[String],
    mut op: impl FnMut(&str) -> anyhow::Result<T>,
) -> anyhow::Result<u8> {
    each(ids, |id| {
        op(id)?;
        out(&format!("{}\n", given_name(sel, rt, id)))
    })
}

/// podman echoes a target as the user typed it; for --all/--latest, the id.
fn given_name(sel: &Selection, rt: &Runtime, id: &str) -> String {
    if let Targets::Named(names) = &sel.targets {
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

/// The containers of a selection made by
/// [`Selection::latest_or_named`]/[`Selection::all_latest_or_named`]:
/// every ID, the newest one's, or the names as given (not checked here:
/// the operation reports a missing one).
fn names(rt: &Runtime, sel: &Selection) -> anyhow::Result<Vec<String>> {
    match &sel.targets {
        Targets::All => all_ids(rt),
        Targets::Latest => Ok(vec![latest(rt)?]),
        Targets::Named(n) => Ok(n.clone()),
        Targets::Filtered => targets(rt, sel),
    }
}

/// The container ids a selection names, checked to exist.
fn targets(rt: &Runtime, sel: &Selection) -> anyhow::Result<Vec<String>> {
    targets_ignoring(rt, sel, false)
}

/// As [`targets`]; with `ignore`, names that do not exist are left out.
fn targets_ignoring(rt: &Runtime, sel: &Selection, ignore: bool) -> anyhow::Result<Vec<String>> {
    match &sel.targets {
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
            let all = ListOptions {
                all: true,
                pod: None,
            };
            Ok(rt
                .list_containers_filtered(&all, &sel.filters)
                .map_err(runtime_error)?
                .into_iter()
                .map(|r| r.config.id)
                .collect())
        }
    }
}

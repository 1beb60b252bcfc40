//! The pod commands over berth-runtime.

#![allow(clippy::many_single_char_names)] // c/a/o/t/p: the command's parts

mod create;
mod inspect;
mod logs;
mod ps;
mod rm;
mod stats;
mod top;

use super::{each, out, with_runtime};
use crate::cli::{GlobalOptions, PodCommand, PodPsArgs};
use crate::error::CliError;
use crate::opts::filter::parse_filters;
use crate::opts::targets::Selection;
use crate::opts::{signal::parse_signal, FilterTarget, Filters, PodCreateOptions, Signal, Targets};
use crate::output::{parse_format, OutputFormat};
use berth_runtime::Runtime;
use std::time::Duration;

/// A pod command with its arguments parsed once, before the runtime is
/// opened ([`parse`]); [`run`] acts on it.
#[derive(Debug)]
pub enum Parsed {
    /// `pod create`.
    Create(Box<PodCreateOptions>),
    /// `pod start`.
    Start(Selection),
    /// `pod stop`.
    Stop {
        /// The pods.
        sel: Selection,
        /// `--ignore`: a missing pod is no error.
        ignore: bool,
        /// `--time`.
        timeout: Duration,
    },
    /// `pod restart`.
    Restart(Selection),
    /// `pod pause`.
    Pause(Selection),
    /// `pod unpause`.
    Unpause(Selection),
    /// `pod kill`.
    Kill {
        /// The pods.
        sel: Selection,
        /// `--signal`.
        signal: Signal,
    },
    /// `pod rm`.
    Rm {
        /// The pods.
        sel: Selection,
        /// `--ignore`: a missing pod is no error.
        ignore: bool,
        /// `--force`.
        force: bool,
        /// `--time`: how long a forced stop waits before SIGKILL.
        timeout: Duration,
    },
    /// `pod exists`.
    Exists {
        /// The name or ID.
        pod: String,
    },
    /// `pod inspect`.
    Inspect {
        /// `--latest`, or the pods named.
        sel: Selection,
        /// `--format`.
        format: OutputFormat,
        /// `--format json` as written: podman 4.3 prints one pod as an
        /// object, not an array.
        json: bool,
    },
    /// `pod prune`.
    Prune {
        /// `--force`: no confirmation.
        force: bool,
    },
    /// `pod top`.
    Top {
        /// The pod.
        sel: Selection,
        /// The columns the ps descriptors chose.
        format: OutputFormat,
    },
    /// `pod logs`.
    Logs(logs::PodLogs),
    /// `pod stats`.
    Stats(stats::PodStats),
    /// `pod ps`.
    Ps {
        /// The flags as given.
        args: PodPsArgs,
        /// `--filter`.
        filters: Filters,
        /// `--format`.
        format: OutputFormat,
    },
}

/// Parses a pod command: bad input is refused before the runtime opens.
pub fn parse(c: PodCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        PodCommand::Create(a) => Parsed::Create(Box::new(PodCreateOptions::from_args(&a)?)),
        PodCommand::Kill(a) => {
            let signal = parse_signal("--signal", &a.signal)?;
            Parsed::Kill {
                sel: Selection::pods(a.all, a.latest, &a.pods, &[])?,
                signal,
            }
        }
        PodCommand::Start(a) => {
            Parsed::Start(Selection::pods(a.all, a.latest, &a.pods, &a.pod_id_file)?)
        }
        PodCommand::Stop(a) => Parsed::Stop {
            sel: Selection::pods(a.all, a.latest, &a.pods, &a.pod_id_file)?,
            ignore: a.ignore,
            timeout: Duration::from_secs(a.time),
        },
        PodCommand::Restart(a) => Parsed::Restart(Selection::pods(a.all, a.latest, &a.pods, &[])?),
        PodCommand::Pause(a) => Parsed::Pause(Selection::pods(a.all, a.latest, &a.pods, &[])?),
        PodCommand::Unpause(a) => Parsed::Unpause(Selection::pods(a.all, a.latest, &a.pods, &[])?),
        PodCommand::Rm(a) => Parsed::Rm {
            sel: Selection::pods(a.all, a.latest, &a.pods, &a.pod_id_file)?,
            ignore: a.ignore,
            force: a.force,
            timeout: Duration::from_secs(a.time),
        },
        PodCommand::Exists(a) => Parsed::Exists { pod: a.pod },
        PodCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", Some(&a.format))?,
            json: a.format == "json",
            sel: Selection::of(if a.latest {
                Targets::Latest
            } else {
                Targets::Named(a.pods)
            }),
        },
        PodCommand::Prune(a) => Parsed::Prune { force: a.force },
        PodCommand::Top(a) => {
            if a.args.is_empty() && !a.latest {
                anyhow::bail!("you must provide the name or id of a running pod");
            }
            let words = if a.latest {
                &a.args[..]
            } else {
                &a.args[1.min(a.args.len())..]
            };
            Parsed::Top {
                format: crate::commands::containers::top::descriptors(words)?,
                sel: Selection::latest_or_named(a.latest, &a.args[..a.args.len().min(1)])?,
            }
        }
        PodCommand::Logs(a) => Parsed::Logs(logs::parse(a)?),
        PodCommand::Stats(a) => Parsed::Stats(stats::parse(a)?),
        PodCommand::Ps(a) => Parsed::Ps {
            filters: parse_filters(FilterTarget::Pods, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        },
    })
}

/// Runs a parsed pod command on the runtime.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| dispatch(rt, c))
}

/// The pod IDs a selection names, checked to exist.
pub(super) fn ids(rt: &Runtime, sel: &Selection) -> anyhow::Result<Vec<String>> {
    Ok(match &sel.targets {
        Targets::All | Targets::Filtered => {
            rt.list_pods()?.into_iter().map(|p| p.config.id).collect()
        }
        Targets::Latest => rt
            .list_pods()?
            .into_iter()
            .max_by_key(|p| p.config.created)
            .map(|p| p.config.id)
            .into_iter()
            .collect(),
        Targets::Named(n) => {
            let mut v = Vec::new();
            for name in n {
                v.push(rt.pod(name)?.config.id);
            }
            v
        }
    })
}

/// [`ids`], leaving out the named pods that do not exist when `ignore`
/// (`--ignore`); else a missing pod is an error in podman's words, exiting
/// `missing_code` (1 for `pod rm`, as podman).
pub(super) fn ids_ignoring(
    rt: &Runtime,
    sel: &Selection,
    ignore: bool,
    missing_code: u8,
) -> anyhow::Result<Vec<String>> {
    match &sel.targets {
        Targets::Named(names) => {
            let mut v = Vec::new();
            for n in names {
                match rt.pod(n) {
                    Ok(p) => v.push(p.config.id),
                    Err(e) if e.is_not_found() && ignore => {}
                    Err(e) if e.is_not_found() => {
                        return Err(crate::error::Coded::wrap(
                            missing_code,
                            anyhow::anyhow!("no pod with name or ID {n} found: no such pod"),
                        ))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(v)
        }
        _ => ids(rt, sel),
    }
}

/// Prints per-member failures; the pod operation fails when any member did.
fn members(id: &str, errs: Vec<(String, berth_runtime::Error)>) -> anyhow::Result<()> {
    if errs.is_empty() {
        return out(&format!("{id}\n"));
    }
    let n = errs.len();
    for (ctr, e) in errs {
        eprintln!("Error: container {ctr}: {e}");
    }
    Err(CliError::conflict("pod", format!("{n} container(s) of pod {id} failed")).into())
}

fn dispatch(rt: &Runtime, c: Parsed) -> anyhow::Result<u8> {
    match c {
        Parsed::Create(o) => create::run(rt, &o),
        Parsed::Start(sel) => each(&ids(rt, &sel)?, |id| members(id, rt.start_pod(id)?)),
        Parsed::Stop {
            sel,
            ignore,
            timeout,
        } => each(
            &ids_ignoring(rt, &sel, ignore, crate::error::EXIT_BERTH)?,
            |id| members(id, rt.stop_pod(id, Some(timeout))?),
        ),
        Parsed::Restart(sel) => each(&ids(rt, &sel)?, |id| members(id, rt.restart_pod(id, None)?)),
        Parsed::Pause(sel) => each(&ids(rt, &sel)?, |id| members(id, rt.pause_pod(id)?)),
        Parsed::Unpause(sel) => each(&ids(rt, &sel)?, |id| members(id, rt.unpause_pod(id)?)),
        Parsed::Kill { sel, signal } => each(&ids(rt, &sel)?, |id| {
            members(id, rt.kill_pod(id, signal.0)?)
        }),
        Parsed::Rm {
            sel,
            ignore,
            force,
            timeout,
        } => rm::run(rt, &sel, ignore, force, timeout),
        Parsed::Exists { pod } => Ok(u8::from(!rt.pod_exists(&pod)?)),
        Parsed::Inspect { sel, format, json } => inspect::run(rt, sel, format, json),
        Parsed::Prune { force } => {
            if !force && !super::confirm(crate::prompt::POD_PRUNE)? {
                return Ok(0);
            }
            super::print_prune_report(rt.prune_pods()?)
        }
        Parsed::Top { sel, format } => top::run(rt, &sel, &format),
        Parsed::Logs(p) => logs::run(rt, p),
        Parsed::Stats(p) => stats::run(rt, &p),
        Parsed::Ps {
            args: a,
            filters,
            format,
        } => ps::run(rt, a, filters, format),
    }
}

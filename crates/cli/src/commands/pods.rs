//! The pod commands over berth-runtime.

#![allow(clippy::many_single_char_names)] // c/a/o/t/p: the command's parts

use super::{convert, each, out, print_listing, print_quiet_ids, render_objects_as, with_runtime};
use crate::cli::{GlobalOptions, PodCommand, PodPsArgs};
use crate::error::CliError;
use crate::opts::filter::{parse_filters, runtime_error};
use crate::opts::targets::Selection;
use crate::opts::{signal::parse_signal, FilterTarget, Filters, PodCreateOptions, Signal, Targets};
use crate::output::{
    parse_format,
    rows::{pods_listing, PodColumns},
    OutputFormat, PodSummary,
};
use berth_runtime::{ContainerRecord, ListOptions, PodRecord, Runtime};
use chrono::Utc;
use serde_json::Value;
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
fn ids(rt: &Runtime, sel: &Selection) -> anyhow::Result<Vec<String>> {
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
fn ids_ignoring(
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
        Parsed::Create(o) => {
            if o.replace {
                if let Some(n) = &o.name {
                    match rt.remove_pod(n, true) {
                        Err(e) if !e.is_not_found() => return Err(e.into()),
                        _ => {}
                    }
                }
            }
            let spec = convert::pod(&o)?;
            // The id file is opened before the pod exists, so a path that
            // cannot be written leaves no pod behind.
            let id_file = o
                .pod_id_file
                .as_ref()
                .map(|f| {
                    std::fs::File::create(f).map_err(|e| {
                        CliError::invalid("--pod-id-file", &f.to_string_lossy(), e.to_string())
                    })
                })
                .transpose()?;
            let p = rt.create_pod(&spec).inspect_err(|_| {
                if let Some(f) = &o.pod_id_file {
                    let _ = std::fs::remove_file(f);
                }
            })?;
            if let (Some(mut file), Some(f)) = (id_file, &o.pod_id_file) {
                use std::io::Write as _;
                file.write_all(p.config.id.as_bytes()).map_err(|e| {
                    CliError::invalid("--pod-id-file", &f.to_string_lossy(), e.to_string())
                })?;
            }
            out(&format!("{}\n", p.config.id))?;
            Ok(0)
        }
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
        Parsed::Kill { sel, signal } => each(&ids(rt, &sel)?, |id| {
            members(id, rt.kill_pod(id, signal.0)?)
        }),
        Parsed::Rm {
            sel,
            ignore,
            force,
            timeout,
        } => {
            let list = ids_ignoring(rt, &sel, ignore || force, 1)?;
            each(&list, |id| {
                if force {
                    // `--time`: the members get that long to stop before the removal
                    // kills what is left.
                    let _ = rt.stop_pod(id, Some(timeout));
                }
                rt.remove_pod(id, force)?;
                out(&format!("{id}\n"))
            })
        }
        Parsed::Exists { pod } => Ok(u8::from(!rt.pod_exists(&pod)?)),
        Parsed::Inspect { sel, format, json } => {
            let names = match &sel.targets {
                Targets::Named(n) => n.clone(),
                _ => ids(rt, &sel)?,
            };
            let mut objs = Vec::new();
            for n in &names {
                objs.push(serde_json::to_value(rt.inspect_pod(n)?)?);
            }
            // podman 4.3 prints one pod as an object, not an array.
            if objs.len() == 1 && json {
                out(&format!("{}\n", serde_json::to_string_pretty(&objs[0])?))?;
                return Ok(0);
            }
            render_objects_as(&format, &objs)
        }
        Parsed::Prune { force } => {
            if !force && !super::system::confirm(crate::prompt::POD_PRUNE)? {
                return Ok(0);
            }
            super::system::print_prune_report(rt.prune_pods()?)
        }
        Parsed::Ps {
            args: a,
            filters,
            format,
        } => {
            let now = Utc::now();
            let mut rows = Vec::new();
            for p in rt.list_pods_filtered(&filters).map_err(runtime_error)? {
                let s = match summary(rt, &p) {
                    Ok(s) => s,
                    // Removed while listing.
                    Err(e)
                        if e.downcast_ref::<berth_runtime::Error>()
                            .is_some_and(berth_runtime::Error::is_not_found) =>
                    {
                        continue
                    }
                    Err(e) => return Err(e),
                };
                rows.push(s);
            }
            rows.sort_by_key(|r| std::cmp::Reverse(r.created));
            if a.latest {
                rows.truncate(1);
            }
            crate::output::sort::sort_pods(&mut rows, &a.sort);
            if a.quiet {
                return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
            }
            let t: Vec<Value> = rows
                .iter()
                .map(|r| r.template_row(now, a.no_trunc))
                .collect();
            let j: Vec<Value> = rows.iter().map(PodSummary::json).collect();
            let listing = pods_listing(PodColumns {
                ids: a.ctr_ids,
                names: a.ctr_names,
                status: a.ctr_status,
                ns: a.ns,
            });
            print_listing(&format, &listing, &t, &j, a.noheading)
        }
    }
}

/// Every container of the pod `pod_id`, running or not.
fn pod_members(rt: &Runtime, pod_id: &str) -> berth_runtime::Result<Vec<ContainerRecord>> {
    rt.list_containers(&ListOptions {
        all: true,
        pod: Some(pod_id.to_owned()),
    })
}

fn summary(rt: &Runtime, p: &PodRecord) -> anyhow::Result<PodSummary> {
    let members = pod_members(rt, &p.config.id)?;
    Ok(PodSummary {
        id: p.config.id.clone(),
        name: p.config.name.clone(),
        status: capitalized(
            &rt.inspect_pod(&p.config.id)
                .map_or_else(|_| p.state.status.to_string(), |i| i.state),
        ),
        created: p.config.created,
        infra_id: p.config.infra_container_id.clone(),
        containers: members
            .iter()
            .map(|m| {
                let word = capitalized(&m.state.status.to_string());
                (m.config.id.clone(), m.config.name.clone(), word)
            })
            .collect(),
        labels: p.config.labels.clone(),
        networks: Vec::new(),
        cgroup: p.config.cgroup_parent.clone(),
        namespace: p.config.namespace.clone(),
    })
}

/// A state word as `pod ps` shows it: its first letter upper case
/// (`running` -> `Running`).
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn state_words_are_capitalized() {
        assert_eq!(super::capitalized("running"), "Running");
        assert_eq!(super::capitalized("Degraded"), "Degraded");
        assert_eq!(super::capitalized(""), "");
    }
}

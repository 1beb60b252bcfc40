//! `volume`, `system` and the top-level `inspect`.

#![allow(clippy::many_single_char_names)] // g/c/a/m/t: the command's parts

use super::{finish, newest_container, out, print_listing, render_objects_as, with_runtime};
use crate::cli::{
    GlobalOptions, InspectArgs, SystemCommand, VolumeCommand, VolumeInspectArgs, VolumeRmArgs,
};
use crate::error::CliError;
use crate::opts::filter::{parse_filters, parse_prune_filters, runtime_error};
use crate::opts::{kv::parse_key_values, FilterTarget, Filters};
use crate::output::{human::human_size, parse_format, rows::VOLUMES, OutputFormat, VolumeSummary};
use berth_runtime::{PruneFilters, PruneReport, Runtime, VolumeCreateOptions};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;

/// The volumes a command acts on: every volume with `--all`, else the
/// names given.
fn volume_names(rt: &Runtime, all: bool, names: &[String]) -> anyhow::Result<Vec<String>> {
    if all {
        Ok(rt.list_volumes()?.into_iter().map(|v| v.name).collect())
    } else {
        Ok(names.to_vec())
    }
}

/// Asks podman's `[y/N]` question on stdout after `warning`; the answer
/// from stdin.
pub(crate) fn confirm(warning: &str) -> anyhow::Result<bool> {
    let mut input = std::io::stdin().lock();
    let mut o = std::io::stdout();
    let yes = crate::prompt::confirm(warning, &mut input, &mut o)?;
    o.flush()?;
    Ok(yes)
}

/// A volume command with its arguments parsed once, before the runtime
/// is opened ([`parse_volume`]); [`volume`] acts on it.
#[allow(clippy::large_enum_variant)] // built once per process
#[derive(Debug)]
pub enum VolumeParsed {
    /// `volume create`.
    Create(VolumeCreateOptions),
    /// `volume ls`.
    Ls {
        /// `--filter`.
        filters: Filters,
        /// `--format`.
        format: OutputFormat,
        /// `--quiet`.
        quiet: bool,
        /// `--noheading`.
        noheading: bool,
    },
    /// `volume inspect`.
    Inspect {
        /// The flags as given.
        args: VolumeInspectArgs,
        /// `--format`.
        format: OutputFormat,
    },
    /// `volume rm`.
    Rm(VolumeRmArgs),
    /// `volume prune`.
    Prune {
        /// `--filter`.
        filters: PruneFilters,
        /// `--force`: no prompt.
        force: bool,
    },
}

/// Parses a volume command: bad input is refused before the runtime opens.
pub fn parse_volume(c: VolumeCommand) -> anyhow::Result<VolumeParsed> {
    Ok(match c {
        VolumeCommand::Create(a) => {
            if a.driver != "local" {
                return Err(CliError::invalid(
                    "--driver",
                    &a.driver,
                    "berth has only the local driver",
                )
                .into());
            }
            VolumeParsed::Create(VolumeCreateOptions {
                labels: parse_key_values("--label", &a.label)?,
                options: parse_key_values("--opt", &a.opt)?,
                name: a.name,
            })
        }
        VolumeCommand::Ls(a) => VolumeParsed::Ls {
            filters: parse_filters(FilterTarget::Volumes, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            quiet: a.quiet,
            noheading: a.noheading,
        },
        VolumeCommand::Inspect(a) => VolumeParsed::Inspect {
            format: parse_format("--format", Some(&a.format))?,
            args: a,
        },
        VolumeCommand::Rm(a) => VolumeParsed::Rm(a),
        VolumeCommand::Prune(a) => VolumeParsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            force: a.force,
        },
    })
}

/// Runs a parsed volume command.
pub fn volume(g: &GlobalOptions, c: VolumeParsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| match c {
        VolumeParsed::Create(o) => {
            let v = rt.create_volume(&o)?;
            out(&format!("{}\n", v.name))?;
            Ok(0)
        }
        VolumeParsed::Ls {
            filters,
            format,
            quiet,
            noheading,
        } => {
            let rows: Vec<VolumeSummary> = rt
                .list_volumes_filtered(&filters)
                .map_err(runtime_error)?
                .into_iter()
                .map(volume_summary)
                .collect();
            if quiet {
                for r in &rows {
                    out(&format!("{}\n", r.name))?;
                }
                return Ok(0);
            }
            let t: Vec<Value> = rows.iter().map(VolumeSummary::template_row).collect();
            print_listing(&format, &VOLUMES, &t, &t, noheading)
        }
        VolumeParsed::Inspect { args: a, format } => {
            let names = volume_names(rt, a.all, &a.volumes)?;
            let mut objs = Vec::new();
            for n in &names {
                let v = rt.inspect_volume(n)?;
                objs.push(json!({
                    "Name": v.name,
                    "Driver": v.driver,
                    "Mountpoint": v.mountpoint,
                    "CreatedAt": v.created_at.to_rfc3339(),
                    "Labels": v.labels,
                    "Scope": v.scope,
                    "Options": v.options,
                }));
            }
            render_objects_as(&format, &objs)
        }
        VolumeParsed::Rm(a) => {
            let names = volume_names(rt, a.all, &a.volumes)?;
            let errors = names
                .iter()
                .filter_map(|n| match rt.remove_volume(n, a.force) {
                    // `--force`: a missing volume is no error; without it, exit 1 in
                    // podman's words.
                    Err(e) if e.is_not_found() && a.force => None,
                    Err(e) if e.is_not_found() => Some(crate::error::Coded::wrap(
                        1,
                        anyhow::anyhow!("no volume with name {n:?} found: no such volume"),
                    )),
                    Err(e) => Some(e.into()),
                    Ok(()) => out(&format!("{n}\n")).err(),
                })
                .collect();
            finish(errors)
        }
        VolumeParsed::Prune { filters, force } => {
            if !force && !confirm(&crate::prompt::volume_prune(&rt.unused_volumes()?))? {
                return Ok(0);
            }
            print_prune_report(rt.prune_volumes(&berth_runtime::VolumePruneOptions { filters })?)
        }
    })
}

/// A system command (or the top-level `inspect`) with its arguments
/// parsed once, before the runtime is opened ([`parse_system`],
/// [`parse_inspect`]).
#[derive(Debug)]
pub enum SystemParsed {
    /// `system info`.
    Info {
        /// `--format`.
        format: OutputFormat,
    },
    /// `system refresh`.
    Refresh,
    /// `system reset`.
    Reset {
        /// `--force`: no prompt.
        force: bool,
    },
    /// `system prune`.
    Prune {
        /// `--filter`.
        filters: PruneFilters,
        /// `--force`: no prompt.
        force: bool,
        /// `--all`: every unused image, not only dangling ones.
        all: bool,
        /// `--volumes`.
        volumes: bool,
    },
    /// `system df`.
    Df {
        /// `--format`.
        format: OutputFormat,
    },
    /// `system check`.
    Check {
        /// `--repair`.
        repair: bool,
    },
}

/// Parses a system command: bad input is refused before the runtime opens.
pub fn parse_system(c: SystemCommand) -> anyhow::Result<SystemParsed> {
    Ok(match c {
        SystemCommand::Info(a) => SystemParsed::Info {
            format: parse_format("--format", a.format.as_deref())?,
        },
        SystemCommand::Refresh => SystemParsed::Refresh,
        SystemCommand::Reset(a) => SystemParsed::Reset { force: a.force },
        SystemCommand::Prune(a) => SystemParsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            force: a.force,
            all: a.all,
            volumes: a.volumes,
        },
        SystemCommand::Df(a) => SystemParsed::Df {
            format: parse_format("--format", a.format.as_deref())?,
        },
        SystemCommand::Check(a) => SystemParsed::Check { repair: a.repair },
    })
}

/// Runs a parsed system command.
pub fn system(g: &GlobalOptions, c: SystemParsed) -> anyhow::Result<u8> {
    match c {
        SystemParsed::Info { format } => with_runtime(g, |rt| {
            let info = serde_json::to_value(rt.info()?)?;
            match format {
                OutputFormat::Json => out(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&rekey(&info, false))?
                ))?,
                OutputFormat::Template(t) | OutputFormat::Table(t) => {
                    let mut s = t.render(&rekey(&info, true)).map_err(CliError::from)?;
                    if !s.ends_with('\n') {
                        s.push('\n');
                    }
                    out(&s)?;
                }
                OutputFormat::Default => {
                    let mut s = String::new();
                    yaml(&rekey(&info, false), 0, &mut s);
                    out(&s)?;
                }
            }
            Ok(0)
        }),
        SystemParsed::Refresh => {
            let rt = crate::engine::runtime(g)?;
            rt.system_refresh()?;
            rt.shutdown(false)?;
            Ok(0)
        }
        SystemParsed::Reset { force } => reset(g, force),
        SystemParsed::Prune {
            filters,
            force,
            all,
            volumes,
        } => {
            if !force && !confirm(&crate::prompt::system_prune(all, volumes))? {
                return Ok(0);
            }
            with_runtime(g, |rt| {
                let r = rt.prune_system(&berth_runtime::SystemPruneOptions {
                    all,
                    volumes,
                    filters,
                })?;
                let mut text = String::new();
                let mut errors = Vec::new();
                let mut part = |title: &str, report: PruneReport| {
                    text.push_str(title);
                    for id in report.ids() {
                        text.push_str(id);
                        text.push('\n');
                    }
                    errors.extend(report.errors.into_iter().map(|f| f.error.into()));
                };
                part("Deleted Containers\n", r.containers);
                part("Deleted Pods\n", r.pods);
                if let Some(v) = r.volumes {
                    part("Deleted Volumes\n", v);
                }
                part("Deleted Images\n", r.images);
                out(&text)?;
                finish(errors)
            })
        }
        SystemParsed::Df { format } => with_runtime(g, |rt| {
            let du = rt.disk_usage()?;
            let row = |kind: &str, u: &berth_runtime::UsageSummary| json!({"Type": kind, "Total": u.total, "Active": u.active, "Size": human_size(u.size), "Reclaimable": human_size(u.reclaimable)});
            let rows = vec![
                row("Images", &du.images),
                row("Containers", &du.containers),
                row("Local Volumes", &du.volumes),
            ];
            let listing = crate::output::Listing {
                default_template: "{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                headers: &[],
            };
            print_listing(&format, &listing, &rows, &rows, false)
        }),
        SystemParsed::Check { repair } => with_runtime(g, |rt| {
            let report = rt
                .system_check(&berth_runtime::CheckOptions {
                    repair,
                    ..berth_runtime::CheckOptions::default()
                })
                .map_err(crate::engine::runtime_error)?;
            let store = rt
                .check_storage(repair)
                .map_err(crate::engine::runtime_error)?;
            let mut lines = Vec::new();
            for o in &report.orphans {
                let owner = o
                    .owner
                    .as_deref()
                    .map(|id| format!(" (container {})", &id[..id.len().min(12)]))
                    .unwrap_or_default();
                let state = match (&o.repair_error, o.repaired) {
                    (Some(e), _) => format!(": could not repair: {e}"),
                    (None, true) => " - repaired".to_string(),
                    (None, false) => String::new(),
                };
                lines.push(format!("{}: {}{owner}{state}", o.kind.describe(), o.what));
            }
            for p in &store.problems {
                let state = if store.repaired { " - repaired" } else { "" };
                lines.push(format!("{p}{state}"));
            }
            if lines.is_empty() {
                out("No problems found\n")?;
                return Ok(0);
            }
            out(&lines.join("\n"))?;
            out("\n")?;
            let remaining = report.remaining()
                + if store.repaired {
                    0
                } else {
                    store.problems.len()
                };
            if remaining == 0 {
                out("Repaired\n")?;
                Ok(0)
            } else {
                let hint = if repair {
                    "could not be repaired"
                } else {
                    "found; run with --repair to fix them"
                };
                Err(
                    CliError::conflict("system check", format!("{remaining} problem(s) {hint}"))
                        .into(),
                )
            }
        }),
    }
}

fn reset(g: &GlobalOptions, force: bool) -> anyhow::Result<u8> {
    let rt = crate::engine::runtime(g)?;
    let cfg = rt.config()?;
    if !force
        && !confirm(&crate::prompt::system_reset(
            &cfg.storage.graph_root,
            &cfg.storage.run_root,
        ))?
    {
        let _ = rt.shutdown(false);
        return Ok(0);
    }
    let report = rt.system_reset()?;
    finish(report.errors.into_iter().map(anyhow::Error::new).collect())
}

/// Prints the IDs (volume names) a prune removed, one a line, then its
/// failures as [`finish`] reports them.
pub fn print_prune_report(report: PruneReport) -> anyhow::Result<u8> {
    let mut text = String::new();
    for id in report.ids() {
        text.push_str(id);
        text.push('\n');
    }
    out(&text)?;
    finish(
        report
            .errors
            .into_iter()
            .map(|f| anyhow::Error::new(f.error))
            .collect(),
    )
}

/// snake_case keys → podman's: camelCase in JSON (`graphRoot`), the Go
/// field names templates use (`GraphRoot`) when `pascal`.
fn rekey(v: &Value, pascal: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut key = String::new();
                    let mut up = pascal;
                    for ch in k.chars() {
                        if ch == '_' {
                            up = true;
                        } else if up {
                            key.push(ch.to_ascii_uppercase());
                            up = false;
                        } else {
                            key.push(ch);
                        }
                    }
                    (key, rekey(v, pascal))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| rekey(x, pascal)).collect()),
        other => other.clone(),
    }
}

/// podman prints `info` as YAML.
fn yaml(v: &Value, indent: usize, s: &mut String) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::Object(o) if !o.is_empty() => {
                        let _ = writeln!(s, "{pad}{k}:");
                        yaml(v, indent + 1, s);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        let _ = writeln!(s, "{pad}{k}:");
                        for item in a {
                            match item {
                                Value::Object(_) => {
                                    let _ = writeln!(s, "{pad}- ");
                                    yaml(item, indent + 1, s);
                                }
                                other => drop(writeln!(s, "{pad}- {}", scalar(other))),
                            }
                        }
                    }
                    Value::Object(_) => drop(writeln!(s, "{pad}{k}: {{}}")),
                    Value::Array(_) => drop(writeln!(s, "{pad}{k}: []")),
                    other => drop(writeln!(s, "{pad}{k}: {}", scalar(other))),
                }
            }
        }
        other => drop(writeln!(s, "{pad}{}", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Parses the top-level `inspect`'s `--format` before the runtime opens.
pub fn parse_inspect(a: InspectArgs) -> anyhow::Result<(InspectArgs, OutputFormat)> {
    let format = parse_format("--format", Some(&a.format))?;
    Ok((a, format))
}

/// The top-level `inspect`: containers, then images, pods, volumes.
pub fn inspect(g: &GlobalOptions, a: &InspectArgs, format: &OutputFormat) -> anyhow::Result<u8> {
    with_runtime(g, |rt| {
        let names: Vec<String> = if a.latest {
            newest_container(rt)?.into_iter().collect()
        } else {
            a.names.clone()
        };
        let kind = a.kind.as_str();
        let mut objs = Vec::new();
        let mut errors = Vec::new();
        for n in &names {
            let want = |k: &str| kind == "all" || kind == k;
            let found: Option<Value> = if want("container") && rt.container_exists(n)? {
                Some(super::containers::inspect_value(rt, n, a.size)?)
            } else if want("image") && rt.image_exists(n)? {
                Some(serde_json::to_value(rt.inspect_image(n)?)?)
            } else if want("pod") && rt.pod_exists(n)? {
                Some(serde_json::to_value(rt.inspect_pod(n)?)?)
            } else if want("volume") && rt.volume_exists(n)? {
                let v = rt.inspect_volume(n)?;
                Some(
                    json!({"Name": v.name, "Driver": v.driver, "Mountpoint": v.mountpoint, "Labels": v.labels, "Scope": v.scope}),
                )
            } else {
                None
            };
            match found {
                Some(v) => objs.push(v),
                None => errors.push(anyhow::anyhow!("no such object: {n:?}")),
            }
        }
        render_objects_as(format, &objs)?;
        finish(errors)
    })
}

fn volume_summary(v: berth_runtime::Volume) -> VolumeSummary {
    VolumeSummary {
        name: v.name,
        driver: v.driver,
        mountpoint: v.mountpoint.to_string_lossy().into_owned(),
        created: v.created_at,
        labels: v.labels,
        options: v.options,
    }
}

//! The container commands over berth-runtime.

#![allow(clippy::many_single_char_names)] // g/c/a/t/o: the command's parts, as everywhere here

mod attach;
mod cleanup;
mod commit;
mod copy;
mod diff;
mod exec;
mod export;
mod inspect;
pub(crate) mod logs;
mod mount;
mod pause;
mod port;
mod ps;
mod restart;
mod rm;
mod run;
mod runlabel;
mod select;
mod start;
pub(crate) mod stats;
#[cfg(test)]
mod tests;
pub(crate) mod top;
mod update;
mod wait;

use super::io::attach_io;
use super::{
    all_containers, convert, each, exec_error, exit_byte, finish, out, render_objects_as,
    run_error, with_runtime,
};
use crate::cli::{ContainerCommand, GlobalOptions};
use crate::opts::filter::parse_filters;
use crate::opts::filter::parse_prune_filters;
use crate::opts::targets::Selection;
use crate::opts::{
    signal::parse_signal, CopyOptions, CreateOptions, ExecOptions, FilterTarget, ParseContext,
    RunOptions, Signal,
};
use crate::output::{parse_format, OutputFormat};
use attach::Attach;
use berth_runtime::{LogOptions, PruneFilters, Runtime, WaitCondition};
use copy::copy;
use exec::exec;
pub use inspect::{inspect_containers, inspect_value};
use ps::List;
use rm::Rm;
use run::{create, run_container};
use select::{each_named, names, targets, targets_ignoring};
use start::Start;
use stats::Stats;
use std::time::Duration;

/// How long foreground commands wait for the last output after the exit.
const DRAIN: Duration = Duration::from_secs(5);

/// Runs a parsed container command ([`parse`]) on the runtime.
pub fn run(g: &GlobalOptions, mut c: Parsed) -> anyhow::Result<u8> {
    if let Parsed::Runlabel(r) = &mut c {
        r.set_engine(g)?;
    }
    with_runtime(g, |rt| dispatch(rt, c))
}

/// A container command, parsed.
#[derive(Debug)]
pub enum Parsed {
    /// `run`.
    Run(Box<RunOptions>),
    /// `create`.
    Create(Box<CreateOptions>),
    /// `exec`.
    Exec(Box<ExecOptions>),
    /// `cp`.
    Cp(CopyOptions),
    /// `start`.
    Start(Start),
    /// `stop`.
    Stop {
        /// The containers.
        sel: Selection,
        /// `--ignore`: missing containers are no error.
        ignore: bool,
        /// `--time`.
        timeout: Duration,
    },
    /// `restart`.
    Restart {
        /// The containers.
        sel: Selection,
        /// `--running`: only those running.
        running: bool,
        /// `--time`.
        timeout: Duration,
    },
    /// `kill`.
    Kill {
        /// The containers.
        sel: Selection,
        /// `--signal`.
        signal: Signal,
    },
    /// `pause` (`pause: true`) and `unpause`.
    Pause {
        /// The containers.
        sel: Selection,
        /// Pause rather than unpause.
        pause: bool,
    },
    /// `rm`.
    Rm(Rm),
    /// `ps`.
    List(List),
    /// `inspect`.
    Inspect {
        /// The containers.
        sel: Selection,
        /// `--format`.
        format: OutputFormat,
        /// `--size`.
        size: bool,
    },
    /// `logs`.
    Logs {
        /// The containers.
        sel: Selection,
        /// What to show.
        opts: LogOptions,
        /// `--names`: several containers' lines start with the name, not the short id.
        names: bool,
        /// `--color`: that prefix is coloured, one colour per container.
        color: bool,
    },
    /// `wait`.
    Wait {
        /// The containers.
        sel: Selection,
        /// The first `--condition`.
        condition: WaitCondition,
    },
    /// `attach`.
    Attach(Attach),
    /// `top`.
    Top {
        /// The container.
        sel: Selection,
        /// The columns the ps descriptors after it chose.
        format: OutputFormat,
    },
    /// `stats`.
    Stats(Stats),
    /// `port`.
    Port {
        /// The container, or every one with `--all`.
        sel: Selection,
        /// Only this private port.
        port: Option<String>,
    },
    /// `mount`; no selection lists the mounted containers.
    Mount {
        /// The containers to mount.
        sel: Option<Selection>,
        /// `--format json` (the listing only).
        json: bool,
        /// `--no-trunc`: full ids in the listing.
        no_trunc: bool,
    },
    /// `unmount`.
    Unmount {
        /// The containers.
        sel: Selection,
        /// `--force`.
        force: bool,
    },
    /// `container exists`.
    Exists {
        /// The name or ID.
        container: String,
        /// `--external`: storage's root filesystems count too.
        external: bool,
    },
    /// `container prune`.
    Prune {
        /// `--filter`.
        filters: PruneFilters,
        /// `--force`: no confirmation.
        force: bool,
    },
    /// `diff`.
    Diff(diff::Diff),
    /// `export`.
    Export(export::Export),
    /// `commit`.
    Commit(Box<commit::Commit>),
    /// `init`.
    Init(Selection),
    /// `update`.
    Update {
        /// The container.
        container: String,
        /// The new limits.
        opts: Box<berth_runtime::ContainerUpdateOptions>,
    },
    /// `container checkpoint` (`restore` false) and `container restore`.
    Checkpoint {
        /// The containers.
        sel: Selection,
        /// Restore rather than checkpoint.
        restore: bool,
    },
    /// `container runlabel`.
    Runlabel(Box<runlabel::Runlabel>),
    /// `rename`.
    Rename {
        /// The container.
        container: String,
        /// Its new name.
        name: String,
    },
    /// `container cleanup`.
    Cleanup {
        /// The containers.
        sel: Selection,
        /// `--rm`: remove them afterwards.
        rm: bool,
        /// `--rmi`: then remove their images, unless another container uses them.
        rmi: bool,
    },
}

/// Parses a container command. The checks run in the order the old
/// up-front checks ran them, so a command with several bad values reports
/// the same one first.
pub fn parse(c: ContainerCommand, ctx: &ParseContext<'_>) -> anyhow::Result<Parsed> {
    Ok(match c {
        ContainerCommand::Run(a) => Parsed::Run(Box::new(RunOptions::from_args(&a, ctx)?)),
        ContainerCommand::Create(a) => {
            Parsed::Create(Box::new(CreateOptions::from_create_args(&a, ctx)?))
        }
        ContainerCommand::Exec(a) => Parsed::Exec(Box::new(ExecOptions::from_args(&a, ctx)?)),
        ContainerCommand::Cp(a) => Parsed::Cp(CopyOptions::from_args(&a)?),
        ContainerCommand::Kill(a) => {
            let signal = parse_signal("--signal", &a.signal)?;
            let sel = Selection::containers(a.all, a.latest, &a.containers, &a.cidfile, &[])?;
            Parsed::Kill { sel, signal }
        }
        ContainerCommand::Pause(a) => Parsed::Pause {
            sel: Selection::containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?,
            pause: true,
        },
        ContainerCommand::Unpause(a) => Parsed::Pause {
            sel: Selection::containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?,
            pause: false,
        },
        ContainerCommand::Start(a) => Parsed::Start(start::parse(&a)?),
        ContainerCommand::Wait(a) => wait::parse(&a)?,
        ContainerCommand::Logs(a) => logs::parse(&a)?,
        ContainerCommand::List(a) => Parsed::List(List {
            filters: parse_filters(FilterTarget::Containers, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        }),
        ContainerCommand::Prune(a) => Parsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            force: a.force,
        },
        ContainerCommand::Stop(a) => Parsed::Stop {
            sel: Selection::containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?,
            ignore: a.ignore,
            timeout: Duration::from_secs(a.time),
        },
        ContainerCommand::Restart(a) => Parsed::Restart {
            sel: Selection::containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?,
            running: a.running,
            timeout: Duration::from_secs(a.time),
        },
        ContainerCommand::Rm(a) => Parsed::Rm(Rm {
            sel: Selection::containers(a.all, a.latest, &a.containers, &a.cidfile, &a.filter)?,
            ignore: a.ignore,
            force: a.force,
            volumes: a.volumes,
            depend: a.depend,
            timeout: Duration::from_secs(a.time),
        }),
        ContainerCommand::Stats(a) => Parsed::Stats(stats::parse(a)?),
        ContainerCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", Some(&a.format))?,
            size: a.size,
            sel: Selection::latest_or_named(a.latest, &a.containers)?,
        },
        ContainerCommand::Attach(a) => Parsed::Attach(attach::parse(&a)?),
        ContainerCommand::Top(a) => top::parse(&a)?,
        ContainerCommand::Port(a) => port::parse(a)?,
        ContainerCommand::Mount(a) => mount::parse(&a)?,
        ContainerCommand::Unmount(a) => Parsed::Unmount {
            sel: Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
            force: a.force,
        },
        ContainerCommand::Exists(a) => Parsed::Exists {
            container: a.container,
            external: a.external,
        },
        ContainerCommand::Diff(a) => diff::parse(a)?,
        ContainerCommand::Export(a) => export::parse(a)?,
        ContainerCommand::Commit(a) => commit::parse(a)?,
        ContainerCommand::Init(a) => Parsed::Init(Selection::all_latest_or_named(
            a.all,
            a.latest,
            &a.containers,
        )?),
        ContainerCommand::Update(a) => update::parse(a)?,
        ContainerCommand::Checkpoint(a) => Parsed::Checkpoint {
            sel: Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
            restore: false,
        },
        ContainerCommand::Restore(a) => {
            if a.import.is_some() {
                return Err(crate::error::CliError::not_supported(
                    "--import",
                    Some("restoring from an exported checkpoint needs CRIU, which berth does not drive yet"),
                )
                .into());
            }
            Parsed::Checkpoint {
                sel: Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
                restore: true,
            }
        }
        ContainerCommand::Runlabel(a) => runlabel::parse(a),
        ContainerCommand::Rename(a) => Parsed::Rename {
            container: a.container,
            name: a.name,
        },
        ContainerCommand::Cleanup(a) => Parsed::Cleanup {
            sel: Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
            rm: a.rm,
            rmi: a.rmi,
        },
    })
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
        Parsed::Start(s) => start::run(rt, s),
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
        } => restart::run(rt, sel, running, timeout),
        Parsed::Kill { sel, signal } => {
            let ids = targets(rt, &sel)?;
            each_named(rt, &sel, &ids, |id| Ok(rt.kill_container(id, signal.0)?))
        }
        Parsed::Pause { sel, pause } => pause::run(rt, sel, pause),
        Parsed::Rm(a) => rm::run(rt, a),
        Parsed::List(l) => ps::run(rt, &l),
        Parsed::Inspect { sel, format, size } => {
            let names = names(rt, &sel)?;
            inspect_containers(rt, &names, &format, size)
        }
        Parsed::Logs {
            sel,
            opts,
            names,
            color,
        } => logs::run(rt, sel, opts, names, color),
        Parsed::Wait { sel, condition } => wait::run(rt, sel, condition),
        Parsed::Attach(a) => attach::run(rt, a),
        Parsed::Top { sel, format } => top::run(rt, &sel, &format),
        Parsed::Stats(s) => stats::run(rt, &s),
        Parsed::Port { sel, port } => port::run(rt, sel, port),
        Parsed::Cp(o) => copy(rt, &o),
        Parsed::Mount {
            sel: None,
            json,
            no_trunc,
        } => mount::list(rt, json, no_trunc),
        Parsed::Mount { sel: Some(sel), .. } => mount::run(rt, sel),
        Parsed::Unmount { sel, force } => mount::unmount(rt, sel, force),
        Parsed::Exists {
            container,
            external,
        } => {
            let found = rt.container_exists(&container)?
                || (external
                    && rt
                        .external_containers()?
                        .iter()
                        .any(|e| e.id.starts_with(&container)));
            Ok(u8::from(!found))
        }
        Parsed::Prune { filters, force } => {
            if !force && !super::confirm(crate::prompt::CONTAINER_PRUNE)? {
                return Ok(0);
            }
            let report = rt.prune_containers(&berth_runtime::ContainerPruneOptions { filters })?;
            super::print_prune_report(report)
        }
        Parsed::Cleanup { sel, rm, rmi } => cleanup::run(rt, sel, rm, rmi),
        Parsed::Diff(d) => diff::run(rt, d),
        Parsed::Update { container, opts } => update::run(rt, &container, &opts),
        Parsed::Checkpoint { sel, restore } => {
            let ids = targets(rt, &sel)?;
            each_named(rt, &sel, &ids, |id| Ok(rt.checkpoint_restore(id, restore)?))
        }
        Parsed::Runlabel(r) => runlabel::run(rt, &r),
        Parsed::Rename { container, name } => {
            rt.rename_container(&container, &name)?;
            Ok(0)
        }
        Parsed::Export(e) => export::run(rt, e),
        Parsed::Commit(c) => commit::run(rt, *c),
        Parsed::Init(sel) => {
            let ids = targets(rt, &sel)?;
            each_named(rt, &sel, &ids, |id| Ok(rt.init_container(id)?))
        }
    }
}

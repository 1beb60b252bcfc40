//! A container command's arguments parsed once, before the runtime is
//! opened: bad input is refused before anything is written, and the
//! handlers in [`super`] run on these values without parsing again.

use crate::cli::{
    AttachArgs, ContainerCommand, LogsArgs, MountArgs, PortArgs, PsArgs, StartArgs, StatsArgs,
    TopArgs, WaitArgs,
};
use crate::error::CliError;
use crate::opts::filter::{parse_filters, parse_prune_filters};
use crate::opts::keys::parse_detach_keys;
use crate::opts::targets::{parse_wait_conditions, Selection};
use crate::opts::time::{parse_duration, parse_time};
use crate::opts::{
    signal::parse_signal, CopyOptions, CreateOptions, ExecOptions, FilterTarget, Filters,
    ParseContext, RunOptions, Signal,
};
use crate::output::{parse_format, OutputFormat};
use berth_runtime::{LogOptions, PruneFilters, WaitCondition};
use std::time::Duration;

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
    },
    /// `logs`.
    Logs {
        /// The containers.
        sel: Selection,
        /// What to show.
        opts: LogOptions,
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
    },
    /// `container prune`.
    Prune {
        /// `--filter`.
        filters: PruneFilters,
    },
    /// `container cleanup`.
    Cleanup {
        /// The containers.
        sel: Selection,
        /// `--rm`: remove them afterwards.
        rm: bool,
    },
}

/// `start`, parsed.
#[derive(Debug)]
pub struct Start {
    /// The containers.
    pub sel: Selection,
    /// With `--attach` or `--interactive`: the one container runs in the
    /// foreground.
    pub foreground: Option<Foreground>,
}

/// How `start --attach` runs its container.
#[derive(Debug)]
pub struct Foreground {
    /// `--interactive`.
    pub interactive: bool,
    /// `--sig-proxy`.
    pub sig_proxy: bool,
    /// `--detach-keys`.
    pub detach_keys: Vec<u8>,
}

/// `rm`, parsed.
#[derive(Debug)]
pub struct Rm {
    /// The containers.
    pub sel: Selection,
    /// `--ignore`.
    pub ignore: bool,
    /// `--force`.
    pub force: bool,
    /// `--volumes`.
    pub volumes: bool,
    /// `--time`.
    pub timeout: Duration,
}

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

/// `attach`, parsed.
#[derive(Debug)]
pub struct Attach {
    /// The container.
    pub sel: Selection,
    /// Not `--no-stdin`.
    pub stdin: bool,
    /// `--detach-keys`.
    pub detach_keys: Vec<u8>,
}

/// `stats`, parsed.
#[derive(Debug)]
pub struct Stats {
    /// The flags as given.
    pub args: StatsArgs,
    /// `--format`.
    pub format: OutputFormat,
    /// The containers named (or `--latest`); none means every running
    /// one (every one with `--all`).
    pub sel: Option<Selection>,
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
        ContainerCommand::Start(a) => Parsed::Start(start(&a)?),
        ContainerCommand::Wait(a) => wait(&a)?,
        ContainerCommand::Logs(a) => logs(&a)?,
        ContainerCommand::List(a) => Parsed::List(List {
            filters: parse_filters(FilterTarget::Containers, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        }),
        ContainerCommand::Prune(a) => Parsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
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
            timeout: Duration::from_secs(a.time),
        }),
        ContainerCommand::Stats(a) => Parsed::Stats(stats(a)?),
        ContainerCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", Some(&a.format))?,
            sel: Selection::latest_or_named(a.latest, &a.containers)?,
        },
        ContainerCommand::Attach(a) => Parsed::Attach(attach(&a)?),
        ContainerCommand::Top(a) => top(&a)?,
        ContainerCommand::Port(a) => port(a)?,
        ContainerCommand::Mount(a) => mount(&a)?,
        ContainerCommand::Unmount(a) => Parsed::Unmount {
            sel: Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
            force: a.force,
        },
        ContainerCommand::Exists(a) => Parsed::Exists {
            container: a.container,
        },
        ContainerCommand::Cleanup(a) => Parsed::Cleanup {
            sel: Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
            rm: a.rm,
        },
    })
}

fn start(a: &StartArgs) -> anyhow::Result<Start> {
    let sel = Selection::containers(a.all, a.latest, &a.containers, &[], &a.filter)?;
    // The detach keys matter (and are checked) only in the foreground.
    let foreground = if a.attach || a.interactive {
        Some(Foreground {
            interactive: a.interactive,
            sig_proxy: a.sig_proxy.unwrap_or(true),
            detach_keys: parse_detach_keys(&a.detach_keys)?,
        })
    } else {
        None
    };
    Ok(Start { sel, foreground })
}

fn wait(a: &WaitArgs) -> anyhow::Result<Parsed> {
    let conditions = parse_wait_conditions(&a.condition)?;
    // Checked for podman's sake; the runtime waits on state changes, not
    // by polling at this interval.
    parse_duration("--interval", &a.interval, Duration::from_millis(1))?;
    let condition = match conditions.first().map(String::as_str) {
        Some("running") => WaitCondition::Running,
        Some("paused") => WaitCondition::Paused,
        Some("created" | "configured") => WaitCondition::Created,
        _ => WaitCondition::Exited,
    };
    Ok(Parsed::Wait {
        sel: Selection::latest_or_named(a.latest, &a.containers)?,
        condition,
    })
}

fn logs(a: &LogsArgs) -> anyhow::Result<Parsed> {
    let now = chrono::Utc::now();
    let since = a
        .since
        .as_deref()
        .map(|t| parse_time("--since", t, now))
        .transpose()?;
    let until = a
        .until
        .as_deref()
        .map(|t| parse_time("--until", t, now))
        .transpose()?;
    if a.tail < -1 {
        return Err(CliError::invalid(
            "--tail",
            &a.tail.to_string(),
            "expected -1 (all) or a number of lines",
        )
        .into());
    }
    Ok(Parsed::Logs {
        sel: Selection::latest_or_named(a.latest, &a.containers)?,
        opts: LogOptions {
            follow: a.follow,
            tail: usize::try_from(a.tail).ok(),
            since,
            until,
            timestamps: a.timestamps,
        },
    })
}

fn stats(a: StatsArgs) -> anyhow::Result<Stats> {
    let format = parse_format("--format", a.format.as_deref())?;
    if a.interval == 0 {
        return Err(CliError::invalid("--interval", "0", "must be at least 1 second").into());
    }
    let sel = if a.containers.is_empty() && !a.latest {
        None
    } else {
        Some(Selection::latest_or_named(a.latest, &a.containers)?)
    };
    Ok(Stats {
        args: a,
        format,
        sel,
    })
}

fn attach(a: &AttachArgs) -> anyhow::Result<Attach> {
    let sel = Selection::latest_or_named(a.latest, a.container.as_slice())?;
    Ok(Attach {
        sel,
        stdin: !a.no_stdin,
        detach_keys: parse_detach_keys(&a.detach_keys)?,
    })
}

fn top(a: &TopArgs) -> anyhow::Result<Parsed> {
    Ok(Parsed::Top {
        sel: Selection::latest_or_named(a.latest, &a.args[..a.args.len().min(1)])?,
    })
}

fn port(a: PortArgs) -> anyhow::Result<Parsed> {
    let sel = if a.all {
        Selection::of(crate::opts::Targets::All)
    } else {
        Selection::latest_or_named(a.latest, a.container.as_slice())?
    };
    Ok(Parsed::Port { sel, port: a.port })
}

fn mount(a: &MountArgs) -> anyhow::Result<Parsed> {
    let sel = if a.containers.is_empty() && !a.all && !a.latest {
        None
    } else {
        Some(Selection::all_latest_or_named(
            a.all,
            a.latest,
            &a.containers,
        )?)
    };
    Ok(Parsed::Mount { sel })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::opts::Targets;
    use clap::Parser;

    fn parsed(args: &[&str]) -> anyhow::Result<Parsed> {
        let mut argv = vec!["berth", "container"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).unwrap();
        let crate::cli::Group::Container(c) = cli.command.into_group() else {
            panic!("not a container command")
        };
        parse(c, &ParseContext::from_process().unwrap())
    }

    #[test]
    fn selections_are_parsed_once_with_their_command() {
        let Parsed::Stop { sel, timeout, .. } = parsed(&["stop", "-t", "3", "a", "b"]).unwrap()
        else {
            panic!()
        };
        assert_eq!(sel.targets, Targets::Named(vec!["a".into(), "b".into()]));
        assert_eq!(timeout, Duration::from_secs(3));
        let Parsed::Kill { sel, signal } = parsed(&["kill", "-a", "-s", "TERM"]).unwrap() else {
            panic!()
        };
        assert!(sel.is_all());
        assert_eq!(signal, "TERM".parse().unwrap());
        let Parsed::Rm(rm) = parsed(&["rm", "--filter", "status=exited"]).unwrap() else {
            panic!()
        };
        assert_eq!(rm.sel.targets, Targets::Filtered);
    }

    #[test]
    fn cidfiles_are_read_while_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let cid = dir.path().join("cid");
        std::fs::write(&cid, "abc\n").unwrap();
        let Parsed::Rm(rm) = parsed(&["rm", "--cidfile", cid.to_str().unwrap()]).unwrap() else {
            panic!()
        };
        assert_eq!(rm.sel.targets, Targets::Named(vec!["abc".into()]));
    }

    #[test]
    fn latest_wins_and_listing_forms_need_no_names() {
        let Parsed::Logs { sel, opts } = parsed(&["logs", "-l", "--tail", "3", "x"]).unwrap()
        else {
            panic!()
        };
        assert_eq!(sel.targets, Targets::Latest);
        assert_eq!(opts.tail, Some(3));
        assert!(matches!(
            parsed(&["mount"]).unwrap(),
            Parsed::Mount { sel: None }
        ));
        let Parsed::Stats(s) = parsed(&["stats", "--no-stream"]).unwrap() else {
            panic!()
        };
        assert!(s.sel.is_none());
        let Parsed::Wait { condition, .. } =
            parsed(&["wait", "--condition", "running", "x"]).unwrap()
        else {
            panic!()
        };
        assert_eq!(condition, WaitCondition::Running);
    }

    #[test]
    fn detach_keys_are_checked_only_when_used() {
        assert!(parsed(&["start", "--detach-keys", "bogus", "x"]).is_ok());
        let e = parsed(&["start", "-a", "--detach-keys", "bogus", "x"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--detach-keys"), "{e}");
    }
}

//! `start`: one container in the foreground with `--attach`, else each one started.

use super::run::foreground;
use super::run_error;
use super::select::{each_named, targets};
use crate::cli::StartArgs;
use crate::commands::{each, out};
use crate::error::CliError;
use crate::opts::keys::parse_detach_keys;
use crate::opts::targets::Selection;
use crate::opts::targets::Targets;
use berth_runtime::{ContainerStatus, Runtime};

/// `start`, parsed.
#[derive(Debug)]
pub struct Start {
    /// The containers.
    pub sel: Selection,
    /// With `--filter`: the names given, each started only when it passes the filters.
    pub filtered_names: Vec<String>,
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

/// Parses `start`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &StartArgs) -> anyhow::Result<Start> {
    if a.all && !a.containers.is_empty() {
        // podman's words for `start --all NAME` (its tests look for them; `--all` is
        // "start all containers").
        return Err(anyhow::anyhow!(
            "either start all containers or the container(s) provided in the arguments"
        ));
    }
    // podman applies --filter to the names given, and to every container with --all.
    let filtered = !a.filter.is_empty();
    let sel = if filtered {
        Selection::containers(false, a.latest, &[], &[], &a.filter)?
    } else {
        Selection::containers(a.all, a.latest, &a.containers, &[], &a.filter)?
    };
    let filtered_names = if filtered {
        a.containers.clone()
    } else {
        Vec::new()
    };
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
    Ok(Start {
        sel,
        filtered_names,
        foreground,
    })
}

/// Runs `start`.
pub(super) fn run(rt: &Runtime, s: Start) -> anyhow::Result<u8> {
    let mut ids = targets(rt, &s.sel)?;
    if matches!(s.sel.targets, Targets::All) {
        // `--all` starts what is not running (podman's).
        ids.retain(|id| {
            rt.container(id).is_ok_and(|r| {
                !matches!(
                    r.state.status,
                    ContainerStatus::Running | ContainerStatus::Paused
                )
            })
        });
    }
    if !s.filtered_names.is_empty() {
        let mut named = Vec::new();
        for name in &s.filtered_names {
            if ids.contains(&rt.container(name)?.config.id) {
                named.push(name.clone());
            }
        }
        return each(&named, |name| {
            let id = rt.container(name)?.config.id;
            rt.start_container(&id).map_err(run_error)?;
            out(&format!("{name}\n"))
        });
    }
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

//! Resolving a parsed [`Selection`] against the runtime: the container IDs
//! a command acts on, and how each is echoed back.

use super::super::{all_containers, each, finish, newest_container, out};
use crate::error::CliError;
use crate::opts::filter::runtime_error;
use crate::opts::targets::Selection;
use crate::opts::Targets;
use berth_runtime::{ListOptions, Runtime};

pub(super) fn matches_id(rt: &Runtime, name: &str, id: &str) -> bool {
    rt.container(name).is_ok_and(|r| r.config.id == id)
}

/// Runs `op` on each container of the selection `sel` (dropping what it
/// returns) and prints each one it succeeded on as the user named it
/// ([`given_name`]): the output of `start`, `stop`, `restart` and `kill`.
/// Errors are reported as [`each`] reports them.
pub(super) fn each_named<T>(
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
pub(super) fn given_name(sel: &Selection, rt: &Runtime, id: &str) -> String {
    if let Targets::Named(names) = &sel.targets {
        if let Some(n) = names.iter().find(|n| matches_id(rt, n, id)) {
            return n.clone();
        }
    }
    id.to_owned()
}

/// The newest container's ID; an error when there is none.
pub(super) fn latest(rt: &Runtime) -> anyhow::Result<String> {
    newest_container(rt)?
        .ok_or_else(|| CliError::conflict("--latest", "there are no containers").into())
}

/// Every container's ID.
pub(super) fn all_ids(rt: &Runtime) -> anyhow::Result<Vec<String>> {
    Ok(all_containers(rt)?
        .into_iter()
        .map(|r| r.config.id)
        .collect())
}

/// The containers of a selection made by
/// [`Selection::latest_or_named`]/[`Selection::all_latest_or_named`]:
/// every ID, the newest one's, or the names as given (not checked here:
/// the operation reports a missing one).
pub(super) fn names(rt: &Runtime, sel: &Selection) -> anyhow::Result<Vec<String>> {
    match &sel.targets {
        Targets::All => all_ids(rt),
        Targets::Latest => Ok(vec![latest(rt)?]),
        Targets::Named(n) => Ok(n.clone()),
        Targets::Filtered => targets(rt, sel),
    }
}

/// The container ids a selection names, checked to exist.
pub(super) fn targets(rt: &Runtime, sel: &Selection) -> anyhow::Result<Vec<String>> {
    targets_ignoring(rt, sel, false)
}

/// As [`targets`]; with `ignore`, names that do not exist are left out.
pub(super) fn targets_ignoring(
    rt: &Runtime,
    sel: &Selection,
    ignore: bool,
) -> anyhow::Result<Vec<String>> {
    targets_reporting(rt, sel, ignore, |_, e| anyhow::Error::new(e))
}

/// As [`targets_ignoring`], with `missing` turning a named container that
/// does not exist (its name and the runtime's error) into the error shown.
pub(super) fn targets_reporting(
    rt: &Runtime,
    sel: &Selection,
    ignore: bool,
    missing: impl Fn(&str, berth_runtime::Error) -> anyhow::Error,
) -> anyhow::Result<Vec<String>> {
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
                    Err(e) if e.is_not_found() => errors.push(missing(name, e)),
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

//! `rm`.

use super::select::{given_name, targets_reporting};
use super::{each, out};
use crate::opts::targets::Selection;
use berth_runtime::Runtime;
use std::time::Duration;

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
    /// `--depend`: the containers depending on each one go first.
    pub depend: bool,
    /// `--time`.
    pub timeout: Duration,
}

/// Runs `rm`.
pub(super) fn run(rt: &Runtime, a: Rm) -> anyhow::Result<u8> {
    let mut ids = rm_targets(rt, &a.sel, a.ignore || a.force)?;
    let mut infra = Vec::new();
    if a.sel.is_all() {
        // Infra containers go last, each with its pod, as podman's `rm --all`.
        let is_infra = |id: &String| rt.container(id).is_ok_and(|r| r.config.is_infra());
        infra = ids.iter().filter(|id| is_infra(id)).cloned().collect();
        ids.retain(|id| !infra.contains(id));
        ids.extend(infra.iter().cloned());
    }
    each(&ids, |id| {
        if a.depend || infra.iter().any(|i| i == id) {
            // Dependents first, each printed by its id; the container as named.
            let shown = given_name(&a.sel, rt, id);
            let removed =
                match rt.remove_container_with_dependents(id, a.force, a.volumes, a.timeout) {
                    Err(e) if a.ignore && e.is_not_found() => return Ok(()),
                    r => r.map_err(coded)?,
                };
            for dep in removed.iter().take(removed.len().saturating_sub(1)) {
                out(&format!("{dep}\n"))?;
            }
            return out(&format!("{shown}\n"));
        }
        let shown = given_name(&a.sel, rt, id);
        match rt.remove_container_within(id, a.force, a.volumes, a.timeout) {
            Err(e) if a.ignore && e.is_not_found() => return Ok(()),
            r => r.map_err(coded)?,
        }
        out(&format!("{shown}\n"))
    })
}

/// podman's exit code 2 for a container whose state forbids removal (running without
/// `--force`); others (dependents, ...) stay 125, as podman's.
fn coded(e: berth_runtime::Error) -> anyhow::Error {
    if e.kind() == berth_runtime::ErrorKind::InvalidState {
        crate::error::Coded::wrap(2, e)
    } else {
        e.into()
    }
}

/// `rm`'s containers: a missing named one is skipped with `--ignore` or
/// `--force`, else exit 1 in podman's words (as `podman rm`).
fn rm_targets(rt: &Runtime, sel: &Selection, skip_missing: bool) -> anyhow::Result<Vec<String>> {
    targets_reporting(rt, sel, skip_missing, |name, _| {
        crate::error::Coded::wrap(
            1,
            anyhow::anyhow!("no container with name or ID {name:?} found: no such container"),
        )
    })
}

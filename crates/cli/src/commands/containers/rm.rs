//! `rm`.

use super::select::{given_name, targets_ignoring};
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
    /// `--time`.
    pub timeout: Duration,
}

/// Runs `rm`.
pub(super) fn run(rt: &Runtime, a: Rm) -> anyhow::Result<u8> {
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

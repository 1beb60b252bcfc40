//! `pod rm`.

use super::ids_ignoring;
use crate::commands::{each, out};
use crate::opts::targets::Selection;
use berth_runtime::Runtime;
use std::time::Duration;

/// Runs `pod rm`: a missing pod is skipped with `ignore` or `force`, else
/// exit 1 in podman's words; with `force`, the members get `timeout` to
/// stop before the removal kills what is left.
pub(super) fn run(
    rt: &Runtime,
    sel: &Selection,
    ignore: bool,
    force: bool,
    timeout: Duration,
) -> anyhow::Result<u8> {
    let list = ids_ignoring(rt, sel, ignore || force, 1)?;
    each(&list, |id| {
        if force {
            let _ = rt.stop_pod(id, Some(timeout));
        }
        rt.remove_pod(id, force)?;
        out(&format!("{id}\n"))
    })
}

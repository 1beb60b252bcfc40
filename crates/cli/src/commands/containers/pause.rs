//! `pause` and `unpause`.

use super::select::targets;
use super::{each, out};
use crate::opts::targets::Selection;
use berth_runtime::{ContainerStatus, Runtime};

/// Runs `pause`.
pub(super) fn run(rt: &Runtime, sel: Selection, pause: bool) -> anyhow::Result<u8> {
    let mut ids = targets(rt, &sel)?;
    if sel.is_all() {
        let want = if pause {
            ContainerStatus::Running
        } else {
            ContainerStatus::Paused
        };
        ids.retain(|id| rt.container(id).is_ok_and(|r| r.state.status == want));
    }
    each(&ids, |id| {
        if pause {
            rt.pause_container(id)?;
        } else {
            rt.unpause_container(id)?;
        }
        out(&format!("{id}\n"))
    })
}

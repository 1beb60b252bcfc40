//! `restart`, of every selected container or only the running ones.

use super::select::{each_named, targets};
use crate::opts::targets::Selection;
use berth_runtime::{ContainerStatus, Runtime};
use std::time::Duration;

/// Runs `restart`.
pub(super) fn run(
    rt: &Runtime,
    sel: Selection,
    running: bool,
    timeout: Duration,
) -> anyhow::Result<u8> {
    let mut ids = targets(rt, &sel)?;
    if running {
        ids.retain(|id| {
            rt.container(id)
                .is_ok_and(|r| r.state.status == ContainerStatus::Running)
        });
    }
    each_named(rt, &sel, &ids, |id| {
        Ok(rt.restart_container(id, Some(timeout))?)
    })
}

//! `mount` (listing the mounted containers without names) and `unmount`.

use super::select::names;
use super::{all_containers, each, out, Parsed};
use crate::cli::MountArgs;
use crate::opts::targets::Selection;
use berth_runtime::Runtime;

/// Parses `mount`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &MountArgs) -> anyhow::Result<Parsed> {
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

/// `mount` without names: every mounted container, short ID and mount point.
pub(super) fn list(rt: &Runtime) -> anyhow::Result<u8> {
    for r in all_containers(rt)? {
        if !r.state.mount_point.is_empty() {
            out(&format!(
                "{}  {}\n",
                &r.config.id[..12],
                r.state.mount_point
            ))?;
        }
    }
    Ok(0)
}

/// Runs `mount`.
pub(super) fn run(rt: &Runtime, sel: Selection) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    each(&names, |n| {
        let p = rt.mount_container(n)?;
        out(&format!("{}\n", p.display()))
    })
}

/// Runs `unmount`.
pub(super) fn unmount(rt: &Runtime, sel: Selection, force: bool) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    each(&names, |n| {
        rt.unmount_container(n, force)?;
        out(&format!("{n}\n"))
    })
}

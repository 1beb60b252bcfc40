//! `mount` (listing the mounted containers without names) and `unmount`.

use super::select::names;
use super::{all_containers, each, out, Parsed};
use crate::cli::MountArgs;
use crate::error::CliError;
use crate::opts::targets::Selection;
use berth_runtime::{ContainerRecord, Runtime};

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
    let json = match a.format.as_deref() {
        None => false,
        Some("json") => true,
        Some(f) => return Err(CliError::invalid("--format", f, "expected json").into()),
    };
    Ok(Parsed::Mount {
        sel,
        json,
        no_trunc: a.no_trunc,
    })
}

/// `mount` without names: every mounted container, short ID and mount point.
/// `--format json` prints them as objects; `--no-trunc` shows full ids.
pub(super) fn list(rt: &Runtime, json: bool, no_trunc: bool) -> anyhow::Result<u8> {
    let mounted: Vec<ContainerRecord> = all_containers(rt)?
        .into_iter()
        .filter(|r| !r.state.mount_point.is_empty())
        .collect();
    if json {
        let objs: Vec<serde_json::Value> = mounted
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.config.id,
                    "names": [r.config.name],
                    "mountpoint": r.state.mount_point,
                })
            })
            .collect();
        out(&format!("{}\n", serde_json::to_string_pretty(&objs)?))?;
        return Ok(0);
    }
    for r in mounted {
        let id = if no_trunc {
            &r.config.id[..]
        } else {
            &r.config.id[..12]
        };
        out(&format!("{id}  {}\n", r.state.mount_point))?;
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

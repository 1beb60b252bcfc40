//! `wait`: each container's exit code (or the condition reached).

use super::select::names;
use super::{finish, out, Parsed};
use crate::cli::WaitArgs;
use crate::opts::targets::{parse_wait_conditions, Selection};
use crate::opts::time::parse_duration;
use berth_runtime::{ContainerStatus, Runtime, WaitCondition};
use std::time::Duration;

/// Parses `wait`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &WaitArgs) -> anyhow::Result<Parsed> {
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

/// Runs `wait`.
pub(super) fn run(rt: &Runtime, sel: Selection, condition: WaitCondition) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    let mut errors = Vec::new();
    for n in &names {
        // As podman: a container that never ran has nothing to wait for; its code is 0.
        if condition == WaitCondition::Exited {
            if let Ok(r) = rt.container(n) {
                if matches!(
                    r.state.status,
                    ContainerStatus::Configured | ContainerStatus::Created
                ) {
                    let code = r.state.exit_code.filter(|c| *c >= 0).unwrap_or(0);
                    out(&format!("{code}\n"))?;
                    continue;
                }
            }
        }
        match rt.wait_container(n, condition, None) {
            Ok(code) => out(&format!("{code}\n"))?,
            Err(e) if e.is_not_found() => errors.push(anyhow::anyhow!(
                "no container with name or ID {n:?} found: no such container"
            )),
            Err(e) => errors.push(e.into()),
        }
    }
    // podman's exit code is 0 whatever the containers' codes (they are printed).
    if errors.is_empty() {
        Ok(0)
    } else {
        finish(errors)
    }
}

//! `system check`: the runtime's and the store's problems, repaired with `--repair`.

use crate::commands::out;
use crate::error::CliError;
use berth_runtime::Runtime;

/// Runs `system check`.
pub(super) fn run(rt: &Runtime, repair: bool) -> anyhow::Result<u8> {
    let report = rt
        .system_check(&berth_runtime::CheckOptions {
            repair,
            ..berth_runtime::CheckOptions::default()
        })
        .map_err(crate::engine::runtime_error)?;
    let store = rt
        .check_storage(repair)
        .map_err(crate::engine::runtime_error)?;
    let mut lines = Vec::new();
    for o in &report.orphans {
        let owner = o
            .owner
            .as_deref()
            .map(|id| format!(" (container {})", &id[..id.len().min(12)]))
            .unwrap_or_default();
        let state = match (&o.repair_error, o.repaired) {
            (Some(e), _) => format!(": could not repair: {e}"),
            (None, true) => " - repaired".to_string(),
            (None, false) => String::new(),
        };
        lines.push(format!("{}: {}{owner}{state}", o.kind.describe(), o.what));
    }
    for p in &store.problems {
        let state = if store.repaired { " - repaired" } else { "" };
        lines.push(format!("{p}{state}"));
    }
    if lines.is_empty() {
        out("No problems found\n")?;
        return Ok(0);
    }
    out(&lines.join("\n"))?;
    out("\n")?;
    let remaining = report.remaining()
        + if store.repaired {
            0
        } else {
            store.problems.len()
        };
    if remaining == 0 {
        out("Repaired\n")?;
        Ok(0)
    } else {
        let hint = if repair {
            "could not be repaired"
        } else {
            "found; run with --repair to fix them"
        };
        Err(CliError::conflict("system check", format!("{remaining} problem(s) {hint}")).into())
    }
}

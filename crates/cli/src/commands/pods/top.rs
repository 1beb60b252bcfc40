//! `pod top`: the processes of every running container of a pod, the infra
//! container included, in `top`'s table.

use super::ids_ignoring;
use crate::commands::containers::top::print_top;
use crate::error::EXIT_BERTH;
use crate::opts::targets::Selection;
use crate::output::OutputFormat;
use anyhow::Context as _;
use berth_runtime::Runtime;

/// Runs `pod top`: the columns the ps descriptors after POD chose, as `top`.
pub(super) fn run(rt: &Runtime, sel: &Selection, format: &OutputFormat) -> anyhow::Result<u8> {
    let ids = ids_ignoring(rt, sel, false, EXIT_BERTH)
        .context("unable to look up requested container")?;
    let Some(id) = ids.first() else {
        anyhow::bail!("no pods to show the processes of: no such pod");
    };
    print_top(&rt.pod_top(id)?, format)
}

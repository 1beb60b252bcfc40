//! `pod top`: the processes of every running container of a pod, the infra
//! container included, in `top`'s table.

use super::ids_ignoring;
use crate::commands::containers::top::print_top;
use crate::error::EXIT_BERTH;
use crate::opts::targets::Selection;
use anyhow::Context as _;
use berth_runtime::Runtime;

/// Runs `pod top`; the words after POD (ps descriptors) are taken and, as
/// by `top`, the default columns are printed.
pub(super) fn run(rt: &Runtime, sel: &Selection) -> anyhow::Result<u8> {
    let ids = ids_ignoring(rt, sel, false, EXIT_BERTH)
        .context("unable to look up requested container")?;
    let Some(id) = ids.first() else {
        anyhow::bail!("no pods to show the processes of: no such pod");
    };
    print_top(&rt.pod_top(id)?)
}

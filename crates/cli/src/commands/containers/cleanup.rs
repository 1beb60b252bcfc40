//! `container cleanup`: conmon's exit command.

use super::each;
use super::select::names;
use crate::opts::targets::Selection;
use berth_runtime::Runtime;

/// Runs `container cleanup`.
pub(super) fn run(rt: &Runtime, sel: Selection, rm: bool) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    each(&names, |n| {
        rt.cleanup_container(n)?;
        if rm {
            match rt.remove_container(n, true, false) {
                Err(e) if e.is_not_found() => {}
                r => r?,
            }
        }
        Ok(())
    })
}

//! `pod rm`.

use super::ids;
use crate::commands::{each, out};
use crate::opts::targets::Selection;
use berth_runtime::Runtime;

/// Runs `pod rm`.
pub(super) fn run(rt: &Runtime, sel: Selection, ignore: bool, force: bool) -> anyhow::Result<u8> {
    let list = match ids(rt, &sel) {
        Err(_) if ignore => Vec::new(),
        r => r?,
    };
    each(&list, |id| {
        rt.remove_pod(id, force)?;
        out(&format!("{id}\n"))
    })
}

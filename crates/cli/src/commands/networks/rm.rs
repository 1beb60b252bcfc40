//! `network rm`: each network's name as it goes.

use crate::commands::{finish, out};
use berth_runtime::Runtime;

/// Runs `network rm`.
pub(super) fn run(rt: &Runtime, networks: Vec<String>, force: bool) -> anyhow::Result<u8> {
    let mut errors = Vec::new();
    for n in &networks {
        match rt.remove_network(n, force) {
            Ok(()) => out(&format!("{n}\n"))?,
            Err(e) => errors.push(e.into()),
        }
    }
    finish(errors)
}

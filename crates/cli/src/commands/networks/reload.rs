//! `network reload`: each container's network set up again by the runtime; the IDs
//! reloaded, one a line, as podman prints them.

use crate::commands::{finish, newest_container, out};
use crate::error::CliError;
use crate::opts::targets::Selection;
use crate::opts::Targets;
use berth_runtime::Runtime;

/// Runs `network reload`.
pub(super) fn run(rt: &Runtime, sel: &Selection) -> anyhow::Result<u8> {
    let results = match &sel.targets {
        Targets::All => rt.reload_all_networks()?,
        Targets::Latest => {
            let id = newest_container(rt)?
                .ok_or_else(|| CliError::conflict("--latest", "there are no containers"))?;
            vec![(id.clone(), rt.reload_network(&id))]
        }
        Targets::Named(names) => names
            .iter()
            .map(|n| (n.clone(), rt.reload_network(n)))
            .collect(),
        Targets::Filtered => Vec::new(),
    };
    let mut errors = Vec::new();
    for (_, r) in results {
        match r {
            Ok(id) => out(&format!("{id}\n"))?,
            Err(e) => errors.push(e.into()),
        }
    }
    finish(errors)
}

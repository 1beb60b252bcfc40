//! `volume rm`.

use super::volume_names;
use crate::cli::VolumeRmArgs;
use crate::commands::{finish, out};
use berth_runtime::Runtime;

/// Runs `volume rm`.
pub(super) fn run(rt: &Runtime, a: VolumeRmArgs) -> anyhow::Result<u8> {
    let names = volume_names(rt, a.all, &a.volumes)?;
    let errors = names
        .iter()
        .filter_map(|n| {
            rt.remove_volume(n, a.force)
                .map_err(anyhow::Error::from)
                .and_then(|()| out(&format!("{n}\n")))
                .err()
        })
        .collect();
    finish(errors)
}

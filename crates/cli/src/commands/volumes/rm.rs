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
        .filter_map(|n| match rt.remove_volume(n, a.force) {
            // `--force`: a missing volume is no error; without it, exit 1 in
            // podman's words.
            Err(e) if e.is_not_found() && a.force => None,
            Err(e) if e.is_not_found() => Some(crate::error::Coded::wrap(
                1,
                anyhow::anyhow!("no volume with name {n:?} found: no such volume"),
            )),
            // podman's exit code for a volume in use.
            Err(e) if e.kind() == berth_runtime::ErrorKind::InUse => {
                Some(crate::error::Coded::wrap(2, e))
            }
            Err(e) => Some(e.into()),
            Ok(()) => out(&format!("{n}\n")).err(),
        })
        .collect();
    finish(errors)
}

//! `cp` between the host and a container: the runtime resolves and copies, safely.

use crate::error::CliError;
use crate::opts::{CopyLocation, CopyOptions};
use berth_runtime::Runtime;

/// `cp`: exactly one side is `CONTAINER:PATH` (checked by [`CopyOptions::from_args`]).
pub(super) fn copy(rt: &Runtime, o: &CopyOptions) -> anyhow::Result<u8> {
    let opts = berth_runtime::CopyOptions {
        chown: o.archive,
        overwrite: o.overwrite,
    };
    match (&o.source, &o.destination) {
        (CopyLocation::Host(h), _) | (_, CopyLocation::Host(h)) if h.as_os_str() == "-" => {
            return Err(CliError::conflict(
                "cp",
                "streaming a tar archive through `-` is not supported; copy to or from a path",
            )
            .into())
        }
        (CopyLocation::Host(h), CopyLocation::Container { container, path }) => {
            rt.copy_into_container(container, h, path, &opts)?;
        }
        (CopyLocation::Container { container, path }, CopyLocation::Host(h)) => {
            rt.copy_from_container(container, path, h, &opts)?;
        }
        _ => {
            return Err(CliError::conflict(
                "cp",
                "exactly one of SRC and DEST must be CONTAINER:PATH",
            )
            .into())
        }
    }
    Ok(0)
}

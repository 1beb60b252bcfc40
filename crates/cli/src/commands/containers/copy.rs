//! `cp` between the host and a container.

use crate::error::CliError;
use crate::opts::{CopyLocation, CopyOptions};
use berth_runtime::Runtime;

/// `cp`, through the container's mounted root filesystem.
pub(super) fn copy(rt: &Runtime, o: &CopyOptions) -> anyhow::Result<u8> {
    let (ctr, inner, host, to_container) = match (&o.source, &o.destination) {
        (CopyLocation::Container { container, path }, CopyLocation::Host(h)) => {
            (container, path, h, false)
        }
        (CopyLocation::Host(h), CopyLocation::Container { container, path }) => {
            (container, path, h, true)
        }
        _ => {
            return Err(CliError::conflict(
                "cp",
                "exactly one of SRC and DEST must be CONTAINER:PATH",
            )
            .into())
        }
    };
    let root = rt.mount_container(ctr)?;
    let inside = root.join(inner.strip_prefix("/").unwrap_or(inner));
    let r = if to_container {
        let dest = if inside.is_dir() {
            inside.join(host.file_name().unwrap_or_default())
        } else {
            inside
        };
        copy_tree(host, &dest)
    } else {
        let dest = if host.is_dir() {
            host.join(inside.file_name().unwrap_or_default())
        } else {
            host.clone()
        };
        copy_tree(&inside, &dest)
    };
    let _ = rt.unmount_container(ctr, false);
    r?;
    Ok(0)
}

pub(super) fn copy_tree(src: &std::path::Path, dest: &std::path::Path) -> anyhow::Result<()> {
    let meta = std::fs::symlink_metadata(src)
        .map_err(|e| anyhow::Error::new(e).context(format!("{}", src.display())))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(src)?;
        let _ = std::fs::remove_file(dest);
        std::os::unix::fs::symlink(target, dest)?;
    } else if meta.is_dir() {
        std::fs::create_dir_all(dest)
            .map_err(|e| anyhow::Error::new(e).context(format!("{}", dest.display())))?;
        std::fs::set_permissions(dest, meta.permissions())?;
        for e in std::fs::read_dir(src)? {
            let e = e?;
            copy_tree(&e.path(), &dest.join(e.file_name()))?;
        }
    } else {
        std::fs::copy(src, dest).map_err(|e| {
            anyhow::Error::new(e).context(format!(
                "copying {} to {}",
                src.display(),
                dest.display()
            ))
        })?;
    }
    Ok(())
}

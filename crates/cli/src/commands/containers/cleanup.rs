//! `container cleanup`: conmon's exit command.

use super::each;
use super::select::names;
use crate::opts::targets::Selection;
use berth_runtime::Runtime;

/// Runs `container cleanup`.
/// With `rmi`, each one's image goes too, unless another container uses it.
pub(super) fn run(rt: &Runtime, sel: Selection, rm: bool, rmi: bool) -> anyhow::Result<u8> {
    let names = names(rt, &sel)?;
    each(&names, |n| {
        // The image is read only for `--rmi`: this runs as conmon's exit command
        // after every container, so the default path adds no state read.
        let image = if rmi {
            Some(rt.container(n)?.config.image_id)
        } else {
            None
        };
        rt.cleanup_container(n)?;
        if rm {
            match rt.remove_container(n, true, false) {
                Err(e) if e.is_not_found() => {}
                r => r?,
            }
        }
        if let Some(image) = image.filter(|i| !i.is_empty()) {
            let report = rt.remove_images(&berth_runtime::ImageRemoveOptions {
                images: vec![image],
                ignore_missing: true,
                ..Default::default()
            })?;
            // An image another container (or this one, without --rm) still uses
            // stays, as podman leaves it.
            if let Some(e) = report
                .errors
                .into_iter()
                .find(|e| !matches!(e, berth_runtime::Error::ImageInUse { .. }))
            {
                return Err(e.into());
            }
        }
        Ok(())
    })
}

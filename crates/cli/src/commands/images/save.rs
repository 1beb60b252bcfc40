//! `save`: images into an archive.

use berth_runtime::{ImageSaveOptions, Runtime};

/// Runs `save`.
pub(super) fn run(rt: &Runtime, opts: &ImageSaveOptions) -> anyhow::Result<u8> {
    rt.save_images(opts)?;
    Ok(0)
}

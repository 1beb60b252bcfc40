//! `load`: the images of an archive.

use crate::commands::out;
use berth_runtime::Runtime;
use std::path::Path;

/// Runs `load`.
pub(super) fn run(rt: &Runtime, input: &Path) -> anyhow::Result<u8> {
    for i in rt.load_images(input)? {
        if i.names.is_empty() {
            out(&format!("Loaded image: sha256:{}\n", i.id))?;
        }
        for n in &i.names {
            out(&format!("Loaded image: {n}\n"))?;
        }
    }
    Ok(0)
}

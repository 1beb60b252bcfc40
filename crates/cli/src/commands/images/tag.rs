//! `tag` and `untag`.

use berth_runtime::Runtime;

/// Runs `tag`.
pub(super) fn tag(rt: &Runtime, image: &str, targets: &[String]) -> anyhow::Result<u8> {
    rt.tag_image(image, targets)?;
    Ok(0)
}

/// Runs `untag`.
pub(super) fn untag(rt: &Runtime, image: &str, names: &[String]) -> anyhow::Result<u8> {
    rt.untag_image(image, names)?;
    Ok(0)
}

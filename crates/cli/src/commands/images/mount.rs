//! `image mount` and `image unmount`: read-only image mounts, counted.

use crate::cli::{ImageMountArgs, ImageUnmountArgs};
use crate::commands::{finish, out};
use crate::output::table::align;
use berth_runtime::{ImageMountReport, ImageMountTarget, Runtime};

/// `image mount` as parsed.
#[derive(Debug)]
pub struct MountCommand {
    target: ImageMountTarget,
    json: bool,
    /// One image, no `--format`: only its mount point is printed.
    path_only: bool,
}

/// `image unmount` as parsed: `None` = every mounted image.
#[derive(Debug)]
pub struct UnmountCommand {
    images: Option<Vec<String>>,
    force: bool,
}

const ALL_WITH_NAMES: &str = "when using the --all switch, you may not pass any image names or IDs";

/// Parses `image mount`.
pub(super) fn parse_mount(a: ImageMountArgs) -> anyhow::Result<MountCommand> {
    if a.all && !a.images.is_empty() {
        return Err(anyhow::anyhow!(ALL_WITH_NAMES));
    }
    let json = match a.format.as_deref().map(str::trim) {
        None | Some("") => false,
        Some("json") => true,
        Some(_) => {
            let f = a.format.unwrap_or_default();
            return Err(anyhow::anyhow!("unknown --format argument: {f:?}"));
        }
    };
    Ok(MountCommand {
        path_only: a.images.len() == 1 && a.format.is_none() && !a.all,
        json,
        target: if a.all {
            ImageMountTarget::All
        } else if a.images.is_empty() {
            ImageMountTarget::ListMounted
        } else {
            ImageMountTarget::Images(a.images)
        },
    })
}

/// Parses `image unmount`.
pub(super) fn parse_unmount(a: ImageUnmountArgs) -> anyhow::Result<UnmountCommand> {
    if a.all && !a.images.is_empty() {
        return Err(anyhow::anyhow!(ALL_WITH_NAMES));
    }
    if !a.all && a.images.is_empty() {
        return Err(anyhow::anyhow!("image name or ID must be specified"));
    }
    Ok(UnmountCommand {
        images: (!a.all).then_some(a.images),
        force: a.force,
    })
}

/// Runs `image mount`.
pub(super) fn mount(rt: &Runtime, c: &MountCommand) -> anyhow::Result<u8> {
    let reports = rt.mount_images(&c.target)?;
    if c.path_only {
        for r in &reports {
            out(&format!("{}\n", r.path.display()))?;
        }
        return Ok(0);
    }
    if c.json {
        out(&mount_json(&reports))?;
        return Ok(0);
    }
    let lines: Vec<String> = reports
        .iter()
        .map(|r| {
            let name = r.names.first().unwrap_or(&r.id);
            format!("{name}\t{}", r.path.display())
        })
        .collect();
    out(&align(&lines))?;
    Ok(0)
}

/// One mounted image in podman's JSON (its key names and order).
#[derive(serde::Serialize)]
struct MountJson<'a> {
    id: &'a str,
    #[serde(rename = "Names")]
    names: [&'a str; 1],
    #[serde(rename = "Repositories")]
    repositories: &'a [String],
    mountpoint: &'a std::path::Path,
}

/// podman's JSON of mounted images: one-space indents.
fn mount_json(reports: &[ImageMountReport]) -> String {
    use serde::Serialize;
    let rows: Vec<_> = reports
        .iter()
        .map(|r| MountJson {
            id: &r.id,
            names: [&r.digest],
            repositories: &r.names,
            mountpoint: &r.path,
        })
        .collect();
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    if rows.serialize(&mut ser).is_err() {
        return "[]\n".into();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

/// Runs `image unmount`: prints each image it unmounted.
pub(super) fn unmount(rt: &Runtime, c: &UnmountCommand) -> anyhow::Result<u8> {
    let mut errors = Vec::new();
    for r in rt.unmount_images(c.images.as_deref(), c.force)? {
        match r.result {
            Ok(()) => out(&format!("{}\n", r.id))?,
            Err(e) => errors.push(anyhow::Error::new(e)),
        }
    }
    finish(errors)
}

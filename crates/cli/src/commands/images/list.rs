//! `images`: the image listing, filtered and sorted.

use crate::cli::ImageListArgs;
use crate::commands::{print_listing, print_quiet_ids};
use crate::opts::Filters;
use crate::output::{
    rows::{ImageSummary, IMAGES, IMAGES_DIGESTS},
    Matcher, OutputFormat,
};
use berth_runtime::{ImageListOptions, Runtime};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// The `images` row of an image the runtime listed.
fn row(i: &berth_runtime::ImageSummary) -> ImageSummary {
    ImageSummary {
        id: i.id.clone(),
        names: i.names.clone(),
        digest: i.digest.clone(),
        created: i.created.unwrap_or(DateTime::UNIX_EPOCH),
        size: i.size,
        labels: i.labels.clone(),
        containers: 0,
        read_only: false,
    }
}

/// Runs `images`.
pub(super) fn run(
    rt: &Runtime,
    a: &ImageListArgs,
    filters: &Filters,
    format: &OutputFormat,
) -> anyhow::Result<u8> {
    let now = Utc::now();
    let images = rt.list_images(&ImageListOptions {
        name: a.image.clone(),
    })?;
    let lookup = |r: &str| rt.image_summary(r).ok().map(|i| row(&i).created);
    let matcher = Matcher::new(filters, now, &lookup)?;
    let mut rows: Vec<ImageSummary> = images
        .iter()
        .map(row)
        .filter(|s| matcher.image(s))
        .collect();
    crate::output::sort::sort_images(&mut rows, &a.sort);
    if a.quiet {
        return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
    }
    let template: Vec<Value> = rows
        .iter()
        .flat_map(|r| r.template_rows(now, a.no_trunc))
        .collect();
    let json_rows: Vec<Value> = rows.iter().map(ImageSummary::json).collect();
    let listing = if a.digests { IMAGES_DIGESTS } else { IMAGES };
    print_listing(format, &listing, &template, &json_rows, a.noheading)
}

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
        .flat_map(|r| {
            let all = r.template_rows(now, a.no_trunc);
            // `images NAME`: only the rows of the names it matches (all of them when it named
            // the image by ID), as podman lists them.
            match a.image.as_deref() {
                Some(want) => {
                    let named: Vec<Value> =
                        all.iter().filter(|v| row_named(v, want)).cloned().collect();
                    if named.is_empty() {
                        all
                    } else {
                        named
                    }
                }
                None => all,
            }
        })
        .collect();
    // One row per name: podman sorts those rows, not the images, by name.
    let mut template = template;
    if let key @ ("repository" | "tag") = a.sort.as_str() {
        let field = if key == "tag" { "Tag" } else { "Repository" };
        template.sort_by(|x, y| {
            x[field]
                .as_str()
                .unwrap_or("")
                .cmp(y[field].as_str().unwrap_or(""))
        });
    }
    let json_rows: Vec<Value> = rows.iter().map(ImageSummary::json).collect();
    let listing = if a.digests { IMAGES_DIGESTS } else { IMAGES };
    print_listing(format, &listing, &template, &json_rows, a.noheading)
}

/// Whether a listing row (`Repository`, `Tag`) is the name `want` (`repo`, `repo:tag`, with
/// or without its registry).
fn row_named(row: &Value, want: &str) -> bool {
    let repo = row["Repository"].as_str().unwrap_or("");
    let tag = row["Tag"].as_str().unwrap_or("");
    let (want_repo, want_tag) = match want.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, Some(t)),
        _ => (want, None),
    };
    (repo == want_repo || repo.ends_with(&format!("/{want_repo}")))
        && want_tag.is_none_or(|t| t == tag)
}

#[cfg(test)]
mod row_tests {
    use super::row_named;
    use serde_json::json;

    #[test]
    fn rows_match_the_name_asked_for() {
        let row = json!({"Repository": "localhost/x0ab", "Tag": "t0"});
        assert!(row_named(&row, "localhost/x0ab:t0"));
        assert!(row_named(&row, "x0ab:t0"));
        assert!(row_named(&row, "x0ab"));
        assert!(!row_named(&row, "x0ab:t1"));
        assert!(!row_named(&row, "quay.io/libpod/testimage:20220615"));
    }
}

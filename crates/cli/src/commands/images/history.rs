//! `history`: an image's layers.

use crate::cli::HistoryArgs;
use crate::commands::{out, print_listing};
use crate::output::{
    human::{human_size, short_id, time_ago},
    OutputFormat,
};
use berth_runtime::Runtime;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Runs `history`.
pub(super) fn run(rt: &Runtime, a: &HistoryArgs, format: &OutputFormat) -> anyhow::Result<u8> {
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for h in rt.image_history(&a.image)? {
        let created = h.created_time().unwrap_or(DateTime::UNIX_EPOCH);
        let id = h.id.clone().unwrap_or_else(|| "<missing>".to_owned());
        rows.push(json!({
            "ID": if a.no_trunc || id.len() < 12 { id.clone() } else { short_id(&id).to_owned() },
            // `--human=false`: podman's RFC 3339 times and sizes in bytes.
            "Created": if a.human { time_ago(created, now) } else { created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) },
            "CreatedBy": h.created_by.clone().unwrap_or_default(),
            "Size": if a.human { human_size(h.size) } else { h.size.to_string() },
            "Comment": h.comment.clone().unwrap_or_default(),
        }));
        json_rows.push(json!({
            "id": id,
            "created": h.created,
            "CreatedBy": h.created_by,
            "size": h.size,
            "comment": h.comment,
        }));
    }
    if a.quiet {
        for r in &rows {
            out(&format!("{}\n", r["ID"].as_str().unwrap_or_default()))?;
        }
        return Ok(0);
    }
    let listing = crate::output::format::Listing {
        default_template: "{{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
        headers: &[("ID", "ID"), ("CreatedBy", "CREATED BY")],
    };
    print_listing(format, &listing, &rows, &json_rows, false)
}

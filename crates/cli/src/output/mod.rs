//! Output: `--format` templates, podman's tables, human times and sizes.

pub mod filter_match;
pub mod format;
pub mod human;
#[cfg(test)]
mod podman_fields;
pub mod port;
pub mod rows;
pub mod sort;
pub mod stats;
pub mod table;
pub use berth_template as template;
#[cfg(test)]
mod template_inspect;

pub use berth_template::{Template, TemplateError};
pub use filter_match::Matcher;
pub use format::{
    go_field_aliases, parse_format, quiet_ids, render_listing, to_json, Listing, OutputFormat,
};
pub use human::{human_duration, human_size, short_id, status_text, time_ago, StatusView};
pub use rows::{ContainerSummary, ImageSummary, NetworkSummary, PodSummary, VolumeSummary};

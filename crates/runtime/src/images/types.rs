//! The typed options and results of the image API.

use std::collections::BTreeMap;
use std::path::PathBuf;

use berth_storage::{ArchiveFormat, HistoryEntry, ImageRecord};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Error;

/// What [`crate::Runtime::list_images`] lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageListOptions {
    /// Only images with a name that is this name, or whose repository ends in it
    /// (`images bb` lists `localhost/bb:latest`); `None`: every image.
    pub name: Option<String>,
}

/// One image as `images` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSummary {
    /// Full id (64 hex digits, without `sha256:`).
    pub id: String,
    /// Names, `registry/repository:tag`; empty for a dangling image.
    pub names: Vec<String>,
    /// Digest of the stored manifest (`sha256:...`).
    pub digest: String,
    /// Creation time from the image config; `None` when missing or unreadable.
    pub created: Option<DateTime<Utc>>,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// Whether the image has no name.
    pub dangling: bool,
    /// Labels of the image config.
    pub labels: BTreeMap<String, String>,
}

/// The image's digest as podman shows it (`.Digest`): the registry's manifest digest for a
/// pulled image (a pull by that digest finds it again), even where the store keeps a manifest
/// of its own (layers stored uncompressed); else the stored manifest's.
pub fn image_digest(i: &ImageRecord) -> &str {
    i.digests
        .iter()
        .rev()
        .find(|d| **d != i.manifest_digest)
        .unwrap_or(&i.manifest_digest)
}

impl ImageSummary {
    /// The summary of a stored image.
    pub fn from_record(i: &ImageRecord) -> Self {
        Self {
            id: i.id.clone(),
            names: i.names.clone(),
            digest: image_digest(i).to_owned(),
            created: parse_time(i.created.as_deref()),
            size: i.size,
            dangling: i.names.is_empty(),
            labels: i.config.labels.clone(),
        }
    }

    /// `repository@digest` for each name (podman's `RepoDigests`).
    pub fn repo_digests(&self) -> Vec<String> {
        repo_digests(&self.names, &self.digest)
    }
}

/// Splits `repository:tag` at the colon after the last `/`; a name without a tag gives
/// `None`.
pub(crate) fn split_name(name: &str) -> (&str, Option<&str>) {
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[slash..].rfind(':') {
        Some(i) => (&name[..slash + i], Some(&name[slash + i + 1..])),
        None => (name, None),
    }
}

fn repo_digests(names: &[String], digest: &str) -> Vec<String> {
    names
        .iter()
        .map(|n| format!("{}@{digest}", split_name(n).0))
        .collect()
}

pub(crate) fn parse_time(t: Option<&str>) -> Option<DateTime<Utc>> {
    t.and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// What `image inspect` shows of an image (podman's keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InspectImage {
    /// Full id.
    pub id: String,
    /// Digest of the stored manifest.
    pub digest: String,
    /// Names.
    pub repo_tags: Vec<String>,
    /// `repository@digest` for each name.
    pub repo_digests: Vec<String>,
    /// Creation time as recorded (RFC 3339).
    pub created: Option<String>,
    /// The runtime configuration containers inherit.
    pub config: InspectImageConfig,
    /// Architecture.
    pub architecture: String,
    /// Operating system.
    pub os: String,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// The same size (podman keeps both keys).
    pub virtual_size: u64,
    /// The layers' uncompressed digests, bottom first.
    #[serde(rename = "RootFS")]
    pub root_fs: InspectRootFs,
    /// The config's history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Names the image had (its current names).
    pub names_history: Vec<String>,
    /// The config's labels (podman repeats them at the top).
    pub labels: BTreeMap<String, String>,
    /// The manifest's annotations (berth keeps none).
    pub annotations: BTreeMap<String, String>,
    /// The config's user (empty when it sets none).
    pub user: String,
    /// The config's `Healthcheck` (podman's `HealthCheck`), when it has one.
    #[serde(rename = "HealthCheck", skip_serializing_if = "Option::is_none")]
    pub health_check: Option<berth_storage::HealthConfig>,
}

/// The `Config` part of [`InspectImage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InspectImageConfig {
    /// `user[:group]`.
    pub user: Option<String>,
    /// `KEY=value` entries.
    pub env: Vec<String>,
    /// Default command.
    pub cmd: Option<Vec<String>>,
    /// Entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// Working directory.
    pub working_dir: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Stop signal.
    pub stop_signal: Option<String>,
}

/// The `RootFS` part of [`InspectImage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InspectRootFs {
    /// Always `layers`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Uncompressed layer digests, bottom first.
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
}

impl InspectImage {
    /// The inspect view of a stored image.
    pub fn from_record(i: &ImageRecord) -> Self {
        Self {
            id: i.id.clone(),
            digest: image_digest(i).to_owned(),
            repo_tags: i.names.clone(),
            repo_digests: repo_digests(&i.names, image_digest(i)),
            created: i.created.clone(),
            config: InspectImageConfig {
                user: i.config.user.clone(),
                env: i.config.env.clone(),
                cmd: i.config.cmd.clone(),
                entrypoint: i.config.entrypoint.clone(),
                working_dir: i.config.working_dir.clone(),
                labels: i.config.labels.clone(),
                stop_signal: i.config.stop_signal.clone(),
            },
            architecture: i.architecture.clone(),
            os: i.os.clone(),
            size: i.size,
            virtual_size: i.size,
            root_fs: InspectRootFs {
                kind: "layers".into(),
                layers: i.diff_ids.clone(),
            },
            history: i.history.clone(),
            names_history: i.names.clone(),
            labels: i.config.labels.clone(),
            annotations: BTreeMap::new(),
            user: i.config.user.clone().unwrap_or_default(),
            health_check: i.config.healthcheck.clone(),
        }
    }
}

/// One row of `history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageHistoryEntry {
    /// The image id on the row that stands for the image itself; `None` (podman's
    /// `<missing>`) on the others.
    pub id: Option<String>,
    /// When the step ran, as recorded (RFC 3339).
    pub created: Option<String>,
    /// The command of the step.
    pub created_by: Option<String>,
    /// Bytes the step added (0 for a step that made no layer).
    pub size: u64,
    /// Comment.
    pub comment: Option<String>,
    /// Whether the step made no layer.
    pub empty_layer: bool,
}

impl ImageHistoryEntry {
    /// [`ImageHistoryEntry::created`] as a time, when it parses.
    pub fn created_time(&self) -> Option<DateTime<Utc>> {
        parse_time(self.created.as_deref())
    }
}

/// What [`crate::Runtime::remove_images`] removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageRemoveOptions {
    /// Names or ids, each removed as `rmi` does: one of several names only untags.
    pub images: Vec<String>,
    /// Every image (then `images` is not read).
    pub all: bool,
    /// Delete images containers use too (their layers stay until the containers go).
    pub force: bool,
    /// An image that does not exist is not an error.
    pub ignore_missing: bool,
}

/// What [`crate::Runtime::remove_images`] did, as podman reports it.
#[derive(Debug, Default)]
pub struct ImageRemoveReport {
    /// Names removed, in order.
    pub untagged: Vec<String>,
    /// Ids of the images deleted, in order.
    pub deleted: Vec<String>,
    /// The images that could not be removed, in order (the others were still tried).
    pub errors: Vec<Error>,
}

/// What [`crate::Runtime::save_images`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSaveOptions {
    /// Names or ids.
    pub images: Vec<String>,
    /// The archive format.
    pub format: ArchiveFormat,
    /// The file (or directory, for `oci-dir`) to write.
    pub output: PathBuf,
}

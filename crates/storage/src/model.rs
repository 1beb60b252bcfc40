//! The plain data types of the store: options, image, layer and container records.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Which layer driver a store uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Driver {
    /// Kernel overlayfs: one diff directory per layer, containers get an upper/work dir.
    Overlay,
    /// Full copies of every layer and container; works everywhere, costs disk.
    Vfs,
}

impl Driver {
    /// The driver's name as written in configuration ("overlay", "vfs").
    pub fn name(self) -> &'static str {
        match self {
            Driver::Overlay => "overlay",
            Driver::Vfs => "vfs",
        }
    }
}

impl std::str::FromStr for Driver {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "overlay" | "overlay2" => Ok(Driver::Overlay),
            "vfs" => Ok(Driver::Vfs),
            other => Err(crate::Error::InvalidOption(format!(
                "storage driver {other:?} is not supported; use \"overlay\" or \"vfs\""
            ))),
        }
    }
}

/// Where a store lives and how it stores layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Persistent root: blobs, layers, images, container root filesystems.
    pub graph_root: PathBuf,
    /// Per-boot root (tmpfs): mount reference counts.
    pub run_root: PathBuf,
    /// The layer driver.
    pub driver: Driver,
}

/// The parts of an OCI image configuration that a container inherits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `user[:group]` the process runs as.
    pub user: Option<String>,
    /// `KEY=value` environment entries.
    pub env: Vec<String>,
    /// Default command.
    pub cmd: Option<Vec<String>>,
    /// Entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// Working directory.
    pub working_dir: Option<String>,
    /// Exposed ports such as `80/tcp`.
    pub exposed_ports: Vec<String>,
    /// Volume mount points.
    pub volumes: Vec<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Stop signal, e.g. `SIGTERM`.
    pub stop_signal: Option<String>,
    /// `HEALTHCHECK` (the Docker config's `Healthcheck`), if the image has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<HealthConfig>,
}

/// An image's `HEALTHCHECK`, in the Docker image config's shape (durations in
/// nanoseconds; zero = not set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthConfig {
    /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    /// Between checks.
    #[serde(skip_serializing_if = "is_zero")]
    pub interval: i64,
    /// Longest a check may take.
    #[serde(skip_serializing_if = "is_zero")]
    pub timeout: i64,
    /// Failures during this time after start do not count.
    #[serde(skip_serializing_if = "is_zero")]
    pub start_period: i64,
    /// Failures in a row before unhealthy.
    #[serde(skip_serializing_if = "is_zero")]
    pub retries: i64,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// One entry of an image's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When the step ran.
    pub created: Option<String>,
    /// The command that made it.
    pub created_by: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// True when the step made no layer.
    pub empty_layer: bool,
}

/// An image in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRecord {
    /// The image id: the hex of the sha256 of its config blob.
    pub id: String,
    /// Full normalized names, e.g. `docker.io/library/busybox:latest`.
    pub names: Vec<String>,
    /// Manifest digests (`sha256:...`) the image is known by.
    pub digests: Vec<String>,
    /// The digest of the manifest stored for it.
    pub manifest_digest: String,
    /// Layer ids (chain ids, hex), bottom first.
    pub layers: Vec<String>,
    /// Uncompressed layer digests (`sha256:...`), bottom first.
    pub diff_ids: Vec<String>,
    /// Sum of the uncompressed layer sizes in bytes.
    pub size: u64,
    /// Creation time from the config (RFC 3339), if any.
    pub created: Option<String>,
    /// Architecture and OS from the config.
    pub architecture: String,
    /// Operating system.
    pub os: String,
    /// The runtime configuration.
    pub config: ImageConfig,
    /// History.
    pub history: Vec<HistoryEntry>,
}

impl ImageRecord {
    /// The top layer id, if the image has layers.
    pub fn top_layer(&self) -> Option<&str> {
        self.layers.last().map(String::as_str)
    }
}

/// A layer in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRecord {
    /// Layer id: the hex of its chain id.
    pub id: String,
    /// Parent layer id.
    pub parent: Option<String>,
    /// Uncompressed digest of this layer's tar (`sha256:...`).
    pub diff_id: String,
    /// Uncompressed size in bytes.
    pub size: u64,
}

/// The root filesystem of one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerRecord {
    /// Storage id (64 hex).
    pub id: String,
    /// The runtime's container id it was made for.
    pub container_id: String,
    /// The image id it was made from.
    pub image_id: String,
    /// The image's top layer id.
    pub layer: Option<String>,
    /// RFC 3339 creation time.
    pub created: String,
}

/// Config changes applied when importing a root filesystem (`--change`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Names to tag the new image with (normalized on import).
    pub names: Vec<String>,
    /// `CMD`.
    pub cmd: Option<Vec<String>>,
    /// `ENTRYPOINT`.
    pub entrypoint: Option<Vec<String>>,
    /// `ENV` entries (`KEY=value`), added in order.
    pub env: Vec<String>,
    /// `WORKDIR`.
    pub working_dir: Option<String>,
    /// `USER`.
    pub user: Option<String>,
    /// `EXPOSE`d ports, `PORT/PROTO` (`80/tcp`).
    pub exposed_ports: Vec<String>,
    /// `VOLUME` paths (absolute).
    pub volumes: Vec<String>,
    /// `LABEL`s.
    pub labels: BTreeMap<String, String>,
    /// `STOPSIGNAL`.
    pub stop_signal: Option<String>,
    /// History comment (`--message`).
    pub message: Option<String>,
    /// The image's architecture (`--arch`); `None` = this machine's.
    pub architecture: Option<String>,
    /// Its OS (`--os`); `None` = linux.
    pub os: Option<String>,
    /// Its architecture variant (`--variant`).
    pub variant: Option<String>,
    /// The image's `HEALTHCHECK` (commit carries the container's).
    pub healthcheck: Option<HealthConfig>,
}

//! JSON documents of the OCI image spec and docker-archive, as far as the
//! store reads and writes them. Unknown fields are kept where the bytes
//! matter (configs are stored verbatim; these types only read them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{HistoryEntry, ImageConfig};
use crate::{Error, Result};

/// Media types.
pub mod media {
    /// OCI image manifest.
    pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// OCI image index.
    pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// OCI image config.
    pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// Uncompressed OCI layer.
    pub const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
    /// Docker schema 2 manifest.
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// Docker manifest list.
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
}

/// The annotation naming an image in an OCI layout index.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A content descriptor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Descriptor {
    /// Media type.
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// `sha256:...`.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An image manifest (OCI or docker schema 2).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always 2.
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// Media type.
    #[serde(
        rename = "mediaType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub media_type: String,
    /// The config blob.
    pub config: Descriptor,
    /// Layer blobs, bottom first.
    pub layers: Vec<Descriptor>,
}

/// An image index (`index.json` of an OCI layout).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    /// Always 2.
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// Media type.
    #[serde(
        rename = "mediaType",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub media_type: String,
    /// Manifests.
    pub manifests: Vec<Descriptor>,
}

/// One entry of a docker-archive `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DockerEntry {
    /// Path of the config file in the archive.
    #[serde(rename = "Config")]
    pub config: String,
    /// Names.
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    /// Paths of the layer tars in the archive.
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
}

/// The runtime part of a config, with docker/OCI capitalized keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    /// User.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Ports as keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// Env.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    /// Entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Cmd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// Volumes as keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    /// WorkingDir.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// StopSignal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// Healthcheck (Docker's; OCI configs have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<crate::model::HealthConfig>,
}

/// `rootfs` of a config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RootFs {
    /// Always "layers".
    #[serde(rename = "type")]
    pub kind: String,
    /// Uncompressed layer digests.
    pub diff_ids: Vec<String>,
}

/// One history entry of a config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigHistory {
    /// Created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Created by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Empty layer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// An image config document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigFile {
    /// Created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Architecture.
    #[serde(default)]
    pub architecture: String,
    /// OS.
    #[serde(default)]
    pub os: String,
    /// Architecture variant (`v7` of arm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Runtime config.
    #[serde(default)]
    pub config: RunConfig,
    /// Layers.
    pub rootfs: RootFs,
    /// History.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ConfigHistory>,
}

impl ConfigFile {
    /// Parses a config blob.
    pub fn parse(data: &[u8], what: &str) -> Result<Self> {
        let c: ConfigFile = serde_json::from_slice(data).map_err(|source| Error::Json {
            what: what.to_string(),
            source,
        })?;
        for d in &c.rootfs.diff_ids {
            crate::digest::parse_sha256(d)?;
        }
        Ok(c)
    }

    /// The runtime config as the store's plain type.
    pub fn image_config(&self) -> ImageConfig {
        let c = &self.config;
        ImageConfig {
            user: c.user.clone().filter(|u| !u.is_empty()),
            env: c.env.clone().unwrap_or_default(),
            cmd: c.cmd.clone(),
            entrypoint: c.entrypoint.clone(),
            working_dir: c.working_dir.clone().filter(|w| !w.is_empty()),
            exposed_ports: c
                .exposed_ports
                .as_ref()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            volumes: c
                .volumes
                .as_ref()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            labels: c.labels.clone().unwrap_or_default(),
            stop_signal: c.stop_signal.clone().filter(|s| !s.is_empty()),
            healthcheck: c.healthcheck.clone().filter(|h| !h.test.is_empty()),
        }
    }

    /// History as the store's plain type.
    pub fn history(&self) -> Vec<HistoryEntry> {
        self.history
            .iter()
            .map(|h| HistoryEntry {
                created: h.created.clone(),
                created_by: h.created_by.clone(),
                author: h.author.clone(),
                comment: h.comment.clone(),
                empty_layer: h.empty_layer,
            })
            .collect()
    }
}

/// The architecture name of this machine in OCI terms.
pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_runtime_config_of_a_docker_style_config() {
        let cfg = br#"{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
            "config":{"User":"nobody:nogroup","Env":["PATH=/bin","A=b"],"Cmd":["nginx","-g","daemon off;"],
              "Entrypoint":["/docker-entrypoint.sh"],"WorkingDir":"/srv","ExposedPorts":{"80/tcp":{},"443/tcp":{}},
              "Volumes":{"/data":{}},"Labels":{"maintainer":"x"},"StopSignal":"SIGQUIT","Unknown":1},
            "rootfs":{"type":"layers","diff_ids":["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},
            "history":[{"created_by":"ADD x","empty_layer":false},{"created_by":"CMD","empty_layer":true}]}"#;
        let c = ConfigFile::parse(cfg, "test").unwrap();
        let ic = c.image_config();
        assert_eq!(ic.user.as_deref(), Some("nobody:nogroup"));
        assert_eq!(ic.env, vec!["PATH=/bin", "A=b"]);
        assert_eq!(ic.cmd.unwrap()[0], "nginx");
        assert_eq!(ic.entrypoint.unwrap(), vec!["/docker-entrypoint.sh"]);
        assert_eq!(ic.working_dir.as_deref(), Some("/srv"));
        assert_eq!(ic.exposed_ports, vec!["443/tcp", "80/tcp"]);
        assert_eq!(ic.volumes, vec!["/data"]);
        assert_eq!(ic.labels["maintainer"], "x");
        assert_eq!(ic.stop_signal.as_deref(), Some("SIGQUIT"));
        assert!(c.history()[1].empty_layer);
    }

    #[test]
    fn bad_configs_are_refused() {
        assert!(ConfigFile::parse(b"{", "c")
            .unwrap_err()
            .to_string()
            .contains("JSON in c"));
        let bad = br#"{"rootfs":{"type":"layers","diff_ids":["md5:00"]}}"#;
        assert!(ConfigFile::parse(bad, "c")
            .unwrap_err()
            .to_string()
            .contains("invalid digest"));
        assert!(
            ConfigFile::parse(br#"{"architecture":"amd64"}"#, "c").is_err(),
            "rootfs is required"
        );
    }
}

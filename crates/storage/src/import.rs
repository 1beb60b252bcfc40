//! `import`: a root filesystem tar as a one-layer image.

use std::io::Read;

use crate::digest::parse_sha256;
use crate::images::normalize_local_name;
use crate::model::{ImageRecord, ImportOptions};
use crate::oci::{host_arch, ConfigFile, ConfigHistory, RootFs, RunConfig};
use crate::store::Store;
use crate::{Error, Result};

impl Store {
    /// Imports a root filesystem tar (plain, gzip or zstd) as a one-layer
    /// image with the config changes in `options`.
    pub fn import(&self, tar: &mut dyn Read, options: &ImportOptions) -> Result<ImageRecord> {
        let names = options
            .names
            .iter()
            .map(|n| normalize_local_name(n))
            .collect::<Result<Vec<_>>>()?;
        let config = run_config(options)?;
        self.lock.write(|| {
            let layer = self.add_layer(None, None, tar)?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            let cfg = ConfigFile {
                created: Some(now.clone()),
                author: None,
                architecture: options
                    .architecture
                    .clone()
                    .unwrap_or_else(|| host_arch().to_string()),
                os: options.os.clone().unwrap_or_else(|| "linux".into()),
                variant: options.variant.clone(),
                config,
                rootfs: RootFs {
                    kind: "layers".into(),
                    diff_ids: vec![layer.diff_id.clone()],
                },
                history: vec![ConfigHistory {
                    created: Some(now),
                    created_by: Some(format!(
                        "/bin/sh -c #(nop) ADD file:{} in / ",
                        parse_sha256(&layer.diff_id)?
                    )),
                    comment: options.message.clone(),
                    ..ConfigHistory::default()
                }],
            };
            let bytes = serde_json::to_vec(&cfg).map_err(|source| Error::Json {
                what: "config".into(),
                source,
            })?;
            self.commit_image(&bytes, None, &names, &[])
        })
    }
}

/// The run config of `options` (an image's CMD, ENV, ...), checked: WORKDIR and
/// VOLUME absolute, ENV `KEY=value`, EXPOSE `PORT[/proto]`.
pub(crate) fn run_config(options: &ImportOptions) -> Result<RunConfig> {
    if let Some(w) = &options.working_dir {
        if !w.starts_with('/') {
            return Err(Error::InvalidOption(format!(
                "WORKDIR {w:?} must be an absolute path"
            )));
        }
    }
    for e in &options.env {
        if !e.contains('=') || e.starts_with('=') {
            return Err(Error::InvalidOption(format!("ENV {e:?} must be KEY=value")));
        }
    }
    for v in &options.volumes {
        if !v.starts_with('/') {
            return Err(Error::InvalidOption(format!(
                "VOLUME {v:?} must be an absolute path"
            )));
        }
    }
    for p in &options.exposed_ports {
        let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
        if port.parse::<u16>().map_or(true, |n| n == 0) || !matches!(proto, "tcp" | "udp" | "sctp")
        {
            return Err(Error::InvalidOption(format!(
                "EXPOSE {p:?} must be PORT[/tcp|udp|sctp] with a port from 1 to 65535"
            )));
        }
    }
    let keys = |items: &[String]| {
        (!items.is_empty()).then(|| {
            items
                .iter()
                .map(|k| (k.clone(), serde_json::json!({})))
                .collect()
        })
    };
    Ok(RunConfig {
        env: (!options.env.is_empty()).then(|| options.env.clone()),
        cmd: options.cmd.clone(),
        entrypoint: options.entrypoint.clone(),
        working_dir: options.working_dir.clone(),
        user: options.user.clone(),
        exposed_ports: keys(&options.exposed_ports),
        volumes: keys(&options.volumes),
        labels: (!options.labels.is_empty()).then(|| options.labels.clone()),
        stop_signal: options.stop_signal.clone(),
        healthcheck: options.healthcheck.clone(),
    })
}

//! The store's diff operations: changes of a container root or an image's
//! top layer, a container root as a layer tar or a whole tree, and `commit`.

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::PathBuf;

use super::{overlay_changes, write_layer_tar, write_tree_tar, Change};
use crate::error::IoContext;
use crate::images::normalize_local_name;
use crate::import::run_config;
use crate::model::{ImageRecord, ImportOptions};
use crate::oci::{ConfigFile, ConfigHistory, RootFs};
use crate::staging::LiveStaging;
use crate::store::Store;
use crate::{Error, Result};

/// What `commit` makes of a container root.
#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    /// The new image's names, its run config (CMD, ENV, ...), and `message`
    /// as the history comment; `architecture`/`os`/`variant` are the base image's.
    pub config: ImportOptions,
    /// The author (config and history).
    pub author: Option<String>,
    /// The history entry's `created_by`.
    pub created_by: Option<String>,
    /// One layer holding the whole root filesystem instead of the base image's
    /// layers plus the container's changes.
    pub squash: bool,
}

impl Store {
    /// The upper directory of `id` and the directories of `chain` below it,
    /// top first; refused for drivers without upper directories.
    fn upper_and_lowers(&self, id: &str, chain: &[String]) -> Result<(PathBuf, Vec<PathBuf>)> {
        let no_upper = || {
            Error::InvalidOption(format!(
                "layer diffs need the overlay storage driver; this store uses {}",
                self.driver.name()
            ))
        };
        let upper = self.driver.upper_dir(id).ok_or_else(no_upper)?;
        let lowers = chain
            .iter()
            .rev()
            .map(|l| self.driver.upper_dir(l).ok_or_else(no_upper))
            .collect::<Result<_>>()?;
        Ok((upper, lowers))
    }

    fn container_dirs(&self, storage_id: &str) -> Result<(PathBuf, Vec<PathBuf>)> {
        let rec = self.container_record(storage_id)?;
        let chain = match &rec.layer {
            Some(top) => self.layer_chain(top)?,
            None => Vec::new(),
        };
        self.upper_and_lowers(storage_id, &chain)
    }

    /// What a container changed in its root filesystem against its image.
    pub fn container_changes(&self, storage_id: &str) -> Result<Vec<Change>> {
        self.lock.read(|| {
            let (upper, lowers) = self.container_dirs(storage_id)?;
            overlay_changes(&upper, &lowers)
        })
    }

    /// What an image's top layer changed against the layers below it.
    pub fn image_changes(&self, name_or_id: &str) -> Result<Vec<Change>> {
        self.lock.read(|| {
            let img = self.find_image(name_or_id)?;
            let Some((top, below)) = img.layers.split_last() else {
                return Ok(Vec::new());
            };
            let (upper, lowers) = self.upper_and_lowers(top, below)?;
            overlay_changes(&upper, &lowers)
        })
    }

    /// Writes a container's changes as an OCI layer tar.
    pub fn container_diff_tar(&self, storage_id: &str, out: &mut dyn Write) -> Result<()> {
        self.lock.read(|| {
            let (upper, _) = self.container_dirs(storage_id)?;
            write_layer_tar(&upper, out)
        })
    }

    /// Writes a container's whole root filesystem as a tar, mounting it for
    /// the time it takes when it is not mounted.
    pub fn export_container(&self, storage_id: &str, out: &mut dyn Write) -> Result<()> {
        let root = self.mount(storage_id)?;
        let res = write_tree_tar(&root, out);
        let unmounted = self.unmount(storage_id, false);
        res?;
        unmounted.map(drop)
    }

    /// Makes an image of a container root: the image's layers plus one layer
    /// of the container's changes (or, with `squash`, one layer of its whole
    /// tree), with `options.config` as its run config and a history entry.
    pub fn commit_container(
        &self,
        storage_id: &str,
        options: &CommitOptions,
    ) -> Result<ImageRecord> {
        let names = options
            .config
            .names
            .iter()
            .map(|n| normalize_local_name(n))
            .collect::<Result<Vec<_>>>()?;
        let config = run_config(&options.config)?;
        let rec = self.lock.read(|| self.container_record(storage_id))?;
        let staging = LiveStaging::new(self, "commit")?;
        let tar_path = staging.path().join("layer.tar");
        let mut file = File::options()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&tar_path)
            .ctx("create", &tar_path)?;
        {
            let mut w = BufWriter::new(&mut file);
            if options.squash {
                self.export_container(storage_id, &mut w)?;
            } else {
                self.container_diff_tar(storage_id, &mut w)?;
            }
            w.flush().ctx("write", &tar_path)?;
        }
        file.rewind().ctx("rewind", &tar_path)?;
        self.lock.write(|| {
            let base = self.find_image(&rec.image_id)?;
            let base_cfg = ConfigFile::parse(
                &self.image_config_blob(&base.id)?,
                &format!("config of image {}", base.id),
            )?;
            let parent = match (options.squash, base.top_layer()) {
                (false, Some(top)) => Some(
                    self.layer_record(top)?
                        .ok_or_else(|| Error::LayerNotFound(top.to_string()))?,
                ),
                _ => None,
            };
            let layer = self.add_layer(parent.as_ref(), None, &mut file)?;
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
            let mut diff_ids = if options.squash {
                Vec::new()
            } else {
                base_cfg.rootfs.diff_ids.clone()
            };
            diff_ids.push(layer.diff_id.clone());
            let mut history = if options.squash {
                Vec::new()
            } else {
                base_cfg.history.clone()
            };
            history.push(ConfigHistory {
                created: Some(now.clone()),
                created_by: options.created_by.clone(),
                author: options.author.clone(),
                comment: options.config.message.clone(),
                empty_layer: false,
            });
            let cfg = ConfigFile {
                created: Some(now),
                author: options.author.clone(),
                architecture: base_cfg.architecture.clone(),
                os: base_cfg.os.clone(),
                variant: base_cfg.variant.clone(),
                config: config.clone(),
                rootfs: RootFs {
                    kind: "layers".into(),
                    diff_ids,
                },
                history,
            };
            let bytes = serde_json::to_vec(&cfg).map_err(|source| Error::Json {
                what: "config".into(),
                source,
            })?;
            self.commit_image(&bytes, None, &names, &[])
        })
    }
}

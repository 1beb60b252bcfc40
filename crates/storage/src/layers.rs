//! The layer store: `layers/<chain-id hex>.json` records over driver directories.
//!
//! A layer is extracted into a staging directory (`tmp-*`), its tar is
//! hashed on the way (diff id) and kept as a blob (for `save`), the files are
//! synced, the directory renamed to its chain id, and only then is the record
//! written. A layer without a record is a leftover that `check` removes.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Read, Write};

use crate::compress::decompress;
use crate::digest::{chain_id, parse_sha256};
use crate::extract::{extract, ExtractOptions};
use crate::fsutil::{list_dir, random_hex, read_json, write_json};
use crate::model::LayerRecord;
use crate::store::Store;
use crate::{Error, Result};

/// A reader that copies everything it yields into a writer.
struct Tee<'a, R, W> {
    inner: R,
    out: &'a mut W,
}

impl<R: Read, W: Write> Read for Tee<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}

impl Store {
    /// A layer record by id, if present.
    pub(crate) fn layer_record(&self, id: &str) -> Result<Option<LayerRecord>> {
        let p = self.record_path("layers", id);
        if !p.exists() {
            return Ok(None);
        }
        read_json(&p).map(Some)
    }

    /// All layer records.
    pub(crate) fn layer_records(&self) -> Result<HashMap<String, LayerRecord>> {
        let mut out = HashMap::new();
        for n in list_dir(&self.graph("layers"))? {
            if let Some(id) = n
                .strip_suffix(".json")
                .filter(|s| crate::digest::is_hex64(s))
            {
                let rec: LayerRecord = read_json(&self.record_path("layers", id))?;
                out.insert(id.to_string(), rec);
            }
        }
        Ok(out)
    }

    /// Lists the layers (taking the lock).
    pub fn layers(&self) -> Result<Vec<LayerRecord>> {
        self.lock.read(|| {
            let mut v: Vec<_> = self.layer_records()?.into_values().collect();
            v.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(v)
        })
    }

    /// Adds a layer on top of `parent` from a (possibly compressed) tar
    /// stream, verifying its diff id when `expected_diff_id` is given.
    /// Reuses an existing layer with the same chain id. Caller holds the lock.
    pub(crate) fn add_layer(
        &self,
        parent: Option<&LayerRecord>,
        expected_diff_id: Option<&str>,
        stream: &mut dyn Read,
    ) -> Result<LayerRecord> {
        if let Some(d) = expected_diff_id {
            parse_sha256(d)?;
            let id = parse_sha256(&chain_id(
                parent.map(|p| format!("sha256:{}", p.id)).as_deref(),
                d,
            ))?
            .to_string();
            if let (Some(rec), true) = (self.layer_record(&id)?, self.blobs.exists(d)) {
                io::copy(stream, &mut io::sink()).map_err(Error::Archive)?;
                return Ok(rec);
            }
        }
        let staging = format!("tmp-{}", random_hex(16));
        let res = self.extract_staging(&staging, parent, expected_diff_id, stream);
        if res.is_err() {
            let _ = self.driver.remove_layer(&staging);
        }
        res
    }

    fn extract_staging(
        &self,
        staging: &str,
        parent: Option<&LayerRecord>,
        expected: Option<&str>,
        stream: &mut dyn Read,
    ) -> Result<LayerRecord> {
        let dir = self
            .driver
            .prepare_layer(staging, parent.map(|p| p.id.as_str()))?;
        let (plain, _) = decompress(stream)?;
        let mut blob = self.blobs.writer()?;
        let extracted = {
            let mut tee = Tee {
                inner: plain,
                out: &mut blob,
            };
            extract(
                &mut tee,
                &dir,
                ExtractOptions::layer(self.driver.whiteout_mode()),
            )
            .and_then(|()| io::copy(&mut tee, &mut io::sink()).map_err(Error::Archive))
        };
        if let Err(e) = extracted {
            blob.abort();
            return Err(e);
        }
        let (diff_id, size) = blob.commit(expected).map_err(|e| match e {
            Error::DigestMismatch {
                expected, actual, ..
            } => Error::DigestMismatch {
                what: "layer (diff id)".into(),
                expected,
                actual,
            },
            e => e,
        })?;
        let parent_chain = parent.map(|p| format!("sha256:{}", p.id));
        let id = parse_sha256(&chain_id(parent_chain.as_deref(), &diff_id))?.to_string();
        if let Some(rec) = self.layer_record(&id)? {
            self.driver.remove_layer(staging)?;
            return Ok(rec);
        }
        // Make the files durable before the layer becomes visible.
        let fd = std::fs::File::open(&dir).map_err(|e| Error::io("open", &dir, e))?;
        nix::unistd::syncfs(&fd).map_err(|e| Error::sys("syncfs", &dir, e))?;
        self.driver.commit_layer(staging, &id)?;
        let rec = LayerRecord {
            id: id.clone(),
            parent: parent.map(|p| p.id.clone()),
            diff_id,
            size,
        };
        write_json(&self.record_path("layers", &id), &rec)?;
        Ok(rec)
    }

    /// The chain of layer ids from the bottom to `top`.
    pub(crate) fn layer_chain(&self, top: &str) -> Result<Vec<String>> {
        let mut chain = Vec::new();
        let mut cur = Some(top.to_string());
        while let Some(id) = cur {
            let rec = self
                .layer_record(&id)?
                .ok_or_else(|| Error::LayerNotFound(id.clone()))?;
            chain.push(id);
            cur = rec.parent;
            if chain.len() > 1000 {
                return Err(Error::LayerNotFound(format!("{top} (parent loop)")));
            }
        }
        chain.reverse();
        Ok(chain)
    }

    /// Removes layers that no image and no container uses, record first.
    /// Caller holds the lock. Returns the removed ids.
    pub(crate) fn gc_layers(&self) -> Result<Vec<String>> {
        let layers = self.layer_records()?;
        let mut used = BTreeSet::new();
        for img in self.image_records()? {
            used.extend(img.layers.iter().cloned());
        }
        for c in self.container_records()? {
            let mut cur = c.layer.clone();
            while let Some(id) = cur {
                cur = layers.get(&id).and_then(|l| l.parent.clone());
                used.insert(id);
            }
        }
        let mut removed = Vec::new();
        for id in layers.keys() {
            if !used.contains(id) {
                std::fs::remove_file(self.record_path("layers", id))
                    .map_err(|e| Error::io("remove", self.record_path("layers", id), e))?;
                self.drop_layer_mount(id)?;
                self.driver.remove_layer(id)?;
                removed.push(id.clone());
            }
        }
        Ok(removed)
    }
}

//! Image records and operations: list, lookup, inspect, history, tag,
//! untag, remove, prune.
//!
//! `images/<id>.json` is written last when an image is made (after its
//! layers and blobs), and removed first when it goes.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::digest::{is_hex64, parse_sha256};
use crate::fsutil::{list_dir, read_json, write_json};
use crate::model::{HistoryEntry, ImageRecord};
use crate::oci::{media, ConfigFile, Descriptor, Manifest};
use crate::reference::Reference;
use crate::store::Store;
use crate::{Error, Result};

/// Normalizes a name for the store (`busybox` -> `docker.io/library/busybox:latest`).
pub fn normalize_name(name: &str) -> Result<String> {
    Ok(Reference::parse(name)?.to_string())
}

/// Normalizes a name given to a locally made image (import, commit): a name
/// without a registry goes to `localhost/`, as podman does.
pub fn normalize_local_name(name: &str) -> Result<String> {
    let r = Reference::parse(name)?;
    if r.had_domain {
        return Ok(r.to_string());
    }
    let path = r
        .path
        .strip_prefix("library/")
        .filter(|_| !name.starts_with("library/"))
        .unwrap_or(&r.path);
    let mut local = Reference {
        domain: "localhost".into(),
        path: path.to_string(),
        ..r
    };
    local.had_domain = true;
    Ok(local.to_string())
}

/// What [`Store::remove_image`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedImage {
    /// The image id.
    pub id: String,
    /// Names removed.
    pub untagged: Vec<String>,
    /// Whether the image itself was deleted (false: only a name went).
    pub deleted: bool,
}

impl Store {
    pub(crate) fn image_records(&self) -> Result<Vec<ImageRecord>> {
        let mut out = Vec::new();
        for n in list_dir(&self.graph("images"))? {
            if let Some(id) = n.strip_suffix(".json").filter(|s| is_hex64(s)) {
                out.push(read_json::<ImageRecord>(&self.record_path("images", id))?);
            }
        }
        Ok(out)
    }

    fn write_image(&self, rec: &ImageRecord) -> Result<()> {
        write_json(&self.record_path("images", &rec.id), rec)
    }

    /// All images.
    pub fn images(&self) -> Result<Vec<ImageRecord>> {
        self.lock.read(|| self.image_records())
    }

    /// Finds an image by full id, `sha256:` id, name, or unique id prefix.
    pub fn image(&self, name_or_id: &str) -> Result<ImageRecord> {
        self.lock.read(|| self.find_image(name_or_id))
    }

    /// Inspect: the image record (same as [`Store::image`]).
    pub fn inspect_image(&self, name_or_id: &str) -> Result<ImageRecord> {
        self.image(name_or_id)
    }

    /// The history of an image, newest first (as `podman history` shows it).
    pub fn image_history(&self, name_or_id: &str) -> Result<Vec<HistoryEntry>> {
        let mut h = self.image(name_or_id)?.history;
        h.reverse();
        Ok(h)
    }

    /// The raw config blob of an image.
    pub fn image_config_blob(&self, image_id: &str) -> Result<Vec<u8>> {
        self.blobs.get(&format!("sha256:{image_id}"))
    }

    pub(crate) fn find_image(&self, name_or_id: &str) -> Result<ImageRecord> {
        self.find_image_named(name_or_id, None).map(|(i, _)| i)
    }

    /// [`Store::image`] that also says by which name the image was found
    /// (`None`: by id), with `rules` in place of the store's own short-name
    /// rules when given (a pull looks its name up with the pull's rules).
    pub fn lookup_image(
        &self,
        name_or_id: &str,
        rules: Option<&crate::registry::RegistryRules>,
    ) -> Result<(ImageRecord, Option<String>)> {
        self.lock.read(|| self.find_image_named(name_or_id, rules))
    }

    /// The image a name, id or id prefix means, and the name it was found
    /// by (`None`: by id), in libimage's order: the full id; each local
    /// candidate of the name (a short name's alias, `localhost/`, the
    /// search registries; see [`crate::registry::RegistryRules::local_candidates`]),
    /// then the name on docker.io; a unique id prefix; last, for a short
    /// name, any image whose name ends in `/NAME:TAG`.
    fn find_image_named(
        &self,
        name_or_id: &str,
        rules: Option<&crate::registry::RegistryRules>,
    ) -> Result<(ImageRecord, Option<String>)> {
        let images = self.image_records()?;
        let key = name_or_id.strip_prefix("sha256:").unwrap_or(name_or_id);
        if let Some(i) = images.iter().find(|i| i.id == key) {
            return Ok((i.clone(), None));
        }
        let parsed = Reference::parse(name_or_id).ok();
        if let Some(r) = &parsed {
            for c in self.local_candidates(name_or_id, r, rules)? {
                let full = c.to_string();
                let hit = images.iter().find(|i| {
                    i.names.contains(&full)
                        || c.digest
                            .as_ref()
                            .is_some_and(|d| i.repo_matches(&c) && i.digests.contains(d))
                });
                if let Some(i) = hit {
                    return Ok((i.clone(), Some(full)));
                }
            }
        }
        // By id prefix.
        if !key.is_empty() && key.len() < 64 && key.bytes().all(|c| c.is_ascii_hexdigit()) {
            let hits: Vec<&ImageRecord> = images.iter().filter(|i| i.id.starts_with(key)).collect();
            match hits.as_slice() {
                [one] => return Ok(((*one).clone(), None)),
                [] => {}
                many => {
                    return Err(Error::Ambiguous {
                        name: name_or_id.to_string(),
                        candidates: many.iter().map(|i| i.id.clone()).collect(),
                    })
                }
            }
        }
        // A short name on any registry.
        if let Some(r) = parsed.filter(|r| !r.had_domain) {
            let short = r
                .path
                .strip_prefix("library/")
                .filter(|_| !name_or_id.starts_with("library/"))
                .unwrap_or(&r.path);
            let tail = match (&r.tag, &r.digest) {
                (Some(t), _) => format!("/{short}:{t}"),
                (None, Some(d)) => format!("/{short}@{d}"),
                (None, None) => format!("/{short}:latest"),
            };
            let hits: Vec<(&ImageRecord, &String)> = images
                .iter()
                .filter_map(|i| i.names.iter().find(|n| n.ends_with(&tail)).map(|n| (i, n)))
                .collect();
            match hits.as_slice() {
                [(one, name)] => return Ok(((*one).clone(), Some((*name).clone()))),
                [] => {}
                many => {
                    return Err(Error::Ambiguous {
                        name: name_or_id.to_string(),
                        candidates: many.iter().map(|(i, _)| i.id.clone()).collect(),
                    })
                }
            }
        }
        Err(Error::ImageNotFound(name_or_id.to_string()))
    }

    /// The names to try for `input` (parsed as `r`), in order: a qualified
    /// name is itself; a short name's local candidates come from the rules
    /// the store was given ([`Store::with_short_name_rules`]; without them,
    /// `localhost/` only); last the name normalized to docker.io, as
    /// libimage keeps for compatibility.
    fn local_candidates(
        &self,
        input: &str,
        r: &Reference,
        given: Option<&crate::registry::RegistryRules>,
    ) -> Result<Vec<Reference>> {
        let mut out = if r.had_domain {
            Vec::new()
        } else {
            let failed = |source: Box<dyn std::error::Error + Send + Sync>| Error::ShortNameRules {
                name: input.to_string(),
                source,
            };
            let rules = match (given, &self.short_name_rules) {
                (Some(rules), _) => Cow::Borrowed(rules),
                (None, Some(src)) => Cow::Owned(src.load().map_err(failed)?),
                (None, None) => Cow::Owned(crate::registry::RegistryRules::default()),
            };
            rules
                .local_candidates(input)
                .map_err(|e| failed(Box::new(e)))?
        };
        if !out.contains(r) {
            out.push(r.clone());
        }
        Ok(out)
    }

    /// Makes an image from a config blob over already stored layers, and
    /// gives it `names` (taken away from other images). Caller holds the lock.
    pub(crate) fn commit_image(
        &self,
        config_bytes: &[u8],
        manifest: Option<&[u8]>,
        names: &[String],
        digests: &[String],
    ) -> Result<ImageRecord> {
        let config_digest = self.blobs.put(config_bytes, None)?;
        let id = parse_sha256(&config_digest)?.to_string();
        let cfg = ConfigFile::parse(config_bytes, &format!("config {config_digest}"))?;
        let mut layers = Vec::new();
        let mut parent: Option<String> = None;
        let mut size = 0;
        for d in &cfg.rootfs.diff_ids {
            let chain = crate::digest::chain_id(
                parent.as_ref().map(|p| format!("sha256:{p}")).as_deref(),
                d,
            );
            let lid = parse_sha256(&chain)?.to_string();
            let rec = self
                .layer_record(&lid)?
                .ok_or_else(|| Error::LayerNotFound(lid.clone()))?;
            size += rec.size;
            layers.push(lid.clone());
            parent = Some(lid);
        }
        let manifest_bytes = match manifest {
            Some(m) => m.to_vec(),
            None => self.own_manifest(&config_digest, config_bytes.len() as u64, &cfg)?,
        };
        let manifest_digest = self.blobs.put(&manifest_bytes, None)?;
        let existing = self.image_records()?;
        let mut rec = existing
            .iter()
            .find(|i| i.id == id)
            .cloned()
            .unwrap_or_else(|| ImageRecord {
                id: id.clone(),
                names: Vec::new(),
                digests: Vec::new(),
                manifest_digest: manifest_digest.clone(),
                layers: layers.clone(),
                diff_ids: cfg.rootfs.diff_ids.clone(),
                size,
                created: cfg.created.clone(),
                architecture: cfg.architecture.clone(),
                os: cfg.os.clone(),
                config: cfg.image_config(),
                history: cfg.history(),
            });
        for d in digests.iter().chain(std::iter::once(&manifest_digest)) {
            if !rec.digests.contains(d) {
                rec.digests.push(d.clone());
            }
        }
        // Names move: take them from other images first (a crash in between
        // loses a name, never gives one to two images).
        for other in existing.iter().filter(|i| i.id != id) {
            if other.names.iter().any(|n| names.contains(n)) {
                let mut o = other.clone();
                o.names.retain(|n| !names.contains(n));
                self.write_image(&o)?;
            }
        }
        for n in names {
            if !rec.names.contains(n) {
                rec.names.push(n.clone());
            }
        }
        self.write_image(&rec)?;
        Ok(rec)
    }

    /// An OCI manifest for uncompressed layers stored as blobs by diff id.
    pub(crate) fn own_manifest(
        &self,
        config_digest: &str,
        config_size: u64,
        cfg: &ConfigFile,
    ) -> Result<Vec<u8>> {
        let mut layers = Vec::new();
        for d in &cfg.rootfs.diff_ids {
            let size = std::fs::metadata(self.blobs.path(d)?)
                .map_err(|e| Error::io("stat blob", self.blobs.path(d).unwrap_or_default(), e))?
                .len();
            layers.push(Descriptor {
                media_type: media::LAYER_TAR.into(),
                digest: d.clone(),
                size,
                annotations: std::collections::BTreeMap::default(),
            });
        }
        let m = Manifest {
            schema_version: 2,
            media_type: media::MANIFEST.into(),
            config: Descriptor {
                media_type: media::CONFIG.into(),
                digest: config_digest.to_string(),
                size: config_size,
                annotations: std::collections::BTreeMap::default(),
            },
            layers,
        };
        serde_json::to_vec(&m).map_err(|source| Error::Json {
            what: "manifest".into(),
            source,
        })
    }

    /// Adds a name to an image (moving it from any other image).
    pub fn tag_image(&self, name_or_id: &str, new_name: &str) -> Result<ImageRecord> {
        let name = normalize_name(new_name)?;
        self.lock.write(|| {
            let mut img = self.find_image(name_or_id)?;
            for mut other in self
                .image_records()?
                .into_iter()
                .filter(|i| i.id != img.id && i.names.contains(&name))
            {
                other.names.retain(|n| n != &name);
                self.write_image(&other)?;
            }
            if !img.names.contains(&name) {
                img.names.push(name);
                self.write_image(&img)?;
            }
            Ok(img)
        })
    }

    /// Removes a name from an image.
    pub fn untag_image(&self, name_or_id: &str, name: &str) -> Result<ImageRecord> {
        let name = normalize_name(name)?;
        self.lock.write(|| {
            let mut img = self.find_image(name_or_id)?;
            if !img.names.contains(&name) {
                return Err(Error::ImageNotFound(format!(
                    "{name} (not a name of image {})",
                    img.id
                )));
            }
            img.names.retain(|n| n != &name);
            self.write_image(&img)?;
            Ok(img)
        })
    }

    /// Removes an image, as `podman rmi` does: given one of several names
    /// of an image, only that name goes; otherwise the image is deleted,
    /// which is refused while containers use it unless `force` (their layers
    /// are then kept until the containers go). Layers and blobs nobody uses
    /// any more are removed too.
    pub fn remove_image(&self, name_or_id: &str, force: bool) -> Result<RemovedImage> {
        self.lock.write(|| {
            let mut img = self.find_image(name_or_id)?;
            let by_name = Reference::parse(name_or_id).ok().and_then(|r| {
                let full = r.to_string();
                if img.names.contains(&full) {
                    return Some(full);
                }
                let short = r.path.strip_prefix("library/").unwrap_or(&r.path);
                let tail = format!("/{short}:{}", r.tag.as_deref().unwrap_or("latest"));
                (!r.had_domain)
                    .then(|| img.names.iter().find(|n| n.ends_with(&tail)).cloned())
                    .flatten()
            });
            if let Some(name) = by_name.filter(|_| img.names.len() > 1) {
                img.names.retain(|n| n != &name);
                self.write_image(&img)?;
                return Ok(RemovedImage {
                    id: img.id,
                    untagged: vec![name],
                    deleted: false,
                });
            }
            let users: Vec<String> = self
                .container_records()?
                .into_iter()
                .filter(|c| c.image_id == img.id)
                .map(|c| c.id)
                .collect();
            if !users.is_empty() && !force {
                return Err(Error::ImageInUse {
                    image: img.id.clone(),
                    containers: users,
                });
            }
            self.remove_image_locked(&img)?;
            Ok(RemovedImage {
                id: img.id,
                untagged: img.names,
                deleted: true,
            })
        })
    }

    pub(crate) fn remove_image_locked(&self, img: &ImageRecord) -> Result<()> {
        let p = self.record_path("images", &img.id);
        std::fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
        self.gc_layers()?;
        self.gc_blobs()?;
        Ok(())
    }

    /// Removes blobs no image refers to. Caller holds the lock.
    pub(crate) fn gc_blobs(&self) -> Result<Vec<String>> {
        let mut used = BTreeSet::new();
        for img in self.image_records()? {
            used.insert(format!("sha256:{}", img.id));
            used.insert(img.manifest_digest.clone());
            used.extend(img.diff_ids.iter().cloned());
        }
        // Layers kept for containers keep their tars too.
        for l in self.layer_records()?.values() {
            used.insert(l.diff_id.clone());
        }
        let mut removed = Vec::new();
        for d in self.blobs.list()? {
            if !used.contains(&d) {
                self.blobs.remove(&d)?;
                removed.push(d);
            }
        }
        Ok(removed)
    }

    /// Removes images without names that no container uses. Returns their ids.
    pub fn prune_images(&self) -> Result<Vec<String>> {
        self.lock.write(|| {
            let used: BTreeSet<String> = self
                .container_records()?
                .into_iter()
                .map(|c| c.image_id)
                .collect();
            let mut removed = Vec::new();
            for img in self.image_records()? {
                if img.names.is_empty() && !used.contains(&img.id) {
                    self.remove_image_locked(&img)?;
                    removed.push(img.id);
                }
            }
            Ok(removed)
        })
    }

    /// The manifest stored for an image.
    pub(crate) fn manifest_of(&self, img: &ImageRecord) -> Result<Manifest> {
        let data = self.blobs.get(&img.manifest_digest)?;
        serde_json::from_slice(&data).map_err(|source| Error::Json {
            what: format!("manifest {}", img.manifest_digest),
            source,
        })
    }
}

impl ImageRecord {
    fn repo_matches(&self, r: &Reference) -> bool {
        let repo = r.repository();
        self.names
            .iter()
            .any(|n| n.starts_with(&format!("{repo}:")) || n.starts_with(&format!("{repo}@")))
            || self.names.is_empty()
    }
}

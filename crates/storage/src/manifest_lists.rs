//! Manifest lists (`manifest create/add/annotate/remove/rm`): a Docker
//! manifest list or OCI image index kept under a name, each instance a local
//! image's stored manifest. `manifest-lists/<id>.json` holds the record; the
//! list document is built from it when inspected or pushed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::fsutil::{list_dir, random_hex, read_json, write_json};
use crate::images::{normalize_local_name, normalize_name};
use crate::oci::media;
use crate::store::Store;
use crate::{Error, Result};

/// An instance's platform, as an index entry carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPlatform {
    /// CPU architecture (`amd64`).
    pub architecture: String,
    /// Operating system (`linux`).
    pub os: String,
    /// OS version.
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    /// OS features.
    #[serde(rename = "os.features", default, skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    /// Architecture variant (`v8`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    /// CPU features.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// One instance of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListInstance {
    /// Media type of its manifest.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// Size of its manifest.
    pub size: u64,
    /// Digest of its manifest.
    pub digest: String,
    /// Its platform.
    pub platform: ListPlatform,
    /// Annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The list document as inspected and pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDocument {
    /// 2.
    #[serde(rename = "schemaVersion")]
    pub schema_version: u32,
    /// Docker manifest list or OCI index.
    #[serde(rename = "mediaType")]
    pub media_type: String,
    /// The instances (`null` when there are none, as podman prints it).
    pub manifests: Option<Vec<ListInstance>>,
}

/// A stored manifest list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestList {
    /// Its id (64 hex).
    pub id: String,
    /// Its normalized names.
    pub names: Vec<String>,
    /// Its instances, in order.
    pub instances: Vec<ListInstance>,
    /// The local image each instance digest comes from (its id).
    pub sources: BTreeMap<String, String>,
}

impl ManifestList {
    /// The list document: a Docker manifest list unless `oci`.
    pub fn document(&self, oci: bool) -> ListDocument {
        ListDocument {
            schema_version: 2,
            media_type: if oci {
                media::INDEX
            } else {
                media::DOCKER_LIST
            }
            .to_owned(),
            manifests: (!self.instances.is_empty()).then(|| self.instances.clone()),
        }
    }
}

/// Overrides of an instance's platform and annotations (`--arch`, `--os`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstanceEdit {
    /// `--arch`.
    pub architecture: Option<String>,
    /// `--os`.
    pub os: Option<String>,
    /// `--os-version`.
    pub os_version: Option<String>,
    /// `--os-features`.
    pub os_features: Vec<String>,
    /// `--variant`.
    pub variant: Option<String>,
    /// `--features`.
    pub features: Vec<String>,
    /// `--annotation KEY=VALUE`.
    pub annotations: BTreeMap<String, String>,
}

impl InstanceEdit {
    fn apply(&self, i: &mut ListInstance) {
        let p = &mut i.platform;
        let set = |dst: &mut String, v: &Option<String>| {
            if let Some(v) = v {
                v.clone_into(dst);
            }
        };
        set(&mut p.architecture, &self.architecture);
        set(&mut p.os, &self.os);
        set(&mut p.os_version, &self.os_version);
        set(&mut p.variant, &self.variant);
        if !self.os_features.is_empty() {
            p.os_features.clone_from(&self.os_features);
        }
        if !self.features.is_empty() {
            p.features.clone_from(&self.features);
        }
        i.annotations.extend(self.annotations.clone());
    }
}

impl Store {
    fn lists_dir(&self) -> PathBuf {
        self.graph("manifest-lists")
    }

    fn list_records(&self) -> Result<Vec<ManifestList>> {
        let mut out = Vec::new();
        for n in list_dir(&self.lists_dir())? {
            if let Some(id) = n
                .strip_suffix(".json")
                .filter(|s| crate::digest::is_hex64(s))
            {
                out.push(read_json(&self.lists_dir().join(format!("{id}.json")))?);
            }
        }
        Ok(out)
    }

    fn find_list(&self, name_or_id: &str) -> Result<ManifestList> {
        let key = name_or_id.strip_prefix("sha256:").unwrap_or(name_or_id);
        // A short name is looked for on localhost/ first, as lists are made there.
        let names: Vec<String> = [normalize_local_name(name_or_id), normalize_name(name_or_id)]
            .into_iter()
            .flatten()
            .collect();
        let lists = self.list_records()?;
        if let Some(l) = lists.iter().find(|l| {
            l.id == key
                || (key.len() >= 3 && l.id.starts_with(key))
                || names.iter().any(|n| l.names.contains(n))
        }) {
            return Ok(l.clone());
        }
        // An image of that name exists, but it is no list: podman's words.
        if let Ok(img) = self.find_image(name_or_id) {
            let shown = img.names.first().cloned().unwrap_or(img.id);
            return Err(Error::InvalidOption(format!(
                "{shown}: image is not a manifest list"
            )));
        }
        Err(Error::ImageNotFound(name_or_id.to_owned()))
    }

    fn save_list(&self, l: &ManifestList) -> Result<()> {
        crate::fsutil::mkdir_all(&self.lists_dir())?;
        write_json(&self.lists_dir().join(format!("{}.json", l.id)), l)
    }

    /// The manifest list `name_or_id`; [`Error::ImageNotFound`] when there is
    /// none, [`Error::InvalidOption`] when it names an image that is no list.
    pub fn manifest_list(&self, name_or_id: &str) -> Result<ManifestList> {
        self.lock.read(|| self.find_list(name_or_id))
    }

    /// Makes an empty list named `name`; with `amend`, an existing list of
    /// that name is returned instead of refused.
    pub fn create_manifest_list(&self, name: &str, amend: bool) -> Result<ManifestList> {
        let full = normalize_local_name(name)?;
        self.lock.write(|| {
            if let Some(l) = self.list_records()?.into_iter().find(|l| l.names.contains(&full)) {
                if amend {
                    return Ok(l);
                }
                return Err(Error::InvalidOption(format!(
                    "image name {full:?} is already associated with image {:?}: that name is already in use",
                    l.id
                )));
            }
            if let Ok(img) = self.find_image(&full) {
                if img.names.contains(&full) {
                    return Err(Error::InvalidOption(format!(
                        "image name {full:?} is already associated with image {:?}: that name is already in use",
                        img.id
                    )));
                }
            }
            let l = ManifestList {
                id: random_hex(32),
                names: vec![full],
                instances: Vec::new(),
                sources: BTreeMap::new(),
            };
            self.save_list(&l)?;
            Ok(l)
        })
    }

    /// Adds the local image `image` (its stored manifest) to a list, with
    /// `edit` over the platform of its config; replaces an instance of the
    /// same digest.
    pub fn add_to_manifest_list(
        &self,
        list: &str,
        image: &str,
        edit: &InstanceEdit,
    ) -> Result<ManifestList> {
        self.lock.write(|| {
            let mut l = self.find_list(list)?;
            let img = self.find_image(image)?;
            let data = self.blobs.get(&img.manifest_digest)?;
            let mt = serde_json::from_slice::<serde_json::Value>(&data)
                .ok()
                .and_then(|v| {
                    v.get("mediaType")
                        .and_then(|m| m.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| media::MANIFEST.to_owned());
            let mut inst = ListInstance {
                media_type: mt,
                size: data.len() as u64,
                digest: img.manifest_digest.clone(),
                platform: ListPlatform {
                    architecture: img.architecture.clone(),
                    os: img.os.clone(),
                    ..ListPlatform::default()
                },
                annotations: BTreeMap::new(),
            };
            edit.apply(&mut inst);
            l.instances.retain(|i| i.digest != inst.digest);
            l.sources.insert(inst.digest.clone(), img.id.clone());
            l.instances.push(inst);
            self.save_list(&l)?;
            Ok(l)
        })
    }

    /// Changes the platform or annotations of the instance `digest`.
    pub fn annotate_manifest_list(
        &self,
        list: &str,
        digest: &str,
        edit: &InstanceEdit,
    ) -> Result<ManifestList> {
        self.lock.write(|| {
            let mut l = self.find_list(list)?;
            let inst = l
                .instances
                .iter_mut()
                .find(|i| i.digest == digest)
                .ok_or_else(|| no_instance(digest))?;
            edit.apply(inst);
            self.save_list(&l)?;
            Ok(l)
        })
    }

    /// Removes the instance `digest` from a list.
    pub fn remove_from_manifest_list(&self, list: &str, digest: &str) -> Result<ManifestList> {
        self.lock.write(|| {
            let mut l = self.find_list(list)?;
            let before = l.instances.len();
            l.instances.retain(|i| i.digest != digest);
            if l.instances.len() == before {
                return Err(no_instance(digest));
            }
            l.sources.remove(digest);
            self.save_list(&l)?;
            Ok(l)
        })
    }

    /// Deletes a list (its instances' images stay).
    pub fn delete_manifest_list(&self, list: &str) -> Result<ManifestList> {
        self.lock.write(|| {
            let l = self.find_list(list)?;
            let p = self.lists_dir().join(format!("{}.json", l.id));
            std::fs::remove_file(&p).map_err(|e| Error::io("remove", &p, e))?;
            Ok(l)
        })
    }
}

fn no_instance(digest: &str) -> Error {
    Error::InvalidOption(format!(
        "no instance matching digest {digest:?} found in manifest list"
    ))
}

/// One operation on the manifest lists of a store, as the [`crate::Storage`]
/// seam takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListOp<'a> {
    /// [`Store::manifest_list`].
    Get(&'a str),
    /// [`Store::create_manifest_list`].
    Create {
        /// The name.
        name: &'a str,
        /// Reuse an existing list of that name.
        amend: bool,
    },
    /// [`Store::add_to_manifest_list`].
    Add {
        /// The list.
        list: &'a str,
        /// The local image.
        image: &'a str,
        /// Overrides.
        edit: &'a InstanceEdit,
    },
    /// [`Store::annotate_manifest_list`].
    Annotate {
        /// The list.
        list: &'a str,
        /// The instance.
        digest: &'a str,
        /// Overrides.
        edit: &'a InstanceEdit,
    },
    /// [`Store::remove_from_manifest_list`].
    Remove {
        /// The list.
        list: &'a str,
        /// The instance.
        digest: &'a str,
    },
    /// [`Store::delete_manifest_list`].
    Delete(&'a str),
}

impl Store {
    /// Runs one [`ListOp`]; the list as it is afterwards (as it was, for `Delete`).
    pub fn manifest_list_op(&self, op: ListOp<'_>) -> Result<ManifestList> {
        match op {
            ListOp::Get(l) => self.manifest_list(l),
            ListOp::Create { name, amend } => self.create_manifest_list(name, amend),
            ListOp::Add { list, image, edit } => self.add_to_manifest_list(list, image, edit),
            ListOp::Annotate { list, digest, edit } => {
                self.annotate_manifest_list(list, digest, edit)
            }
            ListOp::Remove { list, digest } => self.remove_from_manifest_list(list, digest),
            ListOp::Delete(l) => self.delete_manifest_list(l),
        }
    }
}

//! `image mount`, `image unmount` and `image tree`: read-only mounts of
//! images (counted per top layer, as containers/storage does) and the layer
//! tree of an image.

use std::collections::HashMap;
use std::path::PathBuf;

use berth_storage::{ImageRecord, LayerRecord};

use super::image_error;
use crate::error::Result;
use crate::runtime::Runtime;

/// One mounted image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMountReport {
    /// Full image id.
    pub id: String,
    /// Digest of the image's manifest (`sha256:...`).
    pub digest: String,
    /// Its names (`registry/repository:tag`).
    pub names: Vec<String>,
    /// Where it is mounted.
    pub path: PathBuf,
}

impl ImageMountReport {
    fn new(img: &ImageRecord, path: PathBuf) -> Self {
        Self {
            id: img.id.clone(),
            digest: img.manifest_digest.clone(),
            names: img.names.clone(),
            path,
        }
    }
}

/// What [`Runtime::mount_images`] mounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ImageMountTarget {
    /// Nothing: list the images already mounted.
    #[default]
    ListMounted,
    /// Every image.
    All,
    /// These images (names or ids).
    Images(Vec<String>),
}

/// One image `image unmount` acted on.
#[derive(Debug)]
pub struct ImageUnmountReport {
    /// The image id (or the name given, when it could not be found).
    pub id: String,
    /// The outcome.
    pub result: Result<()>,
}

/// One layer of [`ImageTree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLayer {
    /// Layer id.
    pub id: String,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// Names of the images whose top layer this is.
    pub top_of: Vec<String>,
    /// Whether its parent layer has other children too (podman's tree
    /// branches there; otherwise the children continue the parent's list).
    pub branch: bool,
    /// Child layers (only with `what_requires`).
    pub children: Vec<TreeLayer>,
}

/// An image's layers, as `image tree` prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageTree {
    /// Full image id.
    pub id: String,
    /// Its names.
    pub names: Vec<String>,
    /// Its size in bytes.
    pub size: u64,
    /// Whether it has layers.
    pub has_layers: bool,
    /// Without `what_requires`: its layers bottom first, no children. With it:
    /// its top layer with every layer built on it as children.
    pub layers: Vec<TreeLayer>,
}

impl Runtime {
    /// Mounts images read-only and reports where (or lists the mounted ones).
    /// A mount adds a reference: each needs its own unmount.
    pub fn mount_images(&self, target: &ImageMountTarget) -> Result<Vec<ImageMountReport>> {
        self.check()?;
        let names: Vec<String> = match target {
            ImageMountTarget::ListMounted => {
                return Ok(self
                    .storage
                    .mounted_images()?
                    .iter()
                    .map(|m| ImageMountReport::new(&m.image, m.path.clone()))
                    .collect())
            }
            ImageMountTarget::All => self
                .storage
                .list_images()?
                .into_iter()
                .map(|i| i.id)
                .collect(),
            ImageMountTarget::Images(names) => {
                // Every name must resolve before anything is mounted.
                for n in names {
                    self.storage.resolve_image(n).map_err(image_error)?;
                }
                names.clone()
            }
        };
        let mut out = Vec::new();
        for n in &names {
            let (img, path) = self.storage.mount_image(n).map_err(image_error)?;
            out.push(ImageMountReport::new(&img, path));
        }
        Ok(out)
    }

    /// Drops one mount reference of each image (every one with `force`);
    /// `None` = every mounted image. Images that are not mounted are passed over.
    pub fn unmount_images(
        &self,
        images: Option<&[String]>,
        force: bool,
    ) -> Result<Vec<ImageUnmountReport>> {
        self.check()?;
        let ids: Vec<String> = match images {
            None => self
                .storage
                .mounted_images()?
                .into_iter()
                .map(|m| m.image.id)
                .collect(),
            Some(names) => {
                let mut ids = Vec::new();
                for n in names {
                    ids.push(self.storage.resolve_image(n).map_err(image_error)?.id);
                }
                ids
            }
        };
        let mut out = Vec::new();
        for id in ids {
            match self.storage.unmount_image(&id, force) {
                Ok(None) => {}
                Ok(Some(_)) => out.push(ImageUnmountReport { id, result: Ok(()) }),
                Err(e) => out.push(ImageUnmountReport {
                    id,
                    result: Err(image_error(e)),
                }),
            }
        }
        Ok(out)
    }

    /// The layer tree of an image; with `what_requires`, every layer built on
    /// its top layer (the images that need it).
    pub fn image_tree(&self, name_or_id: &str, what_requires: bool) -> Result<ImageTree> {
        let img = self.resolve_image(name_or_id)?;
        let layers: HashMap<String, LayerRecord> = self
            .storage
            .list_layers()?
            .into_iter()
            .map(|l| (l.id.clone(), l))
            .collect();
        let mut top_of: HashMap<String, Vec<String>> = HashMap::new();
        for i in self.storage.list_images()? {
            if let Some(top) = i.top_layer() {
                top_of
                    .entry(top.to_owned())
                    .or_default()
                    .extend(i.names.iter().cloned());
            }
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for l in layers.values() {
            if let Some(p) = &l.parent {
                children.entry(p.clone()).or_default().push(l.id.clone());
            }
        }
        for c in children.values_mut() {
            c.sort();
        }
        let node = |id: &str| TreeLayer {
            id: id.to_owned(),
            size: layers.get(id).map_or(0, |l| l.size),
            top_of: top_of.get(id).cloned().unwrap_or_default(),
            branch: layers
                .get(id)
                .and_then(|l| l.parent.as_ref())
                .is_some_and(|p| children.get(p).is_some_and(|c| c.len() > 1)),
            children: Vec::new(),
        };
        let tree_layers = match img.top_layer() {
            None => Vec::new(),
            Some(top) if what_requires => vec![with_children(top, &node, &children)],
            Some(_) => img.layers.iter().map(|l| node(l)).collect(),
        };
        Ok(ImageTree {
            id: img.id.clone(),
            names: img.names.clone(),
            size: img.size,
            has_layers: img.top_layer().is_some(),
            layers: tree_layers,
        })
    }
}

fn with_children(
    id: &str,
    node: &dyn Fn(&str) -> TreeLayer,
    children: &HashMap<String, Vec<String>>,
) -> TreeLayer {
    let mut n = node(id);
    n.children = children
        .get(id)
        .map(|cs| {
            cs.iter()
                .map(|c| with_children(c, node, children))
                .collect()
        })
        .unwrap_or_default();
    n
}

//! The local store: list, inspect, history, exists, tag, untag, remove.

use berth_storage::ImageRecord;

use super::image_error;
use super::types::{
    split_name, ImageHistoryEntry, ImageListOptions, ImageRemoveOptions, ImageRemoveReport,
    ImageSummary, InspectImage,
};
use crate::error::{Error, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Resolves an image name, id or unique id prefix in local storage.
    pub fn resolve_image(&self, name_or_id: &str) -> Result<ImageRecord> {
        self.check()?;
        self.storage.resolve_image(name_or_id).map_err(image_error)
    }

    /// The images of the store, as `images` lists them.
    pub fn list_images(&self, opts: &ImageListOptions) -> Result<Vec<ImageSummary>> {
        self.check()?;
        let images = self.storage.list_images()?;
        Ok(images
            .iter()
            .filter(|i| {
                opts.name.as_ref().is_none_or(|want| {
                    i.names
                        .iter()
                        .any(|n| n == want || split_name(n).0.ends_with(want.as_str()))
                })
            })
            .map(ImageSummary::from_record)
            .collect())
    }

    /// The summary of one image (name, id or unique id prefix).
    pub fn image_summary(&self, name_or_id: &str) -> Result<ImageSummary> {
        Ok(ImageSummary::from_record(&self.resolve_image(name_or_id)?))
    }

    /// Whether an image exists (by name, id or unique id prefix).
    pub fn image_exists(&self, name_or_id: &str) -> Result<bool> {
        match self.resolve_image(name_or_id) {
            Ok(_) => Ok(true),
            Err(Error::NoSuchImage(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// What `image inspect` shows of an image.
    pub fn inspect_image(&self, name_or_id: &str) -> Result<InspectImage> {
        Ok(InspectImage::from_record(&self.resolve_image(name_or_id)?))
    }

    /// The history of an image in the order `history` prints it: the config's history
    /// oldest first, the first row standing for the image (its id), the others `None`.
    /// A step that made a layer counts the image's size, one that did not counts 0.
    pub fn image_history(&self, name_or_id: &str) -> Result<Vec<ImageHistoryEntry>> {
        let img = self.resolve_image(name_or_id)?;
        Ok(img
            .history
            .iter()
            .enumerate()
            .map(|(n, h)| ImageHistoryEntry {
                id: (n == 0).then(|| img.id.clone()),
                created: h.created.clone(),
                created_by: h.created_by.clone(),
                size: if h.empty_layer { 0 } else { img.size },
                comment: h.comment.clone(),
                empty_layer: h.empty_layer,
            })
            .collect())
    }

    /// Adds each of `names` to an image (a name another image had moves to this one).
    pub fn tag_image(&self, name_or_id: &str, names: &[String]) -> Result<()> {
        self.check()?;
        for n in names {
            self.storage.tag_image(name_or_id, n).map_err(image_error)?;
            let id = self
                .storage
                .resolve_image(n)
                .map(|i| i.id)
                .unwrap_or_default();
            self.image_event(&id, n, crate::EventStatus::Tag);
        }
        Ok(())
    }

    /// Removes `names` from an image; no names removes all of them. A name the image does
    /// not carry is [`Error::NoSuchImage`].
    pub fn untag_image(&self, name_or_id: &str, names: &[String]) -> Result<()> {
        let img = self.resolve_image(name_or_id)?;
        let names = if names.is_empty() { &img.names } else { names };
        for n in names {
            self.storage.untag_image(&img.id, n).map_err(image_error)?;
            self.image_event(&img.id, n, crate::EventStatus::Untag);
        }
        Ok(())
    }

    /// Removes images as `rmi` does: a name of an image with several names only untags it;
    /// otherwise the image is deleted, which is refused ([`Error::ImageInUse`]) while
    /// containers use it unless `force` (their layers then stay until they go). Every image
    /// is tried; the failures are in the report.
    pub fn remove_images(&self, opts: &ImageRemoveOptions) -> Result<ImageRemoveReport> {
        self.check()?;
        let targets: Vec<String> = if opts.all {
            self.storage
                .list_images()?
                .into_iter()
                .map(|i| i.id)
                .collect()
        } else {
            opts.images.clone()
        };
        let mut report = ImageRemoveReport::default();
        for t in &targets {
            match self.storage.remove_image(t, opts.force) {
                Ok(r) => {
                    for n in &r.untagged {
                        self.image_event(&r.id, n, crate::EventStatus::Untag);
                    }
                    report.untagged.extend(r.untagged);
                    if r.deleted {
                        self.image_event(&r.id, t, crate::EventStatus::Remove);
                        report.deleted.push(r.id);
                    }
                }
                Err(berth_storage::Error::ImageNotFound(_)) if opts.ignore_missing => {}
                Err(berth_storage::Error::ImageInUse { image, containers }) => {
                    report.errors.push(self.in_use(image, &containers));
                }
                Err(e) => report.errors.push(image_error(e)),
            }
        }
        Ok(report)
    }

    /// [`Error::ImageInUse`] with the ids of the containers whose root filesystems (storage
    /// ids) use the image; a root filesystem no container claims keeps its storage id.
    fn in_use(&self, image: String, storage_ids: &[String]) -> Error {
        let owners = self.storage.list_containers().unwrap_or_default();
        let containers = storage_ids
            .iter()
            .map(|sid| {
                owners
                    .iter()
                    .find(|c| &c.id == sid)
                    .map_or_else(|| sid.clone(), |c| c.container_id.clone())
            })
            .collect();
        Error::ImageInUse { image, containers }
    }
}

/// The image name a container records (podman's `ImageName`): the name of
/// `names` that `reference` resolved to (`bb` -> `localhost/bb:latest`), the
/// image's first name when it was given by ID, the reference itself for an
/// image without names or a reference by digest.
pub(crate) fn recorded_image_name(reference: &str, names: &[String]) -> String {
    if names.is_empty() || reference.contains('@') {
        return reference.to_owned();
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let tagged = if last.contains(':') {
        reference.to_owned()
    } else {
        format!("{reference}:latest")
    };
    names
        .iter()
        .find(|n| {
            **n == tagged
                || n.strip_suffix(tagged.as_str())
                    .is_some_and(|p| p.ends_with('/'))
        })
        .unwrap_or(&names[0])
        .clone()
}

#[cfg(test)]
mod name_tests {
    use super::recorded_image_name;

    #[test]
    fn containers_record_the_name_the_reference_resolved_to() {
        let names = vec![
            "localhost/bb:latest".to_owned(),
            "quay.io/x/bb:1.0".to_owned(),
        ];
        assert_eq!(recorded_image_name("bb", &names), "localhost/bb:latest");
        assert_eq!(recorded_image_name("bb:1.0", &names), "quay.io/x/bb:1.0");
        assert_eq!(recorded_image_name("x/bb:1.0", &names), "quay.io/x/bb:1.0");
        assert_eq!(
            recorded_image_name("localhost/bb", &names),
            "localhost/bb:latest"
        );
        assert_eq!(
            recorded_image_name("5a4a530f", &names),
            "localhost/bb:latest"
        );
        assert_eq!(recorded_image_name("5a4a530f", &[]), "5a4a530f");
        assert_eq!(
            recorded_image_name("bb@sha256:1234", &names),
            "bb@sha256:1234"
        );
    }
}

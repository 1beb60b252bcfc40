//! Manifest lists: `manifest create/add/annotate/remove/rm/inspect/exists/push`
//! over the storage seam's [`ListOp`]s; instances are local images.

use berth_storage::registry::{PullOptions, PushOptions, PushReport};
use berth_storage::{InstanceEdit, ListOp, ManifestList};

use super::image_error;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// An image reference as `manifest add` takes it: `containers-storage:` and
/// `docker://` name the local image too.
fn local_name(image: &str) -> &str {
    image
        .strip_prefix("containers-storage:")
        .or_else(|| image.strip_prefix("docker://"))
        .unwrap_or(image)
}

impl Runtime {
    fn list_op(&self, op: ListOp<'_>) -> Result<ManifestList> {
        self.check()?;
        self.storage.manifest_list(op).map_err(image_error)
    }

    /// Makes the list `name` (with `amend`, reuses one of that name) and adds `images`.
    pub fn manifest_create(
        &self,
        name: &str,
        images: &[String],
        amend: bool,
    ) -> Result<ManifestList> {
        berth_storage::normalize_name(name)
            .map_err(|e| Error::invalid("list name", name, e.to_string()))?;
        for i in images {
            self.resolve_image(local_name(i))?;
        }
        let mut l = self.list_op(ListOp::Create { name, amend })?;
        for i in images {
            l = self.manifest_add(&l.id, i, &InstanceEdit::default())?;
        }
        Ok(l)
    }

    /// Adds a local image to a list, `edit` over its platform and annotations.
    pub fn manifest_add(
        &self,
        list: &str,
        image: &str,
        edit: &InstanceEdit,
    ) -> Result<ManifestList> {
        self.list_op(ListOp::Add {
            list,
            image: local_name(image),
            edit,
        })
    }

    /// [`Self::manifest_add`] of an image that may be in a registry: a
    /// `docker://` reference, or a name local storage lacks, is pulled first
    /// with the options `pull` gives (called only then).
    pub fn manifest_add_pulling(
        &self,
        list: &str,
        image: &str,
        edit: &InstanceEdit,
        pull: impl FnOnce() -> Result<PullOptions>,
    ) -> Result<ManifestList> {
        self.manifest_inspect(list)?;
        let local = !image.starts_with("docker://") && self.image_exists(local_name(image))?;
        if local {
            return self.manifest_add(list, image, edit);
        }
        let pulled = self.pull_image(image, &pull()?)?;
        self.manifest_add(list, &pulled.image.id, edit)
    }

    /// Changes an instance's platform or annotations.
    pub fn manifest_annotate(
        &self,
        list: &str,
        digest: &str,
        edit: &InstanceEdit,
    ) -> Result<ManifestList> {
        check_digest(digest)?;
        self.list_op(ListOp::Annotate { list, digest, edit })
    }

    /// Removes an instance from a list.
    pub fn manifest_remove(&self, list: &str, digest: &str) -> Result<ManifestList> {
        check_digest(digest)?;
        self.list_op(ListOp::Remove { list, digest })
    }

    /// Deletes a list; its instances' images stay.
    pub fn manifest_rm(&self, list: &str) -> Result<ManifestList> {
        self.list_op(ListOp::Delete(list))
    }

    /// The list `list`.
    pub fn manifest_inspect(&self, list: &str) -> Result<ManifestList> {
        self.list_op(ListOp::Get(list))
    }

    /// Whether `list` names a manifest list.
    pub fn manifest_exists(&self, list: &str) -> Result<bool> {
        match self.list_op(ListOp::Get(list)) {
            Ok(_) => Ok(true),
            Err(Error::NoSuchImage(_)) => Ok(false),
            Err(Error::Storage(e)) if matches!(*e, berth_storage::Error::InvalidOption(_)) => {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Pushes a list to `destination` (`all`: its instances' images first;
    /// `oci`: as an OCI index).
    pub fn manifest_push(
        &self,
        list: &str,
        destination: &str,
        opts: &PushOptions,
        all: bool,
        oci: bool,
    ) -> Result<PushReport> {
        let destination = super::registry_reference(destination)?;
        self.check()?;
        Ok(self.registry.push_list(list, destination, opts, all, oci)?)
    }
}

/// An instance digest: `sha256:` and 64 lowercase hex digits.
fn check_digest(digest: &str) -> Result<()> {
    berth_storage::digest::parse_sha256(digest)
        .map(|_| ())
        .map_err(|_| {
            Error::invalid(
                "image digest",
                digest,
                "invalid checksum digest: use sha256:<64 hex digits>",
            )
        })
}

//! The `Storage` trait: what the runtime needs from the store.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::archive::ArchiveFormat;
use crate::diff::{Change, CommitOptions};
use crate::image_mounts::ImageMount;
use crate::images::RemovedImage;
use crate::model::{ContainerRecord, ImageRecord, ImportOptions, LayerRecord};
use crate::Result;

/// The storage seam used by `berth-runtime`.
///
/// [`crate::Store`] is the real implementation; `testing::FakeStorage`
/// (feature `testing`) is an in-memory one that records calls.
pub trait Storage: Send + Sync + std::fmt::Debug {
    /// Finds an image by name (normalized as podman does), full id, or
    /// unique id prefix.
    fn resolve_image(&self, name_or_id: &str) -> Result<ImageRecord>;

    /// Creates the root filesystem for `container_id` from `image_id`
    /// (a full image id) and returns its storage id.
    fn create_container(&self, container_id: &str, image_id: &str) -> Result<String>;

    /// [`Storage::create_container`] under `storage_id` (64 hex digits) chosen by the
    /// caller, who can then record it before the root filesystem exists.
    fn create_container_as(
        &self,
        storage_id: &str,
        container_id: &str,
        image_id: &str,
    ) -> Result<String>;

    /// Mounts the root filesystem (reference counted) and returns its path.
    fn mount_container(&self, storage_id: &str) -> Result<PathBuf>;

    /// Drops one mount reference (all of them with `force`); unmounts when the
    /// count reaches zero. Returns whether it is still mounted.
    fn unmount_container(&self, storage_id: &str, force: bool) -> Result<bool>;

    /// How many mount references the root filesystem holds (0 = not mounted).
    fn mount_references(&self, storage_id: &str) -> Result<u32>;

    /// Unmounts (if needed) and deletes the root filesystem.
    fn delete_container(&self, storage_id: &str) -> Result<()>;

    /// Where the root filesystem is mounted, if it is.
    fn mount_point(&self, storage_id: &str) -> Result<Option<PathBuf>>;

    /// All images in the store.
    fn list_images(&self) -> Result<Vec<ImageRecord>>;

    /// All container root filesystems.
    fn list_containers(&self) -> Result<Vec<ContainerRecord>>;

    /// Removes an image as `podman rmi` does (one of several names: only that name goes);
    /// refused while containers use it unless `force`.
    fn remove_image(&self, name_or_id: &str, force: bool) -> Result<RemovedImage>;

    /// Bytes held by a container root filesystem's writable layer.
    fn container_size(&self, storage_id: &str) -> Result<u64>;

    /// Checks the store for what interrupted operations left behind ([`crate::Store::check`]);
    /// with `repair`, removes it.
    fn check_store(&self, repair: bool) -> Result<crate::CheckReport>;

    /// With `force`, unmounts everything this store mounted; without, fails
    /// with [`crate::Error::Busy`] while anything is mounted.
    fn shutdown(&self, force: bool) -> Result<()>;

    /// Imports a root filesystem tar (plain, gzip or zstd) as a one-layer image.
    fn import_rootfs(&self, tar: &mut dyn Read, options: &ImportOptions) -> Result<ImageRecord>;

    /// Adds `new_name` (normalized) to an image, moving it from any other image.
    fn tag_image(&self, name_or_id: &str, new_name: &str) -> Result<ImageRecord>;

    /// Removes `name` from an image; [`crate::Error::ImageNotFound`] when the
    /// image does not carry it.
    fn untag_image(&self, name_or_id: &str, name: &str) -> Result<ImageRecord>;

    /// Loads every image of an OCI layout, an `oci-archive` or a `docker-archive`.
    fn load_images(&self, src: &Path) -> Result<Vec<ImageRecord>>;

    /// Saves images (names or ids) to `dest` in `format`.
    fn save_images(&self, images: &[&str], format: ArchiveFormat, dest: &Path) -> Result<()>;

    /// What a container changed in its root filesystem against its image.
    fn container_changes(&self, storage_id: &str) -> Result<Vec<Change>>;

    /// What an image's top layer changed against the layers below it.
    fn image_changes(&self, name_or_id: &str) -> Result<Vec<Change>>;

    /// Writes a container's whole root filesystem as a tar (mounting it for the time it
    /// takes when needed).
    fn export_container(&self, storage_id: &str, out: &mut dyn Write) -> Result<()>;

    /// Makes an image of a container's root filesystem ([`crate::Store::commit_container`]).
    fn commit_container(&self, storage_id: &str, options: &CommitOptions) -> Result<ImageRecord>;
    /// Mounts an image read-only (reference counted): the image and its mount point.
    fn mount_image(&self, name_or_id: &str) -> Result<(ImageRecord, PathBuf)> {
        Err(unsupported("mounting images", name_or_id))
    }

    /// Drops one mount reference of an image (all with `force`): `None` when it
    /// was not mounted, else whether it is still mounted.
    fn unmount_image(&self, name_or_id: &str, force: bool) -> Result<Option<bool>> {
        let _ = force;
        Err(unsupported("unmounting images", name_or_id))
    }

    /// Every mounted image with its mount point.
    fn mounted_images(&self) -> Result<Vec<ImageMount>> {
        Ok(Vec::new())
    }

    /// One operation on the store's manifest lists.
    fn manifest_list(&self, op: crate::ListOp<'_>) -> Result<crate::ManifestList> {
        let _ = op;
        Err(unsupported("manifest lists", "-"))
    }

    /// Every layer of the store.
    fn list_layers(&self) -> Result<Vec<LayerRecord>> {
        Ok(Vec::new())
    }
}

fn unsupported(what: &str, name: &str) -> crate::Error {
    crate::Error::InvalidOption(format!("{what} ({name}) is not supported by this storage"))
}

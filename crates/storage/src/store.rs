//! The real store: layout, opening, and the [`Storage`] implementation.
//!
//! Operations are split by concern: `layers.rs`, `images.rs`,
//! `containers.rs`, `import.rs`, `archive/`, `check.rs` each add methods to
//! [`Store`].

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::api::Storage;
use crate::archive::ArchiveFormat;
use crate::blobs::BlobStore;
use crate::driver::{new_driver, LayerDriver};
use crate::error::IoContext;
use crate::fsutil::mkdir_all;
use crate::lock::StoreLock;
use crate::model::{ContainerRecord, ImageRecord, ImportOptions, StoreOptions};
use crate::registry::RegistryRules;
use crate::Result;

/// A local image and layer store rooted at `graph_root`.
///
/// Every operation takes the store lock (shared for reads, exclusive for
/// changes), so several processes can use one store.
#[derive(Debug)]
pub struct Store {
    pub(crate) opts: StoreOptions,
    pub(crate) lock: StoreLock,
    pub(crate) blobs: BlobStore,
    pub(crate) driver: Box<dyn LayerDriver>,
    pub(crate) short_name_rules: Option<RulesSource>,
}

/// Why short-name rules could not be had (any error of the caller's).
pub type RulesError = Box<dyn std::error::Error + Send + Sync>;

type LoadRules = dyn Fn() -> std::result::Result<RegistryRules, RulesError> + Send + Sync;

/// Where a look-up of a short name gets registries.conf's aliases and
/// search registries: called each time one is needed (so an edit applies
/// at once, and commands that look up no short name never read the file).
#[derive(Clone)]
pub struct RulesSource(Arc<LoadRules>);

impl RulesSource {
    /// A source calling `load`.
    pub fn new(
        load: impl Fn() -> std::result::Result<RegistryRules, RulesError> + Send + Sync + 'static,
    ) -> Self {
        RulesSource(Arc::new(load))
    }

    /// The rules now.
    pub fn load(&self) -> std::result::Result<RegistryRules, RulesError> {
        (self.0)()
    }
}

impl std::fmt::Debug for RulesSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RulesSource")
    }
}

impl Store {
    /// Opens a store, creating its directories if needed.
    pub fn open(opts: StoreOptions) -> Result<Self> {
        let g = &opts.graph_root;
        berth_config::private_dir(g, "layers").ctx("create private directory", g)?;
        for d in ["blobs/sha256", "layers", "images", "containers", "tmp"] {
            mkdir_all(&g.join(d))?;
        }
        berth_config::private_dir(&opts.run_root, "mounts")
            .ctx("create private directory", &opts.run_root)?;
        mkdir_all(&opts.run_root.join("mounts"))?;
        let driver = new_driver(opts.driver, g)?;
        Ok(Store {
            lock: StoreLock::new(&g.join("storage.lock")),
            blobs: BlobStore::new(g.join("blobs/sha256"), g.join("tmp")),
            driver,
            opts,
            short_name_rules: None,
        })
    }

    /// Looks short names up as podman does: their alias, `localhost/`,
    /// then the search registries of the rules `source` gives (read at
    /// each such look-up). Without it a short name is tried on
    /// `localhost/` and docker.io only.
    #[must_use]
    pub fn with_short_name_rules(mut self, source: RulesSource) -> Self {
        self.short_name_rules = Some(source);
        self
    }

    /// The options the store was opened with.
    pub fn options(&self) -> &StoreOptions {
        &self.opts
    }

    /// The driver in use.
    pub fn driver_name(&self) -> &'static str {
        self.driver.name()
    }

    pub(crate) fn graph(&self, sub: &str) -> PathBuf {
        self.opts.graph_root.join(sub)
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.graph("tmp")
    }

    pub(crate) fn mounts_dir(&self) -> PathBuf {
        self.opts.run_root.join("mounts")
    }

    pub(crate) fn record_path(&self, kind: &str, id: &str) -> PathBuf {
        self.graph(kind).join(format!("{id}.json"))
    }

    /// The graph root.
    pub fn graph_root(&self) -> &Path {
        &self.opts.graph_root
    }
}

impl Storage for Store {
    fn resolve_image(&self, name_or_id: &str) -> Result<ImageRecord> {
        self.image(name_or_id)
    }
    fn create_container(&self, container_id: &str, image_id: &str) -> Result<String> {
        self.create_container_storage(container_id, image_id)
            .map(|c| c.id)
    }
    fn create_container_as(
        &self,
        storage_id: &str,
        container_id: &str,
        image_id: &str,
    ) -> Result<String> {
        self.create_container_storage_as(storage_id, container_id, image_id)
            .map(|c| c.id)
    }
    fn mount_container(&self, storage_id: &str) -> Result<PathBuf> {
        self.mount(storage_id)
    }
    fn unmount_container(&self, storage_id: &str, force: bool) -> Result<bool> {
        self.unmount(storage_id, force)
    }
    fn mount_references(&self, storage_id: &str) -> Result<u32> {
        Ok(self.container_mount_references(storage_id))
    }
    fn delete_container(&self, storage_id: &str) -> Result<()> {
        self.delete_container_storage(storage_id)
    }
    fn mount_point(&self, storage_id: &str) -> Result<Option<PathBuf>> {
        self.container_mount_point(storage_id)
    }
    fn list_images(&self) -> Result<Vec<ImageRecord>> {
        self.images()
    }
    fn list_containers(&self) -> Result<Vec<ContainerRecord>> {
        self.containers()
    }
    fn remove_image(&self, name_or_id: &str, force: bool) -> Result<crate::RemovedImage> {
        Store::remove_image(self, name_or_id, force)
    }
    fn container_size(&self, storage_id: &str) -> Result<u64> {
        Store::container_size(self, storage_id)
    }
    fn check_store(&self, repair: bool) -> Result<crate::CheckReport> {
        Store::check(self, repair)
    }
    fn shutdown(&self, force: bool) -> Result<()> {
        self.shutdown_mounts(force)
    }
    fn import_rootfs(&self, tar: &mut dyn Read, options: &ImportOptions) -> Result<ImageRecord> {
        self.import(tar, options)
    }
    fn tag_image(&self, name_or_id: &str, new_name: &str) -> Result<ImageRecord> {
        Store::tag_image(self, name_or_id, new_name)
    }
    fn untag_image(&self, name_or_id: &str, name: &str) -> Result<ImageRecord> {
        Store::untag_image(self, name_or_id, name)
    }
    fn load_images(&self, src: &Path) -> Result<Vec<ImageRecord>> {
        self.load(src)
    }
    fn save_images(&self, images: &[&str], format: ArchiveFormat, dest: &Path) -> Result<()> {
        self.save(images, format, dest)
    }
    fn container_changes(&self, storage_id: &str) -> Result<Vec<crate::diff::Change>> {
        Store::container_changes(self, storage_id)
    }
    fn image_changes(&self, name_or_id: &str) -> Result<Vec<crate::diff::Change>> {
        Store::image_changes(self, name_or_id)
    }
    fn export_container(&self, storage_id: &str, out: &mut dyn Write) -> Result<()> {
        Store::export_container(self, storage_id, out)
    }
    fn commit_container(
        &self,
        storage_id: &str,
        options: &crate::diff::CommitOptions,
    ) -> Result<ImageRecord> {
        Store::commit_container(self, storage_id, options)
    }
    fn mount_image(&self, name_or_id: &str) -> Result<(ImageRecord, PathBuf)> {
        Store::mount_image(self, name_or_id)
    }
    fn unmount_image(&self, name_or_id: &str, force: bool) -> Result<Option<bool>> {
        Store::unmount_image(self, name_or_id, force)
    }
    fn mounted_images(&self) -> Result<Vec<crate::ImageMount>> {
        Store::mounted_images(self)
    }
    fn list_layers(&self) -> Result<Vec<crate::LayerRecord>> {
        self.layers()
    }
    fn manifest_list(&self, op: crate::ListOp<'_>) -> Result<crate::ManifestList> {
        self.manifest_list_op(op)
    }
}

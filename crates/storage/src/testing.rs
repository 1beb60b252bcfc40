//! In-memory fakes for the tests of the layers above (feature `testing`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use berth_config::testing::{Failures, InjectFailures, Strike};

use crate::api::Storage;
use crate::archive::ArchiveFormat;
use crate::images::RemovedImage;
use crate::model::{ContainerRecord, ImageConfig, ImageRecord, ImportOptions};
use crate::{Error, Result};

/// One recorded call to [`FakeStorage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `resolve_image(name)`.
    ResolveImage(String),
    /// `create_container(container_id, image_id)`.
    CreateContainer(String, String),
    /// `mount_container(storage_id)`.
    Mount(String),
    /// `unmount_container(storage_id, force)`.
    Unmount(String, bool),
    /// `delete_container(storage_id)`.
    Delete(String),
    /// `mount_point(storage_id)`.
    MountPoint(String),
    /// `list_images()`.
    ListImages,
    /// `list_containers()`.
    List,
    /// `shutdown(force)`.
    Shutdown(bool),
    /// `remove_image(name_or_id, force)`.
    RemoveImage(String, bool),
    /// `container_size(storage_id)`.
    ContainerSize(String),
    /// `import_rootfs(..)` with the number of bytes read.
    Import(usize),
    /// `tag_image(image, new_name)`.
    Tag(String, String),
    /// `untag_image(image, name)`.
    Untag(String, String),
    /// `load_images(src)`.
    Load(PathBuf),
    /// `save_images(images, format, dest)`.
    Save(Vec<String>, ArchiveFormat, PathBuf),
    /// `container_changes(storage_id)`.
    Changes(String),
    /// `image_changes(name_or_id)`.
    ImageChanges(String),
    /// `export_container(storage_id)`.
    Export(String),
    /// `commit_container(storage_id, ..)` with the new image's names.
    Commit(String, Vec<String>),
}

impl Call {
    /// The method name, the operation [`InjectFailures`] plans failures for.
    pub fn method(&self) -> &'static str {
        match self {
            Call::ResolveImage(_) => "resolve_image",
            Call::CreateContainer(..) => "create_container",
            Call::Mount(_) => "mount_container",
            Call::Unmount(..) => "unmount_container",
            Call::Delete(_) => "delete_container",
            Call::MountPoint(_) => "mount_point",
            Call::ListImages => "list_images",
            Call::List => "list_containers",
            Call::Shutdown(_) => "shutdown",
            Call::RemoveImage(..) => "remove_image",
            Call::ContainerSize(_) => "container_size",
            Call::Import(_) => "import_rootfs",
            Call::Tag(..) => "tag_image",
            Call::Untag(..) => "untag_image",
            Call::Load(_) => "load_images",
            Call::Save(..) => "save_images",
            Call::Changes(_) => "container_changes",
            Call::ImageChanges(_) => "image_changes",
            Call::Export(_) => "export_container",
            Call::Commit(..) => "commit_container",
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<Call>,
    images: Vec<ImageRecord>,
    containers: BTreeMap<String, (ContainerRecord, u32)>,
    failures: Failures<&'static str>,
    next: u64,
}

impl Inner {
    /// The image a name, full id or id prefix (3 or more digits) means.
    fn find(&self, name_or_id: &str) -> Result<&ImageRecord> {
        let key = name_or_id.strip_prefix("sha256:").unwrap_or(name_or_id);
        let normalized = crate::reference::Reference::parse(name_or_id)
            .ok()
            .map(|r| r.to_string());
        self.images
            .iter()
            .find(|i| {
                i.id == key
                    || (key.len() >= 3 && i.id.starts_with(key))
                    || i.names
                        .iter()
                        .any(|n| Some(n) == normalized.as_ref() || n == name_or_id)
            })
            .ok_or_else(|| Error::ImageNotFound(name_or_id.to_string()))
    }

    fn find_mut(&mut self, name_or_id: &str) -> Result<&mut ImageRecord> {
        let id = self.find(name_or_id)?.id.clone();
        Ok(self
            .images
            .iter_mut()
            .find(|i| i.id == id)
            .expect("found just now"))
    }
}

/// An in-memory [`Storage`]: images are added with [`FakeStorage::add_image`],
/// every call is recorded, and any method can be made to fail through
/// [`InjectFailures`] (by method name, e.g. `"mount_container"`).
#[derive(Debug, Default)]
pub struct FakeStorage {
    inner: Mutex<Inner>,
    mount_base: PathBuf,
}

impl FakeStorage {
    /// A fake whose "mount points" are `/fake-storage/<id>/merged` (never created).
    pub fn new() -> Self {
        Self::with_mount_base("/fake-storage")
    }

    /// A fake whose mount points live under `base` (still never created).
    pub fn with_mount_base(base: impl Into<PathBuf>) -> Self {
        FakeStorage {
            inner: Mutex::new(Inner::default()),
            mount_base: base.into(),
        }
    }

    /// Adds an image with the given names and config; returns its record.
    pub fn add_image(&self, names: &[&str], config: ImageConfig) -> ImageRecord {
        let mut inner = self.lock();
        inner.next += 1;
        let id = format!("{:064x}", 0xfa4e_0000_u64 + inner.next);
        let rec = ImageRecord {
            id: id.clone(),
            names: names
                .iter()
                .map(|n| {
                    crate::reference::Reference::parse(n)
                        .map_or_else(|_| (*n).to_string(), |r| r.to_string())
                })
                .collect(),
            digests: Vec::new(),
            manifest_digest: format!("sha256:{id}"),
            layers: vec![id.clone()],
            diff_ids: vec![format!("sha256:{id}")],
            size: 0,
            created: None,
            architecture: "amd64".into(),
            os: "linux".into(),
            config,
            history: Vec::new(),
        };
        inner.images.push(rec.clone());
        rec
    }

    /// The calls so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// The current mount count of a container storage (0 when unknown).
    pub fn mount_count(&self, storage_id: &str) -> u32 {
        self.lock().containers.get(storage_id).map_or(0, |c| c.1)
    }

    /// An image made of `options`' names and config.
    fn add_imported(&self, options: &ImportOptions) -> ImageRecord {
        let names: Vec<&str> = options.names.iter().map(String::as_str).collect();
        let config = ImageConfig {
            cmd: options.cmd.clone(),
            entrypoint: options.entrypoint.clone(),
            env: options.env.clone(),
            working_dir: options.working_dir.clone(),
            user: options.user.clone(),
            exposed_ports: options.exposed_ports.clone(),
            volumes: options.volumes.clone(),
            labels: options.labels.clone(),
            stop_signal: options.stop_signal.clone(),
            healthcheck: options.healthcheck.clone(),
        };
        self.add_image(&names, config)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn enter(&self, call: Call) -> Result<std::sync::MutexGuard<'_, Inner>> {
        let mut inner = self.lock();
        let method = call.method();
        inner.calls.push(call);
        if inner.failures.strikes(&method) {
            return Err(Error::Injected(method.to_string()));
        }
        Ok(inner)
    }

    fn mount_path(&self, id: &str) -> PathBuf {
        self.mount_base.join(id).join("merged")
    }
}

/// Failures by method name (`"mount_container"`, see [`Call::method`]); a failing call is
/// recorded and returns [`Error::Injected`] without changing anything.
impl InjectFailures for FakeStorage {
    type Op = &'static str;

    fn inject(&self, method: &'static str, strike: Strike) {
        self.lock().failures.add(method, strike);
    }

    fn clear_failure(&self, method: &&'static str) {
        self.lock().failures.clear(method);
    }
}

impl Storage for FakeStorage {
    fn resolve_image(&self, name_or_id: &str) -> Result<ImageRecord> {
        let inner = self.enter(Call::ResolveImage(name_or_id.to_string()))?;
        inner.find(name_or_id).cloned()
    }

    fn create_container(&self, container_id: &str, image_id: &str) -> Result<String> {
        let id = {
            let mut inner = self.lock();
            inner.next += 1;
            format!("{:064x}", 0xc0_0000_u64 + inner.next)
        };
        self.create_container_as(&id, container_id, image_id)
    }

    fn create_container_as(
        &self,
        storage_id: &str,
        container_id: &str,
        image_id: &str,
    ) -> Result<String> {
        let mut inner = self.enter(Call::CreateContainer(container_id.into(), image_id.into()))?;
        let image = inner
            .images
            .iter()
            .find(|i| i.id == image_id)
            .cloned()
            .ok_or_else(|| Error::ImageNotFound(image_id.to_string()))?;
        if inner
            .containers
            .values()
            .any(|c| c.0.container_id == container_id)
        {
            return Err(Error::ContainerExists(container_id.to_string()));
        }
        let id = storage_id.to_string();
        if inner.containers.contains_key(&id) {
            return Err(Error::ContainerExists(id));
        }
        let rec = ContainerRecord {
            id: id.clone(),
            container_id: container_id.to_string(),
            image_id: image.id.clone(),
            layer: image.top_layer().map(str::to_string),
            created: chrono::Utc::now().to_rfc3339(),
        };
        inner.containers.insert(id.clone(), (rec, 0));
        Ok(id)
    }

    fn mount_container(&self, storage_id: &str) -> Result<PathBuf> {
        let mut inner = self.enter(Call::Mount(storage_id.into()))?;
        let c = inner
            .containers
            .get_mut(storage_id)
            .ok_or_else(|| Error::ContainerNotFound(storage_id.to_string()))?;
        c.1 += 1;
        Ok(self.mount_path(storage_id))
    }

    fn unmount_container(&self, storage_id: &str, force: bool) -> Result<bool> {
        let mut inner = self.enter(Call::Unmount(storage_id.into(), force))?;
        let c = inner
            .containers
            .get_mut(storage_id)
            .ok_or_else(|| Error::ContainerNotFound(storage_id.to_string()))?;
        c.1 = if force { 0 } else { c.1.saturating_sub(1) };
        Ok(c.1 > 0)
    }

    fn delete_container(&self, storage_id: &str) -> Result<()> {
        let mut inner = self.enter(Call::Delete(storage_id.into()))?;
        inner
            .containers
            .remove(storage_id)
            .map(|_| ())
            .ok_or_else(|| Error::ContainerNotFound(storage_id.to_string()))
    }

    /// The fake leaves nothing behind to find.
    fn check_store(&self, _repair: bool) -> Result<crate::CheckReport> {
        Ok(crate::CheckReport::default())
    }

    fn mount_references(&self, storage_id: &str) -> Result<u32> {
        Ok(self.mount_count(storage_id))
    }

    fn mount_point(&self, storage_id: &str) -> Result<Option<PathBuf>> {
        let inner = self.enter(Call::MountPoint(storage_id.into()))?;
        let c = inner
            .containers
            .get(storage_id)
            .ok_or_else(|| Error::ContainerNotFound(storage_id.to_string()))?;
        Ok((c.1 > 0).then(|| self.mount_path(storage_id)))
    }

    fn list_images(&self) -> Result<Vec<ImageRecord>> {
        let inner = self.enter(Call::ListImages)?;
        Ok(inner.images.clone())
    }

    fn list_containers(&self) -> Result<Vec<ContainerRecord>> {
        let inner = self.enter(Call::List)?;
        Ok(inner.containers.values().map(|c| c.0.clone()).collect())
    }

    fn container_size(&self, storage_id: &str) -> Result<u64> {
        let inner = self.enter(Call::ContainerSize(storage_id.into()))?;
        inner
            .containers
            .get(storage_id)
            .map(|_| 0)
            .ok_or_else(|| Error::ContainerNotFound(storage_id.to_string()))
    }

    fn shutdown(&self, force: bool) -> Result<()> {
        let mut inner = self.enter(Call::Shutdown(force))?;
        let mounted: Vec<String> = inner
            .containers
            .iter()
            .filter(|(_, c)| c.1 > 0)
            .map(|(id, _)| id.clone())
            .collect();
        if !mounted.is_empty() && !force {
            return Err(Error::Busy(format!(
                "containers still mounted: {mounted:?}"
            )));
        }
        for c in inner.containers.values_mut() {
            c.1 = 0;
        }
        Ok(())
    }

    fn import_rootfs(&self, tar: &mut dyn Read, options: &ImportOptions) -> Result<ImageRecord> {
        let mut buf = Vec::new();
        let n = tar.read_to_end(&mut buf).map_err(Error::Archive)?;
        drop(self.enter(Call::Import(n))?);
        Ok(self.add_imported(options))
    }

    /// No changes: the fake has no files.
    fn container_changes(&self, storage_id: &str) -> Result<Vec<crate::diff::Change>> {
        let inner = self.enter(Call::Changes(storage_id.to_string()))?;
        if !inner.containers.contains_key(storage_id) {
            return Err(Error::ContainerNotFound(storage_id.to_string()));
        }
        Ok(Vec::new())
    }

    fn image_changes(&self, name_or_id: &str) -> Result<Vec<crate::diff::Change>> {
        let inner = self.enter(Call::ImageChanges(name_or_id.to_string()))?;
        inner.find(name_or_id)?;
        Ok(Vec::new())
    }

    /// An empty tar.
    fn export_container(&self, storage_id: &str, out: &mut dyn Write) -> Result<()> {
        let inner = self.enter(Call::Export(storage_id.to_string()))?;
        if !inner.containers.contains_key(storage_id) {
            return Err(Error::ContainerNotFound(storage_id.to_string()));
        }
        out.write_all(&[0; 1024]).map_err(Error::Archive)
    }

    /// An image with the options' names and config.
    fn commit_container(
        &self,
        storage_id: &str,
        options: &crate::diff::CommitOptions,
    ) -> Result<ImageRecord> {
        let inner = self.enter(Call::Commit(
            storage_id.to_string(),
            options.config.names.clone(),
        ))?;
        if !inner.containers.contains_key(storage_id) {
            return Err(Error::ContainerNotFound(storage_id.to_string()));
        }
        drop(inner);
        Ok(self.add_imported(&options.config))
    }

    fn tag_image(&self, name_or_id: &str, new_name: &str) -> Result<ImageRecord> {
        let mut inner = self.enter(Call::Tag(name_or_id.into(), new_name.into()))?;
        let name = crate::images::normalize_name(new_name)?;
        let id = inner.find(name_or_id)?.id.clone();
        for i in &mut inner.images {
            if i.id != id {
                i.names.retain(|n| n != &name);
            } else if !i.names.contains(&name) {
                i.names.push(name.clone());
            }
        }
        inner.find(&id).cloned()
    }

    fn untag_image(&self, name_or_id: &str, name: &str) -> Result<ImageRecord> {
        let mut inner = self.enter(Call::Untag(name_or_id.into(), name.into()))?;
        let name = crate::images::normalize_name(name)?;
        let img = inner.find_mut(name_or_id)?;
        if !img.names.contains(&name) {
            return Err(Error::ImageNotFound(format!(
                "{name} (not a name of image {})",
                img.id
            )));
        }
        img.names.retain(|n| n != &name);
        Ok(img.clone())
    }

    /// As the store: a name of an image with several names only untags; else
    /// the image goes, unless a fake container uses it and `force` is not given.
    fn remove_image(&self, name_or_id: &str, force: bool) -> Result<RemovedImage> {
        let mut inner = self.enter(Call::RemoveImage(name_or_id.into(), force))?;
        let img = inner.find(name_or_id)?.clone();
        let normalized = crate::images::normalize_name(name_or_id).ok();
        if let Some(name) = normalized.filter(|n| img.names.contains(n) && img.names.len() > 1) {
            inner.find_mut(&img.id)?.names.retain(|n| n != &name);
            return Ok(RemovedImage {
                id: img.id,
                untagged: vec![name],
                deleted: false,
            });
        }
        let users: Vec<String> = inner
            .containers
            .values()
            .filter(|c| c.0.image_id == img.id)
            .map(|c| c.0.id.clone())
            .collect();
        if !users.is_empty() && !force {
            return Err(Error::ImageInUse {
                image: img.id,
                containers: users,
            });
        }
        inner.images.retain(|i| i.id != img.id);
        Ok(RemovedImage {
            id: img.id,
            untagged: img.names,
            deleted: true,
        })
    }

    /// Reads back what [`FakeStorage::save_images`] wrote (a JSON list of records).
    fn load_images(&self, src: &Path) -> Result<Vec<ImageRecord>> {
        let mut inner = self.enter(Call::Load(src.to_path_buf()))?;
        let data = std::fs::read(src).map_err(|e| Error::io("read", src, e))?;
        let loaded: Vec<ImageRecord> =
            serde_json::from_slice(&data).map_err(|source| Error::Json {
                what: src.display().to_string(),
                source,
            })?;
        for rec in &loaded {
            inner.images.retain(|i| i.id != rec.id);
            inner.images.push(rec.clone());
        }
        Ok(loaded)
    }

    /// Writes the images' records as a JSON list (any format).
    fn save_images(&self, images: &[&str], format: ArchiveFormat, dest: &Path) -> Result<()> {
        let names = images.iter().map(|s| (*s).to_string()).collect();
        let inner = self.enter(Call::Save(names, format, dest.to_path_buf()))?;
        if images.is_empty() {
            return Err(Error::InvalidOption("save needs at least one image".into()));
        }
        let recs = images
            .iter()
            .map(|n| inner.find(n).cloned())
            .collect::<Result<Vec<_>>>()?;
        let data = serde_json::to_vec(&recs).map_err(|source| Error::Json {
            what: "fake archive".into(),
            source,
        })?;
        std::fs::write(dest, data).map_err(|e| Error::io("write", dest, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_records_calls_and_counts_mounts() {
        let fake = FakeStorage::new();
        let img = fake.add_image(&["busybox"], ImageConfig::default());
        assert_eq!(img.names, vec!["docker.io/library/busybox:latest"]);
        let found = fake.resolve_image("busybox").unwrap();
        let sid = fake.create_container("c1", &found.id).unwrap();
        let p = fake.mount_container(&sid).unwrap();
        fake.mount_container(&sid).unwrap();
        assert_eq!(fake.mount_count(&sid), 2);
        assert!(fake.shutdown(false).is_err());
        assert!(fake.unmount_container(&sid, false).unwrap());
        assert_eq!(fake.mount_point(&sid).unwrap(), Some(p));
        assert!(!fake.unmount_container(&sid, false).unwrap());
        fake.delete_container(&sid).unwrap();
        assert_eq!(fake.calls()[0], Call::ResolveImage("busybox".into()));
        assert_eq!(fake.calls().len(), 9);
    }

    #[test]
    fn fake_injects_failures_once() {
        let fake = FakeStorage::new();
        let img = fake.add_image(&["x"], ImageConfig::default());
        let sid = fake.create_container("c", &img.id).unwrap();
        fake.fail_next("mount_container");
        assert!(matches!(
            fake.mount_container(&sid),
            Err(Error::Injected(_))
        ));
        assert!(fake.mount_container(&sid).is_ok());
    }
}

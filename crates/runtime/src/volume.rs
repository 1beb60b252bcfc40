//! Named volumes: `GRAPH_ROOT/volumes/NAME/_data` plus `volume.json` beside it, written
//! atomically under the flock `GRAPH_ROOT/volumes/volumes.lock`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lock::LockGuard;
use crate::runtime::Runtime;

/// A named volume (`podman volume inspect` shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    /// Name.
    pub name: String,
    /// Always `local`.
    pub driver: String,
    /// The directory mounted into containers.
    pub mountpoint: PathBuf,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Driver options: `type=tmpfs` (with `o=` mount options) mounts a fresh tmpfs,
    /// `type=bind` with `device=PATH` binds that host directory; others are kept.
    pub options: BTreeMap<String, String>,
    /// Always `local`.
    pub scope: String,
}

/// `volume create` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeCreateOptions {
    /// Name; `None` = a random 64-hex name.
    pub name: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Driver options.
    pub options: BTreeMap<String, String>,
}

impl Runtime {
    pub(crate) fn volumes_dir(&self) -> PathBuf {
        self.engine
            .volume_path
            .clone()
            .unwrap_or_else(|| self.config.storage.graph_root.join("volumes"))
    }

    /// The directory a volume's data lives in.
    pub(crate) fn volume_data_dir(&self, name: &str) -> PathBuf {
        self.volumes_dir().join(name).join("_data")
    }

    fn volume_lock(&self) -> Result<LockGuard> {
        let dir = self.volumes_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create volumes dir", &dir, e))?;
        LockGuard::exclusive(&dir.join("volumes.lock"))
    }

    pub(crate) fn read_volume(&self, name: &str) -> Result<Volume> {
        crate::names::validate_name(name)?;
        let path = self.volumes_dir().join(name).join("volume.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoSuchVolume(name.to_string()))
            }
            Err(e) => return Err(Error::io("read volume", path, e)),
        };
        serde_json::from_str(&text).map_err(|e| Error::Host {
            what: path.display().to_string(),
            reason: format!("corrupt volume record ({e}); remove the volume directory"),
        })
    }

    /// Creates a named volume.
    pub fn create_volume(&self, opts: &VolumeCreateOptions) -> Result<Volume> {
        self.check()?;
        let _lock = self.volume_lock()?;
        let vol = self.create_volume_locked(opts)?;
        self.volume_event(&vol.name, crate::EventStatus::Create);
        Ok(vol)
    }

    fn create_volume_locked(&self, opts: &VolumeCreateOptions) -> Result<Volume> {
        let name = opts.name.clone().unwrap_or_else(crate::names::new_id);
        crate::names::validate_name(&name)?;
        check_volume_options(&opts.options)?;
        let dir = self.volumes_dir().join(&name);
        if dir.join("volume.json").exists() {
            return Err(Error::VolumeExists(name));
        }
        let data = dir.join("_data");
        std::fs::create_dir_all(&data).map_err(|e| Error::io("create volume", &data, e))?;
        let vol = Volume {
            name,
            driver: "local".into(),
            mountpoint: data,
            created_at: Utc::now(),
            labels: opts.labels.clone(),
            options: opts.options.clone(),
            scope: "local".into(),
        };
        let tmp = dir.join(".volume.json.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(&vol).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
            std::fs::rename(&tmp, dir.join("volume.json"))
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(Error::io("write volume record", dir, e));
        }
        Ok(vol)
    }

    /// Creates the volume when missing (used by `create` for `-v NAME:/path`).
    pub(crate) fn ensure_volume(&self, name: &str) -> Result<()> {
        let _lock = self.volume_lock()?;
        match self.read_volume(name) {
            Ok(_) => Ok(()),
            Err(Error::NoSuchVolume(_)) => self
                .create_volume_locked(&VolumeCreateOptions {
                    name: Some(name.to_string()),
                    ..VolumeCreateOptions::default()
                })
                .map(|_| ()),
            Err(e) => Err(e),
        }
    }

    /// One volume.
    pub fn inspect_volume(&self, name: &str) -> Result<Volume> {
        self.check()?;
        self.read_volume(name)
    }

    /// Whether a volume exists.
    pub fn volume_exists(&self, name: &str) -> Result<bool> {
        self.check()?;
        match self.read_volume(name) {
            Ok(_) => Ok(true),
            Err(Error::NoSuchVolume(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Every volume, by name.
    pub fn list_volumes(&self) -> Result<Vec<Volume>> {
        self.check()?;
        let dir = self.volumes_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("list volumes", dir, e)),
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e.map_err(|err| Error::io("list volumes", &dir, err))?;
            if !e.path().is_dir() {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            match self.read_volume(&name) {
                Ok(v) => out.push(v),
                Err(Error::NoSuchVolume(_)) => {}
                Err(err) => return Err(err),
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Ids of the containers that use the volume, in every namespace (volumes are shared
    /// by all namespaces).
    pub fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        self.check()?;
        Ok(self
            .state
            .all_containers_in_every_namespace()?
            .into_iter()
            .filter(|c| c.config.named_volumes.iter().any(|v| v.name == name))
            .map(|c| c.config.id)
            .collect())
    }

    /// Removes a volume. In use: refused unless `force`, which removes those containers
    /// first (only this namespace's: one in another namespace keeps the volume in use). The
    /// users are looked up under the volumes' lock, which `create` holds while it records a
    /// container that names a volume, so no new user appears between the check and the
    /// removal.
    pub fn remove_volume(&self, name: &str, force: bool) -> Result<()> {
        self.check()?;
        let _lock = self.volume_lock()?;
        self.read_volume(name)?;
        let users = self.volume_users(name)?;
        if !users.is_empty() {
            let here: Vec<String> = users
                .iter()
                .filter(|id| self.state.has_container(id).unwrap_or(false))
                .cloned()
                .collect();
            if !force || here.len() < users.len() {
                return Err(Error::VolumeInUse {
                    name: name.to_string(),
                    containers: users,
                });
            }
            for id in &here {
                self.remove_by_id(id, true, false)?;
            }
        }
        let dir = self.volumes_dir().join(name);
        std::fs::remove_dir_all(&dir).map_err(|e| Error::io("remove volume", dir, e))?;
        self.volume_event(name, crate::EventStatus::Remove);
        Ok(())
    }

    /// Under the volumes' lock (see [`Self::remove_volume`]): checks that the named volumes
    /// still exist, then records the container with `add`.
    pub(crate) fn with_volumes_held<T>(
        &self,
        names: &[&str],
        add: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        if names.is_empty() {
            return add();
        }
        let _lock = self.volume_lock()?;
        for name in names {
            self.read_volume(name)?;
        }
        add()
    }
}

/// The local driver's options, checked as podman checks them at create: known keys only,
/// and a bind volume's device must exist. A bind volume without a device is refused here
/// (podman fails only when a container mounts it).
pub(crate) fn check_volume_options(options: &BTreeMap<String, String>) -> Result<()> {
    let bad = |option: &str, reason: String| Error::VolumeOption {
        option: option.to_owned(),
        reason,
    };
    for key in options.keys() {
        if !matches!(
            key.to_ascii_lowercase().as_str(),
            "device"
                | "o"
                | "type"
                | "uid"
                | "gid"
                | "size"
                | "inodes"
                | "noquota"
                | "copy"
                | "nocopy"
        ) {
            return Err(bad(key, "invalid argument".into()));
        }
    }
    match options
        .get("type")
        .map(|t| t.to_ascii_lowercase())
        .as_deref()
    {
        Some("bind") => {
            let Some(device) = options.get("device") else {
                return Err(bad(
                    "type",
                    "type=bind needs -o device=PATH, the host directory to bind".into(),
                ));
            };
            std::fs::metadata(device).map_err(|e| {
                let text = e.to_string();
                let text = text
                    .split(" (os error")
                    .next()
                    .unwrap_or(&text)
                    .to_lowercase();
                bad("device", format!("stat {device}: {text}"))
            })?;
        }
        Some("tmpfs") | None => {}
        Some(other) => {
            return Err(bad(
                "type",
                format!("{other}: berth's local driver mounts only type=tmpfs and type=bind"),
            ))
        }
    }
    Ok(())
}

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
    /// `o=uid=N`: the owner of the volume's directory (and the tmpfs's root).
    #[serde(rename = "UID", default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// `o=gid=N`: the group of the volume's directory.
    #[serde(rename = "GID", default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// How many users hold the volume's mount (containers running, `volume mount`); only
    /// counted for volumes with mount options ([`Volume::needs_mount`]).
    #[serde(default)]
    pub mount_count: u32,
    /// The image's files at the mount point are copied in on first use while the volume is
    /// empty (podman's copy-up); cleared once a copy happened.
    #[serde(default = "yes")]
    pub needs_copy_up: bool,
    /// The volume's directory takes the owner of the image's directory on first use.
    #[serde(default = "yes")]
    pub needs_chown: bool,
}

fn yes() -> bool {
    true
}

impl Volume {
    /// Whether the local driver mounts something at the volume's directory: a `type=` or a
    /// `device=` is given. (`o=` alone, such as `o=uid=1000`, has nothing to mount: its
    /// owner is applied to the directory at create.)
    pub fn needs_mount(&self) -> bool {
        ["type", "device"]
            .iter()
            .any(|k| self.options.get(*k).is_some_and(|v| !v.is_empty()))
    }
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

thread_local! {
    /// The volumes' lock files this thread holds, with their nesting depth.
    static HELD_VOLUME_LOCKS: std::cell::RefCell<std::collections::HashMap<PathBuf, u32>> =
        std::cell::RefCell::default();
}

/// A hold of the volumes' lock (the flock is released when the outermost hold drops).
pub(crate) struct VolumeLock {
    flock: Option<LockGuard>,
    path: PathBuf,
}

impl Drop for VolumeLock {
    fn drop(&mut self) {
        HELD_VOLUME_LOCKS.with(|h| {
            let mut h = h.borrow_mut();
            if let Some(depth) = h.get_mut(&self.path) {
                *depth -= 1;
                if *depth == 0 {
                    h.remove(&self.path);
                }
            }
        });
        drop(self.flock.take());
    }
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

    /// The volumes' lock. Re-entrant within a thread: `volume rm --force` holds it while
    /// it removes the volume's users, whose cleanup gives their volume mounts back under it.
    pub(crate) fn volume_lock(&self) -> Result<VolumeLock> {
        let dir = self.volumes_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create volumes dir", &dir, e))?;
        let path = dir.join("volumes.lock");
        let nested = HELD_VOLUME_LOCKS.with(|h| match h.borrow_mut().get_mut(&path) {
            Some(depth) => {
                *depth += 1;
                true
            }
            None => false,
        });
        if nested {
            return Ok(VolumeLock { flock: None, path });
        }
        let flock = LockGuard::exclusive(&path)?;
        HELD_VOLUME_LOCKS.with(|h| h.borrow_mut().insert(path.clone(), 1));
        Ok(VolumeLock {
            flock: Some(flock),
            path,
        })
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
        let (options, uid, gid) = split_mount_options(&opts.options)?;
        let dir = self.volumes_dir().join(&name);
        if dir.join("volume.json").exists() {
            return Err(Error::VolumeExists(name));
        }
        let data = dir.join("_data");
        std::fs::create_dir_all(&data).map_err(|e| Error::io("create volume", &data, e))?;
        let vol = Volume {
            name,
            driver: "local".into(),
            mountpoint: data.clone(),
            created_at: Utc::now(),
            labels: opts.labels.clone(),
            options,
            scope: "local".into(),
            uid,
            gid,
            mount_count: 0,
            needs_copy_up: true,
            // podman: an owner given with `o=uid=`/`o=gid=` is not replaced by the image's.
            needs_chown: uid.is_none() && gid.is_none(),
        };
        let created = (|| {
            if uid.is_some() || gid.is_some() {
                std::os::unix::fs::chown(&data, uid, gid)
                    .map_err(|e| Error::io("chown volume", &data, e))?;
            }
            self.write_volume(&vol)
        })();
        if let Err(e) = created {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        Ok(vol)
    }

    /// Saves a volume's record atomically (a temporary file renamed over `volume.json`).
    pub(crate) fn write_volume(&self, vol: &Volume) -> Result<()> {
        let dir = self.volumes_dir().join(&vol.name);
        let tmp = dir.join(".volume.json.tmp");
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec_pretty(vol).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
            std::fs::rename(&tmp, dir.join("volume.json"))
        };
        write().map_err(|e| Error::io("write volume record", dir, e))
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
        // A mount still held (`volume mount`) goes first: removing the directory must never
        // reach into a bound host directory.
        let vol = self.read_volume(name)?;
        if vol.needs_mount() && vol.mount_count > 0 {
            crate::volume_ops::unmount_dir(&vol.mountpoint).map_err(|e| Error::VolumeMount {
                name: name.to_string(),
                reason: format!("unmounting {}: {e}", vol.mountpoint.display()),
            })?;
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
    // A bind volume's device must exist; any other filesystem type is mount(8)'s to judge
    // when the volume is mounted.
    if options
        .get("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("bind"))
    {
        {
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
    }
    Ok(())
}

/// podman's reading of `-o o=...`: `uid=N`, `gid=N` (also the volume's owner), `size=`,
/// `inodes=` and `noquota` are recorded as `UID`, `GID`, `SIZE`, `INODES`, `NOQUOTA` beside
/// the options; `noquota` leaves `o`, the others stay in it for mount(8).
type SplitOptions = (BTreeMap<String, String>, Option<u32>, Option<u32>);

fn split_mount_options(options: &BTreeMap<String, String>) -> Result<SplitOptions> {
    let mut out = options.clone();
    let (mut uid, mut gid) = (None, None);
    let Some(o) = options.get("o") else {
        return Ok((out, uid, gid));
    };
    let number = |key: &str, v: Option<&str>| -> Result<u32> {
        let v = v.unwrap_or_default();
        v.parse().map_err(|_| Error::VolumeOption {
            option: "o".into(),
            reason: format!("cannot convert {key} {v:?} to an integer"),
        })
    };
    let mut kept = Vec::new();
    for part in o.split(',').filter(|p| !p.is_empty()) {
        let (key, value) = match part.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (part.to_ascii_lowercase(), None),
        };
        match key.as_str() {
            "uid" => {
                uid = Some(number("UID", value)?);
                out.insert("UID".into(), value.unwrap_or_default().into());
            }
            "gid" => {
                gid = Some(number("GID", value)?);
                out.insert("GID".into(), value.unwrap_or_default().into());
            }
            // podman's answer on a filesystem without project quotas, as these machines have.
            "size" | "inodes" => {
                return Err(Error::VolumeOption {
                    option: part.into(),
                    reason: "volume options size and inodes not supported. Filesystem does not support Project Quota".into(),
                })
            }
            "noquota" => {
                out.insert("NOQUOTA".into(), "true".into());
                continue;
            }
            _ => {}
        }
        kept.push(part);
    }
    if kept.is_empty() {
        out.remove("o");
    } else {
        out.insert("o".into(), kept.join(","));
    }
    Ok((out, uid, gid))
}

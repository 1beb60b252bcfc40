//! What is done to a volume's contents and mount: `volume mount/unmount` and the mounts of
//! the containers that use a volume (the local driver's `type=`, `device=`, `o=` through
//! mount(8), counted, as podman does), `volume export/import` (tar), podman's copy-up of the
//! image's directory into an empty volume on first use, and `volume reload`.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use berth_state::ContainerRecord;

use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::volume::Volume;

/// `extra` key of a container's state: its volumes' mounts are held (taken at init, given
/// back at cleanup).
const VOLUMES_MOUNTED: &str = "berth.volumes_mounted";

/// What `volume reload` found: volumes of drivers that appeared or vanished. berth's only
/// driver is `local`, whose volumes are always in sync, so both lists are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeReloadReport {
    /// Volumes added from a driver.
    pub added: Vec<String>,
    /// Volumes removed because their driver no longer has them.
    pub removed: Vec<String>,
}

impl Runtime {
    /// `volume mount`: mounts a volume that has mount options (counted: each call needs an
    /// `unmount`) and returns its directory; a plain volume's directory is returned as is.
    pub fn mount_volume(&self, name: &str) -> Result<PathBuf> {
        self.check()?;
        let _lock = self.volume_lock()?;
        let mut vol = self.read_volume(name)?;
        self.take_mount(&mut vol)?;
        Ok(vol.mountpoint)
    }

    /// `volume unmount`: gives one mount back; the volume is unmounted when none is left.
    /// A volume that is not mounted, or has nothing to mount, is left as it is.
    pub fn unmount_volume(&self, name: &str) -> Result<()> {
        self.check()?;
        let _lock = self.volume_lock()?;
        let mut vol = self.read_volume(name)?;
        self.give_mount(&mut vol)
    }

    /// `volume reload`: the local driver has nothing to reload.
    pub fn reload_volumes(&self) -> Result<VolumeReloadReport> {
        self.check()?;
        Ok(VolumeReloadReport::default())
    }

    /// `volume export`: writes a tar of the volume's contents (paths relative to its
    /// directory; symlinks kept as links) to `out`.
    pub fn export_volume(&self, name: &str, out: &mut dyn Write) -> Result<()> {
        self.check()?;
        let mut vol = {
            let _lock = self.volume_lock()?;
            let mut vol = self.read_volume(name)?;
            self.take_mount(&mut vol)?;
            vol
        };
        let written = write_tar(&vol.mountpoint, out).map_err(|e| Error::VolumeMount {
            name: name.into(),
            reason: format!("exporting: {e}"),
        });
        let _lock = self.volume_lock()?;
        vol = self.read_volume(name)?;
        let released = self.give_mount(&mut vol);
        written.and(released)
    }

    /// `volume import`: unpacks a tar into an existing volume. The whole archive is read and
    /// checked first (into a file beside the volume), so a bad one writes nothing.
    pub fn import_volume(&self, name: &str, input: &mut dyn Read) -> Result<()> {
        self.check()?;
        self.read_volume(name)?;
        let spool_path = self.volumes_dir().join(name).join(".import.tar");
        let bad = |e: std::io::Error| Error::VolumeMount {
            name: name.into(),
            reason: format!("importing: {e}"),
        };
        let mut spool = std::fs::File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&spool_path)
            .map_err(|e| Error::io("create", &spool_path, e))?;
        let _ = std::fs::remove_file(&spool_path);
        if std::io::copy(input, &mut spool).map_err(bad)? == 0 {
            return Err(bad(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "unexpected EOF: the archive is empty",
            )));
        }
        spool.rewind().map_err(bad)?;
        check_tar(&mut spool).map_err(bad)?;
        spool.rewind().map_err(bad)?;
        let mut vol = {
            let _lock = self.volume_lock()?;
            let mut vol = self.read_volume(name)?;
            self.take_mount(&mut vol)?;
            vol
        };
        let unpacked = unpack_tar(spool, &vol.mountpoint).map_err(bad);
        let _lock = self.volume_lock()?;
        vol = self.read_volume(name)?;
        let released = self.give_mount(&mut vol);
        unpacked.and(released)
    }

    /// Takes one mount of a volume with mount options (mounting it when it is the first).
    /// Under the volumes' lock.
    fn take_mount(&self, vol: &mut Volume) -> Result<()> {
        if !vol.needs_mount() {
            return Ok(());
        }
        if vol.mount_count == 0 {
            mount_local(vol)?;
        }
        vol.mount_count += 1;
        if let Err(e) = self.write_volume(vol) {
            if vol.mount_count == 1 {
                let _ = unmount_dir(&vol.mountpoint);
            }
            return Err(e);
        }
        Ok(())
    }

    /// Gives one mount back (unmounting at the last). Under the volumes' lock.
    fn give_mount(&self, vol: &mut Volume) -> Result<()> {
        if !vol.needs_mount() || vol.mount_count == 0 {
            return Ok(());
        }
        vol.mount_count -= 1;
        if vol.mount_count == 0 {
            unmount_dir(&vol.mountpoint).map_err(|e| Error::VolumeMount {
                name: vol.name.clone(),
                reason: format!("unmounting {}: {e}", vol.mountpoint.display()),
            })?;
        }
        self.write_volume(vol)
    }

    /// At init, after the root filesystem is mounted: takes a mount of each named volume
    /// the container uses, then copies the image's directory into each volume that is still
    /// empty (unless the mount says `nocopy`). Marks the state so cleanup gives them back.
    pub(crate) fn mount_container_volumes(
        &self,
        rec: &mut ContainerRecord,
        rootfs: &Path,
    ) -> Result<()> {
        if rec.config.named_volumes.is_empty() {
            return Ok(());
        }
        let _lock = self.volume_lock()?;
        let mut taken: Vec<Volume> = Vec::new();
        let result = (|| {
            for nv in &rec.config.named_volumes {
                let mut vol = self.read_volume(&nv.name)?;
                if !taken.iter().any(|t| t.name == vol.name) {
                    self.take_mount(&mut vol)?;
                    taken.push(vol.clone());
                }
                if !nv.options.iter().any(|o| o == "nocopy") {
                    self.copy_up(&mut vol, rootfs, &nv.destination)?;
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            for mut vol in taken {
                if let Ok(v) = self.read_volume(&vol.name) {
                    vol = v;
                }
                let _ = self.give_mount(&mut vol);
            }
            return Err(e);
        }
        rec.state
            .extra
            .insert(VOLUMES_MOUNTED.into(), serde_json::Value::Bool(true));
        Ok(())
    }

    /// At cleanup: gives back the mounts init took (once), reporting every failure.
    pub(crate) fn unmount_container_volumes(&self, rec: &mut ContainerRecord) -> Vec<Error> {
        if rec.state.extra.remove(VOLUMES_MOUNTED).is_none() {
            return Vec::new();
        }
        let _lock = match self.volume_lock() {
            Ok(l) => l,
            Err(e) => return vec![e],
        };
        let mut names: Vec<&str> = rec
            .config
            .named_volumes
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut errors = Vec::new();
        for name in names {
            match self.read_volume(name) {
                Ok(mut vol) => errors.extend(self.give_mount(&mut vol).err()),
                Err(Error::NoSuchVolume(_)) => {}
                Err(e) => errors.push(e),
            }
        }
        errors
    }

    /// podman's copy-up: on a volume's first use, the image's directory at the mount point
    /// gives the volume its owner and mode (once), and its contents while the volume is
    /// empty (then never again).
    fn copy_up(&self, vol: &mut Volume, rootfs: &Path, destination: &str) -> Result<()> {
        if !vol.needs_copy_up && !vol.needs_chown {
            return Ok(());
        }
        let source = rootfs.join(destination.trim_start_matches('/'));
        let fail = |e: std::io::Error| Error::VolumeMount {
            name: vol.name.clone(),
            reason: format!("copying {destination} of the image into the volume: {e}"),
        };
        let meta = match std::fs::symlink_metadata(&source) {
            Ok(m) if m.is_dir() => Some(m),
            _ => None,
        };
        let mut changed = false;
        if vol.needs_chown {
            if let Some(m) = &meta {
                use std::os::unix::fs::{MetadataExt, PermissionsExt};
                std::os::unix::fs::chown(&vol.mountpoint, Some(m.uid()), Some(m.gid()))
                    .map_err(fail)?;
                std::fs::set_permissions(
                    &vol.mountpoint,
                    std::fs::Permissions::from_mode(m.mode() & 0o7777),
                )
                .map_err(fail)?;
            }
            vol.needs_chown = false;
            changed = true;
        }
        if vol.needs_copy_up && meta.is_some() {
            let source_empty = dir_is_empty(&source).map_err(fail)?;
            if !source_empty {
                if dir_is_empty(&vol.mountpoint).map_err(fail)? {
                    copy_tree(&source, &vol.mountpoint).map_err(fail)?;
                }
                vol.needs_copy_up = false;
                changed = true;
            }
        }
        if changed {
            self.write_volume(vol)?;
        }
        Ok(())
    }
}

/// `mount [-o O] [-t TYPE | -o bind] DEVICE DIR`, podman's use of mount(8) for the local
/// driver (a filesystem without a device, tmpfs, is given its type as the device).
fn mount_local(vol: &Volume) -> Result<()> {
    let opts = &vol.options;
    let kind = opts.get("type").map(String::as_str).unwrap_or_default();
    let device = match opts.get("device") {
        Some(d) if !d.is_empty() => d.as_str(),
        _ => kind,
    };
    let mut cmd = Command::new("mount");
    if let Some(o) = opts.get("o").filter(|o| !o.is_empty()) {
        cmd.args(["-o", o]);
    }
    match kind {
        "" => {}
        "bind" => {
            cmd.args(["-o", "bind"]);
        }
        t => {
            cmd.args(["-t", t]);
        }
    }
    cmd.arg(device).arg(&vol.mountpoint);
    let failed = |reason: String| Error::VolumeMount {
        name: vol.name.clone(),
        reason,
    };
    let out = cmd
        .output()
        .map_err(|e| failed(format!("running mount(8): {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Err(failed(format!(
        "mounting {}: {text}",
        vol.mountpoint.display()
    )))
}

/// Detaches the mount at `dir`; a directory with nothing mounted is no error.
pub(crate) fn unmount_dir(dir: &Path) -> std::io::Result<()> {
    match nix::mount::umount2(dir, nix::mount::MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::errno::Errno::EINVAL) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn dir_is_empty(dir: &Path) -> std::io::Result<bool> {
    Ok(std::fs::read_dir(dir)?.next().is_none())
}

/// A tar of `dir`'s contents, paths relative to it, links kept as links.
fn write_tar(dir: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let mut b = tar::Builder::new(out);
    b.follow_symlinks(false);
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        if entry.file_type()?.is_dir() {
            b.append_dir_all(&name, &path)?;
        } else {
            b.append_path_with_name(&path, &name)?;
        }
    }
    b.finish()
}

/// Reads every entry of a tar to its end: a truncated or corrupt archive fails here.
fn check_tar(input: &mut dyn Read) -> std::io::Result<()> {
    let mut a = tar::Archive::new(input);
    for entry in a.entries()? {
        let mut entry = entry?;
        entry.path()?;
        std::io::copy(&mut entry, &mut std::io::sink())?;
    }
    Ok(())
}

/// Unpacks a tar into `dir`, keeping modes, owners and times; entries may not leave `dir`.
fn unpack_tar(input: impl Read, dir: &Path) -> std::io::Result<()> {
    let mut a = tar::Archive::new(input);
    a.set_preserve_permissions(true);
    a.set_preserve_ownerships(true);
    a.set_overwrite(true);
    a.unpack(dir)
}

/// Copies `src`'s contents into `dst` (modes, owners, links kept), streaming a tar through
/// a pipe between a writer thread and the unpacker.
fn copy_tree(src: &Path, dst: &Path) -> std::io::Result<()> {
    let (reader, writer) = nix::unistd::pipe()?;
    let (reader, writer) = (std::fs::File::from(reader), std::fs::File::from(writer));
    let src = src.to_path_buf();
    let producer = std::thread::spawn(move || {
        let mut w = writer;
        write_tar(&src, &mut w)
    });
    let unpacked = unpack_tar(reader, dst);
    let produced = producer
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the archiving thread panicked")));
    unpacked.and(produced)
}

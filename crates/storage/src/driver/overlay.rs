//! The overlay driver.
//!
//! `overlay/<id>/diff` holds a layer's files, `overlay/<id>/link` its short
//! name, `overlay/l/<short>` a symlink to `../<id>/diff`. A container gets
//! `overlay/<id>/{diff,work,merged}`; its mount names the lower layers as
//! `/proc/self/fd/<fd of overlay/>/l/<short>` so the option string stays
//! short (about 40 bytes a layer) however deep the image is.

use std::fs::{self, File};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use nix::mount::{mount, umount2, MntFlags, MsFlags};

use super::LayerDriver;
use crate::error::IoContext;
use crate::extract::WhiteoutMode;
use crate::fsutil::{list_dir, mkdir_all, remove_tree};
use crate::{Error, Result};

const LINK_DIR: &str = "l";
const LINK_LEN: usize = 20;
/// The kernel copies at most one page of mount options.
const MAX_MOUNT_DATA: usize = 4000;

/// Gives directory `dir` the mode and owner of `like` (a layer's root, which a tar's `./`
/// entry may have set: an image whose `/` is 555 keeps it in its layers and containers).
fn same_root_as(dir: &Path, like: &Path) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = fs::metadata(like).ctx("stat", like)?;
    std::os::unix::fs::chown(dir, Some(meta.uid()), Some(meta.gid())).ctx("chown", dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(meta.mode() & 0o7777)).ctx("chmod", dir)
}

/// A base layer's root starts as containers/storage makes it, 0555 (a tar's `./` entry
/// changes it); as root only, since an unprivileged owner could not fill a 0555 directory.
pub(super) fn base_layer_root(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if nix::unistd::geteuid().is_root() {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).ctx("chmod", dir)?;
    }
    Ok(())
}

/// Kernel overlayfs layers.
#[derive(Debug)]
pub struct OverlayDriver {
    home: PathBuf,
}

fn short_name() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    crate::fsutil::random_hex(LINK_LEN)
        .bytes()
        .take(LINK_LEN)
        .enumerate()
        .map(|(i, b)| ALPHABET[(usize::from(b) + i * 7) % ALPHABET.len()] as char)
        .collect()
}

impl OverlayDriver {
    /// A driver storing under `home` (`graph_root/overlay`).
    pub fn new(home: PathBuf) -> Result<Self> {
        mkdir_all(&home.join(LINK_DIR))?;
        Ok(OverlayDriver { home })
    }

    fn dir(&self, id: &str) -> PathBuf {
        self.home.join(id)
    }

    fn link_of(&self, id: &str) -> Result<String> {
        let p = self.dir(id).join("link");
        Ok(fs::read_to_string(&p).ctx("read", &p)?.trim().to_string())
    }

    fn make_link(&self, id: &str) -> Result<()> {
        let short = short_name();
        let link = self.home.join(LINK_DIR).join(&short);
        std::os::unix::fs::symlink(format!("../{id}/diff"), &link).ctx("symlink", &link)?;
        crate::fsutil::atomic_write(&self.dir(id).join("link"), short.as_bytes())
    }

    fn remove_link(&self, id: &str) {
        if let Ok(short) = self.link_of(id) {
            let _ = fs::remove_file(self.home.join(LINK_DIR).join(short));
        }
    }
}

impl LayerDriver for OverlayDriver {
    fn name(&self) -> &'static str {
        "overlay"
    }

    fn whiteout_mode(&self) -> WhiteoutMode {
        WhiteoutMode::Overlay
    }

    fn prepare_layer(&self, staging_id: &str, parent: Option<&str>) -> Result<PathBuf> {
        let d = self.dir(staging_id);
        remove_tree(&d)?;
        let diff = d.join("diff");
        mkdir_all(&diff)?;
        match parent {
            Some(p) => same_root_as(&diff, &self.dir(p).join("diff"))?,
            None => base_layer_root(&diff)?,
        }
        Ok(diff)
    }

    fn commit_layer(&self, staging_id: &str, id: &str) -> Result<()> {
        let to = self.dir(id);
        remove_tree(&to)?;
        let from = self.dir(staging_id);
        fs::rename(&from, &to).ctx("rename", &from)?;
        self.make_link(id)?;
        crate::fsutil::fsync_dir(&self.home)
    }

    fn remove_layer(&self, id: &str) -> Result<()> {
        self.remove_link(id);
        remove_tree(&self.dir(id))
    }

    fn create_container(&self, id: &str, chain: &[String]) -> Result<()> {
        let d = self.dir(id);
        remove_tree(&d)?;
        for sub in ["diff", "work", "merged", "empty"] {
            mkdir_all(&d.join(sub))?;
        }
        // overlayfs shows the upper directory's mode and owner at `/`: the image's.
        match chain.last() {
            Some(top) => same_root_as(&d.join("diff"), &self.dir(top).join("diff")),
            None => Ok(()),
        }
    }

    fn mount(&self, id: &str, chain: &[String]) -> Result<PathBuf> {
        let merged = self.mount_path(id);
        if self.is_mounted(id) {
            return Ok(merged);
        }
        self.mount_overlay(id, chain, true)?;
        Ok(merged)
    }

    fn mount_path(&self, id: &str) -> PathBuf {
        self.dir(id).join("merged")
    }

    fn is_mounted(&self, id: &str) -> bool {
        super::is_mount_point(&self.mount_path(id))
    }

    fn unmount(&self, id: &str) -> Result<()> {
        let merged = self.mount_path(id);
        if !self.is_mounted(id) {
            return Ok(());
        }
        match umount2(&merged, MntFlags::empty()) {
            Ok(()) => Ok(()),
            Err(nix::errno::Errno::EBUSY) => umount2(&merged, MntFlags::MNT_DETACH)
                .map_err(|e| Error::sys("unmount", &merged, e)),
            Err(e) => Err(Error::sys("unmount", &merged, e)),
        }
    }

    fn mount_layer(&self, top: &str, chain: &[String]) -> Result<PathBuf> {
        let merged = self.mount_path(top);
        if !self.is_mounted(top) {
            mkdir_all(&merged)?;
            mkdir_all(&self.dir(top).join("empty"))?;
            self.mount_overlay(top, chain, false)?;
        }
        Ok(merged)
    }

    fn layer_mount_path(&self, top: &str) -> PathBuf {
        self.mount_path(top)
    }

    fn layer_is_mounted(&self, top: &str) -> bool {
        self.is_mounted(top)
    }

    fn unmount_layer(&self, top: &str) -> Result<()> {
        self.unmount(top)
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        self.unmount(id)?;
        remove_tree(&self.dir(id))
    }

    fn container_size(&self, id: &str) -> Result<u64> {
        crate::fsutil::tree_size(&self.dir(id).join("diff"))
    }

    fn upper_dir(&self, id: &str) -> Option<PathBuf> {
        Some(self.dir(id).join("diff"))
    }

    fn dirs_on_disk(&self) -> Result<Vec<String>> {
        Ok(list_dir(&self.home)?
            .into_iter()
            .filter(|n| n != LINK_DIR)
            .collect())
    }

    fn repair(&self, known: &dyn Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        let ldir = self.home.join(LINK_DIR);
        for short in list_dir(&ldir)? {
            let p = ldir.join(&short);
            let target_ok = fs::read_link(&p).ok().and_then(|t| {
                let t = t.to_string_lossy().into_owned();
                let id = t.strip_prefix("../")?.strip_suffix("/diff")?.to_string();
                (known(&id) && self.link_of(&id).ok()? == short).then_some(())
            });
            if target_ok.is_none() {
                let _ = fs::remove_file(&p);
                removed.push(format!("overlay link {short}"));
            }
        }
        Ok(removed)
    }
}

impl OverlayDriver {
    /// Mounts `overlay/<id>/merged` over the layers `chain` (bottom first):
    /// writable over `<id>/diff` for a container, read-only for an image's
    /// top layer (`<id>/empty` below the layers, as overlay wants two lower
    /// directories when it has no upper one).
    fn mount_overlay(&self, id: &str, chain: &[String], writable: bool) -> Result<()> {
        let merged = self.mount_path(id);
        let home = File::open(&self.home).ctx("open", &self.home)?;
        let base = format!("/proc/self/fd/{}", home.as_raw_fd());
        let mut lowers = Vec::new();
        for layer in chain.iter().rev() {
            lowers.push(format!("{base}/{LINK_DIR}/{}", self.link_of(layer)?));
        }
        if lowers.is_empty() || !writable {
            lowers.push(format!("{base}/{id}/empty"));
        }
        let upper = if writable {
            format!(",upperdir={base}/{id}/diff,workdir={base}/{id}/work")
        } else {
            String::new()
        };
        let data = format!("lowerdir={}{upper}", lowers.join(":"));
        if data.len() > MAX_MOUNT_DATA {
            return Err(Error::InvalidOption(format!(
                "image has too many layers ({}) for one overlay mount",
                chain.len()
            )));
        }
        let flags = if writable {
            MsFlags::empty()
        } else {
            MsFlags::MS_RDONLY
        };
        mount(
            Some("overlay"),
            &merged,
            Some("overlay"),
            flags,
            Some(data.as_str()),
        )
        .map_err(|e| Error::sys("mount overlay", &merged, e))
    }

    /// The home directory (`graph_root/overlay`).
    pub fn home(&self) -> &Path {
        &self.home
    }
}

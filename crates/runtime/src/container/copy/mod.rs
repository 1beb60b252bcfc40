//! `cp`: copying files and directories between the host and a container.
//!
//! Host paths are the caller's and resolve as usual. Every path in the container, in both
//! directions, is resolved inside the container ([`view`]): symlinks, `..` chains and absolute
//! links the container planted lead to places in the container, never on the host. What is
//! written is made with `*at` calls relative to directories opened that way, never following
//! the last component, and what is read is never followed out of the container ([`tree`]).
//! A path under a bind mount or named volume of the container is taken from, or written to, the
//! mount's source, the same safe way, as podman's `cp` of a running container sees them.
//!
//! The rules of what goes where are podman's: a directory copied onto an existing directory
//! goes inside it, `SRC/.` copies a directory's content, a missing destination is created
//! when its parent exists, and a directory never replaces a file.

mod tree;
mod view;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use berth_state::ContainerRecord;
use berth_storage::inroot::open_root;
use nix::errno::Errno;

use crate::error::{Error, Result};
use crate::runtime::Runtime;
use tree::{Copier, Item, Node, Owner};
use view::{Kind, MountPoint, View};

/// Options of [`Runtime::copy_into_container`] and [`Runtime::copy_from_container`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyOptions {
    /// What is copied into the container belongs to the container's main user (podman's
    /// `--archive`, the default); off keeps the host owners. Copies out of a container always
    /// belong to the caller and lose set-uid and set-gid bits.
    pub chown: bool,
    /// Let a directory replace a non-directory and the other way round (`--overwrite`).
    pub overwrite: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            chown: true,
            overwrite: false,
        }
    }
}

/// Why a copy failed. Messages follow podman's where podman has one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// A path in the container does not exist (or a parent of it is not a directory).
    #[error("{path:?} could not be found on container {container}: {reason}")]
    NotInContainer {
        /// The path as given.
        path: String,
        /// The container as given.
        container: String,
        /// What the lookup met.
        reason: String,
    },
    /// A host path does not exist (or its parent, for a destination).
    #[error("{path:?} could not be found on the host: {reason}")]
    NotOnHost {
        /// The path as given.
        path: String,
        /// What the lookup met.
        reason: String,
    },
    /// A directory was to be copied onto something that is not one.
    #[error("destination must be a directory when copying a directory")]
    DirectoryOntoFile,
    /// An entry of one kind would replace an entry of the other (directory, non-directory).
    #[error("cannot overwrite {existing} {path} with a {new}: use --overwrite to allow it")]
    Overwrite {
        /// Where.
        path: String,
        /// What is there.
        existing: &'static str,
        /// What was to be written.
        new: &'static str,
    },
    /// The destination is on a read-only mount of the container.
    #[error("{path} is on a read-only mount of the container")]
    ReadOnly {
        /// Where.
        path: String,
    },
    /// The destination is a mount point, which cannot be replaced by another kind of entry.
    #[error(
        "{path} is a mount point of the container and cannot be replaced by another kind of file"
    )]
    MountPoint {
        /// Where.
        path: String,
    },
    /// The source is a device or a socket.
    #[error("{path} is not a regular file, directory, symbolic link or FIFO")]
    Unsupported {
        /// The path.
        path: String,
    },
    /// A file system call failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was done.
        op: &'static str,
        /// On what (`CONTAINER:/path` for the container side).
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl CopyError {
    pub(crate) fn io(op: &'static str, path: String, e: Errno) -> Self {
        CopyError::Io {
            op,
            path,
            source: std::io::Error::from_raw_os_error(e as i32),
        }
    }
}

/// Go's wording of an errno, as podman prints it (`no such file or directory`).
fn reason(e: Errno) -> String {
    e.desc().to_lowercase()
}

/// A path as the user gave it, with what its spelling says.
struct Spelled<'a> {
    path: &'a Path,
    /// Ends with `/`: it must be a directory.
    trailing_slash: bool,
    /// `DIR/.` (or `.`): the directory's content, not the directory.
    content_only: bool,
}

impl<'a> Spelled<'a> {
    fn new(path: &'a Path) -> Self {
        let b = path.as_os_str().as_bytes();
        Spelled {
            path,
            trailing_slash: b.len() > 1 && b.ends_with(b"/"),
            content_only: b == b"." || b.ends_with(b"/."),
        }
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }
}

impl Runtime {
    /// Copies `host_src` (a file, symlink, FIFO or directory tree) into the container at
    /// `ctr_dest`, following podman's `cp`: onto an existing directory it goes inside it
    /// (`SRC/.` copies a directory's content), a missing destination is created when its
    /// parent exists. `ctr_dest` is absolute or relative to the container's working directory.
    ///
    /// `ctr_dest` is resolved inside the container, whatever links it planted: nothing is
    /// written outside the container's root filesystem and the sources of its bind mounts and
    /// volumes (writes under a mount destination land in its source; read-only mounts are
    /// refused). Symlinks inside a copied directory are copied as symlinks.
    pub fn copy_into_container(
        &self,
        container: &str,
        host_src: &Path,
        ctr_dest: &Path,
        opts: &CopyOptions,
    ) -> Result<()> {
        self.check()?;
        let rec = self.state.lookup_container(container)?;
        let src = Spelled::new(host_src);
        let item = open_host_source(&src)?;
        let dest_path = in_container(&rec, ctr_dest);
        let dest = Spelled::new(&dest_path);
        self.with_view(&rec, |view, rootfs| {
            let owner = if opts.chown {
                let u = berth_oci::generate::user::resolve_user(rootfs, &rec.config.user, &[])?;
                Owner::Fixed(u.uid, u.gid)
            } else {
                Owner::Source
            };
            let copier = Copier {
                from: None,
                to: Some(view),
                owner,
                strip_setid: false,
                overwrite: opts.overwrite,
                labels: (String::new(), format!("{container}:")),
            };
            copy_in(&copier, view, item, &src, &dest, container)?;
            Ok(())
        })
    }

    /// Copies `ctr_src` out of the container to `host_dest`, following podman's `cp` (see
    /// [`Self::copy_into_container`]). `ctr_src` is resolved inside the container (a link
    /// leading out of it reaches nothing on the host); symlinks inside a copied directory are
    /// copied as symlinks, devices and sockets are left out, and so are `/dev`, `/proc` and
    /// `/sys`. Under a mount destination the mount's source is read.
    pub fn copy_from_container(
        &self,
        container: &str,
        ctr_src: &Path,
        host_dest: &Path,
        opts: &CopyOptions,
    ) -> Result<()> {
        self.check()?;
        let rec = self.state.lookup_container(container)?;
        let src_path = in_container(&rec, ctr_src);
        let src = Spelled::new(&src_path);
        let dest = Spelled::new(host_dest);
        self.with_view(&rec, |view, _| {
            let copier = Copier {
                from: Some(view),
                to: None,
                owner: Owner::Caller,
                strip_setid: true,
                overwrite: opts.overwrite,
                labels: (format!("{container}:"), String::new()),
            };
            copy_out(&copier, view, &src, &dest, container)?;
            Ok(())
        })
    }

    /// Runs `f` on the container's file system (mounting its root filesystem for the time).
    fn with_view<T>(
        &self,
        rec: &ContainerRecord,
        f: impl FnOnce(&View, &Path) -> Result<T>,
    ) -> Result<T> {
        let id = &rec.config.id;
        let rootfs = self.mount_container(id)?;
        let out = open_root(&rootfs)
            .map_err(|e| Error::from(CopyError::io("open", rootfs.display().to_string(), e)))
            .and_then(|fd| f(&View::new(fd, self.copy_mounts(rec)), &rootfs));
        let unmounted = self.unmount_container(id, false);
        let out = out?;
        unmounted?;
        Ok(out)
    }

    /// The bind mounts and named volumes of the container (tmpfs mounts live only in the
    /// running container and are not reached).
    fn copy_mounts(&self, rec: &ContainerRecord) -> Vec<MountPoint> {
        let c = &rec.config;
        let ro = |o: &[String]| o.iter().any(|x| x == "ro");
        c.mounts
            .iter()
            .filter(|m| m.kind != "tmpfs")
            .map(|m| MountPoint::new(&m.destination, PathBuf::from(&m.source), ro(&m.options)))
            .chain(c.named_volumes.iter().map(|v| {
                MountPoint::new(
                    &v.destination,
                    self.volume_data_dir(&v.name),
                    ro(&v.options),
                )
            }))
            .collect()
    }
}

/// `path` made absolute in the container: a relative path is taken from the working directory.
fn in_container(rec: &ContainerRecord, path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let mut p = PathBuf::from("/");
    p.push(rec.config.working_dir.trim_start_matches('/'));
    let mut s = p.into_os_string();
    if !s.as_bytes().ends_with(b"/") {
        s.push("/");
    }
    s.push(path.as_os_str());
    PathBuf::from(s)
}

/// Opens the host source (its own symlink followed, as podman does).
fn open_host_source(src: &Spelled<'_>) -> Result<Item, CopyError> {
    let not_found = |e: Errno| CopyError::NotOnHost {
        path: src.shown(),
        reason: reason(e),
    };
    let item = tree::open_path(src.path).map_err(not_found)?;
    item.ok_or_else(|| CopyError::Unsupported { path: src.shown() })
}

/// The name a copied entry takes inside a destination directory.
fn name_of(path: &Path) -> Option<OsString> {
    path.file_name().map(OsStr::to_os_string)
}

fn copy_in(
    copier: &Copier<'_>,
    view: &View,
    item: Item,
    src: &Spelled<'_>,
    dest: &Spelled<'_>,
    container: &str,
) -> Result<(), CopyError> {
    let not_found = |reason: String| CopyError::NotInContainer {
        path: dest.shown(),
        container: container.to_owned(),
        reason,
    };
    let r = view.resolve(dest.path).map_err(|e| not_found(reason(e)))?;
    let shown = |p: &Path| format!("{container}:{}", p.display());
    let open = |p: &Path| {
        view.open_dir(p)
            .map_err(|e| CopyError::io("open", shown(p), e))
    };
    let src_is_dir = matches!(item.node, Node::Dir(_));
    match r.kind {
        Kind::Dir => {
            let dir = open(&r.path)?;
            let name = name_of(src.path);
            match item.node {
                Node::Dir(from) if src.content_only || name.is_none() => {
                    copier.copy_children(&from, src.path, &dir, &r.path)
                }
                node => {
                    let name = name.unwrap_or_default();
                    let dst = r.path.join(&name);
                    copier.copy(Item { node, st: item.st }, src.path, &dir, &name, &dst)
                }
            }
        }
        Kind::Other if dest.trailing_slash => Err(not_found(reason(Errno::ENOTDIR))),
        Kind::Other if src_is_dir => Err(CopyError::DirectoryOntoFile),
        Kind::Missing if dest.trailing_slash => Err(not_found(reason(Errno::ENOENT))),
        Kind::Other | Kind::Missing => {
            let (Some(parent), Some(name)) = (r.path.parent(), r.path.file_name()) else {
                return Err(not_found(reason(Errno::EINVAL)));
            };
            let dir = open(parent)?;
            copier.copy(item, src.path, &dir, name, &r.path)
        }
    }
}

fn copy_out(
    copier: &Copier<'_>,
    view: &View,
    src: &Spelled<'_>,
    dest: &Spelled<'_>,
    container: &str,
) -> Result<(), CopyError> {
    let not_found = |reason: String| CopyError::NotInContainer {
        path: src.shown(),
        container: container.to_owned(),
        reason,
    };
    let r = view.resolve(src.path).map_err(|e| not_found(reason(e)))?;
    // A trailing `/` on a source that is not a directory is ignored, as podman ignores it.
    if r.kind == Kind::Missing {
        return Err(not_found(reason(Errno::ENOENT)));
    }
    let shown = format!("{container}:{}", r.path.display());
    let item = match (view.mount_at(&r.path), r.path.parent(), r.path.file_name()) {
        (Some(m), _, _) => tree::open_path(&m.source),
        (None, Some(parent), Some(name)) => view
            .open_dir(parent)
            .and_then(|dir| tree::open_at(&dir, name)),
        (None, _, _) => view.open_dir(&r.path).and_then(|fd| {
            let st = nix::sys::stat::fstat(&fd)?;
            Ok(Some(Item {
                node: Node::Dir(fd),
                st,
            }))
        }),
    }
    .map_err(|e| CopyError::io("open", shown.clone(), e))?
    .ok_or(CopyError::Unsupported { path: shown })?;
    let name = name_of(&r.path);
    let content_only = src.content_only || name.is_none();

    let host_not_found = |e: Errno| CopyError::NotOnHost {
        path: dest.shown(),
        reason: reason(e),
    };
    let open_host = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        open_root(p).map_err(host_not_found)
    };
    match nix::sys::stat::stat(dest.path) {
        Ok(st) if tree::is_dir(&st) => {
            let dir = open_host(dest.path)?;
            match item.node {
                Node::Dir(from) if content_only => {
                    copier.copy_children(&from, &r.path, &dir, dest.path)
                }
                node => {
                    let name = name.unwrap_or_default();
                    let dst = dest.path.join(&name);
                    copier.copy(Item { node, st: item.st }, &r.path, &dir, &name, &dst)
                }
            }
        }
        Ok(_) if matches!(item.node, Node::Dir(_)) => Err(CopyError::DirectoryOntoFile),
        Err(Errno::ENOENT) if !dest.trailing_slash => {
            let (Some(parent), Some(name)) = (dest.path.parent(), dest.path.file_name()) else {
                return Err(host_not_found(Errno::ENOENT));
            };
            let dir = open_host(parent).map_err(|_| host_not_found(Errno::ENOENT))?;
            copier.copy(item, &r.path, &dir, name, dest.path)
        }
        Ok(_) => {
            let (Some(parent), Some(name)) = (dest.path.parent(), dest.path.file_name()) else {
                return Err(host_not_found(Errno::EINVAL));
            };
            let dir = open_host(parent)?;
            copier.copy(item, &r.path, &dir, name, dest.path)
        }
        Err(e) => Err(host_not_found(e)),
    }
}

//! Safe layer extraction.
//!
//! Every path in the archive is resolved inside the extraction root with
//! `openat2(RESOLVE_IN_ROOT)`: the root behaves like `/` for the lookup, so
//! `..` and symlinks (absolute or relative, extracted earlier in the same
//! layer) can never lead outside it. The last component is always created
//! with a `*at` call relative to the resolved parent and never followed
//! (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`). Entries with `..` components are
//! refused outright, absolute names are taken relative to the root, hard
//! links are made with `linkat` between two contained locations, and device
//! nodes are refused unless explicitly allowed.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::AtFlags;
use nix::fcntl::{openat, openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fchmod, fstatat, mkdirat, mknodat, utimensat, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{fchown, fchownat, linkat, symlinkat, Gid, Uid};

use crate::inroot::create_new_file;
use crate::{Error, Result};

mod at;
pub(crate) use at::remove_at;
use at::{list_at, set_times_fd};

/// What to do with whiteout entries (`.wh.NAME`, `.wh..wh..opq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteoutMode {
    /// Turn them into overlayfs whiteouts: 0/0 character devices and the
    /// `trusted.overlay.opaque=y` xattr.
    Overlay,
    /// Apply them: delete the named entry (or the directory's earlier
    /// content) from the tree being extracted onto.
    Delete,
    /// Keep them as the plain files they are (for unpacking archives that are not layers).
    Keep,
}

/// Options of [`extract`].
#[derive(Debug, Clone, Copy)]
pub struct ExtractOptions {
    /// Whiteout handling.
    pub whiteouts: WhiteoutMode,
    /// Allow character and block device nodes (refused by default).
    pub allow_devices: bool,
    /// Apply the archive's ownership (uid/gid); off for unprivileged unpacking.
    pub preserve_owner: bool,
}

impl ExtractOptions {
    /// Layer extraction for a driver.
    pub fn layer(whiteouts: WhiteoutMode) -> Self {
        ExtractOptions {
            whiteouts,
            allow_devices: false,
            preserve_owner: true,
        }
    }
}

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// Splits an archive path into clean components. `.` and empty components
/// are dropped, a leading `/` is ignored; `..` is refused.
pub fn clean_components(raw: &[u8], entry: &str) -> Result<Vec<String>> {
    let s = std::str::from_utf8(raw)
        .map_err(|_| Error::unsafe_entry(entry, "path is not valid UTF-8"))?;
    if s.contains('\0') {
        return Err(Error::unsafe_entry(entry, "path contains a NUL byte"));
    }
    let mut out = Vec::new();
    for c in s.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(Error::unsafe_entry(entry, "path contains a `..` component")),
            c => out.push(c.to_string()),
        }
    }
    Ok(out)
}

fn sys(entry: &str, op: &str, e: Errno) -> Error {
    Error::unsafe_entry(entry, format!("{op}: {e}"))
}

struct Extractor<'a> {
    root: OwnedFd,
    opts: ExtractOptions,
    /// Paths written by this layer (for opaque directories with `Delete`).
    created: HashSet<String>,
    /// Directories whose times are set at the end, with (atime, mtime).
    dir_times: Vec<(Vec<String>, i64)>,
    root_path: &'a Path,
}

/// Extracts a tar stream (already decompressed) into `root`, which must exist.
pub fn extract(reader: impl Read, root: &Path, opts: ExtractOptions) -> Result<()> {
    let root_fd = openat(
        nix::fcntl::AT_FDCWD,
        root,
        OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::sys("open", root, e))?;
    let mut x = Extractor {
        root: root_fd,
        opts,
        created: HashSet::new(),
        dir_times: Vec::new(),
        root_path: root,
    };
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(Error::Archive)? {
        let mut entry = entry.map_err(Error::Archive)?;
        x.entry(&mut entry)?;
    }
    x.finish()
}

impl Extractor<'_> {
    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<()> {
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let kind = entry.header().entry_type();
        if matches!(
            kind,
            tar::EntryType::XGlobalHeader
                | tar::EntryType::XHeader
                | tar::EntryType::GNULongName
                | tar::EntryType::GNULongLink
        ) {
            return Ok(());
        }
        let comps = clean_components(&raw, &name)?;
        let Some((last, parents)) = comps.split_last() else {
            // The root itself ("./"): apply a directory's metadata to it.
            if kind.is_dir() {
                let fd = self.dup_root(&name)?;
                self.apply_meta(&fd, entry, &name)?;
                self.dir_times
                    .push((Vec::new(), entry.header().mtime().unwrap_or(0) as i64));
                return Ok(());
            }
            return Err(Error::unsafe_entry(
                &name,
                "a non-directory entry names the extraction root",
            ));
        };
        if last.len() > 255 {
            return Err(Error::unsafe_entry(
                &name,
                "a path component is longer than 255 bytes",
            ));
        }
        let parent = self.open_dir(parents, true, &name)?;

        if self.opts.whiteouts != WhiteoutMode::Keep {
            if last == OPAQUE_MARKER {
                return self.opaque(&parent, parents, &name);
            }
            if let Some(target) = last.strip_prefix(WHITEOUT_PREFIX) {
                if target.is_empty() || target == "." || target == ".." {
                    return Err(Error::unsafe_entry(&name, "whiteout names no entry"));
                }
                return self.whiteout(&parent, parents, target, &name);
            }
        }
        let full = comps.join("/");
        let mtime = entry.header().mtime().unwrap_or(0) as i64;
        match kind {
            tar::EntryType::Directory => {
                match fstatat(&parent, last.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                    Ok(st)
                        if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT
                            == SFlag::S_IFDIR => {}
                    Ok(_) => {
                        remove_at(&parent, last).map_err(|e| sys(&name, "replace", e))?;
                        mkdirat(&parent, last.as_str(), Mode::from_bits_truncate(0o700))
                            .map_err(|e| sys(&name, "mkdir", e))?;
                    }
                    Err(Errno::ENOENT) => {
                        mkdirat(&parent, last.as_str(), Mode::from_bits_truncate(0o700))
                            .map_err(|e| sys(&name, "mkdir", e))?;
                    }
                    Err(e) => return Err(sys(&name, "stat", e)),
                }
                let fd = openat(
                    &parent,
                    last.as_str(),
                    OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|e| sys(&name, "open directory", e))?;
                self.apply_meta(&fd, entry, &name)?;
                self.dir_times.push((comps.clone(), mtime));
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                Self::replace(&parent, last, &name)?;
                let mut file = create_new_file(&parent, last.as_str())
                    .map_err(|e| sys(&name, "create file", e))?;
                io::copy(entry, &mut file).map_err(Error::Archive)?;
                let fd = OwnedFd::from(file);
                self.apply_meta(&fd, entry, &name)?;
                set_times_fd(&fd, mtime).map_err(|e| sys(&name, "set times", e))?;
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .ok_or_else(|| Error::unsafe_entry(&name, "symlink without a target"))?
                    .into_owned();
                if target.is_empty() || target.contains(&0) {
                    return Err(Error::unsafe_entry(
                        &name,
                        "symlink target is empty or contains NUL",
                    ));
                }
                Self::replace(&parent, last, &name)?;
                symlinkat(target.as_slice(), &parent, last.as_str())
                    .map_err(|e| sys(&name, "symlink", e))?;
                self.chown_at(&parent, last, entry, &name)?;
                set_times_at(&parent, last, mtime, &name)?;
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .ok_or_else(|| Error::unsafe_entry(&name, "hard link without a target"))?
                    .into_owned();
                let tcomps = clean_components(&target, &name)?;
                let Some((tlast, tparents)) = tcomps.split_last() else {
                    return Err(Error::unsafe_entry(
                        &name,
                        "hard link to the extraction root",
                    ));
                };
                let tparent = self.open_dir(tparents, false, &name).map_err(|_| {
                    Error::unsafe_entry(&name, "hard link target does not exist in this layer")
                })?;
                match fstatat(&tparent, tlast.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                    Ok(st)
                        if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT
                            == SFlag::S_IFDIR =>
                    {
                        return Err(Error::unsafe_entry(&name, "hard link to a directory"));
                    }
                    Ok(_) => {}
                    Err(_) => {
                        return Err(Error::unsafe_entry(
                            &name,
                            "hard link target does not exist in this layer",
                        ))
                    }
                }
                if tcomps == comps {
                    return Ok(());
                }
                Self::replace(&parent, last, &name)?;
                linkat(
                    &tparent,
                    tlast.as_str(),
                    &parent,
                    last.as_str(),
                    AtFlags::empty(),
                )
                .map_err(|e| sys(&name, "link", e))?;
            }
            tar::EntryType::Fifo | tar::EntryType::Char | tar::EntryType::Block => {
                let sflag = match kind {
                    tar::EntryType::Fifo => SFlag::S_IFIFO,
                    tar::EntryType::Char => SFlag::S_IFCHR,
                    _ => SFlag::S_IFBLK,
                };
                let (major, minor) = (
                    entry.header().device_major().ok().flatten().unwrap_or(0),
                    entry.header().device_minor().ok().flatten().unwrap_or(0),
                );
                if sflag != SFlag::S_IFIFO && !self.opts.allow_devices {
                    return Err(Error::unsafe_entry(
                        &name,
                        format!("device node ({major}:{minor}) in a layer is not allowed"),
                    ));
                }
                Self::replace(&parent, last, &name)?;
                let dev = libc::makedev(major, minor);
                mknodat(
                    &parent,
                    last.as_str(),
                    sflag,
                    Mode::from_bits_truncate(0o600),
                    dev,
                )
                .map_err(|e| sys(&name, "mknod", e))?;

                self.chown_at(&parent, last, entry, &name)?;
                let mode = entry.header().mode().unwrap_or(0o600) & 0o7777;
                nix::sys::stat::fchmodat(
                    &parent,
                    last.as_str(),
                    Mode::from_bits_truncate(mode),
                    nix::sys::stat::FchmodatFlags::FollowSymlink,
                )
                .map_err(|e| sys(&name, "chmod", e))?;
                set_times_at(&parent, last, mtime, &name)?;
            }
            other => {
                return Err(Error::unsafe_entry(
                    &name,
                    format!("unsupported tar entry type {other:?}"),
                ));
            }
        }
        self.created.insert(full);
        Ok(())
    }

    fn dup_root(&self, name: &str) -> Result<OwnedFd> {
        self.root
            .try_clone()
            .map_err(|e| Error::unsafe_entry(name, format!("dup: {e}")))
    }

    /// Opens the directory `comps` inside the root (symlinks resolved as if
    /// the root were `/`), creating missing directories when `create`.
    fn open_dir(&self, comps: &[String], create: bool, name: &str) -> Result<OwnedFd> {
        if comps.is_empty() {
            return self.dup_root(name);
        }
        let how = || {
            OpenHow::new()
                .flags(OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC)
                .resolve(
                    ResolveFlag::RESOLVE_IN_ROOT
                        | ResolveFlag::RESOLVE_NO_MAGICLINKS
                        | ResolveFlag::RESOLVE_NO_XDEV,
                )
        };
        match openat2(&self.root, comps.join("/").as_str(), how()) {
            Ok(fd) => return Ok(fd),
            Err(Errno::ENOENT) if create => {}
            Err(Errno::ENOTDIR) => {
                return Err(Error::unsafe_entry(
                    name,
                    "a parent path component is not a directory",
                ))
            }
            Err(e) => return Err(sys(name, "resolve parent directory", e)),
        }
        // Walk from the root, creating what is missing one component at a time.
        let mut fd = self.dup_root(name)?;
        for (i, c) in comps.iter().enumerate() {
            let prefix = comps[..=i].join("/");
            fd = match openat2(&self.root, prefix.as_str(), how()) {
                Ok(next) => next,
                Err(Errno::ENOENT) => {
                    match mkdirat(&fd, c.as_str(), Mode::from_bits_truncate(0o755)) {
                        Ok(()) | Err(Errno::EEXIST) => {}
                        Err(e) => return Err(sys(name, "create parent directory", e)),
                    }
                    openat2(&self.root, prefix.as_str(), how())
                        .map_err(|e| sys(name, "resolve parent directory", e))?
                }
                Err(Errno::ENOTDIR) => {
                    return Err(Error::unsafe_entry(
                        name,
                        "a parent path component is not a directory",
                    ))
                }
                Err(e) => return Err(sys(name, "resolve parent directory", e)),
            };
        }
        Ok(fd)
    }

    /// Removes whatever is at `parent/last` so a new entry can take its place.
    fn replace(parent: &OwnedFd, last: &str, name: &str) -> Result<()> {
        match remove_at(parent, last) {
            Ok(()) | Err(Errno::ENOENT) => Ok(()),
            Err(e) => Err(sys(name, "replace existing entry", e)),
        }
    }

    /// The entry's owner on `last` in `parent` itself (not a symlink's target), when owners
    /// are kept.
    fn chown_at<R: Read>(
        &self,
        parent: &OwnedFd,
        last: &str,
        entry: &tar::Entry<'_, R>,
        name: &str,
    ) -> Result<()> {
        if self.opts.preserve_owner {
            let (uid, gid) = owner(entry);
            fchownat(
                parent,
                last,
                Some(uid),
                Some(gid),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(|e| sys(name, "chown", e))?;
        }
        Ok(())
    }

    fn apply_meta<R: Read>(
        &self,
        fd: &OwnedFd,
        entry: &mut tar::Entry<'_, R>,
        name: &str,
    ) -> Result<()> {
        if self.opts.preserve_owner {
            let (uid, gid) = owner(entry);
            fchown(fd.as_fd(), Some(uid), Some(gid)).map_err(|e| sys(name, "chown", e))?;
        }
        let mode = entry.header().mode().map_err(Error::Archive)? & 0o7777;
        fchmod(fd.as_fd(), Mode::from_bits_truncate(mode)).map_err(|e| sys(name, "chmod", e))?;
        if let Some(exts) = entry.pax_extensions().map_err(Error::Archive)? {
            let file = File::from(
                fd.try_clone()
                    .map_err(|e| Error::unsafe_entry(name, format!("dup: {e}")))?,
            );
            for ext in exts {
                let ext = ext.map_err(Error::Archive)?;
                let Ok(key) = ext.key() else { continue };
                let Some(attr) = key.strip_prefix("SCHILY.xattr.") else {
                    continue;
                };
                // The overlay driver's own attributes must not come from layer content.
                if attr.starts_with("trusted.overlay.") {
                    continue;
                }
                match xattr::FileExt::set_xattr(&file, attr, ext.value_bytes()) {
                    Ok(()) => {}
                    Err(e) if e.raw_os_error() == Some(libc::EOPNOTSUPP) => {
                        tracing::debug!(entry = name, attr, "xattr not supported here, skipped");
                    }
                    Err(e) => {
                        return Err(Error::unsafe_entry(name, format!("set xattr {attr}: {e}")))
                    }
                }
            }
        }
        Ok(())
    }

    fn opaque(&mut self, parent: &OwnedFd, parents: &[String], name: &str) -> Result<()> {
        match self.opts.whiteouts {
            WhiteoutMode::Overlay => {
                let file = File::from(
                    parent
                        .try_clone()
                        .map_err(|e| Error::unsafe_entry(name, format!("dup: {e}")))?,
                );
                xattr::FileExt::set_xattr(&file, "trusted.overlay.opaque", b"y").map_err(|e| {
                    Error::unsafe_entry(name, format!("set trusted.overlay.opaque: {e}"))
                })?;
            }
            WhiteoutMode::Delete => {
                let prefix = parents.join("/");
                for child in list_at(parent).map_err(|e| sys(name, "list directory", e))? {
                    let p = if prefix.is_empty() {
                        child.clone()
                    } else {
                        format!("{prefix}/{child}")
                    };
                    if !self.created.contains(&p) {
                        remove_at(parent, &child)
                            .map_err(|e| sys(name, "apply opaque whiteout", e))?;
                    }
                }
            }
            WhiteoutMode::Keep => unreachable!("whiteouts are plain files in Keep mode"),
        }
        Ok(())
    }

    fn whiteout(
        &mut self,
        parent: &OwnedFd,
        parents: &[String],
        target: &str,
        name: &str,
    ) -> Result<()> {
        match self.opts.whiteouts {
            WhiteoutMode::Overlay => {
                Self::replace(parent, target, name)?;
                mknodat(parent, target, SFlag::S_IFCHR, Mode::empty(), 0)
                    .map_err(|e| sys(name, "create whiteout", e))?;
            }
            WhiteoutMode::Delete => match remove_at(parent, target) {
                Ok(()) | Err(Errno::ENOENT) => {}
                Err(e) => return Err(sys(name, "apply whiteout", e)),
            },
            WhiteoutMode::Keep => unreachable!("whiteouts are plain files in Keep mode"),
        }
        let mut p = parents.to_vec();
        p.push(target.to_string());
        self.created.insert(p.join("/"));
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        // Directory times last, deepest first, so later entries do not change them.
        self.dir_times
            .sort_by_key(|(c, _)| std::cmp::Reverse(c.len()));
        for (comps, mtime) in std::mem::take(&mut self.dir_times) {
            let name = comps.join("/");
            if let Ok(fd) = self.open_dir(&comps, false, &name) {
                set_times_fd(&fd, mtime).map_err(|e| sys(&name, "set times", e))?;
            }
        }
        tracing::trace!(root = %self.root_path.display(), "layer extracted");
        Ok(())
    }
}

/// Sets the access and modification times of `last` in `parent` (not a symlink's target).
fn set_times_at(parent: &OwnedFd, last: &str, mtime: i64, name: &str) -> Result<()> {
    let t = TimeSpec::new(mtime, 0);
    utimensat(parent, last, &t, &t, UtimensatFlags::NoFollowSymlink)
        .map_err(|e| sys(name, "set times", e))
}

fn owner<R: Read>(entry: &tar::Entry<'_, R>) -> (Uid, Gid) {
    let h = entry.header();
    (
        Uid::from_raw(h.uid().unwrap_or(0) as u32),
        Gid::from_raw(h.gid().unwrap_or(0) as u32),
    )
}

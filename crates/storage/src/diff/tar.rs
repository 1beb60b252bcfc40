//! Trees as tars: a whole root filesystem (`export`) or an overlay upper
//! directory as an OCI layer (`commit`), whose whiteouts become `.wh.NAME`
//! entries and whose opaque directories get a `.wh..wh..opq` entry.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use tar::{Builder, EntryType, Header, HeaderMode};

use super::{is_opaque, is_whiteout, sorted_entries};
use crate::error::IoContext;
use crate::{Error, Result};

/// Writes the tree under `root` (not following symlinks) as a tar: what
/// `export` streams for a container's mounted root filesystem.
pub fn write_tree_tar(root: &Path, out: &mut dyn Write) -> Result<()> {
    TarWalk::new(root, false, out).run()
}

/// Writes an overlay upper directory (or an overlay layer's `diff`) as an
/// OCI layer tar: whiteouts as `.wh.NAME`, opaque directories with
/// `.wh..wh..opq`, `trusted.overlay.*` xattrs left out.
pub fn write_layer_tar(upper: &Path, out: &mut dyn Write) -> Result<()> {
    TarWalk::new(upper, true, out).run()
}

struct TarWalk<'a> {
    root: &'a Path,
    layer: bool,
    builder: Builder<&'a mut dyn Write>,
    /// First path seen of each multiply-linked inode (dev, ino).
    links: HashMap<(u64, u64), PathBuf>,
}

fn tar_err(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |e| Error::io("write tar entry", path, e)
}

impl<'a> TarWalk<'a> {
    fn new(root: &'a Path, layer: bool, out: &'a mut dyn Write) -> Self {
        let mut builder = Builder::new(out);
        builder.mode(HeaderMode::Complete);
        builder.follow_symlinks(false);
        TarWalk {
            root,
            layer,
            builder,
            links: HashMap::new(),
        }
    }

    fn run(mut self) -> Result<()> {
        self.dir(Path::new(""))?;
        self.builder.finish().map_err(tar_err(self.root))
    }

    fn dir(&mut self, rel: &Path) -> Result<()> {
        for name in sorted_entries(&self.root.join(rel))? {
            let rel = rel.join(&name);
            let path = self.root.join(&rel);
            let m = fs::symlink_metadata(&path).ctx("stat", &path)?;
            self.entry(&rel, &path, &m)?;
            if m.is_dir() {
                self.dir(&rel)?;
            }
        }
        Ok(())
    }

    fn entry(&mut self, rel: &Path, path: &Path, m: &fs::Metadata) -> Result<()> {
        let ft = m.file_type();
        if ft.is_socket() {
            return Ok(());
        }
        if self.layer && is_whiteout(m) {
            let name = format!(
                ".wh.{}",
                rel.file_name().unwrap_or_default().to_string_lossy()
            );
            let wh = rel.with_file_name(name);
            return self.marker(&wh, m);
        }
        let mut h = Header::new_gnu();
        h.set_metadata_in_mode(m, HeaderMode::Complete);
        if !ft.is_symlink() {
            self.xattrs(path)?;
        }
        if ft.is_file() && m.nlink() > 1 {
            if let Some(first) = self.links.get(&(m.dev(), m.ino())).cloned() {
                h.set_entry_type(EntryType::Link);
                h.set_size(0);
                return self
                    .builder
                    .append_link(&mut h, rel, first)
                    .map_err(tar_err(path));
            }
            self.links.insert((m.dev(), m.ino()), rel.to_path_buf());
        }
        if ft.is_symlink() {
            let target = fs::read_link(path).ctx("read link", path)?;
            h.set_size(0);
            return self
                .builder
                .append_link(&mut h, rel, target)
                .map_err(tar_err(path));
        }
        if ft.is_file() {
            let f = File::open(path).ctx("open", path)?;
            return self
                .builder
                .append_data(&mut h, rel, f)
                .map_err(tar_err(path));
        }
        h.set_size(0);
        self.builder
            .append_data(&mut h, rel, io::empty())
            .map_err(tar_err(path))?;
        if self.layer && is_opaque(path, m) {
            self.marker(&rel.join(".wh..wh..opq"), m)?;
        }
        Ok(())
    }

    /// An empty regular file entry (a whiteout or the opaque marker).
    fn marker(&mut self, rel: &Path, m: &fs::Metadata) -> Result<()> {
        let mut h = Header::new_gnu();
        h.set_entry_type(EntryType::Regular);
        h.set_size(0);
        h.set_mode(m.mode() & 0o777);
        h.set_uid(m.uid().into());
        h.set_gid(m.gid().into());
        h.set_mtime(u64::try_from(m.mtime()).unwrap_or(0));
        self.builder
            .append_data(&mut h, rel, io::empty())
            .map_err(tar_err(rel))
    }

    /// The xattrs of `path` (but overlay's own) as PAX records before its entry.
    fn xattrs(&mut self, path: &Path) -> Result<()> {
        let Ok(names) = xattr::list(path) else {
            return Ok(());
        };
        let mut records = Vec::new();
        for name in names {
            let name = name.to_string_lossy().into_owned();
            if name.starts_with("trusted.overlay.") {
                continue;
            }
            if let Ok(Some(v)) = xattr::get(path, &name) {
                records.push((format!("SCHILY.xattr.{name}"), v));
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        self.builder
            .append_pax_extensions(records.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
            .map_err(tar_err(path))
    }
}

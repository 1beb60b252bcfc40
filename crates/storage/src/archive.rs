//! Load and save: OCI image layout (directory and `oci-archive` tar) and
//! `docker-archive` (the `docker save` layout), including archives with
//! several images.
//!
//! Files inside an archive are opened with `openat2(RESOLVE_IN_ROOT)` so a
//! hostile archive (symlinks, `..`) cannot make the store read outside it,
//! and every blob is checked against its digest.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use nix::fcntl::{openat, openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;

use crate::digest::{parse_sha256, sha256_digest, HashingReader};
use crate::extract::{extract, ExtractOptions, WhiteoutMode};
use crate::fsutil::{mkdir_all, random_hex, remove_tree};
use crate::model::{ImageRecord, LayerRecord};
use crate::oci::{media, ConfigFile, Descriptor, DockerEntry, Index, Manifest, REF_NAME};
use crate::reference::Reference;
use crate::store::Store;
use crate::{Error, Result};

/// Archive formats for [`Store::save`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// An OCI image layout directory.
    OciDir,
    /// An OCI image layout in a tar file (`oci-archive`).
    OciArchive,
    /// A `docker save` tar (`docker-archive`).
    DockerArchive,
}

impl std::str::FromStr for ArchiveFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "oci-dir" => Ok(ArchiveFormat::OciDir),
            "oci-archive" => Ok(ArchiveFormat::OciArchive),
            "docker-archive" => Ok(ArchiveFormat::DockerArchive),
            other => Err(Error::InvalidOption(format!(
                "archive format {other:?}: use oci-dir, oci-archive or docker-archive"
            ))),
        }
    }
}

fn bad(what: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::InvalidArchive {
        what: what.into(),
        reason: reason.into(),
    }
}

/// Opens `rel` inside `dir` without letting the lookup leave `dir`.
fn open_in(dir: &Path, rel: &str) -> Result<File> {
    let root = openat(
        nix::fcntl::AT_FDCWD,
        dir,
        OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::sys("open", dir, e))?;
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = openat2(&root, rel, how).map_err(|e| {
        bad(
            format!("{}/{rel}", dir.display()),
            format!("cannot open: {e}"),
        )
    })?;
    let f = File::from(fd);
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return Err(bad(
            format!("{}/{rel}", dir.display()),
            "not a regular file",
        ));
    }
    Ok(f)
}

fn read_in(dir: &Path, rel: &str, limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    open_in(dir, rel)?
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| Error::io("read", dir.join(rel), e))?;
    Ok(out)
}

const JSON_LIMIT: u64 = 64 << 20;

fn blob_rel(digest: &str) -> Result<String> {
    Ok(format!("blobs/sha256/{}", parse_sha256(digest)?))
}

/// A temp directory under the store's `tmp/`, removed on drop.
struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = remove_tree(&self.0);
    }
}

fn json<T: serde::de::DeserializeOwned>(data: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(data).map_err(|source| Error::Json {
        what: what.to_string(),
        source,
    })
}

impl Store {
    /// Loads every image of an OCI layout directory, an `oci-archive` tar or
    /// a `docker-archive` tar (detected from the content).
    pub fn load(&self, src: &Path) -> Result<Vec<ImageRecord>> {
        let meta = fs::metadata(src).map_err(|e| Error::io("stat", src, e))?;
        if meta.is_dir() {
            return self.lock.write(|| self.load_dir(src));
        }
        // Unpacked under the lock: `check` treats everything in tmp/ as a
        // leftover, which is only true while nobody holds the lock.
        self.lock.write(|| {
            let tmp = TempDir(self.tmp_dir().join(format!("load-{}", random_hex(8))));
            mkdir_all(&tmp.0)?;
            let f = File::open(src).map_err(|e| Error::io("open", src, e))?;
            let (plain, _) = crate::compress::decompress(f)?;
            extract(
                plain,
                &tmp.0,
                ExtractOptions {
                    whiteouts: WhiteoutMode::Keep,
                    allow_devices: false,
                    preserve_owner: false,
                },
            )
            .map_err(|e| bad(src.display().to_string(), format!("unpacking: {e}")))?;
            self.load_dir(&tmp.0)
        })
    }

    fn load_dir(&self, dir: &Path) -> Result<Vec<ImageRecord>> {
        if dir.join("index.json").exists() {
            self.load_oci(dir)
        } else if dir.join("manifest.json").exists() {
            self.load_docker(dir)
        } else {
            Err(bad(
                dir.display().to_string(),
                "neither an OCI layout (index.json) nor a docker archive (manifest.json)",
            ))
        }
    }

    fn verified_blob(dir: &Path, digest: &str) -> Result<Vec<u8>> {
        let data = read_in(dir, &blob_rel(digest)?, JSON_LIMIT)?;
        let actual = sha256_digest(&data);
        if actual != digest {
            return Err(Error::DigestMismatch {
                what: blob_rel(digest)?,
                expected: digest.into(),
                actual,
            });
        }
        Ok(data)
    }

    fn load_oci(&self, dir: &Path) -> Result<Vec<ImageRecord>> {
        let index: Index = json(&read_in(dir, "index.json", JSON_LIMIT)?, "index.json")?;
        let mut out: Vec<ImageRecord> = Vec::new();
        for desc in &index.manifests {
            let mut desc = desc.clone();
            let mut data = Self::verified_blob(dir, &desc.digest)?;
            if desc.media_type == media::INDEX || desc.media_type == media::DOCKER_LIST {
                let nested: Index = json(&data, &desc.digest)?;
                let pick = nested
                    .manifests
                    .iter()
                    .find(|m| {
                        m.annotations.is_empty()
                            || m.media_type == media::MANIFEST
                            || m.media_type == media::DOCKER_MANIFEST
                    })
                    .ok_or_else(|| bad(&desc.digest, "image index without a manifest"))?;
                let ann = desc.annotations.clone();
                desc = pick.clone();
                desc.annotations.extend(ann);
                data = Self::verified_blob(dir, &desc.digest)?;
            }
            let manifest: Manifest = json(&data, &desc.digest)?;
            let name = desc.annotations.get(REF_NAME).and_then(|n| oci_ref_name(n));
            let rec = self.load_image(
                dir,
                &manifest,
                &data,
                &desc.digest,
                name.into_iter().collect(),
            )?;
            merge(&mut out, rec);
        }
        Ok(out)
    }

    fn load_image(
        &self,
        dir: &Path,
        manifest: &Manifest,
        manifest_bytes: &[u8],
        manifest_digest: &str,
        names: Vec<String>,
    ) -> Result<ImageRecord> {
        let config = Self::verified_blob(dir, &manifest.config.digest)?;
        let cfg = ConfigFile::parse(&config, &manifest.config.digest)?;
        if cfg.rootfs.diff_ids.len() != manifest.layers.len() {
            return Err(bad(
                manifest_digest,
                format!(
                    "{} layers but {} diff ids in the config",
                    manifest.layers.len(),
                    cfg.rootfs.diff_ids.len()
                ),
            ));
        }
        let mut parent: Option<LayerRecord> = None;
        for (l, diff_id) in manifest.layers.iter().zip(&cfg.rootfs.diff_ids) {
            let f = open_in(dir, &blob_rel(&l.digest)?)?;
            let mut hr = HashingReader::new(io::BufReader::new(f));
            let rec = self.add_layer(parent.as_ref(), Some(diff_id), &mut hr)?;
            io::copy(&mut hr, &mut io::sink()).map_err(Error::Archive)?;
            let (actual, _) = hr.finish();
            if actual != l.digest {
                return Err(Error::DigestMismatch {
                    what: blob_rel(&l.digest)?,
                    expected: l.digest.clone(),
                    actual,
                });
            }
            parent = Some(rec);
        }
        // Keep the manifest bytes when they describe exactly what we store.
        let same = manifest
            .layers
            .iter()
            .zip(&cfg.rootfs.diff_ids)
            .all(|(l, d)| &l.digest == d);
        self.commit_image(
            &config,
            same.then_some(manifest_bytes),
            &names,
            &[manifest_digest.to_string()],
        )
    }

    fn load_docker(&self, dir: &Path) -> Result<Vec<ImageRecord>> {
        let entries: Vec<DockerEntry> =
            json(&read_in(dir, "manifest.json", JSON_LIMIT)?, "manifest.json")?;
        let mut out: Vec<ImageRecord> = Vec::new();
        for e in entries {
            let config = read_in(dir, &e.config, JSON_LIMIT)?;
            let cfg = ConfigFile::parse(&config, &e.config)?;
            if cfg.rootfs.diff_ids.len() != e.layers.len() {
                return Err(bad(
                    &e.config,
                    format!(
                        "{} layers but {} diff ids in the config",
                        e.layers.len(),
                        cfg.rootfs.diff_ids.len()
                    ),
                ));
            }
            let mut parent: Option<LayerRecord> = None;
            for (path, diff_id) in e.layers.iter().zip(&cfg.rootfs.diff_ids) {
                let mut f = io::BufReader::new(open_in(dir, path)?);
                parent = Some(self.add_layer(parent.as_ref(), Some(diff_id), &mut f)?);
            }
            let names = e
                .repo_tags
                .unwrap_or_default()
                .iter()
                .map(|t| crate::images::normalize_name(t))
                .collect::<Result<Vec<_>>>()?;
            let rec = self.commit_image(&config, None, &names, &[])?;
            merge(&mut out, rec);
        }
        Ok(out)
    }

    /// Saves images (names or ids) to `dest` in `format`. `docker-archive`
    /// and `oci-archive` write a tar file, `oci-dir` a directory.
    pub fn save(&self, images: &[&str], format: ArchiveFormat, dest: &Path) -> Result<()> {
        if images.is_empty() {
            return Err(Error::InvalidOption("save needs at least one image".into()));
        }
        self.lock.read(|| {
            let mut picked: Vec<(ImageRecord, Option<String>)> = Vec::new();
            for name in images {
                let img = self.find_image(name)?;
                // The name the user gave, if it is one of the image's names.
                let as_named = Reference::parse(name)
                    .ok()
                    .map(|r| r.to_string())
                    .filter(|n| img.names.contains(n));
                // Saved by ID (podman's rule): the archive names no tag, so a load gives an
                // untagged image.
                let by_id = {
                    let hex = name.strip_prefix("sha256:").unwrap_or(name);
                    hex.len() >= 3 && img.id.starts_with(hex)
                };
                let tag = if by_id {
                    None
                } else {
                    as_named.or_else(|| img.names.first().cloned())
                };
                picked.push((img, tag));
            }
            let files = match format {
                ArchiveFormat::OciDir | ArchiveFormat::OciArchive => self.oci_files(&picked)?,
                ArchiveFormat::DockerArchive => self.docker_files(&picked)?,
            };
            match format {
                ArchiveFormat::OciDir => write_dir(dest, &files),
                _ => write_tar(dest, &files),
            }
        })
    }

    fn oci_files(&self, picked: &[(ImageRecord, Option<String>)]) -> Result<Vec<(String, Src)>> {
        let mut files = vec![(
            "oci-layout".to_string(),
            Src::Bytes(br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
        )];
        let mut manifests = Vec::new();
        let mut blobs = std::collections::BTreeSet::new();
        for (img, tag) in picked {
            let mdata = self.blobs.get(&img.manifest_digest)?;
            let m = self.manifest_of(img)?;
            let mut annotations = std::collections::BTreeMap::new();
            if let Some(t) = tag {
                annotations.insert(REF_NAME.to_string(), t.clone());
            }
            manifests.push(Descriptor {
                media_type: if m.media_type.is_empty() {
                    media::MANIFEST.into()
                } else {
                    m.media_type.clone()
                },
                digest: img.manifest_digest.clone(),
                size: mdata.len() as u64,
                annotations,
            });
            blobs.insert(img.manifest_digest.clone());
            blobs.insert(m.config.digest.clone());
            blobs.extend(m.layers.iter().map(|l| l.digest.clone()));
        }
        for b in blobs {
            files.push((blob_rel(&b)?, Src::File(self.blobs.path(&b)?)));
        }
        let index = Index {
            schema_version: 2,
            media_type: media::INDEX.into(),
            manifests,
        };
        files.push((
            "index.json".into(),
            Src::Bytes(serde_json::to_vec(&index).map_err(|source| Error::Json {
                what: "index.json".into(),
                source,
            })?),
        ));
        Ok(files)
    }

    fn docker_files(&self, picked: &[(ImageRecord, Option<String>)]) -> Result<Vec<(String, Src)>> {
        let mut files = Vec::new();
        let mut entries = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (img, tag) in picked {
            let config_name = format!("{}.json", img.id);
            if seen.insert(config_name.clone()) {
                files.push((
                    config_name.clone(),
                    Src::File(self.blobs.path(&format!("sha256:{}", img.id))?),
                ));
            }
            let mut layers = Vec::new();
            for d in &img.diff_ids {
                let n = format!("{}.tar", parse_sha256(d)?);
                if seen.insert(n.clone()) {
                    files.push((n.clone(), Src::File(self.blobs.path(d)?)));
                }
                layers.push(n);
            }
            // The name the image was saved by, none when saved by ID (podman's).
            let tags: Vec<String> = tag.iter().filter(|n| !n.contains('@')).cloned().collect();
            entries.push(DockerEntry {
                config: config_name,
                repo_tags: Some(tags),
                layers,
            });
        }
        files.push((
            "manifest.json".into(),
            Src::Bytes(serde_json::to_vec(&entries).map_err(|source| Error::Json {
                what: "manifest.json".into(),
                source,
            })?),
        ));
        Ok(files)
    }
}

/// The name in an OCI `ref.name` annotation: a full reference is kept, a
/// bare tag (which names no repository) gives no name.
fn oci_ref_name(n: &str) -> Option<String> {
    if !n.contains('/') && !n.contains(':') {
        return None;
    }
    Reference::parse(n).ok().map(|r| r.to_string())
}

fn merge(out: &mut Vec<ImageRecord>, rec: ImageRecord) {
    match out.iter_mut().find(|i| i.id == rec.id) {
        Some(i) => *i = rec,
        None => out.push(rec),
    }
}

#[derive(Debug)]
enum Src {
    Bytes(Vec<u8>),
    File(PathBuf),
}

fn write_dir(dest: &Path, files: &[(String, Src)]) -> Result<()> {
    mkdir_all(&dest.join("blobs/sha256"))?;
    for (name, src) in files {
        let p = dest.join(name);
        match src {
            Src::Bytes(b) => fs::write(&p, b).map_err(|e| Error::io("write", &p, e))?,
            Src::File(f) => {
                fs::copy(f, &p).map_err(|e| Error::io("copy", &p, e))?;
            }
        }
    }
    Ok(())
}

fn write_tar(dest: &Path, files: &[(String, Src)]) -> Result<()> {
    let tmp = dest.with_file_name(format!(
        ".{}.tmp-{}",
        dest.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        random_hex(4)
    ));
    let res = (|| {
        let f = File::create(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
        let mut b = tar::Builder::new(io::BufWriter::new(f));
        let mut dirs = std::collections::BTreeSet::new();
        for (name, src) in files {
            if let Some((d, _)) = name.rsplit_once('/') {
                let mut acc = String::new();
                for c in d.split('/') {
                    acc = if acc.is_empty() {
                        c.to_string()
                    } else {
                        format!("{acc}/{c}")
                    };
                    if dirs.insert(acc.clone()) {
                        let mut h = tar::Header::new_ustar();
                        h.set_entry_type(tar::EntryType::Directory);
                        h.set_mode(0o755);
                        h.set_size(0);
                        h.set_mtime(0);
                        b.append_data(&mut h, format!("{acc}/"), io::empty())
                            .map_err(|e| Error::io("write", &tmp, e))?;
                    }
                }
            }
            let mut h = tar::Header::new_ustar();
            h.set_mode(0o644);
            h.set_mtime(0);
            match src {
                Src::Bytes(data) => {
                    h.set_size(data.len() as u64);
                    b.append_data(&mut h, name, data.as_slice())
                }
                Src::File(p) => {
                    let f = File::open(p).map_err(|e| Error::io("open", p, e))?;
                    h.set_size(f.metadata().map_err(|e| Error::io("stat", p, e))?.len());
                    b.append_data(&mut h, name, f)
                }
            }
            .map_err(|e| Error::io("write", &tmp, e))?;
        }
        let mut w = b.into_inner().map_err(|e| Error::io("write", &tmp, e))?;
        w.flush().map_err(|e| Error::io("write", &tmp, e))?;
        w.into_inner()
            .map_err(|e| Error::io("write", &tmp, e.into_error()))?
            .sync_all()
            .map_err(|e| Error::io("fsync", &tmp, e))?;
        fs::rename(&tmp, dest).map_err(|e| Error::io("rename", dest, e))
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

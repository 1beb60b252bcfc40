//! `push`: an image of the store to a registry — every blob the registry
//! lacks (HEAD, then POST + PUT or chunked PATCHes), then the manifest.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::digest::{parse_sha256, sha256_digest, HashingWriter};
use crate::fsutil::{mkdir_all, random_hex, remove_tree};
use crate::oci::{media, Manifest};
use crate::reference::Reference;
use crate::store::Store;

use super::auth::AuthOptions;
use super::client::{Client, ClientOptions, RetryPolicy};
use super::error::{Error, Result};
use super::pull::{emit, insecure_for, Event, ProgressFn};
use super::rules::RegistryRules;

/// Options of [`push`].
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// registries.conf rules (rewriting, insecure, blocked; mirrors are not used).
    pub rules: RegistryRules,
    /// `--tls-verify` (see [`super::PullOptions::tls_verify`]).
    pub tls_verify: Option<bool>,
    /// Credentials.
    pub auth: AuthOptions,
    /// Retries.
    pub retry: RetryPolicy,
    /// Upload blobs in PATCH chunks of this many bytes (None: one PUT each).
    pub chunk_size: Option<u64>,
    /// CA certificates (PEM) to trust instead of the webpki roots.
    pub ca_pem: Option<Vec<u8>>,
    /// certs.d directory (`None`: /etc/containers/certs.d).
    pub certs_dir: Option<std::path::PathBuf>,
    /// gzip uncompressed layers before uploading (as podman does by
    /// default); the pushed manifest then differs from the local one.
    pub compress: bool,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

/// What [`push`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushReport {
    /// The destination, fully qualified.
    pub destination: String,
    /// Digest of the pushed manifest.
    pub manifest_digest: String,
    /// Blobs uploaded.
    pub blobs_uploaded: usize,
    /// Blobs the registry already had.
    pub blobs_skipped: usize,
}

/// Pushes the image `image` (name or id) to `destination` (a
/// `docker://`-style reference without the transport; by tag or digest).
/// `None` pushes to the image's first name.
pub fn push(
    store: &Store,
    image: &str,
    destination: Option<&str>,
    opts: &PushOptions,
) -> Result<PushReport> {
    let img = store.image(image)?;
    let dest_str = match destination {
        Some(d) => d.to_string(),
        None => img.names.first().cloned().ok_or_else(|| {
            Error::InvalidOption(format!("image {image} has no name; give a destination"))
        })?,
    };
    let dest = Reference::parse(dest_str.strip_prefix("docker://").unwrap_or(&dest_str))?;
    let src = opts.rules.push_source(&dest)?;
    let creds = opts.auth.lookup(&src.host, &src.repository)?;
    let client = Client::connect(
        &src.host,
        &ClientOptions {
            insecure: insecure_for(opts.tls_verify, src.insecure),
            credentials: creds,
            retry: opts.retry,
            ca_pem: opts.ca_pem.clone(),
            certs_dir: opts.certs_dir.clone(),
        },
    )?;
    // The read lock keeps the image's blobs from being removed under us.
    store.lock.read(|| -> crate::Result<Result<PushReport>> {
        Ok((|| {
            let data = store.blobs.get(&img.manifest_digest)?;
            let m: Manifest = serde_json::from_slice(&data).map_err(|e| {
                Error::bad(
                    format!("stored manifest {}", img.manifest_digest),
                    e.to_string(),
                )
            })?;
            // Every blob with its local file, checked; layers gzipped first if asked.
            let staging = Staging(store.tmp_dir().join(format!("push-{}", random_hex(8))));
            let mut out = m.clone();
            let mut files = Vec::new();
            for (i, d) in std::iter::once(&m.config).chain(&m.layers).enumerate() {
                let path = store.blobs.path(&d.digest)?;
                let size = std::fs::metadata(&path)
                    .map_err(|e| {
                        Error::io(
                            "stat blob (is the image complete? try berth system check)",
                            &path,
                            e,
                        )
                    })?
                    .len();
                if size != d.size {
                    return Err(Error::Mismatch {
                        what: format!("size of local blob {}", d.digest),
                        source_url: path.display().to_string(),
                        expected: d.size.to_string(),
                        actual: size.to_string(),
                    });
                }
                if i > 0 && opts.compress && is_uncompressed(&d.media_type) {
                    mkdir_all(&staging.0)?;
                    let (gz, digest, gz_size) = gzip_file(&path, &staging.0)?;
                    let l = &mut out.layers[i - 1];
                    l.media_type = if m.media_type == media::DOCKER_MANIFEST {
                        "application/vnd.docker.image.rootfs.diff.tar.gzip".into()
                    } else {
                        "application/vnd.oci.image.layer.v1.tar+gzip".into()
                    };
                    l.digest.clone_from(&digest);
                    l.size = gz_size;
                    files.push((digest, gz, gz_size));
                } else {
                    files.push((d.digest.clone(), path, size));
                }
            }
            let data = if opts.compress && out.layers != m.layers {
                serde_json::to_vec(&out).map_err(|e| Error::bad("manifest", e.to_string()))?
            } else {
                data
            };
            let mut uploaded = 0;
            let mut skipped = 0;
            for (digest, path, size) in &files {
                if client.blob_exists(&src.repository, digest)? {
                    skipped += 1;
                    emit(
                        opts.progress.as_ref(),
                        Event::BlobSkipped {
                            digest: digest.clone(),
                        },
                    );
                    continue;
                }
                emit(
                    opts.progress.as_ref(),
                    Event::BlobStart {
                        digest: digest.clone(),
                        size: *size,
                    },
                );
                client.upload_blob(&src.repository, digest, path, *size, opts.chunk_size)?;
                emit(
                    opts.progress.as_ref(),
                    Event::BlobDone {
                        digest: digest.clone(),
                    },
                );
                uploaded += 1;
            }
            emit(opts.progress.as_ref(), Event::Committing);
            let mt = if m.media_type.is_empty() {
                media::MANIFEST
            } else {
                m.media_type.as_str()
            };
            let wire_ref = dest
                .tag
                .clone()
                .or_else(|| dest.digest.clone())
                .unwrap_or_else(|| "latest".into());
            let digest = sha256_digest(&data);
            if dest.tag.is_none() && dest.digest.as_deref() != Some(digest.as_str()) {
                return Err(Error::InvalidOption(format!(
                    "destination {dest} names digest {} but the image's manifest is {digest}",
                    dest.digest.as_deref().unwrap_or("")
                )));
            }
            client.put_manifest(&src.repository, &wire_ref, mt, &data)?;
            Ok(PushReport {
                destination: dest.to_string(),
                manifest_digest: digest,
                blobs_uploaded: uploaded,
                blobs_skipped: skipped,
            })
        })())
    })?
}

/// A staging directory removed on drop.
struct Staging(PathBuf);
impl Drop for Staging {
    fn drop(&mut self) {
        let _ = remove_tree(&self.0);
    }
}

fn is_uncompressed(media_type: &str) -> bool {
    media_type.is_empty()
        || media_type == media::LAYER_TAR
        || media_type == "application/vnd.docker.image.rootfs.diff.tar"
}

/// gzips `src` into `dir`; returns the file, its digest and size.
fn gzip_file(src: &Path, dir: &Path) -> Result<(PathBuf, String, u64)> {
    let tmp = dir.join(format!("gz-{}", random_hex(8)));
    let f = File::create(&tmp).map_err(|e| Error::io("create", &tmp, e))?;
    let hw = HashingWriter::new(BufWriter::new(f));
    let mut enc = flate2::write::GzEncoder::new(hw, flate2::Compression::default());
    let mut input = BufReader::new(File::open(src).map_err(|e| Error::io("open", src, e))?);
    io::copy(&mut input, &mut enc).map_err(|e| Error::io("compress", src, e))?;
    let mut hw = enc.finish().map_err(|e| Error::io("compress", &tmp, e))?;
    hw.flush().map_err(|e| Error::io("write", &tmp, e))?;
    let (digest, size, _) = hw.finish();
    let path = dir.join(parse_sha256(&digest)?);
    std::fs::rename(&tmp, &path).map_err(|e| Error::io("rename", &path, e))?;
    Ok((path, digest, size))
}

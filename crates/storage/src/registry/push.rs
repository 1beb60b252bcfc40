//! `push`: an image of the store to a registry — every blob the registry
//! lacks (HEAD, then POST + PUT or chunked PATCHes), then the manifest.

use crate::digest::sha256_digest;
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
            let mut uploaded = 0;
            let mut skipped = 0;
            for d in std::iter::once(&m.config).chain(&m.layers) {
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
                if client.blob_exists(&src.repository, &d.digest)? {
                    skipped += 1;
                    emit(
                        opts.progress.as_ref(),
                        Event::BlobSkipped {
                            digest: d.digest.clone(),
                        },
                    );
                    continue;
                }
                emit(
                    opts.progress.as_ref(),
                    Event::BlobStart {
                        digest: d.digest.clone(),
                        size,
                    },
                );
                client.upload_blob(&src.repository, &d.digest, &path, size, opts.chunk_size)?;
                emit(
                    opts.progress.as_ref(),
                    Event::BlobDone {
                        digest: d.digest.clone(),
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

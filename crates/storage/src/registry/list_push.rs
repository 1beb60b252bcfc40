//! `manifest push`: a stored manifest list to a registry, with (`all`) each
//! instance's image pushed by digest to the same repository first.

use super::client::{Client, ClientOptions};
use super::error::{Error, Result};
use super::pull::insecure_for;
use super::push::{push, PushOptions, PushReport};
use crate::digest::sha256_digest;
use crate::reference::Reference;
use crate::store::Store;

/// Pushes the list `list` to `destination` (a tag or digest reference);
/// `oci` writes an OCI index instead of a Docker manifest list.
pub fn push_list(
    store: &Store,
    list: &str,
    destination: &str,
    opts: &PushOptions,
    all: bool,
    oci: bool,
) -> Result<PushReport> {
    let l = store.manifest_list(list)?;
    let dest = Reference::parse(destination.strip_prefix("docker://").unwrap_or(destination))?;
    let repo = format!("{}/{}", dest.domain, dest.path);
    let mut uploaded = 0;
    let mut skipped = 0;
    if all {
        // Instances keep their manifests byte for byte: no recompression.
        let inst_opts = PushOptions {
            compress: false,
            ..opts.clone()
        };
        for i in &l.instances {
            let image = l.sources.get(&i.digest).ok_or_else(|| {
                Error::InvalidOption(format!(
                    "instance {} of list {list} has no local image to push",
                    i.digest
                ))
            })?;
            let r = push(
                store,
                image,
                Some(&format!("{repo}@{}", i.digest)),
                &inst_opts,
            )?;
            uploaded += r.blobs_uploaded;
            skipped += r.blobs_skipped;
        }
    }
    let src = opts.rules.push_source(&dest)?;
    let client = Client::connect(
        &src.host,
        &ClientOptions {
            insecure: insecure_for(opts.tls_verify, src.insecure),
            credentials: opts.auth.lookup(&src.host, &src.repository)?,
            retry: opts.retry,
            ca_pem: opts.ca_pem.clone(),
            certs_dir: opts.certs_dir.clone(),
        },
    )?;
    let doc = l.document(oci);
    let data =
        serde_json::to_vec_pretty(&doc).map_err(|e| Error::bad("manifest list", e.to_string()))?;
    let digest = sha256_digest(&data);
    let wire_ref = dest
        .tag
        .clone()
        .or_else(|| dest.digest.clone())
        .unwrap_or_else(|| "latest".into());
    client.put_manifest(&src.repository, &wire_ref, &doc.media_type, &data)?;
    Ok(PushReport {
        destination: dest.to_string(),
        manifest_digest: digest,
        blobs_uploaded: uploaded,
        blobs_skipped: skipped,
    })
}

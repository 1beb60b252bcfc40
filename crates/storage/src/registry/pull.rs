//! `pull`: reference -> candidates (short names, mirrors, rewriting) ->
//! manifest (index -> platform) -> config -> layers downloaded in parallel
//! into a private staging directory, each checked for size and digest ->
//! under the store lock, layers added and the image committed exactly as
//! `load` of an OCI layout does it.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs::{self, File};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::digest::{chain_id, parse_sha256, sha256_digest};
use crate::model::{ImageRecord, LayerRecord};
use crate::oci::{ConfigFile, Manifest};
use crate::reference::Reference;
use crate::staging::LiveStaging;
use crate::store::Store;

use super::auth::AuthOptions;
use super::client::{Client, ClientOptions, RetryPolicy};
use super::error::{Error, Result};
use super::manifest::{self, Parsed, Platform};
use super::policy::PolicySource;
use super::rules::{RegistryRules, Resolution, Source};

/// Something a pull or push reports while it runs (for progress bars).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Trying a candidate source.
    Trying {
        /// The fully qualified reference.
        reference: String,
        /// `host/repository` contacted.
        source: String,
    },
    /// A blob transfer starts.
    BlobStart {
        /// Digest.
        digest: String,
        /// Size in bytes.
        size: u64,
    },
    /// Bytes of a blob moved.
    BlobProgress {
        /// Digest.
        digest: String,
        /// Bytes in this step.
        bytes: u64,
    },
    /// A blob is complete and verified.
    BlobDone {
        /// Digest.
        digest: String,
    },
    /// A blob is already there (layer in the store, or blob in the registry).
    BlobSkipped {
        /// Digest.
        digest: String,
    },
    /// Writing the image into the store / the manifest to the registry.
    Committing,
    /// How a pull's name was resolved, before its first candidate is tried
    /// (podman prints an alias: `Resolved "NAME" as an alias (FILE)`).
    Resolved(Resolution),
}

/// A progress callback.
#[derive(Clone)]
pub struct ProgressFn(pub Arc<dyn Fn(&Event) + Send + Sync>);

impl std::fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressFn")
    }
}

/// Options of [`pull`].
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// registries.conf rules (search list, rewriting, mirrors, insecure, blocked).
    pub rules: RegistryRules,
    /// Wanted platform in a manifest list (default: `linux/<host arch>`).
    pub platform: Option<Platform>,
    /// `--tls-verify`: `Some(false)` allows plain HTTP / unverified TLS
    /// everywhere, `Some(true)` requires verified TLS even for `insecure`
    /// registries, `None` follows registries.conf.
    pub tls_verify: Option<bool>,
    /// Credentials.
    pub auth: AuthOptions,
    /// Signature policy.
    pub policy: PolicySource,
    /// Retries.
    pub retry: RetryPolicy,
    /// Layers downloaded at once.
    pub parallel: usize,
    /// CA certificates (PEM) to trust instead of the webpki roots.
    pub ca_pem: Option<Vec<u8>>,
    /// certs.d directory (`None`: /etc/containers/certs.d).
    pub certs_dir: Option<std::path::PathBuf>,
    /// Progress callback.
    pub progress: Option<ProgressFn>,
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            rules: RegistryRules::default(),
            platform: None,
            tls_verify: None,
            auth: AuthOptions::default(),
            policy: PolicySource::Default,
            retry: RetryPolicy::default(),
            parallel: 3,
            ca_pem: None,
            certs_dir: None,
            progress: None,
        }
    }
}

/// What [`pull`] did.
#[derive(Debug, Clone)]
pub struct PullReport {
    /// The image in the store.
    pub image: ImageRecord,
    /// The fully qualified reference that was pulled (the winner for short names).
    pub reference: String,
    /// `host/repository` it came from (a mirror or the primary location).
    pub source: String,
    /// Digest of the image manifest (the platform's one for a manifest list).
    pub manifest_digest: String,
    /// Layers downloaded.
    pub layers_fetched: usize,
    /// Layers already in the store.
    pub layers_skipped: usize,
    /// Bytes downloaded for layers.
    pub bytes_fetched: u64,
    /// How the name was resolved (an alias names its file).
    pub resolution: Resolution,
}

pub(crate) fn emit(p: Option<&ProgressFn>, e: Event) {
    if let Some(p) = p {
        (p.0)(&e);
    }
}

pub(crate) fn insecure_for(tls_verify: Option<bool>, src_insecure: bool) -> bool {
    match tls_verify {
        Some(v) => !v,
        None => src_insecure,
    }
}

/// Pulls `reference` (short or fully qualified, by tag or digest) into the store.
///
/// A short name that names a local image (by its alias, `localhost/`, a
/// search registry or any registry, as [`Store::lookup_image`] finds it)
/// is pulled by that image's name, as podman does: no short-name
/// resolution, no prompt or `enforcing` error.
pub fn pull(store: &Store, reference: &str, opts: &PullOptions) -> Result<PullReport> {
    let local = match Reference::parse(reference) {
        Ok(r) if !r.had_domain => match store.lookup_image(reference, Some(&opts.rules)) {
            Ok((_, name)) => name,
            Err(e) => {
                tracing::debug!(reference, error = %e, "no local image for the short name");
                None
            }
        },
        _ => None,
    };
    let resolved = opts.rules.resolve(local.as_deref().unwrap_or(reference))?;
    if resolved.how != Resolution::Qualified {
        emit(
            opts.progress.as_ref(),
            Event::Resolved(resolved.how.clone()),
        );
    }
    let candidates = resolved.candidates;
    let policy = opts.policy.load()?;
    let mut attempts: Vec<(String, Error)> = Vec::new();
    let mut tried = Vec::new();
    for cand in &candidates {
        policy.check("docker", cand)?;
        let sources = match opts.rules.pull_sources(cand) {
            Ok(s) => s,
            Err(e) if candidates.len() > 1 => {
                attempts.push((cand.to_string(), e));
                continue;
            }
            Err(e) => return Err(e),
        };
        for src in sources {
            emit(
                opts.progress.as_ref(),
                Event::Trying {
                    reference: cand.to_string(),
                    source: src.name(),
                },
            );
            tried.push(src.name());
            match pull_from(store, cand, &src, opts) {
                Ok(r) => {
                    return Ok(PullReport {
                        resolution: resolved.how,
                        ..r
                    })
                }
                Err(e) => {
                    tracing::debug!(source = %src.name(), error = %e, "source failed");
                    attempts.push((src.name(), e));
                }
            }
        }
    }
    if attempts.iter().all(|(_, e)| e.is_not_found()) {
        return Err(Error::ManifestUnknown {
            reference: reference.to_string(),
            tried,
        });
    }
    if attempts.len() == 1 {
        return Err(attempts.pop().expect("one").1);
    }
    Err(Error::AllSourcesFailed {
        reference: reference.to_string(),
        attempts,
    })
}

fn fetch_manifest(
    client: &Client,
    src: &Source,
    wire_ref: &str,
    what: &str,
) -> Result<(Vec<u8>, String, String)> {
    let super::client::FetchedManifest {
        data,
        content_type: ct,
        digest_header: dcd,
    } = client
        .get_manifest(&src.repository, wire_ref)?
        .ok_or_else(|| Error::ManifestUnknown {
            reference: what.to_string(),
            tried: vec![src.name()],
        })?;
    let digest = sha256_digest(&data);
    let url = format!(
        "{}/v2/{}/manifests/{wire_ref}",
        client.base(),
        src.repository
    );
    let expect = if wire_ref.starts_with("sha256:") {
        Some(wire_ref.to_string())
    } else {
        dcd.filter(|d| d.starts_with("sha256:"))
    };
    if let Some(exp) = expect {
        if exp != digest {
            return Err(Error::Mismatch {
                what: format!("digest of manifest {what}"),
                source_url: url,
                expected: exp,
                actual: digest,
            });
        }
    }
    Ok((data, ct, digest))
}

fn pull_from(
    store: &Store,
    cand: &Reference,
    src: &Source,
    opts: &PullOptions,
) -> Result<PullReport> {
    let insecure = insecure_for(opts.tls_verify, src.insecure);
    let creds = opts.auth.lookup(&src.host, &src.repository)?;
    let client = Client::connect(
        &src.host,
        &ClientOptions {
            insecure,
            credentials: creds,
            retry: opts.retry,
            ca_pem: opts.ca_pem.clone(),
            certs_dir: opts.certs_dir.clone(),
        },
    )?;
    let name = cand.to_string();
    let wire_ref = cand
        .digest
        .clone()
        .or_else(|| cand.tag.clone())
        .unwrap_or_else(|| "latest".into());
    let (mut data, ct, top_digest) = fetch_manifest(&client, src, &wire_ref, &name)?;
    let mut digests = vec![top_digest.clone()];
    let mut manifest_digest = top_digest;
    let m: Manifest = match manifest::parse(&data, &ct, &format!("manifest {name}"))? {
        Parsed::Image(m) => m,
        Parsed::Index(entries) => {
            let want = opts.platform.clone().unwrap_or_else(Platform::host);
            let pick = manifest::choose(&entries, &want, &name)?;
            let (d2, ct2, dg2) =
                fetch_manifest(&client, src, &pick.digest, &format!("{name} ({want})"))?;
            if d2.len() as u64 != pick.size {
                return Err(Error::Mismatch {
                    what: format!("size of manifest {}", pick.digest),
                    source_url: src.name(),
                    expected: pick.size.to_string(),
                    actual: d2.len().to_string(),
                });
            }
            data = d2;
            manifest_digest.clone_from(&dg2);
            digests.push(dg2);
            match manifest::parse(&data, &ct2, &format!("manifest {}", pick.digest))? {
                Parsed::Image(m) => m,
                Parsed::Index(_) => {
                    return Err(Error::bad(
                        format!("manifest {}", pick.digest),
                        "an index inside an index is not supported",
                    ))
                }
            }
        }
    };
    let config = client.fetch_small_blob(&src.repository, &m.config.digest, m.config.size)?;
    let cfg = ConfigFile::parse(&config, &m.config.digest)?;
    if cfg.rootfs.diff_ids.len() != m.layers.len() {
        return Err(Error::bad(
            format!("image {name}"),
            format!(
                "{} layers in the manifest but {} diff ids in the config",
                m.layers.len(),
                cfg.rootfs.diff_ids.len()
            ),
        ));
    }
    // Which layers the store already has.
    let chain: Vec<String> = {
        let mut parent: Option<String> = None;
        let mut v = Vec::new();
        for d in &cfg.rootfs.diff_ids {
            let c = chain_id(parent.as_deref(), d);
            v.push(parse_sha256(&c)?.to_string());
            parent = Some(c);
        }
        v
    };
    let has_layer = |i: usize| -> crate::Result<bool> {
        Ok(store.layer_record(&chain[i])?.is_some() && store.blobs.exists(&cfg.rootfs.diff_ids[i]))
    };
    let present: Vec<bool> = store.lock.read(|| {
        (0..chain.len())
            .map(has_layer)
            .collect::<crate::Result<Vec<bool>>>()
    })?;
    // A locked staging directory: `check --repair` leaves it alone while we run.
    let staging = LiveStaging::new(store, "pull")?;
    for (i, l) in m.layers.iter().enumerate() {
        if present[i] {
            emit(
                opts.progress.as_ref(),
                Event::BlobSkipped {
                    digest: l.digest.clone(),
                },
            );
        }
    }
    let mut todo: Vec<usize> = (0..m.layers.len()).filter(|i| !present[*i]).collect();
    let mut files: HashMap<String, PathBuf> = HashMap::new();
    let mut fetched = BTreeSet::new();
    let mut rounds = 0;
    let image = loop {
        download_layers(&client, src, &m, &todo, staging.path(), &mut files, opts)?;
        fetched.extend(todo.iter().map(|i| m.layers[*i].digest.clone()));
        emit(opts.progress.as_ref(), Event::Committing);
        // Under the lock, a layer we skipped may have been removed meanwhile
        // (rmi, image prune, check --repair): fetch it and commit again.
        let committed = store.lock.write(|| {
            let missing: Vec<usize> = (0..chain.len())
                .filter(|i| !files.contains_key(&m.layers[*i].digest))
                .map(|i| has_layer(i).map(|ok| (!ok).then_some(i)))
                .filter_map(std::result::Result::transpose)
                .collect::<crate::Result<_>>()?;
            if !missing.is_empty() {
                return Ok(Err(missing));
            }
            let mut parent: Option<LayerRecord> = None;
            for (i, diff_id) in cfg.rootfs.diff_ids.iter().enumerate() {
                // A blob listed twice was fetched once and is extracted at each place.
                let rec = match files.get(&m.layers[i].digest) {
                    Some(p) => {
                        let f = File::open(p).map_err(|e| crate::Error::io("open", p, e))?;
                        let mut r = std::io::BufReader::new(f);
                        store.add_layer(parent.as_ref(), Some(diff_id), &mut r)?
                    }
                    None => {
                        store.add_layer(parent.as_ref(), Some(diff_id), &mut std::io::empty())?
                    }
                };
                parent = Some(rec);
            }
            let same = m
                .layers
                .iter()
                .zip(&cfg.rootfs.diff_ids)
                .all(|(l, d)| &l.digest == d);
            let names = vec![name.clone()];
            store
                .commit_image(&config, same.then_some(data.as_slice()), &names, &digests)
                .map(Ok)
        })?;
        match committed {
            Ok(image) => break image,
            Err(missing) if rounds < 3 => {
                rounds += 1;
                tracing::debug!(?missing, "layers removed while pulling; fetching them");
                todo = missing;
            }
            Err(missing) => {
                return Err(Error::LayersRemoved {
                    reference: name,
                    layers: missing
                        .iter()
                        .map(|i| m.layers[*i].digest.clone())
                        .collect(),
                })
            }
        }
    };
    drop(staging);
    let layers_fetched = m
        .layers
        .iter()
        .filter(|l| fetched.contains(&l.digest))
        .count();
    // Bytes moved: each blob once, however often the manifest lists it.
    let bytes_fetched = m
        .layers
        .iter()
        .filter(|l| fetched.contains(&l.digest))
        .map(|l| (l.digest.as_str(), l.size))
        .collect::<BTreeMap<_, _>>()
        .values()
        .sum();
    Ok(PullReport {
        image,
        reference: name,
        source: src.name(),
        manifest_digest,
        layers_fetched,
        resolution: Resolution::Qualified,
        layers_skipped: m.layers.len() - layers_fetched,
        bytes_fetched,
    })
}

/// Downloads the blobs of the layers `todo` with up to `opts.parallel`
/// threads into `dir`, each digest once (a manifest may list a blob twice),
/// and records each file in `files` by digest.
fn download_layers(
    client: &Client,
    src: &Source,
    manifest: &Manifest,
    todo: &[usize],
    dir: &std::path::Path,
    files: &mut HashMap<String, PathBuf>,
    opts: &PullOptions,
) -> Result<()> {
    let mut seen = BTreeSet::new();
    let todo: Vec<usize> = todo
        .iter()
        .copied()
        .filter(|i| {
            let d = &manifest.layers[*i].digest;
            !files.contains_key(d) && seen.insert(d.clone())
        })
        .collect();
    let queue = Mutex::new(todo.iter().copied().collect::<VecDeque<usize>>());
    let results: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let first_err: Mutex<Option<Error>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let workers = opts.parallel.clamp(1, 16).min(todo.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let Some(idx) = queue.lock().expect("poisoned").pop_front() else {
                    return;
                };
                let layer = &manifest.layers[idx];
                let res = (|| {
                    let hex = parse_sha256(&layer.digest)?;
                    let path = dir.join(hex);
                    let mut f = File::create(&path).map_err(|e| Error::io("create", &path, e))?;
                    emit(
                        opts.progress.as_ref(),
                        Event::BlobStart {
                            digest: layer.digest.clone(),
                            size: layer.size,
                        },
                    );
                    let prog = |n: u64| {
                        emit(
                            opts.progress.as_ref(),
                            Event::BlobProgress {
                                digest: layer.digest.clone(),
                                bytes: n,
                            },
                        );
                    };
                    let r = client.fetch_blob(
                        &src.repository,
                        &layer.digest,
                        layer.size,
                        &mut f,
                        &prog,
                    );
                    drop(f);
                    if r.is_err() {
                        let _ = fs::remove_file(&path);
                    }
                    r?;
                    emit(
                        opts.progress.as_ref(),
                        Event::BlobDone {
                            digest: layer.digest.clone(),
                        },
                    );
                    Ok(path)
                })();
                match res {
                    Ok(p) => results
                        .lock()
                        .expect("poisoned")
                        .push((layer.digest.clone(), p)),
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        first_err.lock().expect("poisoned").get_or_insert(e);
                        return;
                    }
                }
            });
        }
    });
    // Files fetched before a failure stay recorded (the staging dir removes them).
    files.extend(results.into_inner().expect("poisoned"));
    match first_err.into_inner().expect("poisoned") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

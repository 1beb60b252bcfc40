//! The distribution API calls of [`Client`]: manifests, blob downloads
//! with Range resume, blob existence checks, uploads.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use sha2::{Digest as _, Sha256};
use ureq::http::Response;
use ureq::Body;

use super::{header, pct, Client, FetchedManifest, Payload, MANIFEST_ACCEPT, MAX_MANIFEST};
use crate::registry::error::{Error, Result};

impl Client {
    /// Fetches a manifest by tag or digest: (bytes, content type, the
    /// registry's `Docker-Content-Digest`). `Ok(None)` when it is unknown.
    pub fn get_manifest(&self, repo: &str, reference: &str) -> Result<Option<FetchedManifest>> {
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base);
        let scope = format!("repository:{repo}:pull");
        let resp = self.request(
            "GET",
            &url,
            &scope,
            &[("Accept", MANIFEST_ACCEPT.to_string())],
            Payload::Empty,
        )?;
        match resp.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            _ => return Err(Self::status_err("GET", &url, resp)),
        }
        let ct = header(&resp, "content-type").unwrap_or("").to_string();
        let dcd = header(&resp, "docker-content-digest").map(str::to_string);
        let mut data = Vec::new();
        resp.into_body()
            .into_reader()
            .take(MAX_MANIFEST + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::io("read manifest", &url, e))?;
        if data.len() as u64 > MAX_MANIFEST {
            return Err(Error::bad(
                format!("manifest {url}"),
                format!("larger than {MAX_MANIFEST} bytes"),
            ));
        }
        Ok(Some(FetchedManifest {
            data,
            content_type: ct,
            digest_header: dcd,
        }))
    }

    /// Downloads a blob into `out` (appending from its current length when
    /// resuming), checking size and digest. Broken transfers resume with
    /// `Range` where the registry allows it, else start over.
    pub fn fetch_blob(
        &self,
        repo: &str,
        digest: &str,
        size: u64,
        out: &mut File,
        progress: &dyn Fn(u64),
    ) -> Result<()> {
        let url = format!("{}/v2/{repo}/blobs/{digest}", self.base);
        let scope = format!("repository:{repo}:pull");
        let mut hasher = Sha256::new();
        let mut written = 0u64;
        let mut failures = 0u32;
        let io_err = |e| Error::io("write blob", Path::new(&url), e);
        let mut buf = vec![0u8; 256 << 10];
        loop {
            let headers: Vec<(&str, String)> = if written > 0 {
                vec![("Range", format!("bytes={written}-"))]
            } else {
                vec![]
            };
            let resp = self.request("GET", &url, &scope, &headers, Payload::Empty)?;
            match resp.status().as_u16() {
                200 => {
                    if written > 0 {
                        out.set_len(0).map_err(io_err)?;
                        out.seek(SeekFrom::Start(0)).map_err(io_err)?;
                        hasher = Sha256::new();
                        written = 0;
                    }
                }
                206 => {
                    let cr = header(&resp, "content-range").unwrap_or("");
                    if !cr.starts_with(&format!("bytes {written}-")) {
                        return Err(Error::bad(
                            format!("blob {digest} from {url}"),
                            format!("asked for bytes from {written}, got Content-Range {cr:?}"),
                        ));
                    }
                }
                _ => return Err(Self::status_err("GET", &url, resp)),
            }
            let mut body = resp.into_body().into_reader();
            let broken = loop {
                match body.read(&mut buf) {
                    Ok(0) => break None,
                    Ok(n) => {
                        written += n as u64;
                        if written > size {
                            return Err(Error::Mismatch {
                                what: format!("size of blob {digest}"),
                                source_url: url,
                                expected: size.to_string(),
                                actual: format!("more than {size}"),
                            });
                        }
                        out.write_all(&buf[..n]).map_err(io_err)?;
                        hasher.update(&buf[..n]);
                        progress(n as u64);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Some(e),
                }
            };
            if broken.is_none() && written == size {
                break;
            }
            failures += 1;
            let why = broken.unwrap_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("body ended at {written} of {size} bytes"),
                )
            });
            if failures >= self.retry.attempts {
                return Err(Error::io("download blob", Path::new(&url), why));
            }
            tracing::debug!(%url, written, error = %why, "resuming blob download");
            std::thread::sleep(self.retry.delay(failures));
        }
        out.flush().map_err(io_err)?;
        let actual = format!("sha256:{}", hex::encode(hasher.finalize()));
        if actual != digest {
            return Err(Error::Mismatch {
                what: format!("digest of blob {digest}"),
                source_url: url,
                expected: digest.to_string(),
                actual,
            });
        }
        Ok(())
    }

    /// Downloads a small blob (a config) into memory, verified.
    pub fn fetch_small_blob(&self, repo: &str, digest: &str, size: u64) -> Result<Vec<u8>> {
        if size > 64 << 20 {
            return Err(Error::bad(
                format!("blob {digest}"),
                format!("config of {size} bytes is too large"),
            ));
        }
        let url = format!("{}/v2/{repo}/blobs/{digest}", self.base);
        let scope = format!("repository:{repo}:pull");
        let resp = self.request("GET", &url, &scope, &[], Payload::Empty)?;
        if resp.status().as_u16() != 200 {
            return Err(Self::status_err("GET", &url, resp));
        }
        let mut data = Vec::new();
        resp.into_body()
            .into_reader()
            .take(size + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::io("read blob", &url, e))?;
        let actual = crate::digest::sha256_digest(&data);
        if data.len() as u64 != size || actual != digest {
            return Err(Error::Mismatch {
                what: format!("blob {digest}"),
                source_url: url,
                expected: format!("{digest} ({size} bytes)"),
                actual: format!("{actual} ({} bytes)", data.len()),
            });
        }
        Ok(data)
    }

    /// Whether the repository has the blob (HEAD).
    pub fn blob_exists(&self, repo: &str, digest: &str) -> Result<bool> {
        let url = format!("{}/v2/{repo}/blobs/{digest}", self.base);
        let scope = format!("repository:{repo}:pull,push");
        let resp = self.request("HEAD", &url, &scope, &[], Payload::Empty)?;
        match resp.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(Self::status_err("HEAD", &url, resp)),
        }
    }

    fn absolute(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_string()
        } else if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            format!("{}/{location}", self.base)
        }
    }

    fn location(&self, method: &str, url: &str, resp: Response<Body>, want: u16) -> Result<String> {
        if resp.status().as_u16() != want {
            return Err(Self::status_err(method, url, resp));
        }
        header(&resp, "location")
            .map(|l| self.absolute(l))
            .ok_or_else(|| {
                Error::bad(
                    format!("{method} {url}"),
                    "no Location header in the answer",
                )
            })
    }

    /// Uploads a blob from a file: POST then one PUT (monolithic), or PATCH
    /// chunks of `chunk` bytes then a closing PUT.
    pub fn upload_blob(
        &self,
        repo: &str,
        digest: &str,
        path: &Path,
        size: u64,
        chunk: Option<u64>,
    ) -> Result<()> {
        let scope = format!("repository:{repo}:pull,push");
        let url = format!("{}/v2/{repo}/blobs/uploads/", self.base);
        let resp = self.request("POST", &url, &scope, &[], Payload::Empty)?;
        let mut loc = self.location("POST", &url, resp, 202)?;
        let mut offset = 0;
        if let Some(chunk) = chunk.filter(|c| *c > 0) {
            while offset < size {
                let len = chunk.min(size - offset);
                let headers = [
                    ("Content-Type", "application/octet-stream".to_string()),
                    ("Content-Range", format!("{offset}-{}", offset + len - 1)),
                ];
                let resp = self.request(
                    "PATCH",
                    &loc,
                    &scope,
                    &headers,
                    Payload::File { path, offset, len },
                )?;
                loc = self.location("PATCH", &loc, resp, 202)?;
                offset += len;
            }
        }
        let sep = if loc.contains('?') { '&' } else { '?' };
        let put = format!("{loc}{sep}digest={}", pct(digest));
        let body = if offset < size {
            Payload::File {
                path,
                offset,
                len: size - offset,
            }
        } else {
            Payload::Empty
        };
        let resp = self.request(
            "PUT",
            &put,
            &scope,
            &[("Content-Type", "application/octet-stream".to_string())],
            body,
        )?;
        match resp.status().as_u16() {
            201 | 204 => Ok(()),
            _ => Err(Self::status_err("PUT", &put, resp)),
        }
    }

    /// Uploads a manifest under a tag or digest; returns the registry's digest header.
    pub fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        data: &[u8],
    ) -> Result<Option<String>> {
        let url = format!("{}/v2/{repo}/manifests/{reference}", self.base);
        let scope = format!("repository:{repo}:pull,push");
        let resp = self.request(
            "PUT",
            &url,
            &scope,
            &[("Content-Type", media_type.to_string())],
            Payload::Bytes(data),
        )?;
        match resp.status().as_u16() {
            200..=202 => Ok(header(&resp, "docker-content-digest").map(str::to_string)),
            _ => Err(Self::status_err("PUT", &url, resp)),
        }
    }
}

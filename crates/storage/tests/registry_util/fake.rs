//! A tiny scripted HTTP(S) server for the registry client's tests: every
//! request is recorded (method, path, headers, body) and answered by a
//! closure, one request per connection. TLS (rustls) when a certificate is
//! given, so an `https://` registry can be faked too.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest as _, Sha256};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    /// The value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
#[derive(Debug, Clone, Default)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn status(status: u16) -> Self {
        Resp {
            status,
            ..Resp::default()
        }
    }
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
    pub fn body(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.body = b.into();
        self
    }
}

pub type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

/// A running fake server on 127.0.0.1 (it lives as long as the test process).
pub struct FakeServer {
    pub port: u16,
    pub tls: bool,
    requests: Arc<Mutex<Vec<Req>>>,
}

impl FakeServer {
    /// Plain HTTP.
    pub fn http(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Self {
        Self::start(Arc::new(handler), None)
    }

    /// HTTPS with the PEM certificate chain and key given.
    pub fn https(
        cert: &Path,
        key: &Path,
        handler: impl Fn(&Req) -> Resp + Send + Sync + 'static,
    ) -> Self {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(key).unwrap();
        let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        Self::start(Arc::new(handler), Some(Arc::new(cfg)))
    }

    fn start(handler: Handler, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let requests: Arc<Mutex<Vec<Req>>> = Arc::default();
        let (reqs, is_tls) = (requests.clone(), tls.is_some());
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(c) = c else { continue };
                let (handler, reqs, tls) = (handler.clone(), reqs.clone(), tls.clone());
                std::thread::spawn(move || {
                    let _ = c.set_read_timeout(Some(std::time::Duration::from_secs(20)));
                    match tls {
                        Some(cfg) => {
                            let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                                return;
                            };
                            let _ = serve(rustls::StreamOwned::new(conn, c), &handler, &reqs);
                        }
                        None => {
                            let _ = serve(c, &handler, &reqs);
                        }
                    }
                });
            }
        });
        FakeServer {
            port,
            tls: is_tls,
            requests,
        }
    }

    /// `127.0.0.1:port`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `scheme://127.0.0.1:port`.
    pub fn base(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.host())
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Req> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve<S: Read + Write>(
    mut s: S,
    handler: &Handler,
    reqs: &Mutex<Vec<Req>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut b = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut b)?;
        if n == 0 || (buf.is_empty() && b[0] == 0x16) {
            // EOF, or a TLS hello on a plain port: hang up so the client falls back.
            return Ok(());
        }
        buf.extend_from_slice(&b[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut body = buf[head_end + 4..].to_vec();
    let mut lines = head.lines();
    let first = lines.next().unwrap_or("");
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let want: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while body.len() < want {
        let n = s.read(&mut b)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&b[..n]);
    }
    let req = Req {
        method,
        path,
        headers,
        body,
    };
    let resp = handler(&req);
    let head_only = req.method == "HEAD";
    reqs.lock().unwrap().push(req);
    let mut out = format!("HTTP/1.1 {} X\r\n", resp.status).into_bytes();
    for (k, v) in &resp.headers {
        write!(out, "{k}: {v}\r\n")?;
    }
    write!(
        out,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    )?;
    s.write_all(&out)?;
    if !head_only {
        s.write_all(&resp.body)?;
    }
    s.flush()
}

pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// A one-layer image as registry blobs: an uncompressed layer tar (its
/// digest is its diff id), a config and an OCI manifest.
pub struct FakeImage {
    pub layer: Vec<u8>,
    pub config: Vec<u8>,
    pub manifest: Vec<u8>,
}

impl FakeImage {
    pub fn new(file: &str, content: &[u8]) -> Self {
        let layer = super::common::Tar::new().file(file, content).finish();
        let diff = sha256(&layer);
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["/bin/sh"]}},"rootfs":{{"type":"layers","diff_ids":["{diff}"]}}}}"#
        )
        .into_bytes();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{diff}","size":{}}}]}}"#,
            sha256(&config),
            config.len(),
            layer.len()
        )
        .into_bytes();
        FakeImage {
            layer,
            config,
            manifest,
        }
    }

    /// The blob with `digest`, if it is one of this image's.
    pub fn blob(&self, digest: &str) -> Option<&[u8]> {
        [&self.layer, &self.config]
            .into_iter()
            .find(|b| sha256(b) == digest)
            .map(Vec::as_slice)
    }

    /// The answer to a manifest GET.
    pub fn manifest_resp(&self) -> Resp {
        Resp::status(200)
            .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            .header("Docker-Content-Digest", sha256(&self.manifest))
            .body(self.manifest.clone())
    }
}

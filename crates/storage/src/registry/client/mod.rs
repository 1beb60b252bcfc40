//! A blocking client for one registry host: TLS policy, the `/v2/` ping,
//! anonymous/basic/bearer auth, retries with backoff, and the distribution
//! API calls (manifests, blobs with Range resume, uploads: `transfer.rs`).

mod catalog;
mod transfer;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use ureq::http::{self, Response};
use ureq::{Body, SendBody};

use super::auth::{parse_challenge, parse_token_response, Challenge, Credentials};
use super::error::{Error, Result};

/// Media types a manifest GET accepts.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// Manifests and token answers larger than this are refused.
pub const MAX_MANIFEST: u64 = 4 << 20;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request (1 = no retry).
    pub attempts: u32,
    /// First backoff delay; doubled after each failure.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(300),
        }
    }
}

impl RetryPolicy {
    fn delay(&self, failures: u32) -> Duration {
        self.base_delay * 2u32.saturating_pow(failures.saturating_sub(1).min(8))
    }
}

/// Connection settings for one registry host.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Allow plain HTTP and unverified TLS.
    pub insecure: bool,
    /// Credentials (basic, or for the token endpoint).
    pub credentials: Option<Credentials>,
    /// Retries.
    pub retry: RetryPolicy,
    /// PEM CA certificates to trust for this host instead of the webpki roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Per-host CA directories (`<dir>/<host[:port]>/*.crt`, as
    /// containers-certs.d(5)); `None` = [`DEFAULT_CERTS_DIR`].
    pub certs_dir: Option<std::path::PathBuf>,
}

/// Where per-registry CA certificates live.
pub const DEFAULT_CERTS_DIR: &str = "/etc/containers/certs.d";

/// The CA certificates for `host`: `ca_pem`, plus every `*.crt` in the
/// host's certs.d directory (sorted). `None` when there are none.
fn host_cas(host: &str, opts: &ClientOptions) -> Result<Option<Vec<u8>>> {
    let mut pem = opts.ca_pem.clone().unwrap_or_default();
    let base = opts
        .certs_dir
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(DEFAULT_CERTS_DIR));
    let dir = base.join(host);
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut files: Vec<_> = rd
            .filter_map(std::result::Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "crt"))
            .collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).map_err(|e| Error::io("read CA certificate", &f, e))?;
            pem.extend_from_slice(&data);
            pem.push(b'\n');
        }
    }
    Ok((!pem.is_empty()).then_some(pem))
}

/// A manifest as fetched.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// The bytes.
    pub data: Vec<u8>,
    /// The Content-Type header.
    pub content_type: String,
    /// The `Docker-Content-Digest` header, if sent.
    pub digest_header: Option<String>,
}

/// What to send with a request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Payload<'a> {
    Empty,
    Bytes(&'a [u8]),
    File {
        path: &'a Path,
        offset: u64,
        len: u64,
    },
}

/// A client for one registry host.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    host: String,
    creds: Option<Credentials>,
    challenge: Mutex<Option<Challenge>>,
    tokens: Mutex<HashMap<String, String>>,
    retry: RetryPolicy,
}

fn api_host(host: &str) -> &str {
    if host == "docker.io" {
        "registry-1.docker.io"
    } else {
        host
    }
}

fn agent(insecure: bool, ca_pem: Option<&[u8]>, probe: bool) -> Result<ureq::Agent> {
    let mut tls = ureq::tls::TlsConfig::builder().disable_verification(insecure);
    if let Some(pem) = ca_pem {
        let certs = ureq::tls::parse_pem(pem)
            .filter_map(|i| match i {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::InvalidOption(format!("CA certificates: {e}")))?;
        if certs.is_empty() {
            return Err(Error::InvalidOption(
                "CA certificates: no PEM certificate found".into(),
            ));
        }
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    Ok(ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(tls.build())
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_recv_response(Some(Duration::from_secs(120)))
        // A plain-HTTP server may never answer a TLS hello: bound the probe.
        .timeout_global(probe.then_some(Duration::from_secs(10)))
        .timeout_per_read(Some(Duration::from_secs(120)))
        .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
        // A redirect (a blob on a CDN) never carries the registry's credentials.
        .redirect_auth_headers(ureq::config::RedirectAuthHeaders::Never)
        .build()
        .new_agent())
}

fn retryable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::Timeout(_)
            | ureq::Error::Protocol(_)
    )
}

fn tls_hint(e: &ureq::Error) -> String {
    let s = e.to_string().to_ascii_lowercase();
    if s.contains("certificate") || s.contains("tls") || s.contains("rustls") {
        "; TLS verification failed: if you trust this registry, use --tls-verify=false or set insecure = true for it in registries.conf".into()
    } else {
        String::new()
    }
}

pub(crate) fn header<'r>(resp: &'r Response<Body>, name: &str) -> Option<&'r str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The registry's error message from a JSON error body (`errors[].message`).
fn error_detail(resp: Response<Body>) -> String {
    let mut body = Vec::new();
    let _ = resp
        .into_body()
        .into_reader()
        .take(64 << 10)
        .read_to_end(&mut body);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let msgs: Vec<String> = v
        .get("errors")
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .map(|e| {
                    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
                    let msg = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
                    format!("{code} {msg}").trim().to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    msgs.join("; ")
}

impl Client {
    /// Connects to `host` (`host[:port]`): pings `/v2/` and learns how it
    /// wants to be authenticated. An insecure host is tried over HTTPS
    /// without verification first, then over plain HTTP.
    pub fn connect(host: &str, opts: &ClientOptions) -> Result<Client> {
        let cas = host_cas(host, opts)?;
        let mut c = Client {
            agent: agent(opts.insecure, cas.as_deref(), opts.insecure)?,
            base: format!("https://{}", api_host(host)),
            host: host.to_string(),
            creds: opts.credentials.clone(),
            challenge: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
            retry: opts.retry,
        };
        if opts.insecure {
            // One quick HTTPS try; plain HTTP is the usual answer for insecure hosts.
            c.retry.attempts = 1;
        }
        let first = c.ping();
        c.retry = opts.retry;
        match first {
            Err(Error::Transport { .. }) if opts.insecure => {
                c.base = format!("http://{}", api_host(host));
                c.ping()?;
            }
            r => r?,
        }
        if opts.insecure {
            c.agent = agent(true, cas.as_deref(), false)?;
        }
        Ok(c)
    }

    /// The host as given.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `scheme://host`.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn ping(&self) -> Result<()> {
        let url = format!("{}/v2/", self.base);
        let resp = self.raw("GET", &url, &[], Payload::Empty, None)?;
        match resp.status().as_u16() {
            200..=299 => Ok(()),
            401 => {
                let h = header(&resp, "www-authenticate").ok_or_else(|| Error::Unauthorized {
                    registry: self.host.clone(),
                    reason: "401 without a WWW-Authenticate header".into(),
                })?;
                *self.challenge.lock().expect("poisoned") = Some(parse_challenge(h)?);
                Ok(())
            }
            status => Err(Error::Status {
                method: "GET".into(),
                url,
                status,
                detail: format!(
                    "{} (is this a registry with the v2 API?)",
                    error_detail(resp)
                ),
            }),
        }
    }

    /// Checks that the credentials are accepted (for `login`).
    pub fn verify_login(&self) -> Result<()> {
        let ch = self.challenge.lock().expect("poisoned").clone();
        match ch {
            None => Ok(()),
            Some(Challenge::Basic) => {
                let url = format!("{}/v2/", self.base);
                let resp = self.request("GET", &url, "", &[], Payload::Empty)?;
                let st = resp.status().as_u16();
                if (200..300).contains(&st) {
                    Ok(())
                } else {
                    Err(Error::Status {
                        method: "GET".into(),
                        url,
                        status: st,
                        detail: error_detail(resp),
                    })
                }
            }
            Some(Challenge::Bearer { .. }) => self.token("").map(|_| ()),
        }
    }

    /// One HTTP exchange with retries on dropped connections, 5xx and 429.
    fn raw(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Payload<'_>,
        auth: Option<&str>,
    ) -> Result<Response<Body>> {
        let mut failures = 0;
        loop {
            let res = self.once(method, url, headers, body, auth);
            failures += 1;
            match res {
                Err(e) if retryable(&e) && failures < self.retry.attempts => {
                    tracing::debug!(%url, error = %e, "retrying");
                }
                Err(source) => {
                    return Err(Error::Transport {
                        method: method.into(),
                        url: url.into(),
                        hint: tls_hint(&source),
                        source: Box::new(source),
                    })
                }
                Ok(r) => {
                    let st = r.status().as_u16();
                    if !((st >= 500 || st == 429) && failures < self.retry.attempts) {
                        return Ok(r);
                    }
                    tracing::debug!(%url, status = st, "retrying");
                }
            }
            std::thread::sleep(self.retry.delay(failures));
        }
    }

    fn once(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Payload<'_>,
        auth: Option<&str>,
    ) -> std::result::Result<Response<Body>, ureq::Error> {
        let mut b = http::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            b = b.header(*k, v.as_str());
        }
        if let Some(a) = auth {
            b = b.header("Authorization", a);
        }
        let send = match body {
            Payload::Empty => {
                if matches!(method, "PUT" | "POST" | "PATCH") {
                    b = b.header("Content-Length", "0");
                }
                SendBody::none()
            }
            Payload::Bytes(d) => {
                b = b.header("Content-Length", d.len().to_string());
                SendBody::from_owned_reader(io::Cursor::new(d.to_vec()))
            }
            Payload::File { path, offset, len } => {
                let mut f = File::open(path).map_err(ureq::Error::Io)?;
                f.seek(SeekFrom::Start(offset)).map_err(ureq::Error::Io)?;
                b = b.header("Content-Length", len.to_string());
                SendBody::from_owned_reader(f.take(len))
            }
        };
        let req = b.body(send).map_err(ureq::Error::Http)?;
        self.agent.run(req)
    }

    /// A request with authentication for `scope`; a 401 refreshes the
    /// challenge and token once. Credentials go only to the registry's own
    /// origin: a URL on another scheme, host or port (an upload `Location`
    /// the registry handed out) is requested without `Authorization`.
    pub(crate) fn request(
        &self,
        method: &str,
        url: &str,
        scope: &str,
        headers: &[(&str, String)],
        body: Payload<'_>,
    ) -> Result<Response<Body>> {
        if !same_origin(&self.base, url) {
            tracing::debug!(%url, base = %self.base, "other origin: no credentials sent");
            return self.raw(method, url, headers, body, None);
        }
        let mut refreshed = false;
        loop {
            let auth = self.auth_header(scope)?;
            let resp = self.raw(method, url, headers, body, auth.as_deref())?;
            if resp.status().as_u16() != 401 {
                return Ok(resp);
            }
            let h = header(&resp, "www-authenticate").map(str::to_string);
            if refreshed || (auth.is_some() && self.creds.is_some() && !self.is_bearer()) {
                let detail = error_detail(resp);
                return Err(Error::Unauthorized {
                    registry: self.host.clone(),
                    reason: match (&self.creds, detail.is_empty()) {
                        (None, true) => {
                            "the registry requires credentials and none were found".into()
                        }
                        (None, false) => {
                            format!(
                                "the registry requires credentials and none were found ({detail})"
                            )
                        }
                        (Some(_), true) => "HTTP 401".into(),
                        (Some(_), false) => detail,
                    },
                });
            }
            refreshed = true;
            if let Some(h) = h {
                *self.challenge.lock().expect("poisoned") = Some(parse_challenge(&h)?);
            }
            self.tokens.lock().expect("poisoned").remove(scope);
        }
    }

    fn is_bearer(&self) -> bool {
        matches!(
            *self.challenge.lock().expect("poisoned"),
            Some(Challenge::Bearer { .. })
        )
    }

    fn auth_header(&self, scope: &str) -> Result<Option<String>> {
        let ch = self.challenge.lock().expect("poisoned").clone();
        match ch {
            None => Ok(None),
            Some(Challenge::Basic) => Ok(self.creds.as_ref().map(Credentials::basic_header)),
            Some(Challenge::Bearer { .. }) => {
                if let Some(t) = self.tokens.lock().expect("poisoned").get(scope) {
                    return Ok(Some(format!("Bearer {t}")));
                }
                let t = self.token(scope)?;
                self.tokens
                    .lock()
                    .expect("poisoned")
                    .insert(scope.to_string(), t.clone());
                Ok(Some(format!("Bearer {t}")))
            }
        }
    }

    /// Fetches a bearer token for `scope` from the challenge's realm.
    fn token(&self, scope: &str) -> Result<String> {
        let Some(Challenge::Bearer {
            realm,
            service,
            scope: _,
        }) = self.challenge.lock().expect("poisoned").clone()
        else {
            return Err(Error::bad(
                "token request",
                "the registry did not ask for a bearer token",
            ));
        };
        if self.base.starts_with("https://") && !realm.starts_with("https://") {
            return Err(Error::InsecureRealm {
                registry: self.host.clone(),
                realm,
            });
        }
        let mut url = realm.clone();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        for (k, v) in [("service", service.as_deref()), ("scope", Some(scope))] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                url.push(sep);
                url.push_str(k);
                url.push('=');
                url.push_str(&pct(v));
                sep = '&';
            }
        }
        let basic = self.creds.as_ref().map(Credentials::basic_header);
        let resp = self.raw("GET", &url, &[], Payload::Empty, basic.as_deref())?;
        let st = resp.status().as_u16();
        if st == 401 || st == 403 {
            return Err(Error::Unauthorized {
                registry: self.host.clone(),
                reason: format!("the token service {realm} refused the credentials (HTTP {st})"),
            });
        }
        if !(200..300).contains(&st) {
            return Err(Error::Status {
                method: "GET".into(),
                url,
                status: st,
                detail: error_detail(resp),
            });
        }
        let mut data = Vec::new();
        resp.into_body()
            .into_reader()
            .take(MAX_MANIFEST)
            .read_to_end(&mut data)
            .map_err(|e| Error::io("read token response", &realm, e))?;
        parse_token_response(&data, &realm)
    }

    fn status_err(method: &str, url: &str, resp: Response<Body>) -> Error {
        Error::Status {
            method: method.into(),
            url: url.into(),
            status: resp.status().as_u16(),
            detail: error_detail(resp),
        }
    }
}

/// `(scheme, host, port)` of an absolute URL, the port defaulted from the scheme.
fn origin(url: &str) -> Option<(String, String, u16)> {
    let uri: http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let port = uri.port_u16().or(match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    })?;
    // A user-info part (`user@host`) is not the registry's origin.
    let authority = uri.authority()?.as_str();
    if authority.contains('@') {
        return None;
    }
    Some((scheme, uri.host()?.to_ascii_lowercase(), port))
}

/// Whether `url` is on the same scheme, host and port as `base`.
fn same_origin(base: &str, url: &str) -> bool {
    matches!((origin(base), origin(url)), (Some(a), Some(b)) if a == b)
}

/// Percent-encodes a query value.
fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push_str(&hex::encode_upper([b]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_and_backoff_grows() {
        assert_eq!(
            pct("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
        let r = RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(10),
        };
        assert_eq!(r.delay(1), Duration::from_millis(10));
        assert_eq!(r.delay(3), Duration::from_millis(40));
        assert_eq!(api_host("docker.io"), "registry-1.docker.io");
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let base = "https://reg.example";
        for same in [
            "https://reg.example/v2/x/blobs/uploads/1",
            "https://REG.example:443/v2/",
        ] {
            assert!(same_origin(base, same), "{same}");
        }
        for other in [
            "http://reg.example/v2/",
            "https://reg.example:8443/v2/",
            "https://evil.example/v2/",
            "https://reg.example.evil.example/v2/",
            "https://user@reg.example/v2/",
            "/v2/relative",
            "not a url",
        ] {
            assert!(!same_origin(base, other), "{other}");
        }
        assert!(same_origin(
            "http://127.0.0.1:5000",
            "http://127.0.0.1:5000/v2/"
        ));
        assert!(!same_origin(
            "http://127.0.0.1:5000",
            "http://127.0.0.1:5001/v2/"
        ));
    }

    #[test]
    fn an_unreachable_registry_is_a_transport_error() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let opts = ClientOptions {
            insecure: true,
            retry: RetryPolicy {
                attempts: 1,
                base_delay: Duration::from_millis(1),
            },
            ..ClientOptions::default()
        };
        let e = Client::connect(&format!("127.0.0.1:{port}"), &opts).unwrap_err();
        assert!(matches!(e, Error::Transport { .. }), "{e}");
        assert!(
            e.to_string().contains(&format!("127.0.0.1:{port}/v2/")),
            "{e}"
        );
    }
}

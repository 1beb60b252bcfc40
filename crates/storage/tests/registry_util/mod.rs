//! Test fixtures for the registry tests: a real docker-registry on
//! 127.0.0.1 (own port, storage dir and config; optional htpasswd and TLS),
//! a tampering HTTP proxy, the busybox test image, stores in temp dirs.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_storage::registry::{
    self, Credentials, Policy, PolicySource, PullOptions, PullReport, PushOptions, PushReport,
    RegistryEntry, RegistryRules, RetryPolicy,
};
use berth_storage::{ImageRecord, ImportOptions, Store};

#[path = "../common/mod.rs"]
pub mod common;
pub mod fake;

#[allow(unused_imports)]
// each test binary (and the registry_pull bench) uses a different part
pub use berth_testsupport::registry::{
    free_port, kill_child, Registry, RegistryConfig, REGISTRY_BIN,
};
#[allow(unused_imports)]
pub use common::TestStore;

/// What the proxy does with one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    Pass,
    /// Flip the last byte of the body.
    Corrupt,
    /// Send the head and this many body bytes, then close.
    CutAfter(usize),
    /// Answer with this status (and an empty body) instead of forwarding.
    Status(u16),
}

/// A one-request-per-connection HTTP proxy to 127.0.0.1:upstream that can
/// tamper with responses. `decide(method, path, nth)` picks the action;
/// `nth` counts requests to the same path.
pub struct Proxy {
    pub port: u16,
}

/// `(method, path, nth request to that path, request head) -> action`.
pub type Decide = Arc<dyn Fn(&str, &str, usize, &str) -> Tamper + Send + Sync>;
/// Runs after a cut response's partial body went out, before the close.
pub type OnCut = Arc<dyn Fn() + Send + Sync>;

impl Proxy {
    pub fn start(upstream: u16, decide: Decide) -> Self {
        Self::start_with(upstream, decide, Arc::new(|| {}))
    }

    pub fn start_with(upstream: u16, decide: Decide, on_cut: OnCut) -> Self {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let counts: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
        std::thread::spawn(move || {
            for c in l.incoming() {
                let Ok(c) = c else { continue };
                let decide = decide.clone();
                let counts = counts.clone();
                let on_cut = on_cut.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(c, upstream, &decide, &counts, &on_cut);
                });
            }
        });
        Proxy { port }
    }
    /// A proxy that answers every GET whose path `matches` with `action`
    /// and passes everything else.
    pub fn on_get(
        upstream: u16,
        matches: impl Fn(&str) -> bool + Send + Sync + 'static,
        action: Tamper,
    ) -> Self {
        Self::start(
            upstream,
            Arc::new(move |m: &str, p: &str, _, _: &str| {
                if m == "GET" && matches(p) {
                    action
                } else {
                    Tamper::Pass
                }
            }),
        )
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn read_head(s: &mut TcpStream) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut b = [0u8; 4096];
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(i + 4);
            return Ok((buf, rest));
        }
        let n = s.read(&mut b)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if buf.is_empty() && b[0] == 0x16 {
            // A TLS ClientHello on this plain-HTTP port: hang up, as a
            // registry answering garbage would, so the client falls back.
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        buf.extend_from_slice(&b[..n]);
    }
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
}

/// Reads the rest of a request body announced in `head` into `body`.
fn read_body(c: &mut TcpStream, head: &str, body: &mut Vec<u8>) -> std::io::Result<()> {
    let want = content_length(head);
    while body.len() < want {
        let mut b = vec![0u8; want - body.len()];
        let n = c.read(&mut b)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&b[..n]);
    }
    Ok(())
}

/// Sends the request (`head` without the headers named in `drop`, lower
/// case, plus `Connection: close`) and `body` to 127.0.0.1:upstream and
/// returns the whole response.
fn forward(upstream: u16, head: &str, drop: &[&str], body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut req = String::new();
    for (i, l) in head.trim_end().lines().enumerate() {
        let name = l
            .split_once(':')
            .map(|(k, _)| k.trim().to_ascii_lowercase());
        if i > 0 && name.is_some_and(|n| drop.contains(&n.as_str())) {
            continue;
        }
        req.push_str(l);
        req.push_str("\r\n");
    }
    req.push_str("Connection: close\r\n\r\n");
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.write_all(req.as_bytes())?;
    up.write_all(body)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    Ok(resp)
}

fn serve_one(
    mut c: TcpStream,
    upstream: u16,
    decide: &Decide,
    counts: &Mutex<std::collections::HashMap<String, usize>>,
    on_cut: &OnCut,
) -> std::io::Result<()> {
    let (head, mut body) = read_head(&mut c)?;
    let head = String::from_utf8_lossy(&head).into_owned();
    read_body(&mut c, &head, &mut body)?;
    let first = head.lines().next().unwrap_or("").to_string();
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let nth = {
        let mut m = counts.lock().unwrap();
        let e = m.entry(format!("{method} {path}")).or_insert(0);
        *e += 1;
        *e
    };
    let action = decide(&method, &path, nth, &head);
    if let Tamper::Status(code) = action {
        write!(
            c,
            "HTTP/1.1 {code} Injected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return c.shutdown(std::net::Shutdown::Both);
    }
    let resp = forward(upstream, &head, &["connection"], &body)?;
    let split = resp
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(resp.len(), |i| i + 4);
    let (rhead, rbody) = resp.split_at(split);
    let mut rbody = rbody.to_vec();
    match action {
        Tamper::Pass | Tamper::Status(_) => {}
        Tamper::Corrupt => {
            if let Some(b) = rbody.last_mut() {
                *b ^= 0xff;
            }
        }
        Tamper::CutAfter(n) => {
            rbody.truncate(n);
            c.write_all(rhead)?;
            c.write_all(&rbody)?;
            c.flush()?;
            on_cut();
            return c.shutdown(std::net::Shutdown::Both);
        }
    }
    c.write_all(rhead)?;
    c.write_all(&rbody)?;
    c.shutdown(std::net::Shutdown::Both)
}

/// Imports the busybox image under `name`.
pub fn import_busybox(store: &Store, name: &str) -> ImageRecord {
    let tar = berth_testsupport::busybox::rootfs_tar();
    store
        .import(
            &mut tar.as_slice(),
            &ImportOptions {
                names: vec![name.to_string()],
                cmd: Some(vec!["/bin/sh".into()]),
                ..ImportOptions::default()
            },
        )
        .unwrap()
}

/// A one-layer image of `size` random (incompressible) bytes in a file.
pub fn import_random(store: &Store, name: &str, size: usize) -> ImageRecord {
    let tar = common::Tar::new()
        .file(
            "random.bin",
            &berth_testsupport::noise(0x9e37_79b9_7f4a_7c15, size),
        )
        .finish();
    store
        .import(
            &mut tar.as_slice(),
            &ImportOptions {
                names: vec![name.to_string()],
                ..ImportOptions::default()
            },
        )
        .unwrap()
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(50),
    }
}

/// Rules marking `hosts` insecure (plain HTTP on 127.0.0.1).
pub fn insecure_rules(hosts: &[String]) -> RegistryRules {
    RegistryRules {
        search: vec![],
        registries: hosts
            .iter()
            .map(|h| RegistryEntry {
                prefix: h.clone(),
                location: h.clone(),
                insecure: true,
                ..RegistryEntry::default()
            })
            .collect(),
        ..RegistryRules::default()
    }
}

pub fn pull_opts(hosts: &[String]) -> PullOptions {
    PullOptions {
        rules: insecure_rules(hosts),
        policy: PolicySource::Inline(Policy::accept_anything()),
        retry: fast_retry(),
        ..PullOptions::default()
    }
}

pub fn push_opts(hosts: &[String]) -> PushOptions {
    PushOptions {
        rules: insecure_rules(hosts),
        retry: fast_retry(),
        ..PushOptions::default()
    }
}

/// Pushes `image` from `store` to `host/repo` (plain HTTP, no auth); panics on failure.
pub fn push_to(store: &Store, image: &str, host: &str, repo: &str) -> PushReport {
    let dest = format!("{host}/{repo}");
    registry::push(store, image, Some(&dest), &push_opts(&[host.to_string()]))
        .unwrap_or_else(|e| panic!("pushing {image} to {dest}: {e}"))
}

/// Pulls `host/repo` into `store` (plain HTTP, no auth, fast retries).
pub fn pull_from(store: &Store, host: &str, repo: &str) -> registry::Result<PullReport> {
    registry::pull(
        store,
        &format!("{host}/{repo}"),
        &pull_opts(&[host.to_string()]),
    )
}

pub fn creds(u: &str, p: &str) -> Credentials {
    Credentials {
        username: u.into(),
        password: p.into(),
    }
}

/// A token service plus a gate in front of a registry that demands
/// `Authorization: Bearer <token>`: the bearer flow of Docker Hub and quay,
/// in miniature. The token service hands out `token` to `user:password`
/// (basic auth) and records the scopes asked for.
pub struct BearerGate {
    pub port: u16,
    pub token_port: u16,
    pub scopes: Arc<Mutex<Vec<String>>>,
}

impl BearerGate {
    pub fn start(upstream: u16, user: &str, password: &str, token: &str) -> Self {
        let tl = TcpListener::bind("127.0.0.1:0").unwrap();
        let token_port = tl.local_addr().unwrap().port();
        let scopes: Arc<Mutex<Vec<String>>> = Arc::default();
        let expect = format!(
            "Basic {}",
            base64_encode(format!("{user}:{password}").as_bytes())
        );
        let (tok, sc) = (token.to_string(), scopes.clone());
        std::thread::spawn(move || {
            for c in tl.incoming() {
                let Ok(mut c) = c else { continue };
                let Ok((head, _)) = read_head(&mut c) else {
                    continue;
                };
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split(' ').nth(1).unwrap_or("").to_string();
                sc.lock().unwrap().push(path);
                let (status, body) = if authorized(&head, &expect) {
                    ("200 OK", format!(r#"{{"token":"{tok}","expires_in":300}}"#))
                } else {
                    (
                        "401 Unauthorized",
                        r#"{"details":"bad credentials"}"#.to_string(),
                    )
                };
                let _ = write!(
                    c,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        let gl = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = gl.local_addr().unwrap().port();
        let want = format!("Bearer {token}");
        std::thread::spawn(move || {
            for c in gl.incoming() {
                let Ok(c) = c else { continue };
                let want = want.clone();
                std::thread::spawn(move || {
                    let _ = gate_one(c, upstream, token_port, &want);
                });
            }
        });
        BearerGate {
            port,
            token_port,
            scopes,
        }
    }
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Whether the request `head` carries `Authorization: <want>`.
fn authorized(head: &str, want: &str) -> bool {
    head.lines().any(|l| {
        l.split_once(':')
            .is_some_and(|(k, v)| k.eq_ignore_ascii_case("authorization") && v.trim() == want)
    })
}

fn gate_one(mut c: TcpStream, upstream: u16, token_port: u16, want: &str) -> std::io::Result<()> {
    let (head, mut body) = read_head(&mut c)?;
    let text = String::from_utf8_lossy(&head).into_owned();
    if !authorized(&text, want) {
        let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#;
        return write!(
            c,
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:{token_port}/token\",service=\"gate\"\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    }
    read_body(&mut c, &text, &mut body)?;
    let resp = forward(upstream, &text, &["connection", "authorization"], &body)?;
    c.write_all(&resp)?;
    c.shutdown(std::net::Shutdown::Both)
}

pub fn base64_encode(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

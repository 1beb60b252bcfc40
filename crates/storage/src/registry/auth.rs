//! Credentials: the containers auth file (`auth.json`), `WWW-Authenticate`
//! challenges and bearer token responses.
//!
//! The auth file is read from `--authfile` when given, else from the
//! default files the caller passes in [`AuthOptions::default_files`] (the
//! runtime fills them from `berth_config::auth_file_candidates`:
//! `REGISTRY_AUTH_FILE`, else `${XDG_RUNTIME_DIR}/containers/auth.json`, then
//! `~/.config/containers/auth.json`); this module reads no environment.
//! Writes keep every key berth does not know (e.g. `credHelpers`) and
//! replace the file atomically, mode 0600.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{Map, Value};

use super::error::{Error, Result};

/// A user name and password (or identity token) for one registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Password or token.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// `Basic base64(user:password)`.
    pub fn basic_header(&self) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", self.username, self.password))
        )
    }
}

/// Where credentials are read from and `login` writes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthOptions {
    /// An explicit auth file (`--authfile`); replaces the default list.
    pub authfile: Option<PathBuf>,
    /// The auth files used without `authfile`, most preferred first: read in
    /// order, and `login` writes the first. Empty: no default location.
    pub default_files: Vec<PathBuf>,
    /// Credentials given directly (`--creds`); win over any file.
    pub credentials: Option<Credentials>,
}

impl AuthOptions {
    /// The files to read, in order.
    pub fn files(&self) -> Vec<PathBuf> {
        match &self.authfile {
            Some(p) => vec![p.clone()],
            None => self.default_files.clone(),
        }
    }

    /// The file `login`/`logout` write: the explicit one, else the first default.
    pub fn write_target(&self) -> Result<PathBuf> {
        self.files()
            .into_iter()
            .next()
            .ok_or_else(|| Error::InvalidOption("no auth file location: set --authfile, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR or HOME".into()))
    }

    /// Credentials for `host/repository` (`repository` may be empty).
    pub fn lookup(&self, host: &str, repository: &str) -> Result<Option<Credentials>> {
        if let Some(c) = &self.credentials {
            return Ok(Some(c.clone()));
        }
        for f in self.files() {
            if !f.exists() {
                continue;
            }
            if let Some(c) = AuthFile::read(&f)?.lookup(host, repository)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
}

/// A parsed auth.json, keeping unknown keys for writing back.
#[derive(Debug, Clone, Default)]
pub struct AuthFile {
    path: PathBuf,
    doc: Map<String, Value>,
}

fn normalize_key(key: &str) -> String {
    let k = key
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let k = k
        .strip_suffix("/v1")
        .or_else(|| k.strip_suffix("/v2"))
        .unwrap_or(k);
    match k {
        "index.docker.io" | "registry-1.docker.io" => "docker.io".into(),
        other => other.to_string(),
    }
}

impl AuthFile {
    /// Reads a file; a missing file is an empty one.
    pub fn read(path: &Path) -> Result<Self> {
        let data = match fs::read(path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io("read auth file", path, e)),
        };
        Self::parse(&data, path)
    }

    /// Parses auth.json bytes (`path` names it in errors).
    pub fn parse(data: &[u8], path: &Path) -> Result<Self> {
        let err = |reason: String| Error::AuthFile {
            path: path.to_path_buf(),
            reason,
        };
        if data.iter().all(u8::is_ascii_whitespace) {
            return Ok(AuthFile {
                path: path.to_path_buf(),
                doc: Map::new(),
            });
        }
        let v: Value =
            serde_json::from_slice(data).map_err(|e| err(format!("not valid JSON: {e}")))?;
        let Value::Object(doc) = v else {
            return Err(err("the top level must be a JSON object".into()));
        };
        match doc.get("auths") {
            None | Some(Value::Object(_)) => {}
            Some(_) => return Err(err("\"auths\" must be an object".into())),
        }
        Ok(AuthFile {
            path: path.to_path_buf(),
            doc,
        })
    }

    fn auths(&self) -> BTreeMap<String, &Value> {
        self.doc
            .get("auths")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (normalize_key(k), v)).collect())
            .unwrap_or_default()
    }

    /// The entry for `host/repository`: the most specific key (a repository
    /// namespace, then the host).
    pub fn lookup(&self, host: &str, repository: &str) -> Result<Option<Credentials>> {
        let auths = self.auths();
        let mut key = if repository.is_empty() {
            host.to_string()
        } else {
            format!("{host}/{repository}")
        };
        loop {
            if let Some(v) = auths.get(&normalize_key(&key)) {
                return self.decode(&key, v).map(Some);
            }
            match key.rfind('/') {
                Some(i) => key.truncate(i),
                None => return Ok(None),
            }
        }
    }

    fn decode(&self, key: &str, v: &Value) -> Result<Credentials> {
        let err = |reason: &str| Error::AuthFile {
            path: self.path.clone(),
            reason: format!("entry {key:?}: {reason}"),
        };
        let auth = v
            .get("auth")
            .and_then(Value::as_str)
            .ok_or_else(|| err("no \"auth\" string (expected base64 of user:password)"))?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| err("\"auth\" is not valid base64"))?;
        let s = String::from_utf8(raw).map_err(|_| err("\"auth\" does not decode to UTF-8"))?;
        let (u, p) = s
            .split_once(':')
            .ok_or_else(|| err("\"auth\" does not decode to user:password"))?;
        if u.is_empty() {
            return Err(err("empty user name"));
        }
        Ok(Credentials {
            username: u.to_string(),
            password: p.to_string(),
        })
    }

    /// Stores credentials for `key` (a host or `host/namespace`).
    pub fn set(&mut self, key: &str, c: &Credentials) {
        let auths = self
            .doc
            .entry("auths")
            .or_insert_with(|| Value::Object(Map::new()));
        if !auths.is_object() {
            *auths = Value::Object(Map::new());
        }
        let m = auths.as_object_mut().expect("just made an object");
        let key = normalize_key(key);
        m.retain(|k, _| normalize_key(k) != key);
        let enc = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", c.username, c.password));
        m.insert(key, serde_json::json!({ "auth": enc }));
    }

    /// Removes the entry for `key`; false if there was none.
    pub fn remove(&mut self, key: &str) -> bool {
        let key = normalize_key(key);
        let Some(m) = self.doc.get_mut("auths").and_then(Value::as_object_mut) else {
            return false;
        };
        let before = m.len();
        m.retain(|k, _| normalize_key(k) != key);
        before != m.len()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.doc.insert("auths".into(), Value::Object(Map::new()));
    }

    /// Writes the file atomically (temp file, fsync, rename), mode 0600,
    /// creating its directory (0700) if needed.
    pub fn write(&self) -> Result<()> {
        let path = &self.path;
        let dir = path.parent().unwrap_or(Path::new("."));
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
            let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
        }
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            path.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            crate::fsutil::random_hex(6)
        ));
        let data = serde_json::to_vec_pretty(&Value::Object(self.doc.clone())).map_err(|e| {
            Error::AuthFile {
                path: path.clone(),
                reason: e.to_string(),
            }
        })?;
        let res = (|| {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(|e| Error::io("create", &tmp, e))?;
            f.write_all(&data)
                .map_err(|e| Error::io("write", &tmp, e))?;
            f.sync_all().map_err(|e| Error::io("fsync", &tmp, e))?;
            fs::rename(&tmp, path).map_err(|e| Error::io("rename", path, e))
        })();
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res
    }
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm=...`.
    Basic,
    /// `Bearer realm=...,service=...,scope=...`.
    Bearer {
        /// Token endpoint URL.
        realm: String,
        /// `service` parameter, if given.
        service: Option<String>,
        /// `scope` parameter, if given.
        scope: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` header value.
pub fn parse_challenge(header: &str) -> Result<Challenge> {
    let bad = |reason: &str| Error::bad(format!("WWW-Authenticate header {header:?}"), reason);
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let params = parse_params(rest).ok_or_else(|| bad("malformed parameters"))?;
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => Ok(Challenge::Basic),
        "bearer" => {
            let realm = params
                .get("realm")
                .cloned()
                .ok_or_else(|| bad("bearer challenge without a realm"))?;
            if !(realm.starts_with("https://") || realm.starts_with("http://")) {
                return Err(bad("the realm is not an http(s) URL"));
            }
            Ok(Challenge::Bearer {
                realm,
                service: params.get("service").cloned(),
                scope: params.get("scope").cloned(),
            })
        }
        "" => Err(bad("empty challenge")),
        other => Err(bad(&format!("unsupported auth scheme {other:?}"))),
    }
}

/// `key="value", key2=value2` (quoted values may contain commas).
fn parse_params(s: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && (b[i] == b',' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let key = s[ks..i].trim().to_ascii_lowercase();
        if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == ',') {
            return None;
        }
        i += 1;
        let mut val = String::new();
        if i < b.len() && b[i] == b'"' {
            i += 1;
            loop {
                if i >= b.len() {
                    return None; // unterminated quote
                }
                match b[i] {
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\\' if i + 1 < b.len() => {
                        // '\\' is one byte, so i + 1 is a char boundary.
                        let ch = s[i + 1..].chars().next()?;
                        val.push(ch);
                        i += 1 + ch.len_utf8();
                    }
                    _ => {
                        let ch = s[i..].chars().next()?;
                        val.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
        } else {
            let vs = i;
            while i < b.len() && b[i] != b',' {
                i += 1;
            }
            val = s[vs..i].trim().to_string();
        }
        out.insert(key, val);
    }
}

/// Reads a token endpoint's JSON answer: `token` or `access_token`.
pub fn parse_token_response(data: &[u8], realm: &str) -> Result<String> {
    let bad = |reason: String| Error::bad(format!("token response from {realm}"), reason);
    let v: Value = serde_json::from_slice(data).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let tok = v
        .get("token")
        .or_else(|| v.get("access_token"))
        .ok_or_else(|| bad("neither \"token\" nor \"access_token\" is present".into()))?;
    let tok = tok
        .as_str()
        .ok_or_else(|| bad("the token is not a string".into()))?;
    if tok.is_empty() || tok.bytes().any(|c| c.is_ascii_control() || c == b' ') {
        return Err(bad(
            "the token is empty or contains spaces/control characters".into(),
        ));
    }
    Ok(tok.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_from_the_options_never_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (
            dir.path().join("run/auth.json"),
            dir.path().join("cfg/auth.json"),
        );
        let mut opts = AuthOptions {
            default_files: vec![first.clone(), second.clone()],
            ..AuthOptions::default()
        };
        assert_eq!(opts.files(), [first.clone(), second.clone()]);
        assert_eq!(opts.write_target().unwrap(), first);
        // Only the second exists: a read falls through to it.
        std::fs::create_dir_all(second.parent().unwrap()).unwrap();
        let mut file = AuthFile::read(&second).unwrap();
        let cred = Credentials {
            username: "u".into(),
            password: "p".into(),
        };
        file.set("quay.io", &cred);
        file.write().unwrap();
        assert_eq!(opts.lookup("quay.io", "x/y").unwrap(), Some(cred));
        // --authfile replaces the defaults.
        opts.authfile = Some(dir.path().join("explicit.json"));
        assert_eq!(opts.files(), [dir.path().join("explicit.json")]);
        assert_eq!(opts.lookup("quay.io", "x/y").unwrap(), None);
        // No location at all is an error naming what to set, not a guess.
        let err = AuthOptions::default()
            .write_target()
            .unwrap_err()
            .to_string();
        assert!(err.contains("--authfile"), "{err}");
    }

    #[test]
    fn challenges_parse() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        )
        .unwrap();
        assert_eq!(
            c,
            Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            }
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry""#).unwrap(),
            Challenge::Basic
        );
        for bad in [
            "",
            "Bearer service=x",
            r#"Bearer realm="ftp://x""#,
            r#"Bearer realm="https://x"#,
            "a a=\"\\\u{a1}",
            "Negotiate abc=1",
            "Bearer realm",
        ] {
            let e = parse_challenge(bad).unwrap_err();
            assert!(e.to_string().contains("WWW-Authenticate"), "{bad}: {e}");
        }
    }

    #[test]
    fn token_responses() {
        assert_eq!(
            parse_token_response(br#"{"token":"abc"}"#, "r").unwrap(),
            "abc"
        );
        assert_eq!(
            parse_token_response(br#"{"access_token":"x.y","expires_in":60}"#, "r").unwrap(),
            "x.y"
        );
        for bad in [
            &b"{"[..],
            b"[]",
            br#"{"token":5}"#,
            br#"{"token":""}"#,
            br#"{"token":"a b"}"#,
            b"{}",
        ] {
            let e = parse_token_response(bad, "https://auth/t").unwrap_err();
            assert!(
                e.to_string().contains("token response from https://auth/t"),
                "{e}"
            );
        }
    }

    #[test]
    fn auth_files_round_trip_and_keep_unknown_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("sub/auth.json");
        let mut f = AuthFile::read(&p).unwrap();
        let c = Credentials {
            username: "u".into(),
            password: "p:w".into(),
        };
        f.set("localhost:5000", &c);
        f.doc
            .insert("credHelpers".into(), serde_json::json!({"x": "y"}));
        f.write().unwrap();
        let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mut g = AuthFile::read(&p).unwrap();
        assert_eq!(g.lookup("localhost:5000", "a/b").unwrap(), Some(c.clone()));
        assert_eq!(g.lookup("other:5000", "").unwrap(), None);
        assert!(g.remove("localhost:5000"));
        assert!(!g.remove("localhost:5000"));
        g.write().unwrap();
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.contains("credHelpers"), "{text}");
        // docker-style keys
        let docker = br#"{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}}"#;
        let f = AuthFile::parse(docker, &p).unwrap();
        assert_eq!(
            f.lookup("docker.io", "library/x")
                .unwrap()
                .unwrap()
                .username,
            "u"
        );
    }

    #[test]
    fn bad_auth_files_name_the_problem() {
        let p = Path::new("/x/auth.json");
        let cases: [(&[u8], &str); 6] = [
            (b"{", "not valid JSON"),
            (b"[]", "top level"),
            (br#"{"auths":[]}"#, "\"auths\" must be an object"),
            (br#"{"auths":{"h":{"auth":"%%%"}}}"#, "base64"),
            (
                br#"{"auths":{"h":{"auth":"bm9jb2xvbg=="}}}"#,
                "user:password",
            ),
            (br#"{"auths":{"h":{}}}"#, "no \"auth\""),
        ];
        for (data, want) in cases {
            let e = AuthFile::parse(data, p)
                .and_then(|f| f.lookup("h", "r").map(|_| ()))
                .unwrap_err();
            let s = e.to_string();
            assert!(s.contains(want) && s.contains("/x/auth.json"), "{s}");
        }
        assert!(AuthFile::parse(b"  ", p)
            .unwrap()
            .lookup("h", "")
            .unwrap()
            .is_none());
    }
}

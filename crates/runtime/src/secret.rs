//! Secrets (podman's `file` driver): records in `GRAPH_ROOT/secrets/secrets.json`, the data
//! of each in its own 0600 file under the driver's `path` (default
//! `GRAPH_ROOT/secrets/filedriver`), everything under the flock `GRAPH_ROOT/secrets/secrets.lock`.
//!
//! A container given `--secret` gets a copy of the data at create, in its own directory
//! (mounted read-only, or read into an environment variable at each start), so removing the
//! secret later does not break it, as in podman.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::lock::LockGuard;
use crate::runtime::Runtime;

/// The largest secret podman accepts, exclusive.
pub const MAX_SECRET_SIZE: usize = 512_000;

/// A stored secret (its data is never part of the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// 25 hex characters, as podman's.
    pub id: String,
    /// Name.
    pub name: String,
    /// Driver: `file`.
    pub driver: String,
    /// Driver options (`path`: where the file driver keeps the data).
    pub driver_options: BTreeMap<String, String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change (the creation time: secrets are never changed).
    pub updated_at: DateTime<Utc>,
}

/// `secret create` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretCreateOptions {
    /// Name.
    pub name: String,
    /// Driver; empty = `file`.
    pub driver: String,
    /// Driver options.
    pub driver_options: BTreeMap<String, String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// How a container gets a secret (`--secret NAME[,type=mount|env,target=,uid=,gid=,mode=]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretUse {
    /// The secret's name or id.
    pub secret: String,
    /// `type=env`: an environment variable instead of a file.
    pub env: bool,
    /// The file's path in the container (default `/run/secrets/NAME`; a relative one is
    /// under `/run/secrets`), or the variable's name (default NAME).
    pub target: Option<String>,
    /// The file's owner.
    pub uid: u32,
    /// The file's group.
    pub gid: u32,
    /// The file's mode.
    pub mode: u32,
}

/// A secret as a container's record keeps it: its copy and where it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContainerSecret {
    /// The secret's name.
    pub name: String,
    /// The copy of its data in the container's directory.
    pub source: PathBuf,
    /// An environment variable (its name in `target`) instead of a file.
    pub env: bool,
    /// The file's path in the container, or the variable's name.
    pub target: String,
}

impl SecretUse {
    /// Parses podman's `--secret` value.
    pub fn parse(value: &str) -> std::result::Result<Self, crate::options::InvalidValue> {
        let bad = |reason: String| crate::options::InvalidValue::new("--secret", value, reason);
        let mut parts = value.split(',');
        let secret = parts.next().unwrap_or_default().to_owned();
        if secret.is_empty() || secret.contains('=') {
            return Err(bad("the secret's name comes first".into()));
        }
        let mut out = SecretUse {
            secret,
            env: false,
            target: None,
            uid: 0,
            gid: 0,
            mode: 0o444,
        };
        let (mut owner_given, mut mode_given) = (false, false);
        for part in parts {
            let Some((key, val)) = part.split_once('=') else {
                return Err(bad(format!("option {part:?} must be KEY=VALUE")));
            };
            let number = |radix: u32| {
                u32::from_str_radix(val, radix)
                    .map_err(|_| bad(format!("{key}={val} is not a valid number")))
            };
            match key {
                "type" => match val {
                    "mount" => out.env = false,
                    "env" => out.env = true,
                    _ => return Err(bad(format!("type {val} is invalid: use mount or env"))),
                },
                "target" => {
                    if val.is_empty() {
                        return Err(bad("target may not be empty".into()));
                    }
                    out.target = Some(val.to_owned());
                }
                "uid" => {
                    out.uid = number(10)?;
                    owner_given = true;
                }
                "gid" => {
                    out.gid = number(10)?;
                    owner_given = true;
                }
                "mode" => {
                    out.mode = number(8)?;
                    if out.mode > 0o7777 {
                        return Err(bad(format!("mode {val} is not a file mode")));
                    }
                    mode_given = true;
                }
                _ => return Err(bad(format!("option {key:?} is invalid"))),
            }
        }
        if out.env && (owner_given || mode_given) {
            return Err(bad(
                "uid, gid and mode are only for type=mount secrets".into()
            ));
        }
        Ok(out)
    }
}

/// podman's rule for secret names.
pub fn check_secret_name(name: &str) -> Result<()> {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let ok = (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && alnum(name.chars().next())
        && alnum(name.chars().last());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "secret name",
            name,
            "only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
        ))
    }
}

impl Runtime {
    fn secrets_dir(&self) -> PathBuf {
        self.config.storage.graph_root.join("secrets")
    }

    fn secrets_lock(&self) -> Result<LockGuard> {
        let dir = self.secrets_dir();
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create secrets dir", &dir, e))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("chmod", &dir, e))?;
        LockGuard::exclusive(&dir.join("secrets.lock"))
    }

    fn read_secrets(&self) -> Result<Vec<Secret>> {
        let path = self.secrets_dir().join("secrets.json");
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Host {
                what: path.display().to_string(),
                reason: format!("corrupt secrets record ({e})"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::io("read", path, e)),
        }
    }

    fn write_secrets(&self, secrets: &[Secret]) -> Result<()> {
        let dir = self.secrets_dir();
        let body = serde_json::to_vec_pretty(secrets)
            .map_err(|e| Error::invalid("secrets record", "", e.to_string()))?;
        write_private(&dir.join("secrets.json"), &body)
    }

    /// Creates a secret holding `data` (1 byte to under 512000).
    pub fn create_secret(&self, opts: &SecretCreateOptions, data: &[u8]) -> Result<Secret> {
        self.check()?;
        check_secret_name(&opts.name)?;
        if data.is_empty() || data.len() >= MAX_SECRET_SIZE {
            return Err(Error::invalid(
                "secret data",
                format!("{} bytes", data.len()),
                "secret data must be larger than 0 and less than 512000 bytes",
            ));
        }
        let driver = if opts.driver.is_empty() {
            "file"
        } else {
            opts.driver.as_str()
        };
        if driver != "file" {
            return Err(Error::invalid(
                "secret driver",
                driver,
                "berth has only the file driver",
            ));
        }
        if let Some(k) = opts.driver_options.keys().find(|k| *k != "path") {
            return Err(Error::invalid(
                "secret driver option",
                k,
                "the file driver takes only path",
            ));
        }
        let _lock = self.secrets_lock()?;
        let mut all = self.read_secrets()?;
        if all.iter().any(|s| s.name == opts.name) {
            return Err(Error::SecretExists(opts.name.clone()));
        }
        let mut driver_options = opts.driver_options.clone();
        let path = driver_options
            .entry("path".into())
            .or_insert_with(|| {
                self.secrets_dir()
                    .join("filedriver")
                    .to_string_lossy()
                    .into_owned()
            })
            .clone();
        let id = loop {
            let id = crate::names::new_id()[..25].to_owned();
            if !all.iter().any(|s| s.id == id) {
                break id;
            }
        };
        let data_dir = PathBuf::from(path);
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| Error::io("create secrets dir", &data_dir, e))?;
        std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io("chmod", &data_dir, e))?;
        let data_file = data_dir.join(&id);
        write_private(&data_file, data)?;
        let now = Utc::now();
        let secret = Secret {
            id,
            name: opts.name.clone(),
            driver: driver.into(),
            driver_options,
            labels: opts.labels.clone(),
            created_at: now,
            updated_at: now,
        };
        all.push(secret.clone());
        if let Err(e) = self.write_secrets(&all) {
            let _ = std::fs::remove_file(&data_file);
            return Err(e);
        }
        Ok(secret)
    }

    /// Every secret, by creation.
    pub fn list_secrets(&self) -> Result<Vec<Secret>> {
        self.check()?;
        self.read_secrets()
    }

    /// The secrets `secret ls --filter` keeps: `name` and `id` are regular expressions
    /// (unanchored, as podman's); values of one key: any matches; different keys: all.
    pub fn list_secrets_filtered(&self, filters: &[(String, String)]) -> Result<Vec<Secret>> {
        let mut by_key: BTreeMap<&str, Vec<regex::Regex>> = BTreeMap::new();
        for (key, value) in filters {
            if !matches!(key.as_str(), "name" | "id") {
                return Err(Error::invalid("filter", key, "use name or id"));
            }
            let re = regex::Regex::new(value)
                .map_err(|e| Error::invalid("filter", value, e.to_string()))?;
            by_key.entry(key.as_str()).or_default().push(re);
        }
        Ok(self
            .list_secrets()?
            .into_iter()
            .filter(|s| {
                by_key.iter().all(|(key, res)| {
                    let field = if *key == "name" { &s.name } else { &s.id };
                    res.iter().any(|re| re.is_match(field))
                })
            })
            .collect())
    }

    /// One secret by name, full id or unique id prefix.
    pub fn inspect_secret(&self, name_or_id: &str) -> Result<Secret> {
        self.check()?;
        lookup(&self.read_secrets()?, name_or_id).cloned()
    }

    /// Removes a secret (containers already given it keep their copy); returns its id.
    pub fn remove_secret(&self, name_or_id: &str) -> Result<String> {
        self.check()?;
        let _lock = self.secrets_lock()?;
        let mut all = self.read_secrets()?;
        let secret = lookup(&all, name_or_id)?.clone();
        all.retain(|s| s.id != secret.id);
        self.write_secrets(&all)?;
        let file = data_file(&secret);
        match std::fs::remove_file(&file) {
            Ok(()) => Ok(secret.id),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(secret.id),
            Err(e) => Err(Error::io("remove secret data", file, e)),
        }
    }

    /// At create: copies each secret the container is given into `dir/secrets`, owned and
    /// moded as asked, and says where each goes.
    pub(crate) fn copy_secrets(
        &self,
        dir: &Path,
        uses: &[SecretUse],
    ) -> Result<Vec<ContainerSecret>> {
        if uses.is_empty() {
            return Ok(Vec::new());
        }
        let all = {
            let _lock = self.secrets_lock()?;
            self.read_secrets()?
        };
        let out_dir = dir.join("secrets");
        std::fs::create_dir_all(&out_dir).map_err(|e| Error::io("create", &out_dir, e))?;
        let mut out = Vec::new();
        for u in uses {
            let secret = lookup(&all, &u.secret)?;
            let from = data_file(secret);
            let data = std::fs::read(&from).map_err(|e| Error::io("read secret", &from, e))?;
            let source = out_dir.join(&secret.name);
            write_private(&source, &data)?;
            if !u.env {
                std::os::unix::fs::chown(&source, Some(u.uid), Some(u.gid))
                    .map_err(|e| Error::io("chown", &source, e))?;
                std::fs::set_permissions(&source, std::fs::Permissions::from_mode(u.mode))
                    .map_err(|e| Error::io("chmod", &source, e))?;
            }
            let target = match (&u.target, u.env) {
                (Some(t), true) => t.clone(),
                (None, true) => secret.name.clone(),
                (Some(t), false) if t.starts_with('/') => t.clone(),
                (Some(t), false) => format!("/run/secrets/{t}"),
                (None, false) => format!("/run/secrets/{}", secret.name),
            };
            if out.iter().any(|c: &ContainerSecret| c.target == target) {
                return Err(Error::invalid(
                    "--secret",
                    &u.secret,
                    format!("{target} is the target of another secret"),
                ));
            }
            out.push(ContainerSecret {
                name: secret.name.clone(),
                source,
                env: u.env,
                target,
            });
        }
        Ok(out)
    }
}

fn lookup<'a>(all: &'a [Secret], name_or_id: &str) -> Result<&'a Secret> {
    if let Some(s) = all
        .iter()
        .find(|s| s.name == name_or_id || s.id == name_or_id)
    {
        return Ok(s);
    }
    let mut prefixed = all.iter().filter(|s| s.id.starts_with(name_or_id));
    match (prefixed.next(), prefixed.next()) {
        (Some(s), None) if !name_or_id.is_empty() => Ok(s),
        _ => Err(Error::NoSuchSecret(name_or_id.to_owned())),
    }
}

fn data_file(secret: &Secret) -> PathBuf {
    PathBuf::from(
        secret
            .driver_options
            .get("path")
            .map(String::as_str)
            .unwrap_or_default(),
    )
    .join(&secret.id)
}

/// Writes a 0600 file atomically (a temporary file renamed over `path`).
fn write_private(path: &Path, body: &[u8]) -> Result<()> {
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io("write", path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_follow_podmans_rule() {
        for ok in ["a", "my-secret_1.x", &"a".repeat(64)] {
            check_secret_name(ok).unwrap();
        }
        for bad in ["", "-a", "a-", "a/b", "a b", ".a", &"a".repeat(65)] {
            let e = check_secret_name(bad).unwrap_err().to_string();
            assert!(
                e.contains("only 64 [a-zA-Z0-9-_.] characters"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn secret_flags_parse_as_podmans() {
        let u = SecretUse::parse("s").unwrap();
        assert_eq!(
            (u.env, u.target, u.uid, u.gid, u.mode),
            (false, None, 0, 0, 0o444)
        );
        let u = SecretUse::parse("s,type=mount,target=/x,uid=1,gid=2,mode=0400").unwrap();
        assert_eq!(
            (u.target.as_deref(), u.uid, u.gid, u.mode),
            (Some("/x"), 1, 2, 0o400)
        );
        let u = SecretUse::parse("s,type=env,target=V").unwrap();
        assert!(u.env);
        for (bad, why) in [
            ("", "name comes first"),
            ("type=env", "name comes first"),
            ("s,type=x", "type x is invalid"),
            ("s,uid=-1", "not a valid number"),
            ("s,mode=9", "not a valid number"),
            ("s,mode=17777", "not a file mode"),
            ("s,target=", "may not be empty"),
            ("s,junk", "must be KEY=VALUE"),
            ("s,type=env,uid=1", "only for type=mount"),
        ] {
            let e = SecretUse::parse(bad).unwrap_err();
            assert!(e.reason.contains(why), "{bad}: {}", e.reason);
        }
    }

    #[test]
    fn lookup_takes_names_ids_and_unique_prefixes() {
        let s = |id: &str, name: &str| Secret {
            id: id.into(),
            name: name.into(),
            driver: "file".into(),
            driver_options: BTreeMap::new(),
            labels: BTreeMap::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let all = [s("abc1", "one"), s("abd2", "two")];
        assert_eq!(lookup(&all, "two").unwrap().id, "abd2");
        assert_eq!(lookup(&all, "abc1").unwrap().name, "one");
        assert_eq!(lookup(&all, "abc").unwrap().name, "one");
        assert!(matches!(lookup(&all, "ab"), Err(Error::NoSuchSecret(_))));
        assert!(matches!(lookup(&all, ""), Err(Error::NoSuchSecret(_))));
    }
}

//! registries.conf (version 2): search registries, per-registry settings and mirrors.
//!
//! Files: `/etc/containers/registries.conf` and then the drop-ins
//! `/etc/containers/registries.conf.d/*.conf` in name order; a rootless user's
//! `~/.config/containers/registries.conf` replaces the main file when present,
//! and `~/.config/containers/registries.conf.d/*.conf` are read after the
//! system drop-ins (`$XDG_CONFIG_HOME` stands for `~/.config` when set).
//! `CONTAINERS_REGISTRIES_CONF` names the only file to read, as in
//! containers/image. A drop-in that sets `unqualified-search-registries`
//! or `short-name-mode` replaces the earlier value; a `[[registry]]` with the
//! same prefix as an earlier one replaces it; aliases merge.
//!
//! A version 1 file (`[registries.search]`, `[registries.insecure]`,
//! `[registries.block]`) is converted as containers/image does; mixing both
//! formats in one file is an error.
//!
//! Error rules are the configuration file's: unknown keys warn, wrong types
//! and bad values fail with file, line, column, key and what is expected.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use parse::{parse_file, RegistriesFile};

use crate::doc::UnknownKey;
use crate::types::one_of;
use crate::{Environment, Error, ParseEnumError, Result};

mod parse;

/// The system registries.conf.
pub const REGISTRIES_CONF_PATH: &str = "/etc/containers/registries.conf";
/// The system drop-in directory.
pub const REGISTRIES_CONF_DIR: &str = "/etc/containers/registries.conf.d";
/// The variable naming the only registries.conf to read.
pub const REGISTRIES_CONF_ENV_VAR: &str = "CONTAINERS_REGISTRIES_CONF";
/// root's machine-written short-name alias cache (containers/image's path).
pub const SHORT_NAME_ALIASES_CACHE_PATH: &str = "/var/cache/containers/short-name-aliases.conf";

/// The short-name alias cache containers/image reads for `env`: root's
/// [`SHORT_NAME_ALIASES_CACHE_PATH`], a rootless user's
/// `$XDG_CACHE_HOME/containers/short-name-aliases.conf` (else `~/.cache/...`).
pub fn short_name_aliases_cache_path(env: &Environment) -> Option<PathBuf> {
    if !env.is_rootless() {
        return Some(PathBuf::from(SHORT_NAME_ALIASES_CACHE_PATH));
    }
    env.absolute_var("XDG_CACHE_HOME")
        .or_else(|| env.home().map(|h| h.join(".cache")))
        .map(|c| c.join("containers/short-name-aliases.conf"))
}

/// How short names (`alpine`) are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShortNameMode {
    /// Ambiguous short names are an error unless an alias exists.
    Enforcing,
    /// Ambiguous short names try each search registry.
    Permissive,
    /// Short names try each search registry, no prompting or aliases recorded.
    Disabled,
}

impl ShortNameMode {
    /// Every value.
    pub const ALL: [ShortNameMode; 3] = [
        ShortNameMode::Enforcing,
        ShortNameMode::Permissive,
        ShortNameMode::Disabled,
    ];

    /// The spelling in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            ShortNameMode::Enforcing => "enforcing",
            ShortNameMode::Permissive => "permissive",
            ShortNameMode::Disabled => "disabled",
        }
    }
}

impl fmt::Display for ShortNameMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ShortNameMode {
    type Err = ParseEnumError;
    fn from_str(s: &str) -> Result<Self, ParseEnumError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| ParseEnumError {
                found: s.to_owned(),
                expected: one_of(Self::ALL.iter().map(|v| v.as_str())),
            })
    }
}

/// A mirror of a registry (`[[registry.mirror]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// `host[:port][/path]` of the mirror.
    pub location: String,
    /// Plain HTTP or unverified TLS allowed.
    pub insecure: bool,
}

/// One `[[registry]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// The references this entry applies to (defaults to `location`);
    /// may start with `*.` to match any subdomain.
    pub prefix: String,
    /// Where images matching `prefix` are really pulled from (may be empty
    /// for a wildcard or blocked entry).
    pub location: String,
    /// Plain HTTP or unverified TLS allowed.
    pub insecure: bool,
    /// Pulls from this registry are refused.
    pub blocked: bool,
    /// Mirrors are used only for references by digest.
    pub mirror_by_digest_only: bool,
    /// Mirrors tried before `location`, in order.
    pub mirrors: Vec<Mirror>,
}

impl Registry {
    /// How many characters of `reference` this entry's prefix matches, if it matches.
    fn match_len(&self, reference: &str) -> Option<usize> {
        if let Some(domain) = self.prefix.strip_prefix("*.") {
            // Wildcard: the host part of the reference must be a subdomain of `domain`.
            let host_end = reference.find(['/', '@']).unwrap_or(reference.len());
            let host = &reference[..host_end];
            let host_no_port = host.split(':').next().unwrap_or(host);
            let sub = host_no_port.strip_suffix(domain)?;
            return (sub.len() > 1 && sub.ends_with('.')).then_some(host_no_port.len());
        }
        let rest = reference.strip_prefix(self.prefix.as_str())?;
        (rest.is_empty() || rest.starts_with(['/', ':', '@']) || self.prefix.ends_with('/'))
            .then_some(self.prefix.len())
    }

    /// The location to pull `reference` from: the prefix replaced by `location`.
    pub fn rewrite(&self, reference: &str) -> String {
        if self.prefix.starts_with("*.") || self.location.is_empty() {
            return reference.to_owned();
        }
        match reference.strip_prefix(self.prefix.as_str()) {
            Some(rest) => format!("{}{rest}", self.location),
            None => reference.to_owned(),
        }
    }
}

/// The merged content of registries.conf and its drop-ins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistriesConfig {
    /// Registries tried, in order, for names without a registry.
    pub unqualified_search_registries: Vec<String>,
    /// Short-name resolution mode, if a file set it.
    pub short_name_mode: Option<ShortNameMode>,
    /// The `[[registry]]` entries.
    pub registries: Vec<Registry>,
    /// Short-name aliases (`[aliases]`); an empty value cancels an earlier file's alias.
    pub aliases: BTreeMap<String, String>,
    /// The file each alias of `aliases` came from.
    pub alias_origins: BTreeMap<String, PathBuf>,
    /// Aliases of the machine-written short-name-aliases.conf cache; they win
    /// over `aliases`, as in containers/image.
    pub cached_aliases: BTreeMap<String, String>,
    /// The cache file, when it was read.
    pub alias_cache_file: Option<PathBuf>,
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// Keys of those files that were ignored (each logged as a warning).
    pub unknown_keys: Vec<UnknownKey>,
}

impl RegistriesConfig {
    /// Reads the files that apply to `env` (see the module docs) and the
    /// short-name alias cache. Missing files are fine (empty configuration);
    /// a file named by `CONTAINERS_REGISTRIES_CONF` must exist.
    pub fn load(env: &Environment) -> Result<RegistriesConfig> {
        let mut out = Self::load_files(env)?;
        if let Some(cache) = short_name_aliases_cache_path(env) {
            let host = env.host_path(&cache);
            if host.is_file() {
                let text = std::fs::read_to_string(&host).map_err(|source| Error::Read {
                    path: cache.clone(),
                    source,
                })?;
                out.cached_aliases = parse_file(&text, &cache)?.aliases;
                out.alias_cache_file = Some(cache);
            }
        }
        Ok(out)
    }

    fn load_files(env: &Environment) -> Result<RegistriesConfig> {
        let mut out = RegistriesConfig::default();
        if let Some(p) = env.var(REGISTRIES_CONF_ENV_VAR) {
            let p = PathBuf::from(p);
            if !p.exists() {
                return Err(Error::ConfigFileMissing {
                    path: p,
                    via: Some(REGISTRIES_CONF_ENV_VAR.to_owned()),
                });
            }
            out.merge_file(&p, &p)?;
            return Ok(out);
        }
        let user = crate::paths::config_home(env).map(|c| c.join("containers"));
        let user_main = user.as_ref().map(|u| u.join("registries.conf"));
        let main = match user_main {
            Some(u) if env.is_rootless() && env.host_path(&u).exists() => u,
            _ => PathBuf::from(REGISTRIES_CONF_PATH),
        };
        if env.host_path(&main).exists() {
            out.merge_file(&env.host_path(&main), &main)?;
        }
        let mut dirs = vec![PathBuf::from(REGISTRIES_CONF_DIR)];
        if env.is_rootless() {
            if let Some(u) = user {
                dirs.push(u.join("registries.conf.d"));
            }
        }
        for dir in dirs {
            for file in drop_ins(env, &dir)? {
                out.merge_file(&env.host_path(&file), &file)?;
            }
        }
        Ok(out)
    }

    /// Parses one registries.conf text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<RegistriesConfig> {
        let mut out = RegistriesConfig::default();
        out.merge(parse_file(text, path)?, path);
        Ok(out)
    }

    fn merge_file(&mut self, host: &Path, shown: &Path) -> Result<()> {
        let text = std::fs::read_to_string(host).map_err(|source| Error::Read {
            path: shown.to_path_buf(),
            source,
        })?;
        let parsed = parse_file(&text, shown)?;
        self.merge(parsed, shown);
        Ok(())
    }

    fn merge(&mut self, file: RegistriesFile, path: &Path) {
        if let Some(search) = file.search {
            self.unqualified_search_registries = search;
        }
        if file.short_name_mode.is_some() {
            self.short_name_mode = file.short_name_mode;
        }
        for reg in file.registries {
            match self.registries.iter_mut().find(|r| r.prefix == reg.prefix) {
                Some(existing) => *existing = reg,
                None => self.registries.push(reg),
            }
        }
        for name in file.aliases.keys() {
            self.alias_origins.insert(name.clone(), path.to_path_buf());
        }
        self.aliases.extend(file.aliases);
        self.unknown_keys.extend(file.unknown_keys);
        self.files.push(path.to_path_buf());
    }

    /// The short-name mode in effect: the files' value, else permissive
    /// (containers/image's default).
    pub fn effective_short_name_mode(&self) -> ShortNameMode {
        self.short_name_mode.unwrap_or(ShortNameMode::Permissive)
    }

    /// Every alias in effect with the file it came from: the cache's over
    /// registries.conf's. Empty values (cancelled aliases) are kept, so a
    /// cancelled alias stays cancelled.
    pub fn resolved_aliases(&self) -> BTreeMap<String, (String, PathBuf)> {
        let mut out: BTreeMap<String, (String, PathBuf)> = self
            .aliases
            .iter()
            .map(|(k, v)| {
                let origin = self.alias_origins.get(k).cloned().unwrap_or_default();
                (k.clone(), (v.clone(), origin))
            })
            .collect();
        if let Some(cache) = &self.alias_cache_file {
            for (k, v) in &self.cached_aliases {
                out.insert(k.clone(), (v.clone(), cache.clone()));
            }
        }
        out
    }

    /// Registries tried for short names, in order.
    pub fn search_registries(&self) -> &[String] {
        &self.unqualified_search_registries
    }

    /// Every location (registries and mirrors) marked insecure.
    pub fn insecure_registries(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.registries {
            if r.insecure && !r.location.is_empty() {
                out.push(r.location.clone());
            }
            out.extend(
                r.mirrors
                    .iter()
                    .filter(|m| m.insecure)
                    .map(|m| m.location.clone()),
            );
        }
        out
    }

    /// Prefixes of blocked registries.
    pub fn blocked_registries(&self) -> Vec<String> {
        self.registries
            .iter()
            .filter(|r| r.blocked)
            .map(|r| r.prefix.clone())
            .collect()
    }

    /// The entry whose prefix matches `reference` (`host[:port]/path[:tag|@digest]`)
    /// longest, if any.
    pub fn find_registry(&self, reference: &str) -> Option<&Registry> {
        self.registries
            .iter()
            .filter_map(|r| r.match_len(reference).map(|n| (n, r)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, r)| r)
    }
}

fn drop_ins(env: &Environment, dir: &Path) -> Result<Vec<PathBuf>> {
    let host = env.host_path(dir);
    let entries = match std::fs::read_dir(&host) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(Error::Read {
                path: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name();
        let is_file = entry.path().is_file();
        if is_file && Path::new(&name).extension().is_some_and(|e| e == "conf") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

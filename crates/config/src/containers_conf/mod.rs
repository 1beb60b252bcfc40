//! podman's configuration files: containers.conf (searched and merged key by
//! key in containers/common's order) and storage.conf, read beneath berth.conf.

mod mounts_conf;
mod parse;
mod rules;
mod schema;
mod storage_conf;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{ConfigOptions, Key, Origin, Origins, RuntimeConfig};
use crate::{CgroupManager, Environment, Error, Result};

pub use mounts_conf::{
    mounts_conf_file, read_mounts_conf, DefaultMount, MOUNTS_CONF_ADMIN_PATH,
    MOUNTS_CONF_VENDOR_PATH,
};
pub use parse::{IgnoredKey, Setting};
pub(crate) use rules::size as parse_size;
pub use rules::ULIMIT_NAMES;
pub use schema::{containers_conf_support, Support};
pub use storage_conf::{
    storage_conf_file, STORAGE_CONF_ADMIN_PATH, STORAGE_CONF_ENV_VAR, STORAGE_CONF_VENDOR_PATH,
};

/// Names the only containers.conf to read (the search is skipped); it must exist.
pub const CONTAINERS_CONF_ENV_VAR: &str = "CONTAINERS_CONF";
/// Names a containers.conf read after all the others; it must exist.
pub const CONTAINERS_CONF_OVERRIDE_ENV_VAR: &str = "CONTAINERS_CONF_OVERRIDE";
/// The distribution's containers.conf.
pub const CONTAINERS_CONF_VENDOR_PATH: &str = "/usr/share/containers/containers.conf";
/// The administrator's containers.conf; its drop-ins are in `containers.conf.d/` beside it.
pub const CONTAINERS_CONF_ADMIN_PATH: &str = "/etc/containers/containers.conf";

/// The OCI runtimes known without an `[engine.runtimes]` entry (podman's defaults).
const BUILTIN_RUNTIMES: &[(&str, &[&str])] = &[
    (
        "runc",
        &[
            "/usr/bin/runc",
            "/usr/sbin/runc",
            "/usr/local/bin/runc",
            "/usr/local/sbin/runc",
            "/sbin/runc",
            "/bin/runc",
            "/usr/lib/cri-o-runc/sbin/runc",
            "/run/current-system/sw/bin/runc",
        ],
    ),
    (
        "crun",
        &[
            "/usr/bin/crun",
            "/usr/sbin/crun",
            "/usr/local/bin/crun",
            "/usr/local/sbin/crun",
            "/sbin/crun",
            "/bin/crun",
            "/run/current-system/sw/bin/crun",
        ],
    ),
];

/// A containers.conf value with the file and position that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The value.
    pub value: Setting,
    /// The file that set it last.
    pub file: PathBuf,
    /// 1-based line of the value.
    pub line: usize,
    /// 1-based column of the value.
    pub column: usize,
}

/// The containers.conf keys berth applies, merged over every file read (a later
/// file replaces a key an earlier one set; `[engine.runtimes]` merges by name).
/// Keys the engine settings already hold (`engine.tmp_dir`, `containers.pids_limit`,
/// ...) are in [`RuntimeConfig`] as well; the per-container defaults are read from here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainersConf {
    values: BTreeMap<&'static str, Located>,
    files: Vec<PathBuf>,
    mounts: Vec<DefaultMount>,
}

impl ContainersConf {
    /// The value of `key` (`containers.env`), if a file set it.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.values.get(key).map(|l| &l.value)
    }

    /// The file that set `key`.
    pub fn origin(&self, key: &str) -> Option<&Path> {
        self.values.get(key).map(|l| l.file.as_path())
    }

    /// A string array key; empty when unset.
    pub fn strings(&self, key: &str) -> &[String] {
        match self.get(key) {
            Some(Setting::Strs(v)) => v,
            _ => &[],
        }
    }

    /// A string key.
    pub fn string(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Setting::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// A boolean key.
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Setting::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// An integer key.
    pub fn int(&self, key: &str) -> Option<i64> {
        match self.get(key) {
            Some(Setting::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// `containers.shm_size` in bytes.
    pub fn shm_size(&self) -> Option<u64> {
        self.string("containers.shm_size")
            .and_then(|s| parse_size(s).ok())
    }

    /// `containers.umask` as a mode.
    pub fn umask(&self) -> Option<u32> {
        self.string("containers.umask")
            .and_then(|s| rules::umask(s).ok())
    }

    /// Every key set, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Located)> {
        self.values.iter().map(|(k, l)| (*k, l))
    }

    /// The containers.conf, storage.conf and mounts.conf files read, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// mounts.conf's mounts, which every container gets.
    pub fn default_mounts(&self) -> &[DefaultMount] {
        &self.mounts
    }

    /// Replaces the default mounts (tests and embedders).
    pub fn set_default_mounts(&mut self, mounts: Vec<DefaultMount>) {
        self.mounts = mounts;
    }

    /// Sets `key` as if `file` had it (tests and embedders).
    pub fn set(&mut self, key: &'static str, value: Setting, file: impl Into<PathBuf>) {
        self.values.insert(
            key,
            Located {
                value,
                file: file.into(),
                line: 0,
                column: 0,
            },
        );
    }

    fn merge(&mut self, e: parse::Entry, file: &Path) {
        if matches!(&e.value, Setting::Map(m) if m.is_empty()) {
            return;
        }
        let value = match (self.values.get(e.key), e.value) {
            (
                Some(Located {
                    value: Setting::Map(old),
                    ..
                }),
                Setting::Map(new),
            ) => {
                let mut m = old.clone();
                m.extend(new);
                Setting::Map(m)
            }
            (_, v) => v,
        };
        self.values.insert(
            e.key,
            Located {
                value,
                file: file.to_path_buf(),
                line: e.line,
                column: e.column,
            },
        );
    }
}

/// The containers.conf files berth reads for `env`, in order: `(where it is on
/// disk, how it is named)`.
///
/// `CONTAINERS_CONF` alone when set (it must exist); else
/// `/usr/share/containers/containers.conf`, `/etc/containers/containers.conf`,
/// `/etc/containers/containers.conf.d/*.conf` in name order, and for a rootless
/// user `~/.config/containers/containers.conf` and its `.d` (each when present).
/// `CONTAINERS_CONF_OVERRIDE` (it must exist) comes last in both cases.
pub fn containers_conf_files(env: &Environment) -> Result<Vec<(PathBuf, PathBuf)>> {
    let named = |var: &str| -> Result<Option<(PathBuf, PathBuf)>> {
        let Some(p) = env.var(var) else {
            return Ok(None);
        };
        let p = PathBuf::from(p);
        if std::fs::metadata(&p).is_err() {
            return Err(Error::ConfigFileMissing {
                path: p,
                via: Some(var.to_owned()),
            });
        }
        Ok(Some((p.clone(), p)))
    };
    let mut files = Vec::new();
    if let Some(f) = named(CONTAINERS_CONF_ENV_VAR)? {
        files.push(f);
    } else {
        let mut add = |p: PathBuf| {
            let host = env.host_path(&p);
            if host.is_file() {
                files.push((host, p));
            }
        };
        add(PathBuf::from(CONTAINERS_CONF_VENDOR_PATH));
        add(PathBuf::from(CONTAINERS_CONF_ADMIN_PATH));
        for d in drop_ins(env, Path::new("/etc/containers/containers.conf.d"))? {
            add(d);
        }
        if env.is_rootless() {
            if let Some(home) = crate::paths::config_home(env) {
                let user = home.join("containers/containers.conf");
                add(user.clone());
                for d in drop_ins(env, &home.join("containers/containers.conf.d"))? {
                    add(d);
                }
            }
        }
    }
    files.extend(named(CONTAINERS_CONF_OVERRIDE_ENV_VAR)?);
    Ok(files)
}

/// `dir/*.conf` in name order (as the configuration names them); none when `dir` is missing.
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
    let mut names: Vec<String> = entries
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        // containers/common matches the suffix exactly.
        .filter(|n| n.rsplit_once('.').is_some_and(|(_, ext)| ext == "conf"))
        .collect();
    names.sort();
    Ok(names.into_iter().map(|n| dir.join(n)).collect())
}

/// What reading podman's files gave: the merged containers.conf keys and the
/// keys accepted without effect.
pub(crate) struct PodmanFiles {
    pub conf: ContainersConf,
    pub ignored: Vec<IgnoredKey>,
}

/// Reads every containers.conf and the storage.conf for `env` onto `config`,
/// recording each value's file in `origins`.
pub(crate) fn apply_podman_files(
    env: &Environment,
    mounts_file: Option<&Path>,
    config: &mut RuntimeConfig,
    origins: &mut Origins,
) -> Result<PodmanFiles> {
    let mut conf = ContainersConf::default();
    let mut ignored = Vec::new();
    for (host, shown) in containers_conf_files(env)? {
        let text = std::fs::read_to_string(&host).map_err(|source| Error::Read {
            path: shown.clone(),
            source,
        })?;
        ignored.extend(apply_one(&text, &shown, &mut conf, config, origins)?);
    }
    select_runtime(&conf, config, origins)?;
    if let Some((host, shown)) = storage_conf_file(env)? {
        let s = storage_conf::read(&host, &shown, env)?;
        config.apply(&s.options, &Origin::File(shown.clone()), origins);
        ignored.extend(s.ignored);
        conf.files.push(shown);
    }
    if let Some((host, shown)) = mounts_conf_file(env, mounts_file) {
        conf.mounts = read_mounts_conf(&host, &shown)?;
        conf.files.push(shown);
    }
    Ok(PodmanFiles { conf, ignored })
}

/// Reads one containers.conf onto `conf` and `config`; its ignored keys.
fn apply_one(
    text: &str,
    shown: &Path,
    conf: &mut ContainersConf,
    config: &mut RuntimeConfig,
    origins: &mut Origins,
) -> Result<Vec<IgnoredKey>> {
    let parsed = parse::parse(text, shown)?;
    tracing::debug!(file = %shown.display(), keys = parsed.entries.len(), "containers.conf read");
    let options = engine_options(&parsed.entries);
    config.apply(&options, &Origin::File(shown.to_path_buf()), origins);
    for e in parsed.entries {
        conf.merge(e, shown);
    }
    conf.files.push(shown.to_path_buf());
    Ok(parsed.ignored)
}

/// Whether a file given as berth.conf (`--config`) is a containers.conf: only
/// containers.conf's tables at its top level, at least one.
pub(crate) fn is_containers_conf(text: &str) -> bool {
    let Ok(table) = text.parse::<toml::Table>() else {
        return false;
    };
    !table.is_empty()
        && table
            .iter()
            .all(|(k, v)| v.is_table() && schema::TABLES.contains(&k.as_str()))
}

/// A containers.conf given as berth.conf: read at berth.conf's place, after every
/// other containers.conf.
pub(crate) fn apply_as_berth_conf(
    text: &str,
    shown: &Path,
    config: &mut RuntimeConfig,
    origins: &mut Origins,
) -> Result<Vec<IgnoredKey>> {
    let mut conf = std::mem::take(&mut config.containers_conf);
    let ignored = apply_one(text, shown, &mut conf, config, origins)?;
    select_runtime(&conf, config, origins)?;
    config.containers_conf = conf;
    Ok(ignored)
}

/// The containers.conf keys that are berth engine settings, as options.
fn engine_options(entries: &[parse::Entry]) -> ConfigOptions {
    let mut o = ConfigOptions::default();
    for e in entries {
        let paths = |v: &[String]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
        match (e.key, &e.value) {
            ("containers.pids_limit", Setting::Int(n)) => o.pids_limit = Some(*n),
            ("containers.log_size_max", Setting::Int(n)) => o.max_log_size = Some(*n),
            ("engine.cgroup_manager", Setting::Str(s)) => {
                o.cgroup_manager = Some(if s == "systemd" {
                    CgroupManager::Systemd
                } else {
                    CgroupManager::Cgroupfs
                });
            }
            ("engine.conmon_env_vars", Setting::Strs(v)) => o.conmon_env_vars = Some(v.clone()),
            ("engine.conmon_path", Setting::Strs(v)) => o.conmon_path = Some(paths(v)),
            ("engine.hooks_dir", Setting::Strs(v)) => o.hooks_dir = v.first().map(PathBuf::from),
            ("engine.image_default_transport", Setting::Str(s)) => {
                o.image_default_transport = Some(s.clone());
            }
            ("engine.namespace", Setting::Str(s)) => o.namespace = Some(s.clone()),
            ("engine.no_pivot_root", Setting::Bool(b)) => o.no_pivot_root = Some(*b),
            ("engine.static_dir", Setting::Str(s)) => o.static_dir = Some(s.into()),
            ("engine.tmp_dir", Setting::Str(s)) => o.tmp_dir = Some(s.into()),
            ("network.cni_plugin_dirs", Setting::Strs(v)) => o.cni_plugin_dir = Some(paths(v)),
            ("network.default_network", Setting::Str(s)) => {
                o.cni_default_network = Some(s.clone());
            }
            ("network.network_config_dir", Setting::Str(s)) => {
                o.cni_config_dir = Some(s.into());
            }
            _ => {}
        }
    }
    o
}

/// `engine.runtime_path` when set, else the paths `[engine.runtimes]` (or podman's
/// built-in table) gives `engine.runtime`.
fn select_runtime(
    conf: &ContainersConf,
    config: &mut RuntimeConfig,
    origins: &mut Origins,
) -> Result<()> {
    let (key, paths) = if let Some(Located {
        value: Setting::Strs(p),
        ..
    }) = conf.values.get("engine.runtime_path")
    {
        ("engine.runtime_path", p.clone())
    } else if let Some(name) = conf.string("engine.runtime") {
        let configured = match conf.get("engine.runtimes") {
            Some(Setting::Map(m)) => m.get(name).cloned(),
            _ => None,
        };
        let builtin = || {
            BUILTIN_RUNTIMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| p.iter().map(|s| (*s).to_owned()).collect())
        };
        let Some(p) = configured.or_else(builtin) else {
            let l = &conf.values["engine.runtime"];
            return Err(Error::InvalidValue {
                path: l.file.clone(),
                line: l.line,
                column: l.column,
                key: "engine.runtime".into(),
                expected: "runc, crun or a runtime named in [engine.runtimes]".into(),
                found: format!("string {name:?}"),
            });
        };
        ("engine.runtime", p)
    } else {
        return Ok(());
    };
    config.runtime_path = paths.into_iter().map(PathBuf::from).collect();
    origins.set(
        Key::RuntimePath,
        Origin::File(conf.values[key].file.clone()),
    );
    Ok(())
}

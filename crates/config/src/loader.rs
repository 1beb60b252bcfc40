//! Discovery and overlay: defaults <- podman's containers.conf and storage.conf <-
//! berth.conf <- code options.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::{ConfigOptions, Key, Origin, Origins, RuntimeConfig};
use crate::doc::UnknownKey;
use crate::file::ConfigFile;
use crate::{Environment, Error, Result};

/// The system-wide vendor configuration file.
pub const VENDOR_CONFIG_PATH: &str = "/usr/share/berth/berth.conf";
/// The administrator's file, used in place of the vendor file when present.
pub const ADMIN_CONFIG_PATH: &str = "/etc/berth/berth.conf";
/// The variable naming an explicit configuration file.
pub const CONFIG_ENV_VAR: &str = "BERTH_CONFIG";

/// A configuration and how it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedConfig {
    /// The resolved values.
    pub config: RuntimeConfig,
    /// Where each value came from.
    pub origins: Origins,
    /// The configuration file that was read, if any.
    pub file: Option<PathBuf>,
    /// Keys of that file that berth ignored (each was logged as a warning).
    pub unknown_keys: Vec<UnknownKey>,
    /// Keys of containers.conf and storage.conf that berth accepted without
    /// effect (each was logged as a warning).
    pub ignored_keys: Vec<crate::IgnoredKey>,
}

impl LoadedConfig {
    /// Where `key`'s value came from.
    pub fn origin(&self, key: Key) -> &Origin {
        self.origins.get(key)
    }

    /// Every key with its value and origin, for `berth info` and debug output.
    pub fn describe(&self) -> Vec<(Key, String, Origin)> {
        self.origins
            .iter()
            .map(|(k, o)| (k, self.config.value_string(k), o.clone()))
            .collect()
    }

    /// [`describe`](Self::describe) followed by every containers.conf key set, each
    /// with its value and file: `(key, value, origin)` for `berth info`.
    pub fn describe_all(&self) -> Vec<(String, String, Origin)> {
        let mut out: Vec<(String, String, Origin)> = self
            .describe()
            .into_iter()
            .map(|(k, v, o)| (k.name().to_owned(), v, o))
            .collect();
        for (k, l) in self.config.containers_conf.iter() {
            out.push((
                k.to_owned(),
                l.value.to_string(),
                Origin::File(l.file.clone()),
            ));
        }
        out
    }
}

/// Builds a [`RuntimeConfig`]: defaults, then the file, then options.
///
/// The file is, in order: the one given with [`ConfigLoader::file`] (it must
/// exist); the one named by `BERTH_CONFIG` (it must exist); the discovered
/// one (see [`discover_config_file`]); none.
#[derive(Debug, Clone)]
pub struct ConfigLoader {
    env: Environment,
    file: Option<PathBuf>,
    options: ConfigOptions,
}

impl ConfigLoader {
    /// A loader for `env` with no explicit file and no options.
    pub fn new(env: Environment) -> Self {
        Self {
            env,
            file: None,
            options: ConfigOptions::default(),
        }
    }

    /// Uses `path` as the configuration file (the seed's `NewRuntimeFromConfig`):
    /// it must exist. The path is used as given, not below the environment's root.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Options that override the file and the defaults.
    pub fn options(mut self, options: ConfigOptions) -> Self {
        self.options = options;
        self
    }

    /// Resolves the configuration.
    pub fn load(&self) -> Result<LoadedConfig> {
        let env = &self.env;
        self.options.validate()?;
        let (mut config, pending) = crate::defaults::builtin(env);
        let mut origins = Origins::default();
        // podman's files first: berth.conf and the options override them.
        let podman = crate::containers_conf::apply_podman_files(
            env,
            self.options.default_mounts_file.as_deref(),
            &mut config,
            &mut origins,
        )?;
        config.containers_conf = podman.conf;
        let mut ignored_keys = podman.ignored;

        let chosen: Option<(PathBuf, PathBuf)> = if let Some(p) = &self.file {
            must_exist(p, None)?;
            Some((p.clone(), p.clone()))
        } else if let Some(p) = env.var(CONFIG_ENV_VAR) {
            let p = PathBuf::from(p);
            must_exist(&p, Some(CONFIG_ENV_VAR))?;
            Some((p.clone(), p))
        } else {
            discover_config_file(env).map(|p| (env.host_path(&p), p))
        };

        let mut unknown_keys = Vec::new();
        let file = if let Some((host, shown)) = chosen {
            let text = std::fs::read_to_string(&host).map_err(|source| Error::Read {
                path: shown.clone(),
                source,
            })?;
            if crate::containers_conf::is_containers_conf(&text) {
                // `--config /etc/containers/containers.conf`: read as what it is.
                let more = crate::containers_conf::apply_as_berth_conf(
                    &text,
                    &shown,
                    &mut config,
                    &mut origins,
                )?;
                ignored_keys.extend(more);
            } else {
                let parsed = ConfigFile::parse(&text, &shown)?;
                tracing::debug!(file = %shown.display(), keys = ?parsed.options.keys(), "configuration file read");
                config.apply(&parsed.options, &Origin::File(shown.clone()), &mut origins);
                unknown_keys = parsed.unknown_keys;
            }
            Some(shown)
        } else {
            tracing::debug!("no configuration file; using built-in defaults");
            None
        };

        let mut options = self.options.clone();
        // The seed's rule: a caller who names a hooks dir wants to know when it is missing.
        if options.hooks_dir.is_some() && options.hooks_dir_not_exist_fatal.is_none() {
            options.hooks_dir_not_exist_fatal = Some(true);
        }
        config.apply(&options, &Origin::Option, &mut origins);

        for (key, err) in pending {
            if *origins.get(key) == Origin::Default {
                return Err(err);
            }
        }
        Ok(LoadedConfig {
            config,
            origins,
            file,
            unknown_keys,
            ignored_keys,
        })
    }
}

fn must_exist(path: &Path, via: Option<&str>) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::ConfigFileMissing {
            path: path.to_path_buf(),
            via: via.map(str::to_owned),
        }),
        Err(source) => Err(Error::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The configuration file berth would read for `env` without an explicit
/// one, as the configuration names it (without the root prefix).
///
/// Rootless: `$XDG_CONFIG_HOME/berth/berth.conf`, else
/// `~/.config/berth/berth.conf`. Root: `/etc/berth/berth.conf` if present,
/// else `/usr/share/berth/berth.conf`. `None` when the file is absent (the
/// built-in defaults apply).
pub fn discover_config_file(env: &Environment) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = if env.is_rootless() {
        user_config_file(env).into_iter().collect()
    } else {
        vec![
            PathBuf::from(ADMIN_CONFIG_PATH),
            PathBuf::from(VENDOR_CONFIG_PATH),
        ]
    };
    candidates.into_iter().find(|p| env.host_path(p).exists())
}

/// The rootless user's configuration file path (whether or not it exists).
pub fn user_config_file(env: &Environment) -> Option<PathBuf> {
    crate::paths::config_home(env).map(|c| c.join("berth/berth.conf"))
}

impl RuntimeConfig {
    /// Defaults overlaid by the discovered file (or `BERTH_CONFIG`) — the seed's `NewRuntime`.
    pub fn load(env: &Environment) -> Result<LoadedConfig> {
        ConfigLoader::new(env.clone()).load()
    }

    /// Defaults overlaid by `path`, which must exist — the seed's `NewRuntimeFromConfig`.
    pub fn from_file(path: impl AsRef<Path>, env: &Environment) -> Result<LoadedConfig> {
        ConfigLoader::new(env.clone()).file(path.as_ref()).load()
    }
}

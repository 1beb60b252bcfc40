//! storage.conf (containers/storage): the driver and the store's locations.

use std::path::{Path, PathBuf};

use toml::de::DeValue;

use super::parse::{IgnoredKey, UNSUPPORTED};
use crate::config::ConfigOptions;
use crate::doc::{in_file_order, Doc, Value};
use crate::{Environment, Error, Result, StorageDriver};

/// Names the storage.conf to read in place of the search; it must exist.
pub const STORAGE_CONF_ENV_VAR: &str = "CONTAINERS_STORAGE_CONF";
/// The distribution's storage.conf.
pub const STORAGE_CONF_VENDOR_PATH: &str = "/usr/share/containers/storage.conf";
/// The administrator's storage.conf, read in place of the distribution's when present.
pub const STORAGE_CONF_ADMIN_PATH: &str = "/etc/containers/storage.conf";

/// The storage.conf berth reads for `env` as `(on disk, as named)`, like
/// containers/storage: `CONTAINERS_STORAGE_CONF` (it must exist); else, rootless,
/// `~/.config/containers/storage.conf` when present; else
/// `/etc/containers/storage.conf`, else `/usr/share/containers/storage.conf`.
pub fn storage_conf_file(env: &Environment) -> Result<Option<(PathBuf, PathBuf)>> {
    if let Some(p) = env.var(STORAGE_CONF_ENV_VAR) {
        let p = PathBuf::from(p);
        if std::fs::metadata(&p).is_err() {
            return Err(Error::ConfigFileMissing {
                path: p,
                via: Some(STORAGE_CONF_ENV_VAR.to_owned()),
            });
        }
        return Ok(Some((p.clone(), p)));
    }
    let mut candidates = Vec::new();
    if env.is_rootless() {
        candidates.extend(user_file(env));
    }
    candidates.push(PathBuf::from(STORAGE_CONF_ADMIN_PATH));
    candidates.push(PathBuf::from(STORAGE_CONF_VENDOR_PATH));
    Ok(candidates
        .into_iter()
        .map(|p| (env.host_path(&p), p))
        .find(|(host, _)| host.is_file()))
}

fn user_file(env: &Environment) -> Option<PathBuf> {
    crate::paths::config_home(env).map(|c| c.join("containers/storage.conf"))
}

pub(crate) struct StorageConf {
    pub options: ConfigOptions,
    pub ignored: Vec<IgnoredKey>,
}

/// Reads storage.conf: `driver`, `graphroot`, `runroot` (root, or a rootless user's own
/// file) and `rootless_storage_path` (rootless) apply; every other key is one warning.
pub(crate) fn read(host: &Path, shown: &Path, env: &Environment) -> Result<StorageConf> {
    let text = std::fs::read_to_string(host).map_err(|source| Error::Read {
        path: shown.to_path_buf(),
        source,
    })?;
    parse(&text, shown, env)
}

pub(crate) fn parse(text: &str, shown: &Path, env: &Environment) -> Result<StorageConf> {
    let (doc, table) = Doc::parse(text, shown)?;
    let own_file = !env.is_rootless() || user_file(env).as_deref() == Some(shown);
    let mut out = StorageConf {
        options: ConfigOptions::default(),
        ignored: Vec::new(),
    };
    for (tkey, tval) in in_file_order(&table) {
        let tname: &str = tkey.get_ref();
        if tname != "storage" {
            return Err(doc.invalid(
                tname,
                tkey.span(),
                "the [storage] table of storage.conf",
                format!("unknown table [{tname}]"),
            ));
        }
        for (k, v) in in_file_order(doc.table(tname, tval)?) {
            let name = format!("storage.{}", k.get_ref());
            let path = |v: &Value<'_>| -> Result<PathBuf> {
                let s = doc.string(&name, v)?;
                if Path::new(&s).is_absolute() {
                    Ok(PathBuf::from(s))
                } else {
                    Err(doc.invalid(&name, v.span(), "an absolute path", format!("{s:?}")))
                }
            };
            match k.get_ref().as_ref() {
                "driver" => {
                    let d = doc.string(&name, v)?;
                    out.options.storage_driver = Some(match d.as_str() {
                        "overlay" | "overlay2" => StorageDriver::Overlay,
                        "vfs" => StorageDriver::Vfs,
                        // Empty: containers/storage picks one; berth's default.
                        "" => continue,
                        _ => {
                            return Err(doc.invalid(
                                &name,
                                v.span(),
                                r#""overlay" or "vfs" (the drivers berth has)"#,
                                format!("string {d:?}"),
                            ))
                        }
                    });
                }
                "graphroot" => {
                    let p = path(v)?;
                    if own_file {
                        out.options.graph_root = Some(p);
                    }
                }
                "runroot" => {
                    let p = path(v)?;
                    if own_file {
                        out.options.run_root = Some(p);
                    }
                }
                "rootless_storage_path" => {
                    let s = doc.string(&name, v)?;
                    if env.is_rootless() && out.options.graph_root.is_none() {
                        let p = expand(&s, env);
                        if !p.is_absolute() {
                            return Err(doc.invalid(
                                &name,
                                v.span(),
                                "an absolute path",
                                format!("{s:?}"),
                            ));
                        }
                        out.options.graph_root = Some(p);
                    }
                }
                _ => warn_leaves(&doc, &name, v, &mut out.ignored),
            }
        }
    }
    Ok(out)
}

/// One warning for each non-empty value under `name` (tables are walked).
fn warn_leaves(doc: &Doc<'_>, name: &str, v: &Value<'_>, ignored: &mut Vec<IgnoredKey>) {
    match v.get_ref() {
        DeValue::Table(t) => {
            for (k, item) in in_file_order(t) {
                warn_leaves(doc, &format!("{name}.{}", k.get_ref()), item, ignored);
            }
        }
        DeValue::Array(a) if a.is_empty() => {}
        _ => ignored.push(doc.ignored(name.to_owned(), v.span(), UNSUPPORTED)),
    }
}

/// `$HOME`, `$UID` and `$USER` in `rootless_storage_path`.
fn expand(s: &str, env: &Environment) -> PathBuf {
    let home = env
        .home()
        .map(|h| h.display().to_string())
        .unwrap_or_default();
    let user = env.var("USER").unwrap_or_default().to_owned();
    PathBuf::from(
        s.replace("$HOME", &home)
            .replace("$UID", &env.uid().to_string())
            .replace("$USER", &user),
    )
}

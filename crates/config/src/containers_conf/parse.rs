//! Reading one containers.conf file: every key type-checked against podman
//! 4.3.1's schema, the applied keys value-checked, the others warned about.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::de::DeValue;

use super::rules;
use super::schema::{lookup, Support, Type, TABLES};
use crate::doc::{describe, in_file_order, Doc, Value};
use crate::{Error, Result};

/// A value read from containers.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An array of strings.
    Strs(Vec<String>),
    /// A table of string arrays (`[engine.runtimes]`); a table of strings is
    /// kept with one-item arrays.
    Map(BTreeMap<String, Vec<String>>),
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Str(s) => f.write_str(s),
            Setting::Bool(b) => write!(f, "{b}"),
            Setting::Int(i) => write!(f, "{i}"),
            Setting::Strs(v) => write!(f, "[{}]", v.join(", ")),
            Setting::Map(m) => {
                let items: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k} = [{}]", v.join(", ")))
                    .collect();
                write!(f, "{{{}}}", items.join("; "))
            }
        }
    }
}

/// A key of a containers.conf or storage.conf file that berth accepts without
/// applying it; each was logged as one warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredKey {
    /// The key, dotted with its table (`engine.lock_type`).
    pub key: String,
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Why it has no effect.
    pub reason: String,
}

impl fmt::Display for IgnoredKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: `{}` ignored: {}",
            self.file.display(),
            self.line,
            self.column,
            self.key,
            self.reason
        )
    }
}

pub(crate) const PENDING: &str = "berth does not have this feature yet";
pub(crate) const UNSUPPORTED: &str = "berth does not support it";

impl Doc<'_> {
    pub(crate) fn ignored(
        &self,
        key: String,
        span: std::ops::Range<usize>,
        reason: &str,
    ) -> IgnoredKey {
        let (line, column) = crate::doc::line_column(self.text, span.start);
        tracing::warn!(key = %key, file = %self.path.display(), line, column, reason, "configuration key ignored");
        IgnoredKey {
            key,
            file: self.path.to_path_buf(),
            line,
            column,
            reason: reason.to_owned(),
        }
    }
}

/// One applied key of a file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub key: &'static str,
    pub value: Setting,
    pub line: usize,
    pub column: usize,
}

/// What one containers.conf file sets.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub entries: Vec<Entry>,
    pub ignored: Vec<IgnoredKey>,
}

/// Parses containers.conf text; `path` is only used in messages.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Parsed> {
    let (doc, table) = Doc::parse(text, path)?;
    let mut out = Parsed::default();
    for (tkey, tval) in in_file_order(&table) {
        let tname: &str = tkey.get_ref();
        if !TABLES.contains(&tname) {
            return Err(doc.invalid(
                tname,
                tkey.span(),
                "a table of containers.conf ([containers], [engine], [machine], [network], [secrets] or [configmaps])",
                format!("unknown table [{tname}]"),
            ));
        }
        let t = doc.table(tname, tval)?;
        for (k, v) in in_file_order(t) {
            let name = format!("{tname}.{}", k.get_ref());
            let Some((key, ty, support)) = lookup(&name) else {
                out.ignored.push(doc.ignored(
                    name,
                    k.span(),
                    "podman 4.3.1's containers.conf has no such key",
                ));
                continue;
            };
            let value = read(&doc, key, ty, v)?;
            let empty_table = matches!(&value, Some(Setting::Map(m)) if m.is_empty());
            match support {
                Support::Applied => {
                    let Some(value) = value else { continue };
                    check(&doc, key, &value, v)?;
                    if key == "network.network_backend" && value == Setting::Str("netavark".into())
                    {
                        out.ignored.push(doc.ignored(
                            name,
                            v.span(),
                            "the netavark network backend is not supported; berth uses CNI",
                        ));
                        continue;
                    }
                    let (line, column) = crate::doc::line_column(text, v.span().start);
                    out.entries.push(Entry {
                        key,
                        value,
                        line,
                        column,
                    });
                }
                Support::Pending if !empty_table => {
                    out.ignored.push(doc.ignored(name, k.span(), PENDING));
                }
                Support::Unsupported if !empty_table => {
                    out.ignored.push(doc.ignored(name, k.span(), UNSUPPORTED));
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Reads `v` as `ty`; `None` for [`Type::Any`] (not kept).
fn read(doc: &Doc<'_>, key: &str, ty: Type, v: &Value<'_>) -> Result<Option<Setting>> {
    Ok(Some(match ty {
        Type::Str => Setting::Str(doc.string(key, v)?),
        Type::Bool => Setting::Bool(doc.bool(key, v)?),
        Type::Int => Setting::Int(doc.i64(key, v)?),
        Type::Strs => Setting::Strs(doc.strings(key, v)?),
        Type::IntOrStr => match v.get_ref() {
            DeValue::String(s) => Setting::Str(s.to_string()),
            _ => Setting::Int(doc.i64(key, v)?),
        },
        Type::StrMap | Type::StrsMap => {
            let t = doc.table(key, v)?;
            let mut m = BTreeMap::new();
            for (k, item) in in_file_order(t) {
                let sub = format!("{key}.{}", k.get_ref());
                let list = if ty == Type::StrMap {
                    vec![doc.string(&sub, item)?]
                } else {
                    doc.strings(&sub, item)?
                };
                m.insert(k.get_ref().to_string(), list);
            }
            Setting::Map(m)
        }
        Type::Any => return Ok(None),
    }))
}

/// The value rules of the applied keys.
fn check(doc: &Doc<'_>, key: &str, value: &Setting, v: &Value<'_>) -> Result<()> {
    let fail =
        |expected: String| -> Error { doc.invalid(key, v.span(), expected, describe(v.get_ref())) };
    let each = |rule: fn(&str) -> std::result::Result<(), String>| -> Result<()> {
        if let Setting::Strs(items) = value {
            for item in items {
                rule(item).map_err(|e| doc.invalid(key, v.span(), e, format!("{item:?}")))?;
            }
        }
        Ok(())
    };
    let absolute = |p: &str| -> std::result::Result<(), String> {
        if Path::new(p).is_absolute() {
            Ok(())
        } else {
            Err("absolute paths".to_owned())
        }
    };
    match (key, value) {
        ("containers.default_ulimits", _) => each(rules::ulimit),
        ("containers.default_sysctls", _) => each(rules::sysctl),
        ("containers.default_capabilities", _) => each(rules::capability),
        ("containers.dns_servers", _) => each(rules::ip),
        ("containers.volumes", _) => each(rules::volume),
        ("containers.devices", _) => {
            each(|d| {
                if d.starts_with('/') {
                    Ok(())
                } else {
                    Err(r#"devices written as "HOST[:CONTAINER][:PERMISSIONS]" with an absolute HOST"#.to_owned())
                }
            })
        }
        ("containers.seccomp_profile", Setting::Str(p)) if p != "unconfined" => {
            absolute(p).map_err(|_| fail(r#"an absolute path or "unconfined""#.into()))
        }
        ("containers.env" | "engine.conmon_env_vars" | "engine.env", _) => {
            each(crate::validate::env_var)
        }
        (
            "engine.conmon_path"
            | "engine.runtime_path"
            | "engine.hooks_dir"
            | "network.cni_plugin_dirs",
            Setting::Strs(items),
        ) => {
            if items.is_empty() {
                return Err(fail("a list of at least one absolute path".into()));
            }
            each(absolute)
        }
        ("engine.runtimes", Setting::Map(m)) => {
            for (name, paths) in m {
                for p in paths {
                    absolute(p).map_err(|e| {
                        doc.invalid(&format!("{key}.{name}"), v.span(), e, format!("{p:?}"))
                    })?;
                }
            }
            Ok(())
        }
        (
            "engine.static_dir"
            | "engine.tmp_dir"
            | "engine.volume_path"
            | "network.network_config_dir",
            Setting::Str(s),
        ) => absolute(s).map_err(|_| fail("an absolute path".into())),
        (
            "containers.cgroupns" | "containers.ipcns" | "containers.pidns" | "containers.utsns",
            Setting::Str(s),
        ) => rules::namespace(s).map_err(fail),
        ("containers.shm_size", Setting::Str(s)) => rules::size(s).map(|_| ()).map_err(fail),
        ("containers.umask", Setting::Str(s)) => rules::umask(s).map(|_| ()).map_err(fail),
        ("containers.log_driver", Setting::Str(s)) => rules::log_driver(s).map_err(fail),
        ("containers.pids_limit", Setting::Int(n)) => crate::validate::pids_limit(*n).map_err(fail),
        ("containers.log_size_max", Setting::Int(n)) => {
            crate::validate::max_log_size(*n).map_err(fail)
        }
        ("engine.stop_timeout" | "engine.num_locks", Setting::Int(n)) if *n < 0 => {
            Err(fail("a number of at least 0".into()))
        }
        ("engine.cgroup_manager", Setting::Str(s)) => {
            rules::one_of(s, &["cgroupfs", "systemd"]).map_err(fail)
        }
        ("engine.image_default_transport", Setting::Str(s)) => {
            crate::validate::transport(s).map_err(fail)
        }
        ("network.default_network", Setting::Str(s)) => {
            crate::validate::network_name(s).map_err(fail)
        }
        ("containers.netns", Setting::Str(s)) => {
            rules::one_of(s, &["", "bridge", "private", "host", "none"]).map_err(fail)
        }
        ("engine.events_logger", Setting::Str(s)) => {
            rules::one_of(s, &["file", "journald", "none"]).map_err(fail)
        }
        ("engine.pull_policy", Setting::Str(s)) => {
            rules::one_of(s, &["always", "missing", "never", "newer"]).map_err(fail)
        }
        ("engine.detach_keys", Setting::Str(s)) => rules::detach_keys(s).map_err(fail),
        ("network.default_subnet", Setting::Str(s)) => rules::cidr(s).map_err(fail),
        ("secrets.driver", Setting::Str(s)) => rules::one_of(s, &["file"])
            .map_err(|_| fail(r#""file" (berth's only secrets driver)"#.into())),
        ("network.network_backend", Setting::Str(s)) => {
            rules::one_of(s, &["", "cni", "netavark"]).map_err(fail)
        }
        _ => Ok(()),
    }
}

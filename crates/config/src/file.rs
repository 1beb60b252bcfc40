//! The configuration file: TOML with libpod.conf's keys and a `[storage]` table.

use std::path::{Path, PathBuf};

use crate::config::{ConfigOptions, Key, RuntimeConfig};
use crate::doc::{Doc, UnknownKey, Value};
use crate::validate;
use crate::Result;

/// What a configuration file sets, and the keys it has that berth ignores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// The values the file sets (the code-only keys stay `None`).
    pub options: ConfigOptions,
    /// Keys berth does not know, each already logged as a warning.
    pub unknown_keys: Vec<UnknownKey>,
}

impl ConfigFile {
    /// Reads and parses `path` (which must exist).
    pub fn read(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses configuration text; `path` is only used in messages.
    ///
    /// Unknown keys are collected and logged (one `tracing` warning each);
    /// a wrong type or a bad value is an error naming the file, line, column,
    /// key and what is expected.
    pub fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
        let (doc, table) = Doc::parse(text, path)?;
        let mut out = ConfigFile::default();
        for (key, value) in crate::doc::in_file_order(&table) {
            let name: &str = key.get_ref();
            if name == "storage" {
                read_storage(&doc, value, &mut out)?;
                continue;
            }
            match Key::ALL
                .into_iter()
                .find(|k| k.in_file() && k.name() == name)
            {
                Some(k) => read_key(&doc, k, value, &mut out.options)?,
                None => out
                    .unknown_keys
                    .push(doc.unknown(name.to_owned(), key.span())),
            }
        }
        Ok(out)
    }
}

fn read_storage(doc: &Doc<'_>, value: &Value<'_>, out: &mut ConfigFile) -> Result<()> {
    let table = doc.table("storage", value)?;
    for (key, v) in crate::doc::in_file_order(table) {
        let name: &str = key.get_ref();
        match name {
            "graph_root" => read_key(doc, Key::GraphRoot, v, &mut out.options)?,
            "run_root" => read_key(doc, Key::RunRoot, v, &mut out.options)?,
            "driver" => read_key(doc, Key::StorageDriver, v, &mut out.options)?,
            other => out
                .unknown_keys
                .push(doc.unknown(format!("storage.{other}"), key.span())),
        }
    }
    Ok(())
}

fn path(doc: &Doc<'_>, key: Key, v: &Value<'_>) -> Result<PathBuf> {
    let p = PathBuf::from(doc.string_as(key.name(), v, "an absolute path (a string)")?);
    doc.check(key.name(), v, validate::path(key, &p))?;
    Ok(p)
}

fn paths(doc: &Doc<'_>, key: Key, v: &Value<'_>) -> Result<Vec<PathBuf>> {
    let items = doc.array(key.name(), v, "an array of absolute paths")?;
    if items.is_empty() {
        doc.check(key.name(), v, validate::path_list(key, &[]))?;
    }
    items.iter().map(|item| path(doc, key, item)).collect()
}

fn read_key(doc: &Doc<'_>, key: Key, v: &Value<'_>, o: &mut ConfigOptions) -> Result<()> {
    let name = key.name();
    match key {
        Key::ImageDefaultTransport => {
            let s = doc.string(name, v)?;
            doc.check(name, v, validate::transport(&s))?;
            o.image_default_transport = Some(s);
        }
        Key::SignaturePolicyPath => o.signature_policy_path = Some(path(doc, key, v)?),
        Key::RuntimePath => o.runtime_path = Some(paths(doc, key, v)?),
        Key::ConmonPath => o.conmon_path = Some(paths(doc, key, v)?),
        Key::ConmonEnvVars => {
            let vars = doc.strings(name, v)?;
            let items = doc.array(name, v, "an array of strings")?;
            for (var, item) in vars.iter().zip(items) {
                doc.check(name, item, validate::env_var(var))?;
            }
            o.conmon_env_vars = Some(vars);
        }
        Key::CgroupManager => o.cgroup_manager = Some(doc.parsed(name, v)?),
        Key::StaticDir => o.static_dir = Some(path(doc, key, v)?),
        Key::TmpDir => o.tmp_dir = Some(path(doc, key, v)?),
        Key::MaxLogSize => {
            let n = doc.i64(name, v)?;
            doc.check(name, v, validate::max_log_size(n))?;
            o.max_log_size = Some(n);
        }
        Key::PidsLimit => {
            let n = doc.i64(name, v)?;
            doc.check(name, v, validate::pids_limit(n))?;
            o.pids_limit = Some(n);
        }
        Key::NoPivotRoot => o.no_pivot_root = Some(doc.bool(name, v)?),
        Key::CniConfigDir => o.cni_config_dir = Some(path(doc, key, v)?),
        Key::CniPluginDir => o.cni_plugin_dir = Some(paths(doc, key, v)?),
        Key::HooksDir => o.hooks_dir = Some(hooks_dir(doc, v)?),
        Key::CniDefaultNetwork => {
            let s = doc.string(name, v)?;
            doc.check(name, v, validate::network_name(&s))?;
            o.cni_default_network = Some(s);
        }
        Key::HooksDirNotExistFatal => o.hooks_dir_not_exist_fatal = Some(doc.bool(name, v)?),
        Key::Namespace => o.namespace = Some(doc.string(name, v)?),
        Key::GraphRoot => o.graph_root = Some(path(doc, key, v)?),
        Key::RunRoot => o.run_root = Some(path(doc, key, v)?),
        Key::StorageDriver => o.storage_driver = Some(doc.parsed(name, v)?),
        Key::StateType | Key::DefaultMountsFile => {
            unreachable!("code-only keys are never read from the file")
        }
    }
    Ok(())
}

/// `hooks_dir` is a string; later libpod.conf files write it as an array,
/// which berth accepts when it holds exactly one directory.
fn hooks_dir(doc: &Doc<'_>, v: &Value<'_>) -> Result<PathBuf> {
    let key = Key::HooksDir;
    if let Some(items) = v.get_ref().as_array() {
        if let [one] = &items[..] {
            return path(doc, key, one);
        }
        return Err(doc.invalid(
            key.name(),
            v.span(),
            "one hooks directory (a string, or an array with exactly one string)",
            crate::doc::describe(v.get_ref()),
        ));
    }
    if !v.get_ref().is_str() {
        return Err(doc.invalid(
            key.name(),
            v.span(),
            "a hooks directory path (string)",
            crate::doc::describe(v.get_ref()),
        ));
    }
    path(doc, key, v)
}

impl RuntimeConfig {
    /// This configuration as a configuration file (every file key; the
    /// code-only `state_type` and `default_mounts_file` are left out).
    /// Reading it back gives the same values.
    pub fn to_toml(&self) -> String {
        use toml::{Table, Value as V};
        fn s(p: &Path) -> V {
            V::String(p.to_string_lossy().into_owned())
        }
        fn list(ps: &[PathBuf]) -> V {
            V::Array(ps.iter().map(|p| s(p)).collect())
        }
        let mut t = Table::new();
        t.insert(
            "image_default_transport".into(),
            V::String(self.image_default_transport.clone()),
        );
        t.insert(
            "signature_policy_path".into(),
            s(&self.signature_policy_path),
        );
        t.insert("runtime_path".into(), list(&self.runtime_path));
        t.insert("conmon_path".into(), list(&self.conmon_path));
        t.insert(
            "conmon_env_vars".into(),
            V::Array(
                self.conmon_env_vars
                    .iter()
                    .cloned()
                    .map(V::String)
                    .collect(),
            ),
        );
        t.insert(
            "cgroup_manager".into(),
            V::String(self.cgroup_manager.to_string()),
        );
        t.insert("static_dir".into(), s(&self.static_dir));
        t.insert("tmp_dir".into(), s(&self.tmp_dir));
        t.insert("max_log_size".into(), V::Integer(self.max_log_size));
        t.insert("pids_limit".into(), V::Integer(self.pids_limit));
        t.insert("no_pivot_root".into(), V::Boolean(self.no_pivot_root));
        t.insert("cni_config_dir".into(), s(&self.cni_config_dir));
        t.insert("cni_plugin_dir".into(), list(&self.cni_plugin_dir));
        t.insert("hooks_dir".into(), s(&self.hooks_dir));
        t.insert(
            "cni_default_network".into(),
            V::String(self.cni_default_network.clone()),
        );
        t.insert(
            "hooks_dir_not_exist_fatal".into(),
            V::Boolean(self.hooks_dir_not_exist_fatal),
        );
        t.insert("namespace".into(), V::String(self.namespace.clone()));
        let mut storage = Table::new();
        storage.insert("graph_root".into(), s(&self.storage.graph_root));
        storage.insert("run_root".into(), s(&self.storage.run_root));
        storage.insert("driver".into(), V::String(self.storage.driver.to_string()));
        t.insert("storage".into(), V::Table(storage));
        toml::to_string(&t).expect("a table of strings, integers and booleans always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_in_the_storage_table_are_named_with_their_table() {
        let text = "[storage]\ndriver = \"vfs\"\noptions = [\"x\"]\n";
        let file = ConfigFile::parse(text, Path::new("/b.conf")).unwrap();
        assert_eq!(file.options.storage_driver, Some(crate::StorageDriver::Vfs));
        assert_eq!(file.unknown_keys.len(), 1);
        assert_eq!(
            file.unknown_keys[0].to_string(),
            "/b.conf:3:1: unknown key `storage.options` ignored"
        );
    }

    #[test]
    fn code_only_keys_in_the_file_are_unknown() {
        let file = ConfigFile::parse("state_type = \"memory\"\n", Path::new("/b.conf")).unwrap();
        assert_eq!(file.options.state_type, None);
        assert_eq!(file.unknown_keys[0].key, "state_type");
    }

    #[test]
    fn hooks_dir_array_of_one_is_accepted_and_must_be_absolute() {
        let file = ConfigFile::parse("hooks_dir = [\"/h\"]\n", Path::new("/b.conf")).unwrap();
        assert_eq!(file.options.hooks_dir, Some(PathBuf::from("/h")));
        let err = ConfigFile::parse("hooks_dir = [\"\"]\n", Path::new("/b.conf")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/b.conf:1:14: `hooks_dir`: expected a hooks directory; an empty"),
            "{err}"
        );
        let err = ConfigFile::parse("hooks_dir = []\n", Path::new("/b.conf")).unwrap_err();
        assert!(err.to_string().ends_with("found an empty array"), "{err}");
    }

    #[test]
    fn empty_file_sets_nothing() {
        let file = ConfigFile::parse("# nothing\n", Path::new("/b.conf")).unwrap();
        assert_eq!(file, ConfigFile::default());
    }

    #[test]
    fn read_names_a_missing_file() {
        let err = ConfigFile::read(Path::new("/nonexistent/berth.conf")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read /nonexistent/berth.conf: "),
            "{err}"
        );
    }
}

//! CNI network configuration: loading `*.conflist`, `*.conf` and `*.json`
//! files from a directory in name order, validating them, and building the
//! per-plugin stdin the spec asks for (PROTOCOLS §9.2).

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::ports::PortMapping;

/// The oldest and newest config versions berth drives.
pub const MIN_CNI_VERSION: (u32, u32, u32) = (0, 3, 0);
/// See [`MIN_CNI_VERSION`].
pub const MAX_CNI_VERSION: (u32, u32, u32) = (1, 0, 0);

/// One plugin entry of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginConfig {
    /// The plugin `type` (binary name).
    pub plugin_type: String,
    /// Capabilities declared `true`.
    pub capabilities: Vec<String>,
    /// The whole object as written (unknown keys pass through).
    pub raw: Map<String, Value>,
}

/// A network configuration list (a `.conf` is turned into a list of one).
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkConfigList {
    /// `cniVersion`.
    pub cni_version: String,
    /// `name`.
    pub name: String,
    /// `disableCheck`.
    pub disable_check: bool,
    /// The plugins, in order.
    pub plugins: Vec<PluginConfig>,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    /// The list as JSON (what attachments store).
    pub raw: Value,
}

/// Checks a network name by berth-config's name rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most
/// 200 bytes (`NAME.conflist` must fit a file name).
pub fn check_network_name(name: &str) -> Result<()> {
    berth_config::check_name(berth_config::NameKind::Network, name).map_err(|e| {
        Error::InvalidArgument {
            what: "network name",
            value: name.to_string(),
            reason: e.to_string(),
        }
    })
}

/// Parses `X.Y.Z` into numbers.
pub(crate) fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let mut it = v.split('.').map(str::parse::<u32>);
    let out = (it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?);
    it.next().is_none().then_some(out)
}

impl NetworkConfigList {
    /// Parses and validates a list (`is_list`) or a single plugin config.
    /// `origin` names the source in errors.
    pub fn from_value(value: Value, is_list: bool, origin: &Path) -> Result<Self> {
        let bad = |reason: String| Error::config(origin, reason);
        let obj = value
            .as_object()
            .ok_or_else(|| bad("top level must be a JSON object".into()))?;
        let cni_version = match obj.get("cniVersion") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad("\"cniVersion\" must be a string".into())),
            None => return Err(bad("missing \"cniVersion\"".into())),
        };
        match parse_version(&cni_version) {
            Some(v) if (MIN_CNI_VERSION..=MAX_CNI_VERSION).contains(&v) => {}
            _ => {
                return Err(bad(format!(
                    "unsupported cniVersion {cni_version:?}; berth supports 0.3.0 to 1.0.0"
                )))
            }
        }
        let name = match obj.get("name") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad("\"name\" must be a string".into())),
            None => return Err(bad("missing \"name\"".into())),
        };
        check_network_name(&name).map_err(|e| bad(e.to_string()))?;
        let disable_check = match obj.get("disableCheck") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
            Some(_) => return Err(bad("\"disableCheck\" must be a boolean".into())),
        };
        let plugin_values: Vec<Value> = if is_list {
            match obj.get("plugins") {
                Some(Value::Array(a)) if !a.is_empty() => a.clone(),
                Some(Value::Array(_)) => return Err(bad("\"plugins\" is empty".into())),
                Some(_) => return Err(bad("\"plugins\" must be an array".into())),
                None => return Err(bad("missing \"plugins\"".into())),
            }
        } else {
            vec![value.clone()]
        };
        let mut plugins = Vec::with_capacity(plugin_values.len());
        for (i, p) in plugin_values.into_iter().enumerate() {
            let Value::Object(raw) = p else {
                return Err(bad(format!("plugins[{i}] must be an object")));
            };
            let plugin_type = match raw.get("type") {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::String(_)) | None => {
                    return Err(bad(format!("plugins[{i}] misses \"type\"")))
                }
                Some(_) => return Err(bad(format!("plugins[{i}].type must be a string"))),
            };
            if plugin_type.contains('/') || plugin_type.starts_with('.') {
                return Err(bad(format!(
                    "plugins[{i}].type {plugin_type:?} must be a plain binary name"
                )));
            }
            let capabilities = match raw.get("capabilities") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Object(c)) => c
                    .iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| k.clone())
                    .collect(),
                Some(_) => return Err(bad(format!("plugins[{i}].capabilities must be an object"))),
            };
            plugins.push(PluginConfig {
                plugin_type,
                capabilities,
                raw,
            });
        }
        let raw = if is_list {
            value
        } else {
            serde_json::json!({
                "cniVersion": cni_version,
                "name": name,
                "plugins": [value],
            })
        };
        Ok(Self {
            cni_version,
            name,
            disable_check,
            plugins,
            path: Some(origin.to_path_buf()),
            raw,
        })
    }

    /// Reads one file; `.conflist` is a list, `.conf`/`.json` a single
    /// plugin config (or a list, when it has `plugins`).
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        let value: Value = serde_json::from_slice(&text)
            .map_err(|e| Error::config(path, format!("invalid JSON: {e}")))?;
        let is_list =
            path.extension().is_some_and(|e| e == "conflist") || value.get("plugins").is_some();
        Self::from_value(value, is_list, path)
    }

    /// Parses a list stored in an attachment.
    pub fn from_stored(value: &Value) -> Result<Self> {
        let mut list = Self::from_value(value.clone(), true, Path::new("<stored attachment>"))?;
        list.path = None;
        Ok(list)
    }

    /// Builds the stdin of plugin `index` (§9.2): the plugin object minus
    /// `capabilities`, plus the list's `cniVersion` and `name`, plus
    /// `runtimeConfig` for the capabilities it declares that the runtime
    /// supplies, plus `prevResult` when given.
    pub fn plugin_stdin(
        &self,
        index: usize,
        port_mappings: &[PortMapping],
        prev_result: Option<Value>,
    ) -> Value {
        let plugin = &self.plugins[index];
        let mut obj = plugin.raw.clone();
        obj.remove("capabilities");
        obj.insert("cniVersion".into(), Value::String(self.cni_version.clone()));
        obj.insert("name".into(), Value::String(self.name.clone()));
        let mut runtime = Map::new();
        if plugin.capabilities.iter().any(|c| c == "portMappings") && !port_mappings.is_empty() {
            runtime.insert(
                "portMappings".into(),
                crate::ports::wire::to_value(port_mappings),
            );
        }
        if runtime.is_empty() {
            obj.remove("runtimeConfig");
        } else {
            obj.insert("runtimeConfig".into(), Value::Object(runtime));
        }
        match prev_result {
            Some(prev) => {
                obj.insert("prevResult".into(), prev);
            }
            None => {
                obj.remove("prevResult");
            }
        }
        Value::Object(obj)
    }

    /// The bridge name of the first `bridge` plugin, if any.
    pub fn bridge_name(&self) -> Option<String> {
        self.plugins
            .iter()
            .find(|p| p.plugin_type == "bridge")
            .map(|p| {
                p.raw
                    .get("bridge")
                    .and_then(Value::as_str)
                    .unwrap_or("cni0")
                    .to_string()
            })
    }

    /// Where host-local keeps this network's leases (`ipam.dataDir`, else host-local's
    /// default /var/lib/cni/networks, then the network name), when its IPAM is host-local.
    pub fn host_local_store(&self) -> Option<PathBuf> {
        self.plugins.iter().find_map(|p| {
            let ipam = p.raw.get("ipam")?;
            if ipam.get("type").and_then(Value::as_str) != Some("host-local") {
                return None;
            }
            let dir = ipam
                .get("dataDir")
                .and_then(Value::as_str)
                .unwrap_or("/var/lib/cni/networks");
            Some(Path::new(dir).join(&self.name))
        })
    }

    /// Subnets of host-local IPAM in this list (`ranges` and legacy `subnet`).
    pub fn subnets(&self) -> Vec<String> {
        self.ipam_ranges()
            .filter_map(|r| r.get("subnet").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }

    /// Every IPAM range object of the list: each plugin's `ipam` itself (its legacy
    /// `subnet`/`gateway`), then each entry of its `ranges` sets.
    pub fn ipam_ranges(&self) -> impl Iterator<Item = &Value> {
        self.plugins
            .iter()
            .filter_map(|p| p.raw.get("ipam"))
            .flat_map(|ipam| {
                let sets = ipam.get("ranges").and_then(Value::as_array);
                std::iter::once(ipam).chain(
                    sets.into_iter()
                        .flatten()
                        .flat_map(|set| set.as_array().into_iter().flatten()),
                )
            })
    }

    /// The leases in this network's host-local store (files named by an IPv4 address), in
    /// address order. host-local writes `ID\r\nIFNAME` (older versions: the id alone); an
    /// unreadable file gives an empty id.
    pub fn host_local_leases(&self) -> Vec<HostLocalLease> {
        let Some(store) = self.host_local_store() else {
            return Vec::new();
        };
        let Ok(dir) = std::fs::read_dir(&store) else {
            return Vec::new();
        };
        let mut out: Vec<HostLocalLease> = dir
            .flatten()
            .filter_map(|e| {
                let ip: Ipv4Addr = e.file_name().to_str()?.parse().ok()?;
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                let mut lines = text.lines().map(str::trim);
                Some(HostLocalLease {
                    ip,
                    container_id: lines.next().unwrap_or_default().to_string(),
                    ifname: lines.next().map(str::to_string),
                    path: e.path(),
                })
            })
            .collect();
        out.sort_by_key(|l| l.ip);
        out
    }
}

/// One address host-local leased: to whom, and the file that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLocalLease {
    /// The leased address (the file's name).
    pub ip: Ipv4Addr,
    /// The container id on the file's first line.
    pub container_id: String,
    /// The interface name on its second line, when there is one.
    pub ifname: Option<String>,
    /// The lease file.
    pub path: PathBuf,
}

/// Config files in `dir` with a CNI extension, in name order. A missing
/// directory is empty.
pub fn config_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read directory", dir, e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(std::result::Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|e| e == "conflist" || e == "conf" || e == "json")
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Every config in `dir`, in name order; broken files are returned as errors
/// in place so a caller can list the good ones and report the bad.
pub fn load_all(dir: &Path) -> Result<Vec<Result<NetworkConfigList>>> {
    Ok(config_files(dir)?
        .iter()
        .map(|p| NetworkConfigList::from_file(p))
        .collect())
}

/// The first config in name order whose `name` is `name`. When none
/// matches but some file could not be read, that file's error is returned
/// (it may be the one meant).
pub fn find(dir: &Path, name: &str) -> Result<NetworkConfigList> {
    let mut first_broken = None;
    for res in load_all(dir)? {
        match res {
            Ok(list) if list.name == name => return Ok(list),
            Ok(_) => {}
            Err(e) => {
                first_broken.get_or_insert(e);
            }
        }
    }
    Err(first_broken.unwrap_or_else(|| Error::NetworkNotFound {
        name: name.to_string(),
        dir: dir.to_path_buf(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn loads_in_name_order_and_selects_by_name() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "20-b.conflist",
            r#"{"cniVersion":"0.4.0","name":"net","plugins":[{"type":"bridge"}]}"#,
        );
        write(
            d.path(),
            "10-a.conf",
            r#"{"cniVersion":"1.0.0","name":"net","type":"ptp"}"#,
        );
        write(
            d.path(),
            "30-c.json",
            r#"{"cniVersion":"0.3.1","name":"other","type":"ptp"}"#,
        );
        write(d.path(), "README", "not json");
        let files = config_files(d.path()).unwrap();
        assert_eq!(files.len(), 3);
        let net = find(d.path(), "net").unwrap();
        assert_eq!(net.plugins[0].plugin_type, "ptp", "10-a wins by name order");
        assert_eq!(net.raw["plugins"][0]["type"], "ptp");
        assert_eq!(find(d.path(), "other").unwrap().cni_version, "0.3.1");
        let err = find(d.path(), "nope").unwrap_err();
        assert!(matches!(err, Error::NetworkNotFound { .. }), "{err}");
        assert!(find(Path::new("/nonexistent-berth"), "x").is_err());
    }

    #[test]
    fn bad_configs_name_the_file_and_problem() {
        let d = tempfile::tempdir().unwrap();
        for (text, needle) in [
            ("{", "invalid JSON"),
            ("[]", "must be a JSON object"),
            (
                r#"{"name":"n","plugins":[{"type":"x"}]}"#,
                "missing \"cniVersion\"",
            ),
            (
                r#"{"cniVersion":"0.2.0","name":"n","plugins":[{"type":"x"}]}"#,
                "unsupported cniVersion",
            ),
            (
                r#"{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"x"}]}"#,
                "unsupported cniVersion",
            ),
            (
                r#"{"cniVersion":"abc","name":"n","plugins":[{"type":"x"}]}"#,
                "unsupported cniVersion",
            ),
            (
                r#"{"cniVersion":"1.0.0","plugins":[{"type":"x"}]}"#,
                "missing \"name\"",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"-bad","plugins":[{"type":"x"}]}"#,
                "network name",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"n"}"#,
                "missing \"plugins\"",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"n","plugins":[]}"#,
                "is empty",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"n","plugins":[{}]}"#,
                "plugins[0] misses \"type\"",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../x"}]}"#,
                "plain binary name",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"x","capabilities":1}]}"#,
                "capabilities",
            ),
            (
                r#"{"cniVersion":"1.0.0","name":"n","disableCheck":3,"plugins":[{"type":"x"}]}"#,
                "disableCheck",
            ),
        ] {
            let p = write(d.path(), "x.conflist", text);
            let err = NetworkConfigList::from_file(&p).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
            assert!(err.contains("x.conflist"), "{err}");
        }
        // A broken file is reported when the wanted network is not found elsewhere.
        let err = find(d.path(), "n").unwrap_err().to_string();
        assert!(err.contains("x.conflist"), "{err}");
    }

    #[test]
    fn plugin_stdin_follows_the_spec() {
        let list = NetworkConfigList::from_value(
            json!({"cniVersion":"0.4.0","name":"net","plugins":[
                {"type":"bridge","bridge":"b0","extra":{"k":1}},
                {"type":"portmap","capabilities":{"portMappings":true,"other":false}},
                {"type":"tuning","capabilities":{"mac":true}}
            ]}),
            true,
            Path::new("t"),
        )
        .unwrap();
        let pm = [PortMapping::tcp(8080, 80)];
        let first = list.plugin_stdin(0, &pm, None);
        assert_eq!(
            first,
            json!({"type":"bridge","bridge":"b0","extra":{"k":1},"cniVersion":"0.4.0","name":"net"})
        );
        let prev = json!({"cniVersion": "0.4.0"});
        let second = list.plugin_stdin(1, &pm, Some(prev.clone()));
        assert_eq!(second["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
        assert_eq!(second["prevResult"]["cniVersion"], "0.4.0");
        assert!(second.get("capabilities").is_none());
        let third = list.plugin_stdin(2, &pm, Some(prev));
        assert!(third.get("runtimeConfig").is_none(), "mac not supplied");
        assert!(list
            .plugin_stdin(1, &[], None)
            .get("runtimeConfig")
            .is_none());
        assert_eq!(list.bridge_name().as_deref(), Some("b0"));
    }
}

//! `info`: podman's YAML, JSON with podman's keys, or a template over podman's Go field names.

use crate::commands::out;
use crate::error::CliError;
use crate::output::OutputFormat;
use berth_runtime::Runtime;
use serde_json::Value;
use std::fmt::Write as _;

/// Runs `info`.
pub(super) fn run(rt: &Runtime, format: OutputFormat) -> anyhow::Result<u8> {
    let typed = rt.info()?;
    let info = serde_json::to_value(&typed)?;
    match format {
        // From the typed value: its fields in podman's order.
        OutputFormat::Json => out(&format!("{}\n", serde_json::to_string_pretty(&typed)?))?,
        OutputFormat::Template(t) | OutputFormat::Table(t) => {
            let mut s = t.render(&go_fields(&info)).map_err(CliError::from)?;
            if !s.ends_with('\n') {
                s.push('\n');
            }
            out(&s)?;
        }
        OutputFormat::Default => {
            let mut s = String::new();
            yaml(&info, 0, &mut s);
            out(&s)?;
        }
    }
    Ok(0)
}

/// JSON keys whose Go field names are not the key with its first letter
/// upper-cased (podman's `define.Info` and its parts).
const GO_NAMES: &[(&str, &str)] = &[
    ("cgroupVersion", "CgroupsVersion"),
    ("cpus", "CPUs"),
    ("cpuUtilization", "CPUUtilization"),
    ("idMappings", "IDMappings"),
    ("gidmap", "GIDMap"),
    ("uidmap", "UIDMap"),
    ("ociRuntime", "OCIRuntime"),
    ("os", "OS"),
    ("apparmorEnabled", "AppArmorEnabled"),
    ("capabilities", "DefaultCapabilities"),
    ("seccompEnabled", "SECCOMPEnabled"),
    ("seccompProfilePath", "SECCOMPProfilePath"),
    ("selinuxEnabled", "SELinuxEnabled"),
    ("slirp4netns", "Slirp4NetNS"),
];

/// Fields that are Go maps: their keys are data and stay as they are.
const MAP_FIELDS: &[&str] = &["registries", "graphOptions", "graphStatus"];

/// podman's JSON keys -> the Go field names templates see
/// (`store.graphRoot` -> `.Store.GraphRoot`, `host.ociRuntime` -> `.Host.OCIRuntime`).
fn go_fields(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let name = GO_NAMES.iter().find(|(j, _)| j == k).map_or_else(
                        || {
                            let mut c = k.chars();
                            c.next().map_or_else(String::new, |f| {
                                f.to_uppercase().chain(c).collect::<String>()
                            })
                        },
                        |(_, g)| (*g).to_string(),
                    );
                    let value = if MAP_FIELDS.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        go_fields(v)
                    };
                    (name, value)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(go_fields).collect()),
        other => other.clone(),
    }
}

/// podman prints `info` as YAML.
fn yaml(v: &Value, indent: usize, s: &mut String) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::Object(o) if !o.is_empty() => {
                        let _ = writeln!(s, "{pad}{k}:");
                        yaml(v, indent + 1, s);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        let _ = writeln!(s, "{pad}{k}:");
                        for item in a {
                            match item {
                                Value::Object(_) => {
                                    let _ = writeln!(s, "{pad}- ");
                                    yaml(item, indent + 1, s);
                                }
                                other => drop(writeln!(s, "{pad}- {}", scalar(other, &pad))),
                            }
                        }
                    }
                    Value::Object(_) => drop(writeln!(s, "{pad}{k}: {{}}")),
                    Value::Array(_) => drop(writeln!(s, "{pad}{k}: []")),
                    other => drop(writeln!(s, "{pad}{k}: {}", scalar(other, &pad))),
                }
            }
        }
        other => drop(writeln!(s, "{pad}{}", scalar(other, &pad))),
    }
}

/// A YAML scalar as podman's YAML writer prints it: multi-line text as a
/// `|-` block, text that would read as something else quoted, null as `null`.
fn scalar(v: &Value, pad: &str) -> String {
    match v {
        Value::String(t) if t.contains('\n') => {
            let mut out = String::from("|-");
            for line in t.lines() {
                out.push('\n');
                out.push_str(pad);
                out.push_str("  ");
                out.push_str(line);
            }
            out
        }
        Value::String(t) if t.is_empty() => "\"\"".into(),
        Value::String(t)
            if t.contains(": ")
                || t.starts_with(['\'', '"', '{', '[', '-', '!', '&', '*', ' '])
                || t.parse::<f64>().is_ok()
                || ["true", "false", "null", "yes", "no"].contains(&t.as_str()) =>
        {
            if t.parse::<f64>().is_ok() || !t.contains('\'') {
                if t.contains(": ") || t.starts_with('"') {
                    format!("'{t}'")
                } else {
                    format!("\"{t}\"")
                }
            } else {
                format!("'{}'", t.replace('\'', "''"))
            }
        }
        Value::String(t) => t.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_field_names_are_podmans() {
        let v = go_fields(&json!({
            "host": {"ociRuntime": {"path": "/usr/bin/runc"}, "cgroupVersion": "v1", "cpus": 2,
                     "security": {"capabilities": "CAP_KILL", "seccompEnabled": true}, "os": "linux"},
            "store": {"graphOptions": {"overlay.mountopt": "x"}, "imageStore": {"number": 1}},
            "registries": {"search": ["docker.io"]},
            "version": {"APIVersion": "1"}
        }));
        assert_eq!(v["Host"]["OCIRuntime"]["Path"], "/usr/bin/runc");
        assert_eq!(v["Host"]["CgroupsVersion"], "v1");
        assert_eq!(v["Host"]["CPUs"], 2);
        assert_eq!(v["Host"]["OS"], "linux");
        assert_eq!(v["Host"]["Security"]["DefaultCapabilities"], "CAP_KILL");
        assert_eq!(v["Host"]["Security"]["SECCOMPEnabled"], true);
        assert_eq!(v["Store"]["GraphOptions"]["overlay.mountopt"], "x");
        assert_eq!(v["Store"]["ImageStore"]["Number"], 1);
        assert_eq!(v["Registries"]["search"][0], "docker.io");
        assert_eq!(v["Version"]["APIVersion"], "1");
    }

    #[test]
    fn yaml_is_podmans() {
        let mut s = String::new();
        yaml(
            &json!({"host": {"conmon": {"version": "conmon version 2.1.6, commit: unknown"},
                    "ociRuntime": {"version": "runc version 1\nspec: 1.0"},
                    "gidmap": null, "graphOptions": {}, "version": "12", "empty": ""}}),
            0,
            &mut s,
        );
        assert_eq!(
            s,
            "host:\n  conmon:\n    version: 'conmon version 2.1.6, commit: unknown'\n  empty: \"\"\n  \
             gidmap: null\n  graphOptions: {}\n  ociRuntime:\n    version: |-\n      runc version 1\n      \
             spec: 1.0\n  version: \"12\"\n"
        );
    }
}

//! `info`: podman's YAML, JSON with camelCase keys, or a template over Go's field names.

use crate::commands::out;
use crate::error::CliError;
use crate::output::OutputFormat;
use berth_runtime::Runtime;
use serde_json::Value;
use std::fmt::Write as _;

/// Runs `info`.
pub(super) fn run(rt: &Runtime, format: OutputFormat) -> anyhow::Result<u8> {
    let info = serde_json::to_value(rt.info()?)?;
    match format {
        OutputFormat::Json => out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&rekey(&info, false))?
        ))?,
        OutputFormat::Template(t) | OutputFormat::Table(t) => {
            let mut s = t.render(&rekey(&info, true)).map_err(CliError::from)?;
            if !s.ends_with('\n') {
                s.push('\n');
            }
            out(&s)?;
        }
        OutputFormat::Default => {
            let mut s = String::new();
            yaml(&rekey(&info, false), 0, &mut s);
            out(&s)?;
        }
    }
    Ok(0)
}

/// snake_case keys → podman's: camelCase in JSON (`graphRoot`), the Go
/// field names templates use (`GraphRoot`) when `pascal`.
fn rekey(v: &Value, pascal: bool) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut key = String::new();
                    let mut up = pascal;
                    for ch in k.chars() {
                        if ch == '_' {
                            up = true;
                        } else if up {
                            key.push(ch.to_ascii_uppercase());
                            up = false;
                        } else {
                            key.push(ch);
                        }
                    }
                    (key, rekey(v, pascal))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| rekey(x, pascal)).collect()),
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
                                other => drop(writeln!(s, "{pad}- {}", scalar(other))),
                            }
                        }
                    }
                    Value::Object(_) => drop(writeln!(s, "{pad}{k}: {{}}")),
                    Value::Array(_) => drop(writeln!(s, "{pad}{k}: []")),
                    other => drop(writeln!(s, "{pad}{k}: {}", scalar(other))),
                }
            }
        }
        other => drop(writeln!(s, "{pad}{}", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

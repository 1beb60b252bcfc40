//! `version`: berth's version in podman's layout (`Client`, and `Server`
//! for templates, as podman run locally).

use crate::cli::VersionArgs;
use crate::error::CliError;
use crate::output::{parse_format, OutputFormat};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;

/// Parses `version`'s `--format` before anything runs.
pub fn parse(args: &VersionArgs) -> anyhow::Result<OutputFormat> {
    Ok(parse_format("--format", args.format.as_deref())?)
}

/// `berth version`. As podman run locally: JSON holds the client only,
/// templates see the same version as `.Server` too, and the plain form is
/// podman's client block.
pub fn run(format: OutputFormat) -> anyhow::Result<u8> {
    let info = berth_runtime::version_info();
    let v = serde_json::to_value(&info)?;
    let text = match format {
        // One line, fields in podman's order, as `podman version --format json`.
        OutputFormat::Json => {
            #[derive(serde::Serialize)]
            #[serde(rename_all = "PascalCase")]
            struct Local<'a> {
                client: &'a berth_runtime::VersionInfo,
            }
            let mut s = serde_json::to_string(&Local { client: &info })?;
            s.push('\n');
            s
        }
        OutputFormat::Template(t) | OutputFormat::Table(t) => {
            let mut s = t
                .render(&json!({ "Client": v, "Server": v }))
                .map_err(CliError::from)?;
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        OutputFormat::Default => plain(&v),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(0)
}

/// podman's plain `version`: the `Client:` block, values aligned.
fn plain(v: &serde_json::Value) -> String {
    let get = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let rows = [
        ("Client:", "berth".to_owned()),
        ("Version:", get("Version")),
        ("API Version:", get("APIVersion")),
        ("Go Version:", get("GoVersion")),
        ("Built:", get("BuiltTime")),
        ("OS/Arch:", get("OsArch")),
    ];
    let mut out = String::new();
    for (k, val) in rows {
        let _ = writeln!(out, "{k:<14}{val}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_podmans_client_block() {
        let text = plain(&serde_json::to_value(berth_runtime::version_info()).unwrap());
        let keys: Vec<&str> = text
            .lines()
            .map(|l| l.split("  ").next().unwrap_or_default())
            .collect();
        assert_eq!(
            keys,
            [
                "Client:",
                "Version:",
                "API Version:",
                "Go Version:",
                "Built:",
                "OS/Arch:"
            ]
        );
        assert!(
            text.starts_with("Client:       berth\nVersion:      "),
            "{text}"
        );
        assert!(text.contains("OS/Arch:      linux/"), "{text}");
    }
}

//! `version`: berth's version and platform, as podman prints its client's.

use crate::cli::VersionArgs;
use crate::error::CliError;
use crate::output::{parse_format, OutputFormat};
use serde_json::json;
use std::io::Write;

/// Parses `version`'s `--format` before anything runs.
pub fn parse(args: &VersionArgs) -> anyhow::Result<OutputFormat> {
    Ok(parse_format("--format", args.format.as_deref())?)
}

/// `berth version`.
pub fn run(format: OutputFormat) -> anyhow::Result<u8> {
    let info = json!({
        "Client": {
            "Version": env!("CARGO_PKG_VERSION"),
            "OsArch": format!("{}/{}", std::env::consts::OS, go_arch()),
        }
    });
    let text = match format {
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&info)?;
            s.push('\n');
            s
        }
        OutputFormat::Template(t) | OutputFormat::Table(t) => {
            let mut s = t.render(&info).map_err(CliError::from)?;
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        OutputFormat::Default => format!(
            "Version:      {}\nOS/Arch:      {}\n",
            info["Client"]["Version"].as_str().unwrap_or_default(),
            info["Client"]["OsArch"].as_str().unwrap_or_default()
        ),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(0)
}

/// The architecture as Go (and so podman) names it.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

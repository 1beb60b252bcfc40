//! The secret commands: `secret create/ls/inspect/rm`.

mod show;

use super::{finish, out, with_runtime};
use crate::cli::{GlobalOptions, SecretCommand, SecretInspectArgs};
use crate::error::CliError;
use crate::opts::kv::parse_key_values;
use crate::output::{parse_format, OutputFormat};
use berth_runtime::SecretCreateOptions;
use std::io::{IsTerminal, Read};

/// A secret command with its arguments parsed once, before the runtime is opened.
#[derive(Debug)]
pub enum Parsed {
    /// `secret create`: the options and the data, read before anything is written.
    Create(SecretCreateOptions, Vec<u8>),
    /// `secret ls`.
    Ls {
        /// `--filter` as `(key, value)`.
        filters: Vec<(String, String)>,
        /// `--format`.
        format: OutputFormat,
        /// `--noheading`.
        noheading: bool,
        /// `--quiet` (without `--format`).
        quiet: bool,
    },
    /// `secret inspect`.
    Inspect {
        /// The flags as given.
        args: SecretInspectArgs,
        /// `--format`.
        format: OutputFormat,
    },
    /// `secret rm`: the names, or `None` for `--all`.
    Rm(Option<Vec<String>>),
}

/// Parses a secret command: bad input is refused before the runtime opens.
pub fn parse(c: SecretCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        SecretCommand::Create(a) => {
            berth_runtime::check_secret_name(&a.name)?;
            let data = read_data(a.env, &a.source)?;
            Parsed::Create(
                SecretCreateOptions {
                    name: a.name,
                    driver: a.driver,
                    driver_options: parse_key_values("--driver-opts", &a.driver_opts)?,
                    labels: parse_key_values("--label", &a.label)?,
                },
                data,
            )
        }
        SecretCommand::Ls(a) => {
            let filters = a
                .filter
                .iter()
                .map(|f| match f.split_once('=') {
                    Some((k, v)) if matches!(k.to_ascii_lowercase().as_str(), "name" | "id") => {
                        Ok((k.to_ascii_lowercase(), v.to_owned()))
                    }
                    Some((k, _)) => Err(CliError::invalid(
                        "--filter",
                        f,
                        format!("invalid filter {k:?}: use name or id"),
                    )),
                    None => Err(CliError::invalid(
                        "--filter",
                        f,
                        "filters must be KEY=VALUE",
                    )),
                })
                .collect::<Result<_, _>>()?;
            Parsed::Ls {
                filters,
                format: parse_format("--format", a.format.as_deref())?,
                noheading: a.noheading,
                quiet: a.quiet && a.format.is_none(),
            }
        }
        SecretCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        },
        SecretCommand::Rm(a) => match (a.all, a.secrets.is_empty()) {
            (true, true) => Parsed::Rm(None),
            (false, false) => Parsed::Rm(Some(a.secrets)),
            _ => return Err(rm_usage()),
        },
    })
}

fn rm_usage() -> anyhow::Error {
    anyhow::anyhow!("`berth secret rm` requires one argument, or the --all flag")
}

/// The secret's data: a file, standard input (`-` or `/dev/stdin`, not a terminal), or with
/// `--env` an environment variable of that name.
fn read_data(env: bool, source: &str) -> anyhow::Result<Vec<u8>> {
    if env {
        return match std::env::var_os(source) {
            Some(v) if !v.is_empty() => Ok(v.into_encoded_bytes()),
            _ => Err(CliError::invalid(
                "--env",
                source,
                format!(
                    "cannot create store secret data: environment variable {source} is not set"
                ),
            )
            .into()),
        };
    }
    let mut data = Vec::new();
    let limit = berth_runtime::MAX_SECRET_SIZE as u64;
    if source == "-" || source == "/dev/stdin" {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            return Err(CliError::invalid(
                "FILE",
                source,
                "if `-` is used, data must be passed into stdin",
            )
            .into());
        }
        stdin
            .lock()
            .take(limit)
            .read_to_end(&mut data)
            .map_err(|e| anyhow::anyhow!("reading the secret from standard input: {e}"))?;
    } else {
        let f = std::fs::File::open(source).map_err(|e| {
            let text = e.to_string();
            let text = text
                .split(" (os error")
                .next()
                .unwrap_or(&text)
                .to_lowercase();
            anyhow::anyhow!("open {source}: {text}")
        })?;
        f.take(limit)
            .read_to_end(&mut data)
            .map_err(|e| anyhow::anyhow!("reading {source}: {e}"))?;
    }
    Ok(data)
}

/// Runs a parsed secret command.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| match c {
        Parsed::Create(opts, data) => {
            let s = rt.create_secret(&opts, &data)?;
            out(&format!("{}\n", s.id))?;
            Ok(0)
        }
        Parsed::Ls {
            filters,
            format,
            noheading,
            quiet,
        } => show::list(rt, &filters, &format, noheading, quiet),
        Parsed::Inspect { args, format } => show::inspect(rt, &args, &format),
        Parsed::Rm(names) => {
            let names = match names {
                Some(n) => n,
                None => rt.list_secrets()?.into_iter().map(|s| s.id).collect(),
            };
            let errors = names
                .iter()
                .filter_map(|n| match rt.remove_secret(n) {
                    Ok(id) => out(&format!("{id}\n")).err(),
                    Err(e) => Some(e.into()),
                })
                .collect();
            finish(errors)
        }
    })
}

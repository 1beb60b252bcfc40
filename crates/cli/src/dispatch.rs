//! From argv to an exit code: clap parsing with podman's usage-error
//! behaviour (exit 125), then one `match` over the command groups. Each
//! group's command is parsed once into its typed form (bad input refused
//! before the runtime is opened, so nothing is written) and then run on
//! that form.

use crate::cli::{Cli, Group, ImageCommand, NetworkCommand, VersionArgs};
use crate::commands::{containers, pods, system};
use crate::error::{CliError, Coded, EXIT_BERTH};
use crate::opts::{filter::parse_filters, FilterTarget, ParseContext};
use crate::output::parse_format;
use clap::{CommandFactory, FromArgMatches};
use serde_json::json;
use std::ffi::OsString;
use std::io::Write;

/// A clap usage error, printed as podman prints its own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

/// Parses `args` (program name first) and runs the command. `Ok` is the
/// exit code of a command that ran (0, or a container's code); `Err` is
/// printed by the caller with [`crate::error::render`] and ends with
/// [`crate::error::exit_code`].
pub fn run<I, T>(args: I) -> anyhow::Result<u8>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = match Cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return clap_outcome(&e),
    };
    let cli = Cli::from_arg_matches(&matches)
        .map_err(|e| Coded::wrap(EXIT_BERTH, UsageError(clap_text(&e))))?;
    let ctx = ParseContext::from_process()
        .map_err(|e| anyhow::Error::new(e).context("reading the current directory"))?;
    let g = &cli.global;
    crate::opts::global::check_globals(
        g,
        std::path::Path::new(berth_runtime::JOURNALD_SOCKET).exists(),
    )?;
    crate::engine::init_logging(&g.log_level);
    if g.noout {
        silence_stdout()?;
    }
    match cli.command.into_group() {
        Group::Version(args) => version(&args),
        Group::Container(c) => containers::run(g, containers::parse(c, &ctx)?),
        Group::Image(c) => {
            check_image(&c)?;
            crate::commands::images::run(g, &c)
        }
        Group::Pod(c) => pods::run(g, pods::parse(c)?),
        Group::Volume(c) => system::volume(g, system::parse_volume(c)?),
        Group::Registry(c) => crate::commands::registry::run(g, &c),
        Group::Network(c) => {
            if let NetworkCommand::Ls(a) = &c {
                parse_filters(FilterTarget::Networks, &a.filter)?;
                parse_format("--format", a.format.as_deref())?;
            }
            if let NetworkCommand::Create(a) = &c {
                crate::commands::networks::check_create(a)?;
            }
            crate::commands::networks::run(g, &c)
        }
        Group::System(c) => system::system(g, system::parse_system(c)?),
        Group::Inspect(a) => {
            let (a, format) = system::parse_inspect(a)?;
            system::inspect(g, &a, &format)
        }
    }
}

/// `--noout`: nothing reaches stdout (errors still reach stderr).
fn silence_stdout() -> anyhow::Result<()> {
    let null = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .map_err(|e| anyhow::Error::new(e).context("opening /dev/null for --noout"))?;
    nix::unistd::dup2_stdout(&null)
        .map_err(|e| anyhow::Error::new(e).context("--noout: redirecting stdout"))?;
    Ok(())
}

fn check_image(c: &ImageCommand) -> anyhow::Result<()> {
    match c {
        ImageCommand::List(a) => {
            parse_filters(FilterTarget::Images, &a.filter)?;
            parse_format("--format", a.format.as_deref())?;
        }
        ImageCommand::Prune(a) => {
            parse_filters(FilterTarget::Prune, &a.filter)?;
        }
        ImageCommand::History(a) => {
            parse_format("--format", a.format.as_deref())?;
        }
        _ => {}
    }
    Ok(())
}

/// `berth version`.
fn version(args: &VersionArgs) -> anyhow::Result<u8> {
    let info = json!({
        "Client": {
            "Version": env!("CARGO_PKG_VERSION"),
            "OsArch": format!("{}/{}", std::env::consts::OS, go_arch()),
        }
    });
    let text = match parse_format("--format", args.format.as_deref())? {
        crate::output::OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&info)?;
            s.push('\n');
            s
        }
        crate::output::OutputFormat::Template(t) | crate::output::OutputFormat::Table(t) => {
            let mut s = t.render(&info).map_err(CliError::from)?;
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        crate::output::OutputFormat::Default => format!(
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

/// Help and version print and exit 0; every other clap error is a usage
/// error and exits 125, as podman's.
fn clap_outcome(e: &clap::Error) -> anyhow::Result<u8> {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            Ok(0)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = std::io::stderr().write_all(e.to_string().as_bytes());
            Err(Coded::wrap(
                EXIT_BERTH,
                UsageError(format!("missing command '{} COMMAND'", usage_path(e))),
            ))
        }
        _ => Err(Coded::wrap(EXIT_BERTH, UsageError(clap_text(e)))),
    }
}

/// `berth container` from clap's `Usage: berth container [OPTIONS] <COMMAND>`.
fn usage_path(e: &clap::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Usage: "))
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<']))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "berth".to_owned())
}

/// clap's message without its `error: ` prefix and trailing newline.
fn clap_text(e: &clap::Error) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{exit_code, render};

    fn err(args: &[&str]) -> (u8, String) {
        let mut argv = vec!["berth"];
        argv.extend_from_slice(args);
        let e = run(argv).unwrap_err();
        (exit_code(&e), render(&e))
    }

    #[test]
    fn version_runs() {
        assert_eq!(run(["berth", "version"]).unwrap(), 0);
        assert_eq!(
            run(["berth", "version", "--format", "{{.Client.Version}}"]).unwrap(),
            0
        );
        assert_eq!(run(["berth", "version", "-f", "json"]).unwrap(), 0);
    }

    #[test]
    fn usage_errors_exit_125() {
        let (code, text) = err(&["ps", "--bogus"]);
        assert_eq!(code, 125);
        assert!(
            text.starts_with("Error: unexpected argument '--bogus'"),
            "{text}"
        );
        let (code, _) = err(&["nosuchcommand"]);
        assert_eq!(code, 125);
        let (code, _) = err(&["stop", "-t", "soon", "x"]);
        assert_eq!(code, 125);
        let (code, text) = err(&["rm"]);
        assert_eq!(code, 125);
        assert!(text.contains("CONTAINER"), "{text}");
        let (code, text) = err(&["container"]);
        assert_eq!(code, 125);
        assert_eq!(text, "Error: missing command 'berth container COMMAND'");
        let (code, text) = err(&[]);
        assert_eq!(code, 125);
        assert_eq!(text, "Error: missing command 'berth COMMAND'");
        let (code, _) = err(&["pull", "busybox"]);
        assert_eq!(code, 125, "pull must not exist before the registry client");
    }

    #[test]
    fn network_create_refuses_unsupported_flags_before_the_runtime() {
        let (code, text) = err(&["network", "create", "--ipv6", "n"]);
        assert_eq!(code, 125);
        assert!(text.contains("--ipv6"), "{text}");
    }

    #[test]
    fn bad_values_are_reported_before_not_implemented() {
        let (code, text) = err(&["run", "-p", "99999:80", "img"]);
        assert_eq!(code, 125);
        assert!(
            text.contains("--publish") && text.contains("99999"),
            "{text}"
        );
        let (_, text) = err(&["ps", "--filter", "status=bogus"]);
        assert!(text.contains("unknown container state"), "{text}");
        let (_, text) = err(&["kill", "-s", "FOO", "x"]);
        assert!(text.contains("--signal"), "{text}");
        let (_, text) = err(&["images", "--format", "{{.ID"]);
        assert!(text.contains("--format"), "{text}");
        let (_, text) = err(&["stop", "-a", "web"]);
        assert!(
            text.contains("--all") && text.contains("cannot be combined"),
            "{text}"
        );
        let (_, text) = err(&["wait", "--condition", "done", "web"]);
        assert!(text.contains("--condition"), "{text}");
        let (_, text) = err(&["wait", "-i", "soon", "web"]);
        assert!(text.contains("--interval"), "{text}");
        let (_, text) = err(&["logs", "--since", "yesterday", "web"]);
        assert!(text.contains("--since"), "{text}");
        let (_, text) = err(&["rm", "--cidfile", "/nonexistent/berth.cid"]);
        assert!(text.contains("/nonexistent/berth.cid"), "{text}");
        let (_, text) = err(&["pod", "create", "--share", "mnt"]);
        assert!(text.contains("--share"), "{text}");
    }
}

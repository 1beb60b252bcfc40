//! From argv to an exit code: clap parsing with podman's usage-error
//! behaviour (exit 125), then one `match` over the command groups. Each
//! group's command is parsed once into its typed form (bad input refused
//! before the runtime is opened, so nothing is written) and then run on
//! that form.

use crate::cli::{Cli, Group};
use crate::commands::{
    containers, generate, healthcheck, images, inspect, manifests, networks, pods, registry,
    secrets, system, version, volumes,
};
use crate::error::{Coded, EXIT_BERTH};
use crate::opts::ParseContext;
use clap::{CommandFactory, FromArgMatches};
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
    crate::cli::unsupported::refuse_unsupported(&matches)?;
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
        Group::Version(a) => version::run(version::parse(&a)?),
        Group::Container(c) => containers::run(g, containers::parse(c, &ctx)?),
        Group::Image(c) => images::run(g, images::parse(c)?),
        Group::Pod(c) => pods::run(g, pods::parse(c)?),
        Group::Generate(c) => generate::run(g, generate::parse(c)?),
        Group::Volume(c) => volumes::run(g, volumes::parse(c)?),
        Group::Secret(c) => secrets::run(g, secrets::parse(c)?),
        Group::Registry(c) => registry::run(g, registry::parse(c)?),
        Group::Network(c) => networks::run(g, networks::parse(c)?),
        Group::Healthcheck(c) => healthcheck::run(g, healthcheck::parse(c)?),
        Group::System(c) => system::run(g, system::parse(c)?),
        Group::Manifest(c) => manifests::run(g, manifests::parse(c)?),
        Group::Inspect(a) => inspect::run(g, inspect::parse(a)?),
        Group::Events(a) => system::run_events(g, &system::events::parse(&a)?),
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
    fn image_network_and_registry_values_are_refused_before_the_runtime() {
        for (args, flag) in [
            (
                &["image", "inspect", "--format", "{{.ID", "x"][..],
                "--format",
            ),
            (&["history", "--format", "{{.ID", "x"][..], "--format"),
            (&["image", "prune", "--filter", "bogus=1"][..], "--filter"),
            (&["images", "--filter", "bogus=1"][..], "--filter"),
            (&["save", "--format", "oci-dir", "x"][..], "--output"),
            (&["import", "--change", "BOGUS x", "/f"][..], "--change"),
            (
                &["network", "inspect", "-f", "{{.Name", "n"][..],
                "--format",
            ),
            (&["network", "ls", "--filter", "bogus=1"][..], "--filter"),
            (&["network", "ls", "--format", "{{.Name"][..], "--format"),
            (&["pull", "--platform", "linux", "x"][..], "--platform"),
            (&["image", "pull", "--creds", ":", "x"][..], "--creds"),
            (&["push", "--creds", "u:", "x"][..], "--creds"),
            (&["login", "--password-stdin", "r"][..], "--password-stdin"),
        ] {
            let (code, text) = err(args);
            assert_eq!(code, 125, "{args:?}: {text}");
            assert!(text.contains(flag), "{args:?}: {text}");
        }
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

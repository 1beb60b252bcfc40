//! `pull`, `push`, `login` and `logout` over the runtime's registry client,
//! and the pull `run`/`create --pull` do before creating.

mod login;
mod logout;
mod pull;
mod push;

use crate::cli::{GlobalOptions, LoginArgs, LogoutArgs, PullArgs, RegistryCommand};
use crate::engine;
use crate::error::CliError;
use crate::opts::registry::{parse_creds, parse_platform};
use berth_runtime::{registry_reference, Platform};
use login::not_a_terminal;
pub use pull::{ensure_image, Pull};
pub use push::Push;
use std::io::IsTerminal;

/// A registry command with its arguments parsed once, before the runtime
/// is opened ([`parse`]); [`run`] acts on it.
#[derive(Debug)]
pub enum Parsed {
    /// `pull`.
    Pull(Pull),
    /// `push`.
    Push(Push),
    /// `login`, its flags checked.
    Login(LoginArgs),
    /// `logout`.
    Logout(LogoutArgs),
}

/// Parses a registry command: the flag checks, before anything is opened.
pub fn parse(c: RegistryCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        RegistryCommand::Pull(a) => {
            if a.all_tags {
                return Err(CliError::conflict(
                    "--all-tags",
                    "berth does not list a repository's tags; pull each tag by name",
                )
                .into());
            }
            let platform = pull_platform(&a)?;
            let creds = a.creds.as_deref().map(parse_creds).transpose()?;
            for i in &a.images {
                registry_reference(i)?;
            }
            Parsed::Pull(Pull {
                args: a,
                platform,
                creds,
            })
        }
        RegistryCommand::Push(a) => {
            push::gzip(a.compression_format.as_deref())?;
            let creds = a.creds.as_deref().map(parse_creds).transpose()?;
            if let Some(d) = &a.destination {
                registry_reference(d)?;
            }
            Parsed::Push(Push { args: a, creds })
        }
        RegistryCommand::Login(a) => {
            if a.password_stdin && a.username.is_none() {
                return Err(CliError::conflict(
                    "--password-stdin",
                    "needs --username: stdin carries the password",
                )
                .into());
            }
            let asks = a.username.is_none() || (a.password.is_none() && !a.password_stdin);
            if asks && !a.get_login && !std::io::stdin().is_terminal() {
                return Err(not_a_terminal().into());
            }
            Parsed::Login(a)
        }
        RegistryCommand::Logout(a) => Parsed::Logout(a),
    })
}

/// Runs a parsed registry command.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    let rt = engine::image_runtime(g)?;
    match c {
        Parsed::Pull(p) => pull::run(&rt, p),
        Parsed::Push(p) => push::run(&rt, p),
        Parsed::Login(a) => login::run(&rt, &a),
        Parsed::Logout(a) => logout::run(&rt, &a),
    }
}

fn pull_platform(a: &PullArgs) -> anyhow::Result<Option<Platform>> {
    Ok(parse_platform(
        a.platform.as_deref(),
        a.os.as_deref(),
        a.arch.as_deref(),
        a.variant.as_deref(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parsed(args: &[&str]) -> anyhow::Result<Parsed> {
        let mut argv = vec!["berth"];
        argv.extend_from_slice(args);
        let cli = crate::cli::Cli::try_parse_from(argv).unwrap();
        match cli.command.into_group() {
            crate::cli::Group::Registry(c) => parse(c),
            other => panic!("not a registry command: {other:?}"),
        }
    }

    #[test]
    fn platform_and_creds_are_parsed_once_into_the_command() {
        let Parsed::Pull(p) = parsed(&[
            "pull",
            "--platform",
            "linux/arm64/v8",
            "--creds",
            "u:p",
            "x",
        ])
        .unwrap() else {
            panic!()
        };
        let platform = p.platform.unwrap();
        assert_eq!(
            (platform.os.as_str(), platform.architecture.as_str()),
            ("linux", "arm64")
        );
        assert_eq!(platform.variant.as_deref(), Some("v8"));
        assert_eq!(p.creds.unwrap().username, "u");
        let Parsed::Pull(p) = parsed(&["pull", "x"]).unwrap() else {
            panic!()
        };
        assert!(p.platform.is_none() && p.creds.is_none());
        let Parsed::Push(p) = parsed(&["push", "--creds", "a:b", "x"]).unwrap() else {
            panic!()
        };
        assert_eq!(p.creds.unwrap().password, "b");
    }

    #[test]
    fn bad_registry_flags_name_the_flag() {
        for (args, flag) in [
            (&["pull", "--arch", "a/b", "x"][..], "--arch"),
            (&["pull", "-a", "x"][..], "--all-tags"),
            (&["pull", "--creds", "nopass", "x"][..], "--creds"),
            (&["push", "--creds", ":p", "x"][..], "--creds"),
        ] {
            let e = parsed(args).unwrap_err().to_string();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
    }
}

//! The typed options of `exec` ([`ExecOptions`]) and `cp` ([`CopyOptions`]).

use super::create::{parse_user, parse_workdir, ParseContext, UserSpec};
use super::env::{parse_env, EnvVars};
use crate::cli::{CpArgs, ExecArgs};
use crate::error::{CliError, Result};
use std::path::PathBuf;

/// Everything `exec` asks of the runtime, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecOptions {
    /// The container; `None` with `--latest`.
    pub container: Option<String>,
    /// The command and its arguments (never empty).
    pub command: Vec<String>,
    /// `-e`, `--env-file` over the container's environment.
    pub env: EnvVars,
    /// `-d`.
    pub detach: bool,
    /// `-i`.
    pub interactive: bool,
    /// `-t`.
    pub tty: bool,
    /// `-u`.
    pub user: Option<UserSpec>,
    /// `-w`.
    pub workdir: Option<PathBuf>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--preserve-fds`.
    pub preserve_fds: u32,
    /// `--detach-keys`, as bytes (checked; exec sessions are not detached from).
    pub detach_keys: Vec<u8>,
}

impl ExecOptions {
    /// Checks and converts `exec`'s arguments.
    pub fn from_args(args: &ExecArgs, ctx: &ParseContext<'_>) -> Result<Self> {
        let (container, command) = args.split();
        if command.is_empty() {
            return Err(CliError::conflict(
                "COMMAND",
                "exec needs a command to run in the container",
            ));
        }
        let workdir = parse_workdir(args.workdir.as_deref())?;
        Ok(Self {
            container: container.map(str::to_owned),
            command: command.to_vec(),
            env: parse_env(&args.env, &args.env_file, ctx.lookup, ctx.all_vars)?,
            detach: args.detach,
            interactive: args.interactive,
            tty: args.tty,
            user: args.user.as_deref().map(parse_user).transpose()?,
            workdir,
            privileged: args.privileged,
            preserve_fds: args.preserve_fds,
            detach_keys: super::keys::parse_detach_keys(&args.detach_keys)?,
        })
    }
}

/// One side of `cp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyLocation {
    /// A host path (`-` is stdin/stdout as a tar stream).
    Host(PathBuf),
    /// A path in a container.
    Container {
        /// Container name or ID.
        container: String,
        /// Path inside it.
        path: PathBuf,
    },
}

/// `cp`'s options: exactly one side is in a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    /// Where from.
    pub source: CopyLocation,
    /// Where to.
    pub destination: CopyLocation,
    /// `-a`: chown to the container's user.
    pub archive: bool,
    /// `--overwrite`.
    pub overwrite: bool,
}

impl CopyOptions {
    /// Checks and converts `cp`'s arguments.
    pub fn from_args(args: &CpArgs) -> Result<Self> {
        let source = parse_location("SRC_PATH", &args.source)?;
        let destination = parse_location("DEST_PATH", &args.destination)?;
        match (&source, &destination) {
            (CopyLocation::Host(_), CopyLocation::Host(_)) => Err(CliError::conflict(
                "cp",
                "one of the paths must be in a container (CONTAINER:PATH); \
                 use cp(1) to copy on the host",
            )),
            (CopyLocation::Container { .. }, CopyLocation::Container { .. }) => {
                Err(CliError::conflict(
                    "cp",
                    "copying between two containers is not supported; copy through the host",
                ))
            }
            _ => Ok(Self {
                source,
                destination,
                archive: args.archive,
                overwrite: args.overwrite,
            }),
        }
    }
}

/// `CONTAINER:PATH` when the text before the first `:` is not itself a
/// path (does not start with `/` or `.`), else a host path.
fn parse_location(which: &str, value: &str) -> Result<CopyLocation> {
    if value.is_empty() {
        return Err(CliError::invalid(which, value, "the path is empty"));
    }
    if let Some((ctr, path)) = value.split_once(':') {
        if !ctr.starts_with('/') && !ctr.starts_with('.') {
            if ctr.is_empty() {
                return Err(CliError::invalid(
                    which,
                    value,
                    "the container name is empty",
                ));
            }
            if path.is_empty() {
                return Err(CliError::invalid(
                    which,
                    value,
                    "the path in the container is empty",
                ));
            }
            return Ok(CopyLocation::Container {
                container: ctr.to_owned(),
                path: path.into(),
            });
        }
    }
    Ok(CopyLocation::Host(value.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::opts::create::fixed_context;
    use clap::Parser;
    use std::path::Path;

    fn exec(args: &[&str]) -> Result<ExecOptions> {
        let mut argv = vec!["berth", "exec"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("clap parse");
        let Command::Exec(a) = cli.command else {
            panic!("not exec")
        };
        let lookup = |_: &str| None;
        let all = Vec::new;
        ExecOptions::from_args(&a, &fixed_context(Path::new("/"), &lookup, &all))
    }

    fn cp(src: &str, dst: &str) -> Result<CopyOptions> {
        let cli = Cli::try_parse_from(["berth", "cp", src, dst]).expect("clap parse");
        let Command::Cp(a) = cli.command else {
            panic!("not cp")
        };
        CopyOptions::from_args(&a)
    }

    #[test]
    fn exec_forms() {
        let e = exec(&[
            "-it", "-e", "A=1", "-u", "0", "-w", "/tmp", "web", "sh", "-c", "ls -l",
        ])
        .unwrap();
        assert_eq!(e.container.as_deref(), Some("web"));
        assert_eq!(e.command, ["sh", "-c", "ls -l"]);
        assert!(e.interactive && e.tty);
        assert_eq!(e.env.get("A"), Some("1"));
        let e = exec(&["-l", "ls"]).unwrap();
        assert_eq!(e.container, None);
        assert_eq!(e.command, ["ls"]);
    }

    #[test]
    fn exec_errors() {
        assert!(exec(&["web"])
            .unwrap_err()
            .to_string()
            .contains("needs a command"));
        assert!(exec(&["-w", "tmp", "web", "ls"])
            .unwrap_err()
            .to_string()
            .contains("--workdir"));
        assert_eq!(parse_workdir(None).unwrap(), None);
        assert_eq!(
            parse_workdir(Some("/srv")).unwrap(),
            Some(PathBuf::from("/srv"))
        );
        assert!(exec(&["-u", "a:b:c", "web", "ls"])
            .unwrap_err()
            .to_string()
            .contains("--user"));
    }

    #[test]
    fn cp_forms() {
        let c = cp("web:/etc/hosts", "./hosts").unwrap();
        assert_eq!(
            c.source,
            CopyLocation::Container {
                container: "web".into(),
                path: "/etc/hosts".into()
            }
        );
        assert_eq!(c.destination, CopyLocation::Host("./hosts".into()));
        assert!(c.archive);
        let c = cp("/tmp/a:b", "web:/x").unwrap();
        assert_eq!(c.source, CopyLocation::Host("/tmp/a:b".into()));
    }

    #[test]
    fn cp_errors() {
        assert!(cp("/a", "/b")
            .unwrap_err()
            .to_string()
            .contains("must be in a container"));
        assert!(cp("a:/x", "b:/y")
            .unwrap_err()
            .to_string()
            .contains("two containers"));
        assert!(cp("web:", "/b").unwrap_err().to_string().contains("empty"));
        assert!(cp(":/x", "/b")
            .unwrap_err()
            .to_string()
            .contains("container name is empty"));
    }
}

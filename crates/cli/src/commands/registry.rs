//! `pull`, `push`, `login` and `logout` over the runtime's registry client,
//! and the pull `run`/`create --pull` do before creating.

use super::out;
use crate::cli::{
    GlobalOptions, LoginArgs, LogoutArgs, PullArgs, PushArgs, RegistryCommand, RegistryFlags,
};
use crate::engine;
use crate::error::CliError;
use crate::opts::registry::{parse_creds, parse_platform};
use crate::opts::PullSpec;
use crate::progress::{transfer, TransferView};
use berth_runtime::{
    registry_key, registry_reference, Credentials, ImageRecord, LoginOptions, Platform,
    PolicySource, PullOptions, Runtime,
};
use std::io::{BufRead, IsTerminal, Write};

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

/// `pull`, parsed.
#[derive(Debug)]
pub struct Pull {
    /// The flags as given.
    pub args: PullArgs,
    /// `--platform`, or `--os`/`--arch`/`--variant`.
    pub platform: Option<Platform>,
    /// `--creds`.
    pub creds: Option<Credentials>,
}

/// `push`, parsed.
#[derive(Debug)]
pub struct Push {
    /// The flags as given.
    pub args: PushArgs,
    /// `--creds`.
    pub creds: Option<Credentials>,
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
        Parsed::Pull(p) => pull(&rt, p),
        Parsed::Push(p) => push(&rt, p),
        Parsed::Login(a) => login(&rt, &a),
        Parsed::Logout(a) => logout(&rt, &a),
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

/// Pull options for these flags over the runtime's rules and policy.
fn pull_options(
    rt: &Runtime,
    flags: &RegistryFlags,
    platform: Option<Platform>,
    creds: Option<Credentials>,
    view: TransferView,
) -> berth_runtime::Result<PullOptions> {
    let mut opts = rt.pull_options()?;
    opts.platform = platform;
    opts.tls_verify = flags.tls_verify;
    opts.certs_dir.clone_from(&flags.cert_dir);
    opts.auth.authfile.clone_from(&flags.authfile);
    opts.auth.credentials = creds;
    opts.progress = transfer(view);
    Ok(opts)
}

fn pull(rt: &Runtime, p: Pull) -> anyhow::Result<u8> {
    let a = &p.args;
    let mut opts = pull_options(
        rt,
        &a.registry,
        p.platform,
        p.creds,
        TransferView::for_stderr(a.quiet),
    )?;
    if let Some(p) = &a.signature_policy {
        opts.policy = PolicySource::File(p.clone());
    }
    for image in &a.images {
        let report = rt.pull_image(image, &opts)?;
        out(&format!("{}\n", report.image.id))?;
    }
    Ok(0)
}

/// The image for `run`/`create`: pulled first when `spec.policy` says so.
pub fn ensure_image(
    rt: &Runtime,
    image: &str,
    spec: &PullSpec,
    quiet: bool,
) -> anyhow::Result<ImageRecord> {
    let opts = || {
        pull_options(
            rt,
            &spec.registry,
            spec.platform.clone(),
            None,
            TransferView::for_stderr(quiet),
        )
    };
    let (image, _pulled) = rt.ensure_image(image, spec.policy, opts)?;
    Ok(image)
}

fn push(rt: &Runtime, p: Push) -> anyhow::Result<u8> {
    let a = &p.args;
    let mut opts = rt.push_options()?;
    opts.tls_verify = a.registry.tls_verify;
    opts.certs_dir.clone_from(&a.registry.cert_dir);
    opts.auth.authfile.clone_from(&a.registry.authfile);
    opts.auth.credentials = p.creds;
    opts.compress = a.compress;
    opts.progress = transfer(TransferView::for_stderr(a.quiet));
    let report = rt.push_image(&a.image, a.destination.as_deref(), &opts)?;
    if let Some(f) = &a.digestfile {
        std::fs::write(f, &report.manifest_digest).map_err(|e| {
            anyhow::Error::new(e).context(format!("writing --digestfile {}", f.display()))
        })?;
    }
    Ok(0)
}

fn login_options(rt: &Runtime, flags: &RegistryFlags) -> anyhow::Result<LoginOptions> {
    let mut opts = rt.login_options()?;
    opts.tls_verify = flags.tls_verify;
    opts.certs_dir.clone_from(&flags.cert_dir);
    opts.auth.authfile.clone_from(&flags.authfile);
    Ok(opts)
}

fn login(rt: &Runtime, a: &LoginArgs) -> anyhow::Result<u8> {
    let registry = registry_key(&a.registry_name);
    let opts = login_options(rt, &a.registry)?;
    if a.get_login {
        return match rt.login_user(&registry, &opts)? {
            Some(user) => {
                out(&format!("{user}\n"))?;
                Ok(0)
            }
            None => Err(anyhow::anyhow!("not logged into {registry}")),
        };
    }
    let username = match &a.username {
        Some(u) => u.clone(),
        None => prompt("Username: ", true)?,
    };
    let password = if let Some(p) = &a.password {
        p.clone()
    } else if a.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| anyhow::Error::new(e).context("reading the password from stdin"))?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        prompt("Password: ", false)?
    };
    if username.is_empty() || password.is_empty() {
        return Err(CliError::invalid(
            "--username/--password",
            "",
            "both must be given and not empty",
        )
        .into());
    }
    let file = rt.login(&registry, &Credentials { username, password }, &opts)?;
    if a.verbose {
        out(&format!("Used: {}\n", file.display()))?;
    }
    out("Login Succeeded!\n")?;
    Ok(0)
}

fn logout(rt: &Runtime, a: &LogoutArgs) -> anyhow::Result<u8> {
    let mut opts = rt.login_options()?;
    opts.auth.authfile.clone_from(&a.authfile);
    let registry = a.registry_name.as_deref().map(registry_key);
    rt.logout(registry.as_deref(), &opts)?;
    match registry {
        Some(r) => out(&format!("Removed login credentials for {r}\n"))?,
        None => out("Removed login credentials for all registries\n")?,
    }
    Ok(0)
}

fn not_a_terminal() -> CliError {
    CliError::conflict(
        "--username/--password",
        "stdin is not a terminal to ask on; give -u and -p or --password-stdin",
    )
}

/// Asks on the terminal; the password is read without echo.
fn prompt(question: &str, echo: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(not_a_terminal().into());
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{question}");
    let _ = err.flush();
    let restore = if echo {
        None
    } else {
        use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
        let saved = tcgetattr(&stdin).ok();
        if let Some(s) = &saved {
            let mut quiet = s.clone();
            quiet.local_flags.remove(LocalFlags::ECHO);
            let _ = tcsetattr(&stdin, SetArg::TCSANOW, &quiet);
        }
        saved
    };
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if let Some(s) = restore {
        let _ = nix::sys::termios::tcsetattr(&stdin, nix::sys::termios::SetArg::TCSANOW, &s);
        let _ = writeln!(err);
    }
    read.map_err(|e| anyhow::Error::new(e).context("reading the answer"))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
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

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

/// Runs a registry command.
pub fn run(g: &GlobalOptions, c: &RegistryCommand) -> anyhow::Result<u8> {
    check(c)?;
    let rt = engine::image_runtime(g)?;
    match c {
        RegistryCommand::Pull(a) => pull(&rt, a),
        RegistryCommand::Push(a) => push(&rt, a),
        RegistryCommand::Login(a) => login(&rt, a),
        RegistryCommand::Logout(a) => logout(&rt, a),
    }
}

/// The flag checks, before anything is opened.
pub fn check(c: &RegistryCommand) -> anyhow::Result<()> {
    match c {
        RegistryCommand::Pull(a) => {
            if a.all_tags {
                return Err(CliError::conflict(
                    "--all-tags",
                    "berth does not list a repository's tags; pull each tag by name",
                )
                .into());
            }
            pull_platform(a)?;
            a.creds.as_deref().map(parse_creds).transpose()?;
            for i in &a.images {
                registry_reference(i)?;
            }
        }
        RegistryCommand::Push(a) => {
            push_gzip(a.compression_format.as_deref())?;
            a.creds.as_deref().map(parse_creds).transpose()?;
            if let Some(d) = &a.destination {
                registry_reference(d)?;
            }
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
        }
        RegistryCommand::Logout(_) => {}
    }
    Ok(())
}

/// `push --compression-format`: whether uncompressed layers are gzipped.
/// berth compresses with gzip only.
fn push_gzip(format: Option<&str>) -> Result<bool, CliError> {
    match format {
        None => Ok(false),
        Some("gzip") => Ok(true),
        Some(f @ ("zstd" | "zstd:chunked")) => Err(CliError::invalid(
            "--compression-format",
            f,
            "not supported by berth yet: layers are compressed with gzip only",
        )),
        Some(f) => Err(CliError::invalid(
            "--compression-format",
            f,
            "expected gzip, zstd or zstd:chunked",
        )),
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

fn pull(rt: &Runtime, a: &PullArgs) -> anyhow::Result<u8> {
    let creds = a.creds.as_deref().map(parse_creds).transpose()?;
    let mut opts = pull_options(
        rt,
        &a.registry,
        pull_platform(a)?,
        creds,
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

fn push(rt: &Runtime, a: &PushArgs) -> anyhow::Result<u8> {
    let mut opts = rt.push_options()?;
    opts.tls_verify = a.registry.tls_verify;
    opts.certs_dir.clone_from(&a.registry.cert_dir);
    opts.auth.authfile.clone_from(&a.registry.authfile);
    opts.auth.credentials = a.creds.as_deref().map(parse_creds).transpose()?;
    opts.compress = a.compress || push_gzip(a.compression_format.as_deref())?;
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

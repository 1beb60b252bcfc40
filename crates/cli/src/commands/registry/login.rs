//! `login`: credentials from the flags, stdin or a prompt on the terminal.

use crate::cli::{LoginArgs, RegistryFlags};
use crate::commands::out;
use crate::error::CliError;
use berth_runtime::{registry_key, Credentials, LoginOptions, Runtime};
use std::io::{BufRead, IsTerminal, Write};

fn login_options(rt: &Runtime, flags: &RegistryFlags) -> anyhow::Result<LoginOptions> {
    let mut opts = rt.login_options()?;
    opts.tls_verify = flags.tls_verify;
    opts.certs_dir.clone_from(&flags.cert_dir);
    opts.auth.authfile.clone_from(&flags.authfile);
    Ok(opts)
}

/// Runs `login`.
pub(super) fn run(rt: &Runtime, a: &LoginArgs) -> anyhow::Result<u8> {
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

/// The error when credentials would have to be asked for without a terminal.
pub(super) fn not_a_terminal() -> CliError {
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

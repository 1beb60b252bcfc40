//! Errors, their exit codes, and how they are printed.
//!
//! berth follows podman's exit codes: 125 for berth's own errors (bad flags,
//! bad values, unknown containers), 126 when the container command cannot be
//! invoked, 127 when it is not found, and otherwise the container's own exit
//! code. Errors are printed once, on stderr, as `Error: ` followed by the
//! error and its cause chain joined with `: `.

use berth_runtime::{ErrorKind, OciFailure};
use std::error::Error as StdError;
use std::fmt;
use std::path::PathBuf;

/// Exit code for berth's own errors (podman's 125).
pub const EXIT_BERTH: u8 = 125;
/// Exit code when the container command exists but cannot be invoked.
pub const EXIT_CANNOT_INVOKE: u8 = 126;
/// Exit code when the container command is not found.
pub const EXIT_NOT_FOUND: u8 = 127;

/// Errors found by the command line itself: bad flag values, unreadable
/// option files, bad templates, commands not wired yet. All exit 125.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A flag's value does not parse.
    #[error("invalid value {value:?} for {flag}: {reason}")]
    InvalidValue {
        /// The flag, as the user spells it (`--publish`).
        flag: String,
        /// The value given.
        value: String,
        /// What is wrong and, where useful, what is expected.
        reason: String,
    },
    /// Flags that make no sense together, or a flag missing its partner.
    #[error("{flag}: {reason}")]
    Conflict {
        /// The flag at fault.
        flag: String,
        /// What is wrong.
        reason: String,
    },
    /// A file named by a flag (`--env-file`) cannot be read.
    #[error("reading {flag} file {}", path.display())]
    ReadFile {
        /// The flag naming the file.
        flag: String,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of a file named by a flag does not parse.
    #[error("{flag} file {}, line {line}: {reason}", path.display())]
    FileLine {
        /// The flag naming the file.
        flag: String,
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A flag's value does not parse (a parser of the runtime's).
    #[error(transparent)]
    Value(#[from] berth_runtime::InvalidValue),
    /// A `--format` template does not parse or cannot be rendered.
    #[error(transparent)]
    Template(#[from] berth_template::TemplateError),
    /// A word before the image that looks like a flag but is none of the
    /// command's (podman's wording).
    #[error("{0}")]
    UnknownFlag(String),
    /// An error in podman's own words where scripts and podman's tests match them
    /// (`running container create option: invalid log driver: invalid argument`).
    #[error("{0}")]
    Worded(String),
    /// Two different mounts (`-v`, `--mount`, `--tmpfs`) on one destination (podman's
    /// wording; the same mount twice is accepted).
    #[error("{}: duplicate mount destination", .0.display())]
    DuplicateMount(PathBuf),
    /// `--cidfile` names a file that exists (podman's wording: scripts match it).
    #[error("container id file exists. Ensure another container is not using it or delete {}", .0.display())]
    CidFileExists(PathBuf),
    /// A podman flag (or one of its values) berth defines but does not support
    /// yet; the CLI README's table "Flags accepted but not supported yet" lists them.
    #[error("{flag} is not supported yet{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    NotSupported {
        /// The flag, with the value when only some values are refused
        /// (`--restart always`).
        flag: String,
        /// Why, or what to use instead.
        detail: Option<String>,
    },
    /// The command is parsed but its engine call does not exist yet.
    #[error("berth {command}: not implemented until the runtime lands")]
    NotImplemented {
        /// The command path, e.g. `pod create`.
        command: String,
    },
}

impl CliError {
    /// A bad value for `flag`.
    pub fn invalid(flag: &str, value: &str, reason: impl Into<String>) -> Self {
        Self::InvalidValue {
            flag: flag.to_owned(),
            value: value.to_owned(),
            reason: reason.into(),
        }
    }

    /// A flag (or flag and value) berth does not support yet.
    pub fn not_supported(flag: impl Into<String>, detail: Option<&str>) -> Self {
        Self::NotSupported {
            flag: flag.into(),
            detail: detail.map(str::to_owned),
        }
    }

    /// A conflict or a missing companion flag.
    pub fn conflict(flag: &str, reason: impl Into<String>) -> Self {
        Self::Conflict {
            flag: flag.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Result alias for the command line's own parsing.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// An error that carries the exit code it should end the process with.
///
/// Only its outermost message is its own; the chain continues with the
/// wrapped error's causes.
#[derive(Debug)]
pub struct Coded {
    code: u8,
    error: anyhow::Error,
}

impl Coded {
    /// Wraps `error` so that the process exits with `code`.
    pub fn wrap(code: u8, error: impl Into<anyhow::Error>) -> anyhow::Error {
        anyhow::Error::new(Self {
            code,
            error: error.into(),
        })
    }

    /// The container command cannot be invoked (126).
    pub fn cannot_invoke(error: impl Into<anyhow::Error>) -> anyhow::Error {
        Self::wrap(EXIT_CANNOT_INVOKE, error)
    }

    /// The container command is not found (127).
    pub fn not_found(error: impl Into<anyhow::Error>) -> anyhow::Error {
        Self::wrap(EXIT_NOT_FOUND, error)
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        self.code
    }
}

impl fmt::Display for Coded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl StdError for Coded {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.error.source()
    }
}

/// The exit code of a runtime error from `run`, `start` or `init` (podman's): 127 when the
/// OCI runtime did not find the command, 126 for any other OCI runtime failure, else 125.
pub fn run_exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::OciRuntime(OciFailure::CommandNotFound) => EXIT_NOT_FOUND,
        ErrorKind::OciRuntime(_) => EXIT_CANNOT_INVOKE,
        _ => EXIT_BERTH,
    }
}

/// The exit code of a runtime error from `exec` (podman's): 126 when the command cannot be
/// invoked, 127 when it is not found, else 125.
pub fn exec_exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::OciRuntime(OciFailure::CannotInvoke) => EXIT_CANNOT_INVOKE,
        ErrorKind::OciRuntime(OciFailure::CommandNotFound) => EXIT_NOT_FOUND,
        _ => EXIT_BERTH,
    }
}

/// The exit code an error ends the process with: the code of a [`Coded`]
/// anywhere in the chain, else 125.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    error
        .chain()
        .find_map(|e| e.downcast_ref::<Coded>().map(Coded::code))
        .unwrap_or(EXIT_BERTH)
}

/// The text printed on stderr: `Error: ` and the cause chain joined with
/// `: `. A cause whose text the previous message already ends with (an error
/// that formats its source into its own message) is not repeated.
pub fn render(error: &anyhow::Error) -> String {
    let mut out = String::from("Error: ");
    let mut previous = String::new();
    for (i, cause) in error.chain().enumerate() {
        let text = cause.to_string();
        if i > 0 {
            if text.is_empty() || previous.ends_with(&text) {
                continue;
            }
            out.push_str(": ");
        }
        out.push_str(&text);
        previous = text;
    }
    out
}

/// Makes a panic print one clean `Error:` line and exit 125 instead of a
/// Rust debug dump.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_message(info.payload());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "Error: internal error: {message}{place}; this is a bug in berth, please report it"
        );
        std::process::exit(i32::from(EXIT_BERTH));
    }));
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("opening state database /x/state.redb")]
    struct Outer {
        #[source]
        source: std::io::Error,
    }

    #[test]
    fn render_joins_the_cause_chain() {
        let err = anyhow::Error::new(Outer {
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
        assert_eq!(
            render(&err),
            "Error: opening state database /x/state.redb: no such file"
        );
    }

    #[test]
    fn render_does_not_repeat_a_cause_already_in_the_message() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let err = anyhow::Error::new(io).context("reading config: gone");
        assert_eq!(render(&err), "Error: reading config: gone");
    }

    #[test]
    fn cli_errors_exit_125() {
        let err = anyhow::Error::new(CliError::invalid("--memory", "1x", "bad unit"));
        assert_eq!(exit_code(&err), 125);
        assert_eq!(
            render(&err),
            "Error: invalid value \"1x\" for --memory: bad unit"
        );
    }

    #[test]
    fn coded_errors_keep_their_code_and_chain() {
        let inner = anyhow::anyhow!("exec: \"nosuch\": executable file not found in $PATH");
        let err = Coded::not_found(inner);
        assert_eq!(exit_code(&err), 127);
        assert!(render(&err).contains("executable file not found"));
        let err = Coded::cannot_invoke(anyhow::anyhow!("permission denied"));
        assert_eq!(exit_code(&err), 126);
        let wrapped = err.context("running container web");
        assert_eq!(exit_code(&wrapped), 126);
        assert_eq!(
            render(&wrapped),
            "Error: running container web: permission denied"
        );
    }

    #[test]
    fn oci_runtime_kinds_map_to_podmans_codes() {
        let cases = [
            (ErrorKind::OciRuntime(OciFailure::CommandNotFound), 127, 127),
            (ErrorKind::OciRuntime(OciFailure::CannotInvoke), 126, 126),
            (ErrorKind::OciRuntime(OciFailure::Other), 126, 125),
            (ErrorKind::NotFound, 125, 125),
            (ErrorKind::InvalidInput, 125, 125),
        ];
        for (kind, run, exec) in cases {
            assert_eq!(run_exit_code(kind), run, "run {kind:?}");
            assert_eq!(exec_exit_code(kind), exec, "exec {kind:?}");
        }
    }

    #[test]
    fn plain_errors_default_to_125() {
        assert_eq!(exit_code(&anyhow::anyhow!("boom")), 125);
    }

    #[test]
    fn file_errors_name_flag_and_path() {
        let err = anyhow::Error::new(CliError::ReadFile {
            flag: "--env-file".into(),
            path: "/nope".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "No such file"),
        });
        assert_eq!(
            render(&err),
            "Error: reading --env-file file /nope: No such file"
        );
    }
}

//! The crate's error type.

use std::fmt;
use std::path::PathBuf;

use crate::binary::Rejection;
use crate::rootless::RuntimeDirAttempt;

/// Result alias for berth-config.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building a configuration.
///
/// Each variant names the thing (file, key, line) and what is expected, so the
/// message alone tells a user what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An explicitly requested configuration file does not exist.
    #[error("configuration file {path} does not exist (it was given explicitly{via}); create it or point to another file", via = .via.as_deref().map(|v| format!(" by {v}")).unwrap_or_default())]
    ConfigFileMissing {
        /// The file that was asked for.
        path: PathBuf,
        /// What named it (e.g. `BERTH_CONFIG`), if not code.
        via: Option<String>,
    },

    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A file is not valid TOML.
    #[error("{path}:{line}:{column}: not valid TOML: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (in characters) of the problem.
        column: usize,
        /// What the TOML parser said.
        message: String,
    },

    /// A key in a file has a value of the wrong type or a value that is not allowed.
    #[error("{path}:{line}:{column}: `{key}`: expected {expected}, found {found}")]
    InvalidValue {
        /// The file.
        path: PathBuf,
        /// 1-based line of the value.
        line: usize,
        /// 1-based column (in characters) of the value.
        column: usize,
        /// The key, dotted for nested tables (`storage.driver`, `registry[2].location`).
        key: String,
        /// What would have been accepted.
        expected: String,
        /// What was there.
        found: String,
    },

    /// An option given in code has a value that is not allowed.
    #[error("option `{key}`: expected {expected}, found {found}")]
    InvalidOption {
        /// The key the option sets.
        key: String,
        /// What would have been accepted.
        expected: String,
        /// What was given.
        found: String,
    },

    /// A default needs the home directory but neither `HOME` nor the XDG variable is set.
    #[error("cannot work out the default for `{key}` of a rootless user: {reason}; set it in the configuration file or as an option")]
    NoDefault {
        /// The key whose default could not be computed.
        key: String,
        /// Why.
        reason: String,
    },

    /// No usable runtime directory for a rootless user; every place tried is listed.
    #[error("no usable runtime directory for uid {uid}: {}", Attempts(.attempts))]
    NoRuntimeDir {
        /// The user.
        uid: u32,
        /// Every place tried and why it was rejected.
        attempts: Vec<RuntimeDirAttempt>,
    },

    /// None of the candidates for a binary can be used; every candidate is listed.
    #[error("no usable {what} binary: {}", Rejections(.candidates))]
    BinaryNotFound {
        /// What was looked for (`runtime`, `conmon`, ...).
        what: String,
        /// Every candidate and why it was rejected.
        candidates: Vec<(PathBuf, Rejection)>,
    },
}

struct Attempts<'a>(&'a [RuntimeDirAttempt]);

impl fmt::Display for Attempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

struct Rejections<'a>(&'a [(PathBuf, Rejection)]);

impl fmt::Display for Rejections<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no candidates were configured");
        }
        for (i, (path, why)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} ({why})", path.display())?;
        }
        Ok(())
    }
}

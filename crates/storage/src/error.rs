//! The error type of berth-storage.

use std::path::PathBuf;

/// Everything that can go wrong in the store. Each variant names the thing
/// (path, id, reference, tar entry) and, where useful, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O operation on a path failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done ("create", "read", "rename", ...).
        op: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A system call failed.
    #[error("{op} {path}: {source}")]
    Sys {
        /// The system call or operation ("mount", "mknod", ...).
        op: &'static str,
        /// The path it was called on.
        path: PathBuf,
        /// The errno.
        #[source]
        source: nix::Error,
    },
    /// A JSON document could not be parsed or written.
    #[error("JSON in {what}: {source}")]
    Json {
        /// Which document (a path or a description).
        what: String,
        /// The parser error.
        #[source]
        source: serde_json::Error,
    },
    /// Content did not hash to the digest it was announced with.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was verified (a blob, a layer).
        what: String,
        /// The announced digest.
        expected: String,
        /// The digest of the content.
        actual: String,
    },
    /// A digest string is malformed.
    #[error("invalid digest {0:?}: expected sha256:<64 lowercase hex>")]
    InvalidDigest(String),
    /// An image reference is malformed.
    #[error("invalid reference {reference:?}: {reason}")]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A tar entry was refused by the extractor.
    #[error("unsafe or invalid layer entry {entry:?}: {reason}")]
    UnsafeEntry {
        /// The entry's path as written in the archive.
        entry: String,
        /// Why it was refused.
        reason: String,
    },
    /// A tar stream could not be read.
    #[error("reading layer archive: {0}")]
    Archive(#[source] std::io::Error),
    /// No image matches a name, id or id prefix.
    #[error("{0}: image not known")]
    ImageNotFound(String),
    /// An id prefix or short name matches more than one image.
    #[error(
        "{name:?} is ambiguous: it matches images {candidates:?}; use a longer id or a full name"
    )]
    Ambiguous {
        /// The name or prefix given.
        name: String,
        /// The ids it matches.
        candidates: Vec<String>,
    },
    /// The short-name rules (registries.conf's aliases and search
    /// registries) a look-up of a short name needs could not be had.
    #[error("looking up short name {name:?}: {source}")]
    ShortNameRules {
        /// The name looked up.
        name: String,
        /// Why the rules are missing or broken.
        #[source]
        source: crate::RulesError,
    },
    /// No layer with this id.
    #[error("layer not known: {0}")]
    LayerNotFound(String),
    /// No container storage with this id.
    #[error("container storage not known: {0}")]
    ContainerNotFound(String),
    /// A container storage with this id already exists.
    #[error("container storage already exists for container {0}")]
    ContainerExists(String),
    /// The image is used by containers and `force` was not given.
    #[error("image {image} is in use by containers {containers:?}; remove them first or force")]
    ImageInUse {
        /// The image id.
        image: String,
        /// The storage ids of the containers using it.
        containers: Vec<String>,
    },
    /// Something is still mounted.
    #[error("storage is busy: {0}")]
    Busy(String),
    /// An archive (OCI layout, docker-archive) is malformed.
    #[error("invalid archive {what}: {reason}")]
    InvalidArchive {
        /// The archive or file inside it.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// An option value is invalid.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// A failure injected by the fake storage; only with the `testing` feature, so a
    /// production build cannot produce it.
    #[cfg(any(test, feature = "testing"))]
    #[error("injected failure in {0}")]
    Injected(String),
}

/// Result with the storage error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[allow(dead_code)] // used by the store modules as they land
impl Error {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }
    pub(crate) fn sys(op: &'static str, path: impl Into<PathBuf>, source: nix::Error) -> Self {
        Error::Sys {
            op,
            path: path.into(),
            source,
        }
    }
    pub(crate) fn unsafe_entry(entry: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::UnsafeEntry {
            entry: entry.into(),
            reason: reason.into(),
        }
    }
}

/// Adds a path and an operation name to `std::io::Result`.
#[allow(dead_code)]
pub(crate) trait IoContext<T> {
    fn ctx(self, op: &'static str, path: &std::path::Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, op: &'static str, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| Error::io(op, path, e))
    }
}

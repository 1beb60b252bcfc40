//! The error type of the registry client.

use std::path::PathBuf;

/// Everything that can go wrong talking to a registry. Each variant names
/// the registry, reference, URL or file and, where useful, what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The local store refused something (a layer, a blob, a name).
    #[error(transparent)]
    Store(#[from] crate::Error),
    /// The registry is marked `blocked = true` in registries.conf.
    #[error("registry {registry} is blocked in registries.conf (pulling {reference} is refused)")]
    Blocked {
        /// The registry (prefix) that is blocked.
        registry: String,
        /// The reference asked for.
        reference: String,
    },
    /// A short name with no alias and no search registries to try.
    #[error(
        "short-name {name:?} did not resolve to an alias and no unqualified-search-registries are configured in registries.conf; use a fully qualified name such as docker.io/library/{name}"
    )]
    NoSearchRegistries {
        /// The short name.
        name: String,
    },
    /// `short-name-mode = "enforcing"` and several search registries could
    /// serve a short name; berth does not prompt.
    #[error(
        "short-name resolution enforced but cannot prompt without a TTY: {name:?} could be {}; use a fully qualified name or add an [aliases] entry in registries.conf",
        .candidates.join(" or ")
    )]
    ShortNameEnforced {
        /// The short name.
        name: String,
        /// The fully qualified candidates.
        candidates: Vec<String>,
    },
    /// The connection could not be made or broke (after retries).
    #[error("{method} {url}: {source}{hint}")]
    Transport {
        /// HTTP method.
        method: String,
        /// The URL.
        url: String,
        /// A hint appended to the message (TLS problems).
        hint: String,
        /// The underlying error.
        #[source]
        source: Box<ureq::Error>,
    },
    /// The registry answered with an unexpected status.
    #[error("{method} {url}: HTTP {status}{}", fmt_detail(.detail))]
    Status {
        /// HTTP method.
        method: String,
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The registry's error message (from its JSON error body), if any.
        detail: String,
    },
    /// Credentials were refused or are needed.
    #[error("authentication to {registry} failed: {reason}; check the user name and password (berth login {registry})")]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// What the registry said.
        reason: String,
    },
    /// An `https://` registry named a plain-HTTP token service: the
    /// credentials (and the token) would travel unencrypted.
    #[error("registry {registry} is served over HTTPS but asks for a bearer token from {realm} over plain HTTP; refused so that credentials never travel unencrypted")]
    InsecureRealm {
        /// The registry host.
        registry: String,
        /// The realm URL of its challenge.
        realm: String,
    },
    /// Layers the pull found in the store were removed by another command
    /// each time the pull was about to use them.
    #[error("pulling {reference}: layers {} were removed by another command (rmi, image prune or system check --repair) while the pull ran; nothing was stored, try again", .layers.join(", "))]
    LayersRemoved {
        /// The reference pulled.
        reference: String,
        /// Digests of the layers that kept disappearing.
        layers: Vec<String>,
    },
    /// The manifest (tag or digest) does not exist.
    #[error("{reference}: manifest unknown (tried {})", .tried.join(", "))]
    ManifestUnknown {
        /// The reference asked for.
        reference: String,
        /// Where it was looked for.
        tried: Vec<String>,
    },
    /// Several candidate sources failed, each for its own reason.
    #[error("pulling {reference} failed: {}", .attempts.iter().map(|(s, e)| format!("{s}: {e}")).collect::<Vec<_>>().join("; "))]
    AllSourcesFailed {
        /// The reference asked for.
        reference: String,
        /// Each source tried and why it failed.
        attempts: Vec<(String, Error)>,
    },
    /// A manifest, index, token response or other document is malformed.
    #[error("invalid {what}: {reason}")]
    BadDocument {
        /// Which document (with its digest or URL).
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// An index has no manifest for the wanted platform.
    #[error("{reference}: no image for platform {wanted} in the manifest list (it has: {})", .available.join(", "))]
    NoMatchingPlatform {
        /// The reference.
        reference: String,
        /// The wanted platform (`os/arch[/variant]`).
        wanted: String,
        /// The platforms the index offers.
        available: Vec<String>,
    },
    /// Content did not match the digest or size it was announced with.
    #[error("{what} from {source_url}: expected {expected}, got {actual}; nothing was stored")]
    Mismatch {
        /// "digest" or "size" and which blob.
        what: String,
        /// Where it came from.
        source_url: String,
        /// Announced value.
        expected: String,
        /// Received value.
        actual: String,
    },
    /// The auth file could not be read, parsed or written.
    #[error("auth file {path}: {reason}")]
    AuthFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A registry could not be searched (podman's words).
    #[error("couldn't search registry {registry:?}")]
    Search {
        /// The registry.
        registry: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// `logout` of a registry with no stored credentials.
    #[error("not logged into {registry} (no entry in {path})")]
    NotLoggedIn {
        /// The registry.
        registry: String,
        /// The auth file looked at.
        path: PathBuf,
    },
    /// The signature policy file is missing or malformed.
    #[error("signature policy {path}: {reason}")]
    Policy {
        /// The policy file (or a description of an inline policy).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The signature policy rejects the image.
    #[error("{reference}: rejected by the signature policy {path} (scope {scope:?}, requirement \"reject\")")]
    PolicyRejected {
        /// The reference.
        reference: String,
        /// The policy file.
        path: String,
        /// The scope whose requirements applied ("" = transport default, "default" = global).
        scope: String,
    },
    /// The signature policy asks for a check berth does not implement.
    #[error("{reference}: the signature policy {path} requires {requirement:?} (scope {scope:?}), which berth does not implement; the image is not accepted")]
    PolicyUnsupported {
        /// The reference.
        reference: String,
        /// The policy file.
        path: String,
        /// The scope.
        scope: String,
        /// The requirement type.
        requirement: String,
    },
    /// A file operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was done.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An option value is invalid.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// A failure injected by `testing::FakeRegistry`; only with the `testing` feature, so a
    /// production build cannot produce it.
    #[cfg(any(test, feature = "testing"))]
    #[error("injected failure in registry {0}")]
    Injected(String),
}

fn fmt_detail(d: &str) -> String {
    if d.is_empty() {
        String::new()
    } else {
        format!(": {d}")
    }
}

/// Result with the registry error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn bad(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::BadDocument {
            what: what.into(),
            reason: reason.into(),
        }
    }

    /// True for "this source does not have it" (try the next one quietly).
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::ManifestUnknown { .. } => true,
            Error::Status { status, .. } => *status == 404,
            Error::AllSourcesFailed { attempts, .. } => {
                attempts.iter().all(|(_, e)| e.is_not_found())
            }
            _ => false,
        }
    }

    /// True for authentication failures.
    pub fn is_unauthorized(&self) -> bool {
        match self {
            Error::Unauthorized { .. } => true,
            Error::AllSourcesFailed { attempts, .. } => {
                attempts.iter().any(|(_, e)| e.is_unauthorized())
            }
            _ => false,
        }
    }
}

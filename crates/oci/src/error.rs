//! The crate's error type.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the OCI layer. Each variant names the thing involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value in the caller's [`crate::ContainerSpec`] is invalid.
    #[error("invalid container spec: {field}: {reason}")]
    InvalidSpec {
        /// The offending field.
        field: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The requested user does not exist in the container's `/etc/passwd`.
    #[error("unable to find user {user}: no matching entries in passwd file {}", path.display())]
    UnknownUser {
        /// The user as given.
        user: String,
        /// The passwd file consulted.
        path: PathBuf,
    },

    /// The requested group does not exist in the container's `/etc/group`.
    #[error("unable to find group {group}: no matching entries in group file {}", path.display())]
    UnknownGroup {
        /// The group as given.
        group: String,
        /// The group file consulted.
        path: PathBuf,
    },

    /// A file read from inside the container's root filesystem cannot be used (not a regular
    /// file, too large, or unreadable).
    #[error("{path} in the container's root filesystem {}: {reason}", rootfs.display())]
    ContainerFile {
        /// The path inside the container (`/etc/passwd`).
        path: String,
        /// The root filesystem on the host.
        rootfs: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A capability name is not known.
    #[error("unknown capability {name:?} (use names like NET_ADMIN or CAP_NET_ADMIN, or ALL)")]
    UnknownCapability {
        /// The name as given.
        name: String,
    },

    /// A seccomp profile could not be read or converted.
    #[error("seccomp profile {}: {reason}", path.display())]
    Seccomp {
        /// The profile file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// The systemd cgroup manager was requested but systemd is not running.
    #[error("the systemd cgroup manager was requested but systemd is not running on this host (no /run/systemd/system); set cgroup_manager = \"cgroupfs\"")]
    SystemdNotRunning,

    /// A hooks directory does not exist and `hooks_dir_not_exist_fatal` is set.
    #[error("hooks directory {} does not exist", path.display())]
    HooksDirMissing {
        /// The missing directory.
        path: PathBuf,
    },

    /// A hook file is invalid.
    #[error("invalid hook file {}: {field}: {reason}", path.display())]
    InvalidHook {
        /// The hook file.
        path: PathBuf,
        /// The offending field (JSON key).
        field: String,
        /// What is wrong.
        reason: String,
    },

    /// A runtime or conmon binary is missing or not executable.
    #[error("{what} binary {} is not usable: {reason}", path.display())]
    BinaryNotUsable {
        /// "runtime" or "conmon".
        what: &'static str,
        /// The path given.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },

    /// The container does not exist in the runtime.
    #[error("container {id} does not exist in the OCI runtime")]
    NoSuchContainer {
        /// Container id.
        id: String,
    },

    /// The OCI runtime (or conmon on its behalf) reported an error.
    #[error("OCI runtime error during {op} of {id}: {message}")]
    Runtime {
        /// The operation (create, start, kill, exec, ...).
        op: &'static str,
        /// Container id.
        id: String,
        /// The runtime's own message.
        message: String,
        /// podman's classification of the message.
        class: ExitCodeClass,
    },

    /// conmon failed before reporting anything useful.
    #[error("conmon failed for {id}: {message}")]
    Conmon {
        /// Container id.
        id: String,
        /// What went wrong.
        message: String,
    },

    /// The container stopped but conmon recorded no exit code (conmon was killed).
    #[error("container {id} stopped but its exit code was not recorded (conmon is gone); treat the exit code as unknown")]
    ExitCodeUnknown {
        /// Container id.
        id: String,
    },

    /// Timed out waiting for something.
    #[error("timed out after {seconds}s waiting for {what}")]
    Timeout {
        /// What we waited for.
        what: String,
        /// How long.
        seconds: u64,
    },

    /// An I/O error on a named path.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What we tried to do.
        op: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// Spawning or talking to an external command failed.
    #[error("running {command}: {source}")]
    Command {
        /// The command line (binary and subcommand).
        command: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// JSON produced by an external program or found on disk could not be parsed.
    #[error("parsing JSON from {what}: {source}")]
    Json {
        /// Where the JSON came from.
        what: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },

    /// Building an OCI spec object failed.
    #[error("building the OCI spec: {0}")]
    OciSpec(#[from] oci_spec::OciSpecError),

    /// An injected failure from the fake runtime; only with the `testing` feature, so a
    /// production build cannot produce it.
    #[cfg(any(test, feature = "testing"))]
    #[error("injected failure in {0}")]
    Injected(String),
}

/// podman's classification of OCI runtime failures (PROTOCOLS §8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCodeClass {
    /// "executable file not found" / "no such file or directory".
    NotFound,
    /// "permission denied" / "operation not permitted".
    PermissionDenied,
    /// Any other runtime failure.
    Other,
}

impl ExitCodeClass {
    /// Classifies a runtime message the way podman 4.3.1 does.
    pub fn classify(message: &str) -> Self {
        let m = message.to_ascii_lowercase();
        if m.contains("permission denied") || m.contains("operation not permitted") {
            Self::PermissionDenied
        } else if m.contains("executable file not found in")
            || m.contains("no such file or directory")
        {
            Self::NotFound
        } else {
            Self::Other
        }
    }
}

impl Error {
    /// Builds an [`Error::Io`].
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// podman's classification of an OCI runtime failure ([`Error::Runtime`]); `None` for
    /// every other error. Exit codes are the front end's: berth-runtime turns the class into
    /// its error kind, which the CLI maps to 126/127.
    pub fn runtime_class(&self) -> Option<ExitCodeClass> {
        match self {
            Self::Runtime { class, .. } => Some(*class),
            _ => None,
        }
    }
}

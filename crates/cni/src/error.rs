//! The crate's error type.

use std::path::PathBuf;
use std::time::Duration;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the network layer. Each variant names the
/// thing involved (file, network, plugin, container) so the message alone
/// tells the user what to look at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filesystem or system call failed on `path`.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("read", "create", "bind-mount", ...).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A network namespace operation failed.
    #[error("network namespace {path}: {reason}")]
    Netns {
        /// The namespace file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// A CNI config file is not valid JSON or misses required fields.
    #[error("CNI config {path}: {reason}")]
    Config {
        /// The offending file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// No config in the config dir defines this network.
    #[error("CNI network {name:?} not found in {dir}")]
    NetworkNotFound {
        /// The requested network name.
        name: String,
        /// The directory searched.
        dir: PathBuf,
    },

    /// A network with this name (or bridge, or subnet) already exists.
    #[error("CNI network {name:?} already exists ({what})")]
    NetworkExists {
        /// The network name.
        name: String,
        /// What collides (file, bridge name or subnet).
        what: String,
    },

    /// A network cannot be removed because containers use it.
    #[error(
        "CNI network {name:?} is used by containers {containers:?}; stop them or remove with force"
    )]
    NetworkInUse {
        /// The network.
        name: String,
        /// The containers using it.
        containers: Vec<String>,
    },

    /// A name, subnet or other argument given by the caller is invalid.
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidArgument {
        /// What kind of value ("network name", "subnet", "container id").
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it is refused.
        reason: String,
    },

    /// A port mapping specification could not be parsed.
    #[error("invalid port mapping {input:?}: {reason}")]
    PortMapping {
        /// The text given.
        input: String,
        /// What is wrong.
        reason: String,
    },

    /// No plugin binary of this type exists in any plugin dir.
    #[error("CNI plugin {plugin:?} not found in {dirs:?}; install containernetworking-plugins or fix the plugin dirs")]
    PluginNotFound {
        /// The plugin `type`.
        plugin: String,
        /// The directories searched.
        dirs: Vec<PathBuf>,
    },

    /// A plugin reported an error object (`code`, `msg`, `details`).
    #[error("CNI plugin {plugin} {command} failed for network {network:?}: {msg} (code {code}){}", details_suffix(details.as_deref()))]
    Plugin {
        /// The plugin `type`.
        plugin: String,
        /// The network name.
        network: String,
        /// ADD, DEL, CHECK or VERSION.
        command: String,
        /// The CNI error code.
        code: u32,
        /// The message.
        msg: String,
        /// Optional details.
        details: Option<String>,
    },

    /// A plugin failed without an error object on stdout.
    #[error("CNI plugin {plugin} {command} failed for network {network:?}: {status}: {stderr}")]
    PluginFailed {
        /// The plugin `type`.
        plugin: String,
        /// The network name.
        network: String,
        /// ADD, DEL, CHECK or VERSION.
        command: String,
        /// Exit status text.
        status: String,
        /// Its stderr (trimmed).
        stderr: String,
    },

    /// A plugin did not finish in time and was killed.
    #[error("CNI plugin {plugin} {command} for network {network:?} did not finish within {timeout:?} and was killed")]
    PluginTimeout {
        /// The plugin `type`.
        plugin: String,
        /// The network name.
        network: String,
        /// ADD, DEL, CHECK or VERSION.
        command: String,
        /// The limit.
        timeout: Duration,
    },

    /// A plugin succeeded but printed something that is not a CNI result.
    #[error(
        "CNI plugin {plugin} {command} for network {network:?} printed an invalid result: {reason}"
    )]
    PluginOutput {
        /// The plugin `type`.
        plugin: String,
        /// The network name.
        network: String,
        /// ADD, DEL, CHECK or VERSION.
        command: String,
        /// What is wrong with the output.
        reason: String,
    },

    /// Several cleanup steps failed; every failure is listed.
    #[error("network teardown had {} error(s): {}", .0.len(), join_errors(.0))]
    Teardown(Vec<Error>),

    /// An ADD failed and the DEL that followed it (the spec owes one) failed too: both are
    /// reported, so the leftovers of the partial attachment are not hidden.
    #[error("{add}; the DEL after it failed too: {}", join_errors(.del))]
    AddFailed {
        /// The ADD's error.
        add: Box<Error>,
        /// The DEL's errors.
        del: Vec<Error>,
    },

    /// A published host port is taken: a running container publishes it, or a program
    /// listens on it (podman's words).
    #[error("cannot listen on the {} port: listen {protocol}{} {address}: bind: address already in use", protocol.as_str().to_uppercase(), if address.is_ipv4() { "4" } else { "6" })]
    PortInUse {
        /// The protocol.
        protocol: crate::ports::Protocol,
        /// The host address and port.
        address: std::net::SocketAddr,
    },

    /// A published host port cannot be bound (something else holds it).
    #[error("cannot listen on the {} port: listen {protocol}{family} {address}: bind: {source}", protocol.to_uppercase())]
    PortUnavailable {
        /// `tcp` or `udp`.
        protocol: String,
        /// `4` or `6`.
        family: &'static str,
        /// `IP:PORT`.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// An iptables command failed.
    #[error("{command}: {stderr}")]
    Iptables {
        /// The command line.
        command: String,
        /// What it printed on stderr.
        stderr: String,
    },

    /// Injected by the fake plugin; only with the `testing` feature, so a production build
    /// cannot produce it.
    #[cfg(any(test, feature = "testing"))]
    #[error("injected failure at {0}")]
    Injected(String),
}

fn details_suffix(details: Option<&str>) -> String {
    match details {
        Some(d) if !d.is_empty() => format!(": {d}"),
        _ => String::new(),
    }
}

fn join_errors(errors: &[Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// `add` alone when the cleanup after it succeeded, else [`Error::AddFailed`] with both.
    pub(crate) fn add_failed(add: Error, del: Vec<Error>) -> Self {
        if del.is_empty() {
            add
        } else {
            Self::AddFailed {
                add: Box::new(add),
                del,
            }
        }
    }

    /// The ADD's own error of an [`Error::AddFailed`], else this error.
    pub fn add_error(&self) -> &Error {
        match self {
            Self::AddFailed { add, .. } => add,
            e => e,
        }
    }

    /// The errors inside, one level down (a [`Error::Teardown`] list), else itself.
    pub(crate) fn into_list(self) -> Vec<Error> {
        match self {
            Self::Teardown(v) => v,
            e => vec![e],
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn config(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::Config {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

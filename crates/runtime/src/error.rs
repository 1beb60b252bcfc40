//! The runtime's error type. Layer errors are kept whole (`#[source]`), so a caller can still
//! ask them their own questions (`is_not_found`, exit-code classes, ...).

use std::path::PathBuf;

pub use kind::{ErrorKind, OciFailure};

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The runtime was shut down; every later call fails with this.
    #[error("runtime stopped: it was shut down; build a new runtime to go on")]
    RuntimeStopped,
    /// A builder option was given a value it cannot take.
    #[error("invalid runtime option {option}: {reason}")]
    InvalidOption {
        /// The option (`tmp_dir`, `hooks_dir`, ...).
        option: &'static str,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A caller argument is invalid (a name, a port, a tail count...).
    #[error("invalid {what} {value:?}: {reason}")]
    InvalidArgument {
        /// What the value is.
        what: &'static str,
        /// The value.
        value: String,
        /// The rule it breaks.
        reason: String,
    },
    /// A `network create` option berth's bridge networks cannot honour, or a bad value
    /// for one.
    #[error("invalid network {option}{}: {reason}", value.as_ref().map(|v| format!(" {v:?}")).unwrap_or_default())]
    InvalidNetworkOption {
        /// The option at fault.
        option: crate::network::NetworkOption,
        /// The value given, when the option has one.
        value: Option<String>,
        /// What is wrong or unsupported.
        reason: String,
    },
    /// `network connect`/`disconnect` of a container that is not in bridge mode.
    #[error("{mode:?} is not supported: invalid network mode")]
    NetworkModeInvalid {
        /// Its network mode (`none`, `host`, `container:ID`, `ns:PATH`).
        mode: String,
    },
    /// `network connect` to a network the container already joins.
    #[error(
        "container {id} is already connected to network {network:?}: network is already connected"
    )]
    NetworkConnected {
        /// Container id.
        id: String,
        /// The network.
        network: String,
    },
    /// `network reload` of a container without a live network namespace.
    #[error(
        "container {id} network is not configured, refusing to reload: container state improper"
    )]
    NetworkNotConfigured {
        /// Container id.
        id: String,
    },
    /// `network disconnect` from a network the container does not join.
    #[error("container {container} is not connected to network {network}")]
    NetworkNotConnected {
        /// The container as named by the caller.
        container: String,
        /// The network.
        network: String,
    },
    /// `generate systemd` cannot make the units asked for (podman's wording).
    #[error("{0}")]
    Generate(String),
    /// The configuration layer failed.
    #[error(transparent)]
    Config(Box<berth_config::Error>),
    /// The state layer failed.
    #[error(transparent)]
    State(Box<berth_state::StateError>),
    /// The storage layer failed.
    #[error(transparent)]
    Storage(Box<berth_storage::Error>),
    /// The OCI layer failed.
    #[error(transparent)]
    Oci(Box<berth_oci::Error>),
    /// The network layer failed.
    #[error(transparent)]
    Network(Box<berth_cni::Error>),
    /// `cp` between the host and a container failed.
    #[error(transparent)]
    Copy(Box<crate::container::CopyError>),
    /// A registry operation (pull, push, login, logout) failed.
    #[error(transparent)]
    Registry(Box<berth_storage::registry::Error>),
    /// No image has that name, id or id prefix (or the image does not carry a name to
    /// remove); the text says which.
    #[error("{0}: image not known")]
    NoSuchImage(String),
    /// `diff` found no image or container of that name (podman's words).
    #[error("{name} not found: {reason}")]
    DiffTargetNotFound {
        /// The name as given.
        name: String,
        /// What was looked for and not found (`container not known`, ...).
        reason: String,
    },
    /// An image would be deleted while containers use it, and force was not given.
    #[error("image {image} is in use by containers {containers:?}; remove them first or force")]
    ImageInUse {
        /// The image id.
        image: String,
        /// The containers using it.
        containers: Vec<String>,
    },
    /// The operation does not apply in the object's current status.
    #[error("container {id} is {status}: cannot {operation}")]
    InvalidStatus {
        /// Container id.
        id: String,
        /// Its status.
        status: String,
        /// What was asked.
        operation: &'static str,
    },
    /// The pod's status forbids the operation.
    #[error("pod {id} is {status}: cannot {operation}")]
    PodInvalidStatus {
        /// Pod id.
        id: String,
        /// Its status or the reason.
        status: String,
        /// What was asked.
        operation: &'static str,
    },
    /// Other containers share namespaces of this one.
    #[error("container {id} has dependent containers which must be removed before it: {}", dependents.join(", "))]
    ContainerInUse {
        /// Container id.
        id: String,
        /// The dependents' ids.
        dependents: Vec<String>,
    },
    /// A pod still holds containers and force was not given.
    #[error("pod {id} has containers {containers:?}: remove them first or use force")]
    PodHasContainers {
        /// Pod id.
        id: String,
        /// The containers' ids.
        containers: Vec<String>,
    },
    /// A running container would be removed without force.
    #[error("cannot remove container {id} as it is {status} - running or paused containers cannot be removed without force: container state improper")]
    ContainerRunning {
        /// Container id.
        id: String,
        /// Its status.
        status: String,
    },
    /// A `volume create -o` option the local driver refuses (podman's wording).
    #[error("invalid volume option {option} for driver 'local': {reason}")]
    VolumeOption {
        /// The option's key.
        option: String,
        /// What is wrong.
        reason: String,
    },
    /// No volume has that name.
    #[error("no such volume {0}")]
    NoSuchVolume(String),
    /// A volume with that name exists.
    #[error("volume {0} already exists")]
    VolumeExists(String),
    /// A volume's mount (its options through mount(8)), unmount or archive failed.
    #[error("volume {name}: {reason}")]
    VolumeMount {
        /// Volume name.
        name: String,
        /// What failed (mount(8)'s own words where it ran).
        reason: String,
    },
    /// No secret has that name or id.
    #[error("no secret with name or id {0:?}: no such secret")]
    NoSuchSecret(String),
    /// A secret with that name exists.
    #[error("{0}: secret name in use")]
    SecretExists(String),
    /// A volume is used by containers.
    #[error("volume {name} is being used by the following container(s): {}: volume is being used", containers.join(", "))]
    VolumeInUse {
        /// Volume name.
        name: String,
        /// The containers' ids.
        containers: Vec<String>,
    },
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was done.
        op: &'static str,
        /// On what.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// Waiting took longer than allowed.
    #[error("timed out after {seconds}s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        seconds: u64,
    },
    /// A later step failed, and undoing the earlier steps failed too.
    #[error("{source} (and undoing the earlier steps failed: {})", list(.undo))]
    Undo {
        /// The error that made the operation fail.
        #[source]
        source: Box<Error>,
        /// What failed while undoing.
        undo: Vec<Error>,
    },
    /// Several independent cleanup steps failed (every step was tried).
    #[error("cleanup of {id} failed: {}", list(.errors))]
    Cleanup {
        /// Container id.
        id: String,
        /// Every failure.
        errors: Vec<Error>,
    },
    /// A value stored in a container's record cannot be decoded; what it names is left in
    /// place (never torn down on a guess). `system check` reports such records.
    #[error("container {id}: its record's {field} cannot be read ({source}); what it names was left in place")]
    RecordDecode {
        /// Container id.
        id: String,
        /// The record's field.
        field: &'static str,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },
    /// A value cannot be encoded into a container's record (nothing was stored in its place).
    #[error("container {id}: cannot store its {field} in the record ({source})")]
    RecordEncode {
        /// Container id.
        id: String,
        /// The record's field.
        field: &'static str,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },
    /// A listing or prune filter does not parse or names an unknown object.
    #[error(transparent)]
    Filter(#[from] crate::filter::FilterError),
    /// A host fact could not be read.
    #[error("reading {what}: {reason}")]
    Host {
        /// The fact.
        what: String,
        /// Why.
        reason: String,
    },
    /// A healthcheck cannot run or did not finish (`healthcheck run`).
    #[error("{message}")]
    Healthcheck {
        /// The container.
        id: String,
        /// What went wrong, in podman's words.
        message: String,
    },
}

mod kind;
use kind::{
    config_kind, copy_kind, network_kind, oci_kind, registry_kind, state_kind, storage_kind,
};

macro_rules! boxed_from {
    ($($variant:ident: $t:ty),*) => {
        $(impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Config: berth_config::Error,
    State: berth_state::StateError,
    Storage: berth_storage::Error,
    Oci: berth_oci::Error,
    Network: berth_cni::Error,
    Registry: berth_storage::registry::Error,
    Copy: crate::container::CopyError
);

fn list(errors: &[Error]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(
        what: &'static str,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument {
            what,
            value: value.into(),
            reason: reason.into(),
        }
    }

    /// What kind of failure this is, for callers that act on it (a front end's exit code, a
    /// retry, an `--ignore`): see [`ErrorKind`]. Layer errors are classified by their own
    /// variants, and an [`Error::Undo`] by the error that made the operation fail.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::RuntimeStopped => ErrorKind::Stopped,
            Error::InvalidOption { .. }
            | Error::InvalidArgument { .. }
            | Error::InvalidNetworkOption { .. }
            | Error::NetworkModeInvalid { .. }
            | Error::NetworkNotConnected { .. }
            | Error::VolumeOption { .. }
            | Error::Filter(_) => ErrorKind::InvalidInput,
            Error::Config(e) => config_kind(e),
            Error::State(e) => state_kind(e),
            Error::Storage(e) => storage_kind(e),
            Error::Oci(e) => oci_kind(e),
            Error::Network(e) => network_kind(e),
            Error::Copy(e) => copy_kind(e),
            Error::Registry(e) => registry_kind(e),
            Error::Io { .. }
            | Error::Cleanup { .. }
            | Error::Host { .. }
            | Error::VolumeMount { .. }
            | Error::RecordDecode { .. }
            | Error::RecordEncode { .. }
            | Error::Generate(_) => ErrorKind::Other,
            Error::InvalidStatus { .. }
            | Error::PodInvalidStatus { .. }
            | Error::Healthcheck { .. }
            | Error::ContainerRunning { .. }
            | Error::NetworkNotConfigured { .. } => ErrorKind::InvalidState,
            Error::ContainerInUse { .. }
            | Error::PodHasContainers { .. }
            | Error::VolumeInUse { .. }
            | Error::ImageInUse { .. } => ErrorKind::InUse,
            Error::NoSuchVolume(_)
            | Error::NoSuchImage(_)
            | Error::NoSuchSecret(_)
            | Error::DiffTargetNotFound { .. } => ErrorKind::NotFound,
            Error::VolumeExists(_) | Error::SecretExists(_) | Error::NetworkConnected { .. } => {
                ErrorKind::AlreadyExists
            }
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Undo { source, .. } => source.kind(),
        }
    }

    /// Whether this is "no such container/pod/volume" in the state (podman exit code 125 with
    /// that message). Narrower than `kind() == ErrorKind::NotFound`, which also covers
    /// images, networks and the OCI runtime's containers.
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::State(e) => e.is_not_found(),
            Error::NoSuchVolume(_) => true,
            Error::Undo { source, .. } => source.is_not_found(),
            _ => false,
        }
    }

    /// Whether this is a published host port that cannot be had at create: taken by a
    /// running container or a program, or not bindable on its address.
    pub fn is_port_unavailable(&self) -> bool {
        match self {
            Error::Network(e) => matches!(
                **e,
                berth_cni::Error::PortInUse { .. } | berth_cni::Error::PortUnavailable { .. }
            ),
            Error::Undo { source, .. } => source.is_port_unavailable(),
            _ => false,
        }
    }

    /// Whether the runtime was shut down.
    pub fn is_stopped(&self) -> bool {
        matches!(self, Error::RuntimeStopped)
    }

    /// Joins an operation's error with the failures of undoing it.
    pub(crate) fn with_undo(self, undo: Vec<Error>) -> Self {
        if undo.is_empty() {
            self
        } else {
            Error::Undo {
                source: Box::new(self),
                undo,
            }
        }
    }
}

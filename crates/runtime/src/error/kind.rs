//! [`ErrorKind`]: what kind of failure an [`Error`](super::Error) is, decided from its typed
//! variants (the layer errors' own included), so no caller reads an error's message to tell
//! "not found" from "in use".

/// What kind of failure an error is. A front end maps it to its exit code and wording (the
/// CLI: 125, or 126/127 for an OCI runtime failure of `run`/`exec`); a program embedding the
/// runtime branches on it instead of on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The object asked for does not exist: container, pod, volume, image, network, a path
    /// in a container.
    NotFound,
    /// An object with that name or id already exists.
    AlreadyExists,
    /// The object is used by others (containers sharing its namespaces, a pod's members, a
    /// volume's or an image's containers, a network's containers, a host port).
    InUse,
    /// A value given by the caller is invalid (a name, an option, a reference, a spec field).
    InvalidInput,
    /// The object's status forbids the operation (a running container removed without force).
    InvalidState,
    /// The OCI runtime (runc, crun) failed to create, start or exec the container's process.
    OciRuntime(OciFailure),
    /// Waiting took longer than allowed.
    Timeout,
    /// The runtime (or its state) was shut down.
    Stopped,
    /// Anything else: I/O, a damaged database, a registry's answer, a failed cleanup.
    Other,
}

/// Why the OCI runtime failed, classified as podman does from the runtime's own report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OciFailure {
    /// The command exists but cannot be invoked ("permission denied", "operation not
    /// permitted"): podman's exit code 126.
    CannotInvoke,
    /// The command is not found ("executable file not found", "no such file or directory"):
    /// podman's exit code 127.
    CommandNotFound,
    /// Any other failure of the runtime.
    Other,
}

impl From<berth_oci::ExitCodeClass> for OciFailure {
    fn from(class: berth_oci::ExitCodeClass) -> Self {
        match class {
            berth_oci::ExitCodeClass::PermissionDenied => Self::CannotInvoke,
            berth_oci::ExitCodeClass::NotFound => Self::CommandNotFound,
            berth_oci::ExitCodeClass::Other => Self::Other,
        }
    }
}

pub(super) fn config_kind(e: &berth_config::Error) -> ErrorKind {
    use berth_config::Error as E;
    match e {
        E::ConfigFileMissing { .. }
        | E::Syntax { .. }
        | E::InvalidValue { .. }
        | E::InvalidOption { .. } => ErrorKind::InvalidInput,
        _ => ErrorKind::Other,
    }
}

pub(super) fn state_kind(e: &berth_state::StateError) -> ErrorKind {
    use berth_state::StateError as E;
    match e {
        E::NotFound { .. } => ErrorKind::NotFound,
        E::NameInUse { .. } | E::IdInUse { .. } => ErrorKind::AlreadyExists,
        E::AmbiguousPrefix { .. }
        | E::InvalidRecord { .. }
        | E::NamespaceMismatch { .. }
        | E::PodMismatch { .. }
        | E::BadDependency { .. } => ErrorKind::InvalidInput,
        E::PodHasContainers { .. } | E::ContainerInUse { .. } => ErrorKind::InUse,
        E::Closed => ErrorKind::Stopped,
        _ => ErrorKind::Other,
    }
}

pub(super) fn storage_kind(e: &berth_storage::Error) -> ErrorKind {
    use berth_storage::Error as E;
    match e {
        E::ImageNotFound(_) | E::LayerNotFound(_) | E::ContainerNotFound(_) => ErrorKind::NotFound,
        E::ContainerExists(_) => ErrorKind::AlreadyExists,
        E::ImageInUse { .. } | E::Busy(_) => ErrorKind::InUse,
        E::InvalidDigest(_)
        | E::InvalidReference { .. }
        | E::Ambiguous { .. }
        | E::InvalidArchive { .. }
        | E::InvalidOption(_) => ErrorKind::InvalidInput,
        _ => ErrorKind::Other,
    }
}

pub(super) fn oci_kind(e: &berth_oci::Error) -> ErrorKind {
    use berth_oci::Error as E;
    match e {
        E::NoSuchContainer { .. } => ErrorKind::NotFound,
        E::Runtime { class, .. } => ErrorKind::OciRuntime((*class).into()),
        E::Timeout { .. } => ErrorKind::Timeout,
        E::InvalidSpec { .. }
        | E::UnknownUser { .. }
        | E::UnknownGroup { .. }
        | E::UnknownCapability { .. }
        | E::InvalidHook { .. } => ErrorKind::InvalidInput,
        _ => ErrorKind::Other,
    }
}

pub(super) fn network_kind(e: &berth_cni::Error) -> ErrorKind {
    use berth_cni::Error as E;
    match e {
        E::NetworkNotFound { .. } => ErrorKind::NotFound,
        E::NetworkExists { .. } => ErrorKind::AlreadyExists,
        E::NetworkInUse { .. } | E::PortInUse { .. } | E::PortUnavailable { .. } => {
            ErrorKind::InUse
        }
        E::InvalidArgument { .. } | E::PortMapping { .. } => ErrorKind::InvalidInput,
        E::PluginTimeout { .. } => ErrorKind::Timeout,
        E::AddFailed { add, .. } => network_kind(add),
        _ => ErrorKind::Other,
    }
}

pub(super) fn copy_kind(e: &crate::container::CopyError) -> ErrorKind {
    use crate::container::CopyError as E;
    match e {
        E::NotInContainer { .. } | E::NotOnHost { .. } => ErrorKind::NotFound,
        E::DirectoryOntoFile | E::Overwrite { .. } | E::Unsupported { .. } => {
            ErrorKind::InvalidInput
        }
        _ => ErrorKind::Other,
    }
}

pub(super) fn registry_kind(e: &berth_storage::registry::Error) -> ErrorKind {
    use berth_storage::registry::Error as E;
    match e {
        E::Store(e) => storage_kind(e),
        E::NotLoggedIn { .. } => ErrorKind::NotFound,
        E::InvalidOption(_) => ErrorKind::InvalidInput,
        e if e.is_not_found() => ErrorKind::NotFound,
        _ => ErrorKind::Other,
    }
}

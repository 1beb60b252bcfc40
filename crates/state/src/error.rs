//! The errors of the state layer.

use std::path::PathBuf;

/// What kind of object an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A container.
    Container,
    /// A pod.
    Pod,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Container => "container",
            Kind::Pod => "pod",
        })
    }
}

/// An error of the state layer. Each variant names the object or file it is
/// about and, where there is one, what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The state was closed; no call works any more.
    #[error("state closed")]
    Closed,

    /// No object with this id or name (in the state's namespace).
    #[error("no such {kind}: {key}")]
    NotFound {
        /// Container or pod.
        kind: Kind,
        /// The id, name or prefix looked up.
        key: String,
    },

    /// The name is taken by a container or a pod.
    #[error("name in use: {name:?} is already used by {kind} {id}")]
    NameInUse {
        /// The name asked for.
        name: String,
        /// What holds it.
        kind: Kind,
        /// The id of what holds it.
        id: String,
    },

    /// The id is taken by a container or a pod.
    #[error("id in use: {id} is already used by a {kind}")]
    IdInUse {
        /// The id asked for.
        id: String,
        /// What holds it.
        kind: Kind,
    },

    /// A prefix matched several ids.
    #[error("prefix {prefix:?} is ambiguous: it matches {kind}s {}; give more characters", .matches.join(", "))]
    AmbiguousPrefix {
        /// Container or pod.
        kind: Kind,
        /// The prefix looked up.
        prefix: String,
        /// The full ids it matches.
        matches: Vec<String>,
    },

    /// A record's id or name is not valid.
    #[error("invalid {kind} {field} {value:?}: {reason}")]
    InvalidRecord {
        /// Container or pod.
        kind: Kind,
        /// The field (`id`, `name`, ...).
        field: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: &'static str,
    },

    /// The object belongs to another namespace than the state's.
    #[error("{kind} {id} is in namespace {object_namespace:?} but the state is set to namespace {state_namespace:?}")]
    NamespaceMismatch {
        /// Container or pod.
        kind: Kind,
        /// Its id.
        id: String,
        /// The object's namespace.
        object_namespace: String,
        /// The state's namespace.
        state_namespace: String,
    },

    /// A container cannot join its pod.
    #[error("container {container} cannot join pod {pod}: {reason}")]
    PodMismatch {
        /// The container's id.
        container: String,
        /// The pod's id.
        pod: String,
        /// Why.
        reason: String,
    },

    /// A container's dependency is missing or unsuitable.
    #[error("container {container} cannot depend on container {dependency}: {reason}")]
    BadDependency {
        /// The dependent container.
        container: String,
        /// The container it names.
        dependency: String,
        /// Why.
        reason: String,
    },

    /// The pod still has containers.
    #[error("pod {pod} still has containers {}; remove them first", .containers.join(", "))]
    PodHasContainers {
        /// The pod's id.
        pod: String,
        /// Its containers.
        containers: Vec<String>,
    },

    /// Other containers depend on this one.
    #[error("container {id} is in use by containers {}; remove them first", .dependents.join(", "))]
    ContainerInUse {
        /// The container's id.
        id: String,
        /// The containers that share its namespaces.
        dependents: Vec<String>,
    },

    /// The database file is damaged or not a berth state database.
    #[error("state database {path} is corrupt ({detail}); run `berth system reset` to start over, or restore the file from a backup")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What was found.
        detail: String,
    },

    /// The database was written by a newer berth.
    #[error("state database {path} has schema version {found}, newer than the {supported} this berth understands; upgrade berth, or run `berth system reset` to start over")]
    SchemaTooNew {
        /// The database file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The newest version this build knows.
        supported: u64,
    },

    /// Another program holds the database in a mode that excludes berth.
    #[error("state database {path} is locked by another program ({detail}); stop it and retry")]
    Locked {
        /// The database file.
        path: PathBuf,
        /// What redb said.
        detail: String,
    },

    /// A write on a handle opened with `RedbState::open_read_only`.
    #[error("state database {path} is open read-only here: {operation} needs a read-write open")]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// The refused operation.
        operation: &'static str,
    },

    /// A file operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// The database failed during an operation.
    #[error("state database {path}: {operation} failed: {source}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// The state operation.
        operation: &'static str,
        /// redb's error (boxed: it is large).
        #[source]
        source: Box<redb::Error>,
    },

    /// A stored record could not be decoded or encoded.
    #[error("state database {path}: record {key} cannot be read: {source}; run `berth system reset` to start over, or restore the file from a backup")]
    Record {
        /// The database file.
        path: PathBuf,
        /// The record's key (`container/<id>`, ...).
        key: String,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },

    /// A failure injected by a test (`InjectFailures` on `MemoryState`); only with the
    /// `testing` feature, so a production build cannot produce it.
    #[cfg(any(test, feature = "testing"))]
    #[error("injected failure in {operation}")]
    Injected {
        /// The operation that failed.
        operation: String,
    },
}

impl StateError {
    /// Whether this is [`StateError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, StateError::NotFound { .. })
    }

    /// Whether this is [`StateError::NameInUse`].
    pub fn is_name_in_use(&self) -> bool {
        matches!(self, StateError::NameInUse { .. })
    }

    /// Whether this is [`StateError::Closed`].
    pub fn is_closed(&self) -> bool {
        matches!(self, StateError::Closed)
    }
}

/// The result type of the state layer.
pub type Result<T, E = StateError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_cross_threads_and_name_what_they_are_about() {
        fn send_sync<T: Send + Sync + 'static>() {}
        send_sync::<StateError>();
        let err = StateError::AmbiguousPrefix {
            kind: Kind::Container,
            prefix: "ab".into(),
            matches: vec!["ab1".into(), "ab2".into()],
        };
        assert_eq!(
            err.to_string(),
            "prefix \"ab\" is ambiguous: it matches containers ab1, ab2; give more characters"
        );
        let err = StateError::Corrupt {
            path: "/var/lib/berth/state/state.redb".into(),
            detail: "x".into(),
        };
        let msg = err.to_string();
        assert!(
            msg.contains("/var/lib/berth/state/state.redb") && msg.contains("berth system reset")
        );
    }
}

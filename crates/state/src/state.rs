//! The `State` trait: what the runtime asks of a state store.

use crate::error::Result;
use crate::types::{
    ContainerConfig, ContainerRecord, ContainerState, PodConfig, PodRecord, PodState,
};

/// A store of container and pod records.
///
/// Every backend keeps these invariants (the crate's contract test suite
/// checks them on each):
///
/// - ids and names are unique across containers and pods together;
/// - a state set to a namespace sees and changes only that namespace's
///   objects (others are "not found"); namespace `""` sees all. A container
///   cannot join a pod of another namespace;
/// - a pod cannot be removed while it has containers; a container cannot be
///   removed while another container depends on it (shares its namespaces);
/// - each call is atomic: it happens whole or not at all, also when several
///   processes share one [`RedbState`](crate::RedbState) file;
/// - after [`close`](State::close) every call returns
///   [`StateError::Closed`](crate::StateError::Closed) ("state closed").
///
/// The trait is object safe; the runtime holds a `Box<dyn State>`.
pub trait State: Send + Sync + std::fmt::Debug {
    /// The namespace the state is set to (`""` for all).
    fn namespace(&self) -> Result<String>;

    /// Restrict every later call to `namespace`; `""` lifts the restriction.
    fn set_namespace(&self, namespace: &str) -> Result<()>;

    /// Reset every mutable part after a reboot, in every namespace (a reboot
    /// ends the processes of all of them): see
    /// [`ContainerState::reset_after_reboot`] and [`PodStatus::after_reboot`](crate::PodStatus::after_reboot).
    fn refresh(&self) -> Result<()>;

    /// Release the store. Every later call returns "state closed"; closing
    /// twice is an error too.
    fn close(&self) -> Result<()>;

    /// Record a new container. Fails when its id or name is taken by a
    /// container or a pod, when its namespace differs from the state's, when
    /// its pod is missing or in another namespace, or when a container it
    /// shares namespaces with is missing, in another namespace or in another
    /// pod.
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()>;

    /// Remove a container (and its pod membership). Fails when another
    /// container depends on it.
    fn remove_container(&self, id: &str) -> Result<()>;

    /// The container with exactly this id.
    fn container(&self, id: &str) -> Result<ContainerRecord>;

    /// Whether a container with exactly this id is visible.
    fn has_container(&self, id: &str) -> Result<bool>;

    /// The container with this exact id, else this exact name, else the
    /// only id starting with this prefix. An ambiguous prefix fails with
    /// [`StateError::AmbiguousPrefix`](crate::StateError::AmbiguousPrefix)
    /// listing the matches.
    fn lookup_container(&self, id_or_name: &str) -> Result<ContainerRecord>;

    /// Every visible container, ordered by id.
    fn all_containers(&self) -> Result<Vec<ContainerRecord>>;

    /// Every container of every namespace, ordered by id: for what namespaces share, such
    /// as named volumes.
    fn all_containers_in_every_namespace(&self) -> Result<Vec<ContainerRecord>>;

    /// The mutable part of a container.
    fn container_state(&self, id: &str) -> Result<ContainerState>;

    /// Replace the mutable part of a container.
    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()>;

    /// Give a container a new name (valid, and no container's or pod's); its id,
    /// pod, dependencies and dependents stay.
    fn rename_container(&self, id: &str, new_name: &str) -> Result<()>;

    /// Replace a container's resource limits (`update` changed its cgroup).
    fn update_container_resources(&self, id: &str, resources: &crate::ResourceLimits)
        -> Result<()>;

    /// The ids of the containers that depend on this one, ordered.
    fn container_dependents(&self, id: &str) -> Result<Vec<String>>;

    /// Record a new pod. Fails when its id or name is taken by a container
    /// or a pod, or its namespace differs from the state's.
    fn add_pod(&self, config: &PodConfig, state: &PodState) -> Result<()>;

    /// Remove a pod. Fails while it has containers.
    fn remove_pod(&self, id: &str) -> Result<()>;

    /// The pod with exactly this id.
    fn pod(&self, id: &str) -> Result<PodRecord>;

    /// Whether a pod with exactly this id is visible.
    fn has_pod(&self, id: &str) -> Result<bool>;

    /// The pod with this exact id, else this exact name, else the only id
    /// starting with this prefix (an ambiguous prefix fails, listing the matches).
    fn lookup_pod(&self, id_or_name: &str) -> Result<PodRecord>;

    /// The containers of a pod, ordered by id.
    fn pod_containers(&self, pod_id: &str) -> Result<Vec<ContainerRecord>>;

    /// Every visible pod, ordered by id.
    fn all_pods(&self) -> Result<Vec<PodRecord>>;

    /// The mutable part of a pod.
    fn pod_state(&self, id: &str) -> Result<PodState>;

    /// Replace the mutable part of a pod.
    fn save_pod_state(&self, id: &str, state: &PodState) -> Result<()>;
}

//! `MemoryState`: a state kept in memory, gone when dropped.
//!
//! It is a real backend (podman's in-memory state, for one process that
//! needs no persistence) and the state the runtime's unit tests use. With
//! the `testing` feature it also records every call and can fail the next
//! call of a chosen operation.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use crate::error::{Result, StateError};
use crate::ops::{self, ReadStore, WriteStore};
use crate::state::State;
use crate::types::{
    ContainerConfig, ContainerRecord, ContainerState, PodConfig, PodRecord, PodState,
};

/// A [`State`] held in memory.
///
/// ```
/// use berth_state::{MemoryState, State};
/// let state = MemoryState::new();
/// assert!(state.all_containers().unwrap().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct MemoryState {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    closed: bool,
    namespace: String,
    tables: Tables,
    #[cfg(any(test, feature = "testing"))]
    failures: berth_config::testing::Failures<&'static str>,
    #[cfg(any(test, feature = "testing"))]
    calls: Vec<String>,
}

#[derive(Debug, Default)]
struct Tables {
    containers: BTreeMap<String, ContainerRecord>,
    container_names: BTreeMap<String, String>,
    pods: BTreeMap<String, PodRecord>,
    pod_names: BTreeMap<String, String>,
    /// pod id -> container ids
    members: BTreeMap<String, BTreeSet<String>>,
    /// container id -> ids of the containers depending on it
    dependents: BTreeMap<String, BTreeSet<String>>,
}

impl MemoryState {
    /// An empty state, set to namespace `""` (all).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty state set to `namespace`.
    pub fn with_namespace(namespace: &str) -> Self {
        let state = Self::new();
        state.lock().namespace = namespace.to_string();
        state
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock was held cannot leave the maps half
        // changed (every operation checks before it writes), so a poisoned
        // lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Lock, record the call, fail it if a failure was injected for it,
    /// and refuse it after close.
    fn enter(&self, operation: &'static str) -> Result<MutexGuard<'_, Inner>> {
        #[cfg_attr(not(any(test, feature = "testing")), allow(unused_mut))]
        let mut inner = self.lock();
        #[cfg(any(test, feature = "testing"))]
        {
            inner.calls.push(operation.to_string());
            if inner.failures.strikes(&operation) {
                return Err(StateError::Injected {
                    operation: operation.to_string(),
                });
            }
        }
        #[cfg(not(any(test, feature = "testing")))]
        let _ = operation;
        if inner.closed {
            return Err(StateError::Closed);
        }
        Ok(inner)
    }
}

/// Failures are planned by [`State`] method name (such as `"save_container_state"`); a
/// failing call returns [`StateError::Injected`] without changing anything.
#[cfg(any(test, feature = "testing"))]
impl berth_config::testing::InjectFailures for MemoryState {
    type Op = &'static str;

    fn inject(&self, operation: &'static str, strike: berth_config::testing::Strike) {
        self.lock().failures.add(operation, strike);
    }

    fn clear_failure(&self, operation: &&'static str) {
        self.lock().failures.clear(operation);
    }
}

#[cfg(any(test, feature = "testing"))]
impl MemoryState {
    /// The [`State`] methods called so far, by name, in order (failed calls
    /// included).
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// Forget the calls recorded so far.
    pub fn clear_calls(&self) {
        self.lock().calls.clear();
    }
}

impl ReadStore for Tables {
    fn container(&self, id: &str) -> Result<Option<ContainerRecord>> {
        Ok(self.containers.get(id).cloned())
    }

    fn container_id_by_name(&self, name: &str) -> Result<Option<String>> {
        Ok(self.container_names.get(name).cloned())
    }

    fn container_ids_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        Ok(self
            .containers
            .range(prefix.to_string()..)
            .map(|(id, _)| id)
            .take_while(|id| id.starts_with(prefix))
            .cloned()
            .collect())
    }

    fn pod(&self, id: &str) -> Result<Option<PodRecord>> {
        Ok(self.pods.get(id).cloned())
    }

    fn pod_id_by_name(&self, name: &str) -> Result<Option<String>> {
        Ok(self.pod_names.get(name).cloned())
    }

    fn pod_ids_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        Ok(self
            .pods
            .range(prefix.to_string()..)
            .map(|(id, _)| id)
            .take_while(|id| id.starts_with(prefix))
            .cloned()
            .collect())
    }

    fn pod_members(&self, pod_id: &str) -> Result<Vec<String>> {
        Ok(self
            .members
            .get(pod_id)
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default())
    }

    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        Ok(self
            .dependents
            .get(id)
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default())
    }
}

impl WriteStore for Tables {
    fn insert_container(&mut self, record: &ContainerRecord) -> Result<()> {
        let config = &record.config;
        self.container_names
            .insert(config.name.clone(), config.id.clone());
        if let Some(pod) = &config.pod_id {
            self.members
                .entry(pod.clone())
                .or_default()
                .insert(config.id.clone());
        }
        for dep in config.dependencies() {
            self.dependents
                .entry(dep.to_string())
                .or_default()
                .insert(config.id.clone());
        }
        self.containers.insert(config.id.clone(), record.clone());
        Ok(())
    }

    fn update_container_state(&mut self, id: &str, state: &ContainerState) -> Result<()> {
        if let Some(rec) = self.containers.get_mut(id) {
            rec.state = state.clone();
        }
        Ok(())
    }

    fn put_container_config(&mut self, config: &ContainerConfig) -> Result<()> {
        if let Some(rec) = self.containers.get_mut(&config.id) {
            rec.config = config.clone();
        }
        Ok(())
    }

    fn rename_container(&mut self, id: &str, old: &str, new: &str) -> Result<()> {
        self.container_names.remove(old);
        self.container_names.insert(new.to_string(), id.to_string());
        if let Some(rec) = self.containers.get_mut(id) {
            rec.config.name = new.to_string();
        }
        Ok(())
    }

    fn delete_container(&mut self, config: &ContainerConfig) -> Result<()> {
        self.containers.remove(&config.id);
        self.container_names.remove(&config.name);
        self.dependents.remove(&config.id);
        if let Some(pod) = &config.pod_id {
            if let Some(m) = self.members.get_mut(pod) {
                m.remove(&config.id);
                if m.is_empty() {
                    self.members.remove(pod);
                }
            }
        }
        for dep in config.dependencies() {
            if let Some(d) = self.dependents.get_mut(dep) {
                d.remove(&config.id);
                if d.is_empty() {
                    self.dependents.remove(dep);
                }
            }
        }
        Ok(())
    }

    fn insert_pod(&mut self, record: &PodRecord) -> Result<()> {
        self.pod_names
            .insert(record.config.name.clone(), record.config.id.clone());
        self.pods.insert(record.config.id.clone(), record.clone());
        Ok(())
    }

    fn update_pod_state(&mut self, id: &str, state: &PodState) -> Result<()> {
        if let Some(rec) = self.pods.get_mut(id) {
            rec.state = state.clone();
        }
        Ok(())
    }

    fn delete_pod(&mut self, config: &PodConfig) -> Result<()> {
        self.pods.remove(&config.id);
        self.pod_names.remove(&config.name);
        self.members.remove(&config.id);
        Ok(())
    }
}

impl State for MemoryState {
    fn namespace(&self) -> Result<String> {
        Ok(self.enter("namespace")?.namespace.clone())
    }

    fn set_namespace(&self, namespace: &str) -> Result<()> {
        self.enter("set_namespace")?.namespace = namespace.to_string();
        Ok(())
    }

    fn refresh(&self) -> Result<()> {
        ops::refresh(&mut self.enter("refresh")?.tables)
    }

    fn close(&self) -> Result<()> {
        let mut inner = self.enter("close")?;
        inner.closed = true;
        inner.tables = Tables::default();
        Ok(())
    }

    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        let mut inner = self.enter("add_container")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::add_container(tables, namespace, config, state)
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        let mut inner = self.enter("remove_container")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::remove_container(tables, namespace, id)
    }

    fn container(&self, id: &str) -> Result<ContainerRecord> {
        let inner = self.enter("container")?;
        ops::get_container(&inner.tables, &inner.namespace, id)
    }

    fn has_container(&self, id: &str) -> Result<bool> {
        let inner = self.enter("has_container")?;
        ops::has_container(&inner.tables, &inner.namespace, id)
    }

    fn lookup_container(&self, id_or_name: &str) -> Result<ContainerRecord> {
        let inner = self.enter("lookup_container")?;
        ops::lookup_container(&inner.tables, &inner.namespace, id_or_name)
    }

    fn all_containers(&self) -> Result<Vec<ContainerRecord>> {
        let inner = self.enter("all_containers")?;
        ops::all_containers(&inner.tables, &inner.namespace)
    }

    fn all_containers_in_every_namespace(&self) -> Result<Vec<ContainerRecord>> {
        let inner = self.enter("all_containers_in_every_namespace")?;
        ops::all_containers(&inner.tables, "")
    }

    fn container_state(&self, id: &str) -> Result<ContainerState> {
        let inner = self.enter("container_state")?;
        Ok(ops::get_container(&inner.tables, &inner.namespace, id)?.state)
    }

    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        let mut inner = self.enter("save_container_state")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::save_container_state(tables, namespace, id, state)
    }

    fn update_container_resources(
        &self,
        id: &str,
        resources: &crate::ResourceLimits,
    ) -> Result<()> {
        let mut inner = self.enter("update_container_resources")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::update_container_resources(tables, namespace, id, resources)
    }

    fn rename_container(&self, id: &str, new_name: &str) -> Result<()> {
        let mut inner = self.enter("rename_container")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::rename_container(tables, namespace, id, new_name)
    }

    fn container_dependents(&self, id: &str) -> Result<Vec<String>> {
        let inner = self.enter("container_dependents")?;
        ops::container_dependents(&inner.tables, &inner.namespace, id)
    }

    fn add_pod(&self, config: &PodConfig, state: &PodState) -> Result<()> {
        let mut inner = self.enter("add_pod")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::add_pod(tables, namespace, config, state)
    }

    fn remove_pod(&self, id: &str) -> Result<()> {
        let mut inner = self.enter("remove_pod")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::remove_pod(tables, namespace, id)
    }

    fn pod(&self, id: &str) -> Result<PodRecord> {
        let inner = self.enter("pod")?;
        ops::get_pod(&inner.tables, &inner.namespace, id)
    }

    fn has_pod(&self, id: &str) -> Result<bool> {
        let inner = self.enter("has_pod")?;
        ops::has_pod(&inner.tables, &inner.namespace, id)
    }

    fn lookup_pod(&self, id_or_name: &str) -> Result<PodRecord> {
        let inner = self.enter("lookup_pod")?;
        ops::lookup_pod(&inner.tables, &inner.namespace, id_or_name)
    }

    fn pod_containers(&self, pod_id: &str) -> Result<Vec<ContainerRecord>> {
        let inner = self.enter("pod_containers")?;
        ops::pod_containers(&inner.tables, &inner.namespace, pod_id)
    }

    fn all_pods(&self) -> Result<Vec<PodRecord>> {
        let inner = self.enter("all_pods")?;
        ops::all_pods(&inner.tables, &inner.namespace)
    }

    fn pod_state(&self, id: &str) -> Result<PodState> {
        let inner = self.enter("pod_state")?;
        Ok(ops::get_pod(&inner.tables, &inner.namespace, id)?.state)
    }

    fn save_pod_state(&self, id: &str, state: &PodState) -> Result<()> {
        let mut inner = self.enter("save_pod_state")?;
        let Inner {
            namespace, tables, ..
        } = &mut *inner;
        ops::save_pod_state(tables, namespace, id, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_config::testing::InjectFailures as _;

    #[test]
    fn injected_failure_hits_once_and_changes_nothing() {
        let state = MemoryState::new();
        let cfg = ContainerConfig {
            id: "a".repeat(64),
            name: "one".into(),
            ..ContainerConfig::default()
        };
        state
            .add_container(&cfg, &ContainerState::default())
            .unwrap();
        state.fail_next("save_container_state");
        let running = ContainerState::with_status(crate::ContainerStatus::Running);
        let err = state.save_container_state(&cfg.id, &running).unwrap_err();
        assert!(matches!(err, StateError::Injected { .. }), "{err}");
        assert_eq!(
            state.container_state(&cfg.id).unwrap(),
            ContainerState::default()
        );
        state.save_container_state(&cfg.id, &running).unwrap();
        assert_eq!(state.container_state(&cfg.id).unwrap(), running);
        assert_eq!(
            state.calls(),
            [
                "add_container",
                "save_container_state",
                "container_state",
                "save_container_state",
                "container_state"
            ]
        );
        state.clear_calls();
        assert!(state.calls().is_empty());
    }
}

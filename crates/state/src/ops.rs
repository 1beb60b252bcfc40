//! The logic of every `State` operation, written once over two small store
//! traits that each backend implements (a map in memory, the tables of one
//! redb transaction). The invariants therefore hold the same way in every
//! backend; a backend only decides how a read or a write reaches its storage.

use crate::error::{Kind, Result, StateError};
use crate::types::{
    is_valid_id, ContainerConfig, ContainerRecord, ContainerState, PodConfig, PodRecord, PodState,
    ResourceLimits,
};

/// Reads a backend offers inside one operation.
pub(crate) trait ReadStore {
    fn container(&self, id: &str) -> Result<Option<ContainerRecord>>;
    fn container_id_by_name(&self, name: &str) -> Result<Option<String>>;
    /// Ids starting with `prefix` (all when empty), ordered.
    fn container_ids_with_prefix(&self, prefix: &str) -> Result<Vec<String>>;
    /// Every container record, ordered by id. A backend may read them in
    /// one pass instead of one lookup per id.
    fn all_container_records(&self) -> Result<Vec<ContainerRecord>> {
        let mut out = Vec::new();
        for id in self.container_ids_with_prefix("")? {
            out.extend(self.container(&id)?);
        }
        Ok(out)
    }
    fn pod(&self, id: &str) -> Result<Option<PodRecord>>;
    fn pod_id_by_name(&self, name: &str) -> Result<Option<String>>;
    fn pod_ids_with_prefix(&self, prefix: &str) -> Result<Vec<String>>;
    /// Ids of the containers of a pod, ordered.
    fn pod_members(&self, pod_id: &str) -> Result<Vec<String>>;
    /// Ids of the containers that depend on a container, ordered.
    fn dependents(&self, id: &str) -> Result<Vec<String>>;
}

/// Writes a backend offers inside one operation. The operations below check
/// everything before the first write, so a backend without transactions
/// (memory) stays consistent too.
pub(crate) trait WriteStore: ReadStore {
    /// Insert the record with its name, pod membership and dependencies.
    fn insert_container(&mut self, record: &ContainerRecord) -> Result<()>;
    fn update_container_state(&mut self, id: &str, state: &ContainerState) -> Result<()>;
    /// Replace a container's config (its name, pod and dependencies unchanged).
    fn put_container_config(&mut self, config: &ContainerConfig) -> Result<()>;
    /// Move a container's name from `old` to `new` (checked free).
    fn rename_container(&mut self, id: &str, old: &str, new: &str) -> Result<()>;
    /// Delete the record with its name, pod membership and dependencies.
    fn delete_container(&mut self, config: &ContainerConfig) -> Result<()>;
    fn insert_pod(&mut self, record: &PodRecord) -> Result<()>;
    fn update_pod_state(&mut self, id: &str, state: &PodState) -> Result<()>;
    fn delete_pod(&mut self, config: &PodConfig) -> Result<()>;
}

fn visible(ns: &str, object_ns: &str) -> bool {
    ns.is_empty() || ns == object_ns
}

fn not_found(kind: Kind, key: &str) -> StateError {
    StateError::NotFound {
        kind,
        key: key.to_string(),
    }
}

pub(crate) fn get_container(s: &impl ReadStore, ns: &str, id: &str) -> Result<ContainerRecord> {
    match s.container(id)? {
        Some(rec) if visible(ns, &rec.config.namespace) => Ok(rec),
        _ => Err(not_found(Kind::Container, id)),
    }
}

pub(crate) fn has_container(s: &impl ReadStore, ns: &str, id: &str) -> Result<bool> {
    Ok(s.container(id)?
        .is_some_and(|rec| visible(ns, &rec.config.namespace)))
}

pub(crate) fn lookup_container(s: &impl ReadStore, ns: &str, key: &str) -> Result<ContainerRecord> {
    if key.is_empty() {
        return Err(not_found(Kind::Container, key));
    }
    if let Some(rec) = s.container(key)? {
        if visible(ns, &rec.config.namespace) {
            return Ok(rec);
        }
    }
    if let Some(id) = s.container_id_by_name(key)? {
        if let Some(rec) = s.container(&id)? {
            if visible(ns, &rec.config.namespace) {
                return Ok(rec);
            }
        }
    }
    let mut found = Vec::new();
    for id in s.container_ids_with_prefix(key)? {
        if let Some(rec) = s.container(&id)? {
            if visible(ns, &rec.config.namespace) {
                found.push(rec);
            }
        }
    }
    match found.len() {
        0 => Err(not_found(Kind::Container, key)),
        1 => Ok(found.remove(0)),
        _ => Err(StateError::AmbiguousPrefix {
            kind: Kind::Container,
            prefix: key.to_string(),
            matches: found.into_iter().map(|r| r.config.id).collect(),
        }),
    }
}

pub(crate) fn all_containers(s: &impl ReadStore, ns: &str) -> Result<Vec<ContainerRecord>> {
    let mut all = s.all_container_records()?;
    all.retain(|rec| visible(ns, &rec.config.namespace));
    Ok(all)
}

pub(crate) fn container_dependents(s: &impl ReadStore, ns: &str, id: &str) -> Result<Vec<String>> {
    get_container(s, ns, id)?;
    s.dependents(id)
}

fn check_id_and_name(kind: Kind, id: &str, name: &str) -> Result<()> {
    if !is_valid_id(id) {
        return Err(StateError::InvalidRecord {
            kind,
            field: "id",
            value: id.to_string(),
            reason: "an id is 64 lowercase hex characters",
        });
    }
    let name_kind = match kind {
        Kind::Pod => berth_config::NameKind::Pod,
        Kind::Container => berth_config::NameKind::Container,
    };
    if !berth_config::is_valid_name(name_kind, name) {
        return Err(StateError::InvalidRecord {
            kind,
            field: "name",
            value: name.to_string(),
            reason: "a name starts with a letter or digit and holds only letters, digits, '_', '.' and '-' (at most 253)",
        });
    }
    Ok(())
}

fn check_unique(s: &impl ReadStore, id: &str, name: &str) -> Result<()> {
    if s.container(id)?.is_some() {
        return Err(StateError::IdInUse {
            id: id.to_string(),
            kind: Kind::Container,
        });
    }
    if s.pod(id)?.is_some() {
        return Err(StateError::IdInUse {
            id: id.to_string(),
            kind: Kind::Pod,
        });
    }
    if let Some(holder) = s.container_id_by_name(name)? {
        return Err(StateError::NameInUse {
            name: name.to_string(),
            kind: Kind::Container,
            id: holder,
        });
    }
    if let Some(holder) = s.pod_id_by_name(name)? {
        return Err(StateError::NameInUse {
            name: name.to_string(),
            kind: Kind::Pod,
            id: holder,
        });
    }
    Ok(())
}

fn check_namespace(kind: Kind, ns: &str, id: &str, object_ns: &str) -> Result<()> {
    if visible(ns, object_ns) {
        Ok(())
    } else {
        Err(StateError::NamespaceMismatch {
            kind,
            id: id.to_string(),
            object_namespace: object_ns.to_string(),
            state_namespace: ns.to_string(),
        })
    }
}

pub(crate) fn add_container(
    s: &mut impl WriteStore,
    ns: &str,
    config: &ContainerConfig,
    state: &ContainerState,
) -> Result<()> {
    check_id_and_name(Kind::Container, &config.id, &config.name)?;
    check_namespace(Kind::Container, ns, &config.id, &config.namespace)?;
    check_unique(s, &config.id, &config.name)?;
    if let Some(pod_id) = &config.pod_id {
        let mismatch = |reason: String| StateError::PodMismatch {
            container: config.id.clone(),
            pod: pod_id.clone(),
            reason,
        };
        let pod = s
            .pod(pod_id)?
            .filter(|p| visible(ns, &p.config.namespace))
            .ok_or_else(|| mismatch("no such pod".to_string()))?;
        if pod.config.namespace != config.namespace {
            return Err(mismatch(format!(
                "the pod is in namespace {:?}, the container in {:?}",
                pod.config.namespace, config.namespace
            )));
        }
    }
    for dep in config.dependencies() {
        let bad = |reason: String| StateError::BadDependency {
            container: config.id.clone(),
            dependency: dep.to_string(),
            reason,
        };
        if dep == config.id {
            return Err(bad("a container cannot depend on itself".to_string()));
        }
        let rec = s
            .container(dep)?
            .filter(|r| visible(ns, &r.config.namespace))
            .ok_or_else(|| bad("no such container".to_string()))?;
        if rec.config.namespace != config.namespace {
            return Err(bad(format!(
                "it is in namespace {:?}, the container in {:?}",
                rec.config.namespace, config.namespace
            )));
        }
        if rec.config.pod_id != config.pod_id {
            return Err(bad(format!(
                "it is in pod {}, the container in pod {}",
                rec.config.pod_id.as_deref().unwrap_or("(none)"),
                config.pod_id.as_deref().unwrap_or("(none)")
            )));
        }
    }
    s.insert_container(&ContainerRecord {
        config: config.clone(),
        state: state.clone(),
    })
}

pub(crate) fn remove_container(s: &mut impl WriteStore, ns: &str, id: &str) -> Result<()> {
    let rec = get_container(s, ns, id)?;
    let dependents = s.dependents(id)?;
    if !dependents.is_empty() {
        return Err(StateError::ContainerInUse {
            id: id.to_string(),
            dependents,
        });
    }
    s.delete_container(&rec.config)
}

pub(crate) fn rename_container(
    s: &mut impl WriteStore,
    ns: &str,
    id: &str,
    new_name: &str,
) -> Result<()> {
    let rec = get_container(s, ns, id)?;
    check_id_and_name(Kind::Container, id, new_name)?;
    if rec.config.name == new_name {
        return Ok(());
    }
    for (kind, holder) in [
        (Kind::Container, s.container_id_by_name(new_name)?),
        (Kind::Pod, s.pod_id_by_name(new_name)?),
    ] {
        if let Some(holder) = holder {
            return Err(StateError::NameInUse {
                name: new_name.to_string(),
                kind,
                id: holder,
            });
        }
    }
    s.rename_container(id, &rec.config.name, new_name)
}

pub(crate) fn update_container_resources(
    s: &mut impl WriteStore,
    ns: &str,
    id: &str,
    resources: &ResourceLimits,
) -> Result<()> {
    let mut rec = get_container(s, ns, id)?;
    rec.config.resources = resources.clone();
    s.put_container_config(&rec.config)
}

pub(crate) fn save_container_state(
    s: &mut impl WriteStore,
    ns: &str,
    id: &str,
    state: &ContainerState,
) -> Result<()> {
    get_container(s, ns, id)?;
    s.update_container_state(id, state)
}

pub(crate) fn get_pod(s: &impl ReadStore, ns: &str, id: &str) -> Result<PodRecord> {
    match s.pod(id)? {
        Some(rec) if visible(ns, &rec.config.namespace) => Ok(rec),
        _ => Err(not_found(Kind::Pod, id)),
    }
}

pub(crate) fn has_pod(s: &impl ReadStore, ns: &str, id: &str) -> Result<bool> {
    Ok(s.pod(id)?
        .is_some_and(|rec| visible(ns, &rec.config.namespace)))
}

pub(crate) fn lookup_pod(s: &impl ReadStore, ns: &str, key: &str) -> Result<PodRecord> {
    if key.is_empty() {
        return Err(not_found(Kind::Pod, key));
    }
    if let Some(rec) = s.pod(key)? {
        if visible(ns, &rec.config.namespace) {
            return Ok(rec);
        }
    }
    if let Some(id) = s.pod_id_by_name(key)? {
        if let Some(rec) = s.pod(&id)? {
            if visible(ns, &rec.config.namespace) {
                return Ok(rec);
            }
        }
    }
    let mut found = Vec::new();
    for id in s.pod_ids_with_prefix(key)? {
        if let Some(rec) = s.pod(&id)? {
            if visible(ns, &rec.config.namespace) {
                found.push(rec);
            }
        }
    }
    match found.len() {
        0 => Err(not_found(Kind::Pod, key)),
        1 => Ok(found.remove(0)),
        _ => Err(StateError::AmbiguousPrefix {
            kind: Kind::Pod,
            prefix: key.to_string(),
            matches: found.into_iter().map(|r| r.config.id).collect(),
        }),
    }
}

pub(crate) fn all_pods(s: &impl ReadStore, ns: &str) -> Result<Vec<PodRecord>> {
    let mut out = Vec::new();
    for id in s.pod_ids_with_prefix("")? {
        if let Some(rec) = s.pod(&id)? {
            if visible(ns, &rec.config.namespace) {
                out.push(rec);
            }
        }
    }
    Ok(out)
}

pub(crate) fn pod_containers(
    s: &impl ReadStore,
    ns: &str,
    pod_id: &str,
) -> Result<Vec<ContainerRecord>> {
    get_pod(s, ns, pod_id)?;
    let mut out = Vec::new();
    for id in s.pod_members(pod_id)? {
        if let Some(rec) = s.container(&id)? {
            out.push(rec);
        }
    }
    Ok(out)
}

pub(crate) fn add_pod(
    s: &mut impl WriteStore,
    ns: &str,
    config: &PodConfig,
    state: &PodState,
) -> Result<()> {
    check_id_and_name(Kind::Pod, &config.id, &config.name)?;
    check_namespace(Kind::Pod, ns, &config.id, &config.namespace)?;
    check_unique(s, &config.id, &config.name)?;
    s.insert_pod(&PodRecord {
        config: config.clone(),
        state: state.clone(),
    })
}

pub(crate) fn remove_pod(s: &mut impl WriteStore, ns: &str, id: &str) -> Result<()> {
    let rec = get_pod(s, ns, id)?;
    let containers = s.pod_members(id)?;
    if !containers.is_empty() {
        return Err(StateError::PodHasContainers {
            pod: id.to_string(),
            containers,
        });
    }
    s.delete_pod(&rec.config)
}

pub(crate) fn save_pod_state(
    s: &mut impl WriteStore,
    ns: &str,
    id: &str,
    state: &PodState,
) -> Result<()> {
    get_pod(s, ns, id)?;
    s.update_pod_state(id, state)
}

/// Reset the mutable part of every object, in every namespace.
pub(crate) fn refresh(s: &mut impl WriteStore) -> Result<()> {
    for rec in all_containers(s, "")? {
        let mut state = rec.state;
        state.reset_after_reboot();
        s.update_container_state(&rec.config.id, &state)?;
    }
    for rec in all_pods(s, "")? {
        let mut state = rec.state;
        state.status = state.status.after_reboot();
        s.update_pod_state(&rec.config.id, &state)?;
    }
    Ok(())
}

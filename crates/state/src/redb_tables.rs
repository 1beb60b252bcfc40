//! The tables of one redb transaction, and how the shared operation logic
//! (`ops`) reads and writes them.

use std::path::Path;

use redb::{MultimapTable, ReadableMultimapTable, ReadableTable, Table};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Result, StateError};
use crate::ops::{ReadStore, WriteStore};
use crate::redb_state::db_error;
use crate::schema::{
    CONTAINERS, CONTAINER_NAMES, CONTAINER_STATES, DEPENDENTS, PODS, POD_MEMBERS, POD_NAMES,
    POD_STATES,
};
use crate::types::{
    ContainerConfig, ContainerRecord, ContainerState, PodConfig, PodRecord, PodState,
};

type Bytes = &'static [u8];
type Str = &'static str;

fn open_ro<V: redb::Value + 'static>(
    txn: &redb::ReadTransaction,
    def: redb::TableDefinition<'static, Str, V>,
    path: &Path,
    operation: &'static str,
) -> Result<redb::ReadOnlyTable<Str, V>> {
    txn.open_table(def)
        .map_err(|e| db_error(path, operation, e))
}

pub(crate) fn open_write_tables<'txn>(
    txn: &'txn redb::WriteTransaction,
    path: &'txn Path,
    operation: &'static str,
) -> Result<WriteTables<'txn, 'txn>> {
    let err = |e: redb::TableError| db_error(path, operation, e);
    Ok(Tables {
        path,
        containers: txn.open_table(CONTAINERS).map_err(err)?,
        container_states: txn.open_table(CONTAINER_STATES).map_err(err)?,
        container_names: txn.open_table(CONTAINER_NAMES).map_err(err)?,
        pods: txn.open_table(PODS).map_err(err)?,
        pod_states: txn.open_table(POD_STATES).map_err(err)?,
        pod_names: txn.open_table(POD_NAMES).map_err(err)?,
        pod_members: txn.open_multimap_table(POD_MEMBERS).map_err(err)?,
        dependents: txn.open_multimap_table(DEPENDENTS).map_err(err)?,
    })
}

/// The tables of one transaction: `B` a record table, `N` a name table,
/// `M` an index (multimap) table.
pub(crate) struct Tables<'p, B, N, M> {
    pub(crate) path: &'p Path,
    pub(crate) containers: B,
    pub(crate) container_states: B,
    pub(crate) container_names: N,
    pub(crate) pods: B,
    pub(crate) pod_states: B,
    pub(crate) pod_names: N,
    pub(crate) pod_members: M,
    pub(crate) dependents: M,
}

pub(crate) type ReadTables<'p> = Tables<
    'p,
    redb::ReadOnlyTable<Str, Bytes>,
    redb::ReadOnlyTable<Str, Str>,
    redb::ReadOnlyMultimapTable<Str, Str>,
>;

pub(crate) type WriteTables<'p, 'txn> =
    Tables<'p, Table<'txn, Str, Bytes>, Table<'txn, Str, Str>, MultimapTable<'txn, Str, Str>>;

fn get_json<T: DeserializeOwned>(
    table: &impl ReadableTable<Str, Bytes>,
    path: &Path,
    what: &str,
    id: &str,
) -> Result<Option<T>> {
    let Some(guard) = table.get(id).map_err(|e| db_error(path, "read", e))? else {
        return Ok(None);
    };
    serde_json::from_slice(guard.value())
        .map(Some)
        .map_err(|source| StateError::Record {
            path: path.to_path_buf(),
            key: format!("{what}/{id}"),
            source,
        })
}

fn decode<T: DeserializeOwned>(path: &Path, what: &str, id: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| StateError::Record {
        path: path.to_path_buf(),
        key: format!("{what}/{id}"),
        source,
    })
}

fn put_json<T: Serialize>(
    table: &mut Table<'_, Str, Bytes>,
    path: &Path,
    what: &str,
    id: &str,
    value: &T,
) -> Result<()> {
    let bytes = serde_json::to_vec(value).map_err(|source| StateError::Record {
        path: path.to_path_buf(),
        key: format!("{what}/{id}"),
        source,
    })?;
    table
        .insert(id, bytes.as_slice())
        .map_err(|e| db_error(path, "write", e))?;
    Ok(())
}

fn get_str(table: &impl ReadableTable<Str, Str>, path: &Path, key: &str) -> Result<Option<String>> {
    Ok(table
        .get(key)
        .map_err(|e| db_error(path, "read", e))?
        .map(|g| g.value().to_string()))
}

fn keys_with_prefix<V: redb::Value + 'static>(
    table: &impl ReadableTable<Str, V>,
    path: &Path,
    prefix: &str,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for item in table
        .range::<&str>(prefix..)
        .map_err(|e| db_error(path, "read", e))?
    {
        let (key, _) = item.map_err(|e| db_error(path, "read", e))?;
        let key = key.value();
        if !key.starts_with(prefix) {
            break;
        }
        out.push(key.to_string());
    }
    Ok(out)
}

fn multimap_values(
    table: &impl ReadableMultimapTable<Str, Str>,
    path: &Path,
    key: &str,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for item in table.get(key).map_err(|e| db_error(path, "read", e))? {
        out.push(
            item.map_err(|e| db_error(path, "read", e))?
                .value()
                .to_string(),
        );
    }
    Ok(out)
}

impl<B, N, M> ReadStore for Tables<'_, B, N, M>
where
    B: ReadableTable<Str, Bytes>,
    N: ReadableTable<Str, Str>,
    M: ReadableMultimapTable<Str, Str>,
{
    fn container(&self, id: &str) -> Result<Option<ContainerRecord>> {
        let Some(config) =
            get_json::<ContainerConfig>(&self.containers, self.path, "container", id)?
        else {
            return Ok(None);
        };
        let state =
            get_json(&self.container_states, self.path, "container_state", id)?.unwrap_or_default();
        Ok(Some(ContainerRecord { config, state }))
    }

    fn all_container_records(&self) -> Result<Vec<ContainerRecord>> {
        // Both tables hold the same ids in the same order: walk them together.
        let err = |e: redb::StorageError| db_error(self.path, "read", e);
        let mut states = self.container_states.iter().map_err(err)?;
        let mut next_state = || -> Result<Option<(String, ContainerState)>> {
            let Some(item) = states.next() else {
                return Ok(None);
            };
            let (id, bytes) = item.map_err(err)?;
            let id = id.value().to_string();
            let state = decode(self.path, "container_state", &id, bytes.value())?;
            Ok(Some((id, state)))
        };
        let mut current = next_state()?;
        let mut out = Vec::new();
        for item in self.containers.iter().map_err(err)? {
            let (id, bytes) = item.map_err(err)?;
            let id = id.value();
            let config: ContainerConfig = decode(self.path, "container", id, bytes.value())?;
            while current.as_ref().is_some_and(|(sid, _)| sid.as_str() < id) {
                current = next_state()?;
            }
            let state = match current.take() {
                Some((sid, state)) if sid == id => {
                    current = next_state()?;
                    state
                }
                other => {
                    current = other;
                    ContainerState::default()
                }
            };
            out.push(ContainerRecord { config, state });
        }
        Ok(out)
    }

    fn container_id_by_name(&self, name: &str) -> Result<Option<String>> {
        get_str(&self.container_names, self.path, name)
    }

    fn container_ids_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        keys_with_prefix(&self.containers, self.path, prefix)
    }

    fn pod(&self, id: &str) -> Result<Option<PodRecord>> {
        let Some(config) = get_json::<PodConfig>(&self.pods, self.path, "pod", id)? else {
            return Ok(None);
        };
        let state = get_json(&self.pod_states, self.path, "pod_state", id)?.unwrap_or_default();
        Ok(Some(PodRecord { config, state }))
    }

    fn pod_id_by_name(&self, name: &str) -> Result<Option<String>> {
        get_str(&self.pod_names, self.path, name)
    }

    fn pod_ids_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        keys_with_prefix(&self.pods, self.path, prefix)
    }

    fn pod_members(&self, pod_id: &str) -> Result<Vec<String>> {
        multimap_values(&self.pod_members, self.path, pod_id)
    }

    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        multimap_values(&self.dependents, self.path, id)
    }
}

impl WriteStore for WriteTables<'_, '_> {
    fn insert_container(&mut self, record: &ContainerRecord) -> Result<()> {
        let config = &record.config;
        let id = config.id.as_str();
        let err = |e: redb::StorageError| db_error(self.path, "write", e);
        put_json(&mut self.containers, self.path, "container", id, config)?;
        put_json(
            &mut self.container_states,
            self.path,
            "container_state",
            id,
            &record.state,
        )?;
        self.container_names
            .insert(config.name.as_str(), id)
            .map_err(err)?;
        if let Some(pod) = &config.pod_id {
            self.pod_members.insert(pod.as_str(), id).map_err(err)?;
        }
        for dep in config.dependencies() {
            self.dependents.insert(dep, id).map_err(err)?;
        }
        Ok(())
    }

    fn update_container_state(&mut self, id: &str, state: &ContainerState) -> Result<()> {
        put_json(
            &mut self.container_states,
            self.path,
            "container_state",
            id,
            state,
        )
    }

    fn put_container_config(&mut self, config: &ContainerConfig) -> Result<()> {
        put_json(
            &mut self.containers,
            self.path,
            "container",
            &config.id,
            config,
        )
    }

    fn rename_container(&mut self, id: &str, old: &str, new: &str) -> Result<()> {
        let err = |e: redb::StorageError| db_error(self.path, "write", e);
        let mut rec = self
            .container(id)?
            .ok_or_else(|| crate::error::StateError::NotFound {
                kind: crate::error::Kind::Container,
                key: id.to_string(),
            })?;
        rec.config.name = new.to_string();
        put_json(
            &mut self.containers,
            self.path,
            "container",
            id,
            &rec.config,
        )?;
        self.container_names.remove(old).map_err(err)?;
        self.container_names.insert(new, id).map_err(err)?;
        Ok(())
    }

    fn delete_container(&mut self, config: &ContainerConfig) -> Result<()> {
        let id = config.id.as_str();
        let err = |e: redb::StorageError| db_error(self.path, "write", e);
        self.containers.remove(id).map_err(err)?;
        self.container_states.remove(id).map_err(err)?;
        self.container_names
            .remove(config.name.as_str())
            .map_err(err)?;
        self.dependents.remove_all(id).map_err(err)?;
        if let Some(pod) = &config.pod_id {
            self.pod_members.remove(pod.as_str(), id).map_err(err)?;
        }
        for dep in config.dependencies() {
            self.dependents.remove(dep, id).map_err(err)?;
        }
        Ok(())
    }

    fn insert_pod(&mut self, record: &PodRecord) -> Result<()> {
        let id = record.config.id.as_str();
        put_json(&mut self.pods, self.path, "pod", id, &record.config)?;
        put_json(
            &mut self.pod_states,
            self.path,
            "pod_state",
            id,
            &record.state,
        )?;
        self.pod_names
            .insert(record.config.name.as_str(), id)
            .map_err(|e| db_error(self.path, "write", e))?;
        Ok(())
    }

    fn update_pod_state(&mut self, id: &str, state: &PodState) -> Result<()> {
        put_json(&mut self.pod_states, self.path, "pod_state", id, state)
    }

    fn delete_pod(&mut self, config: &PodConfig) -> Result<()> {
        let id = config.id.as_str();
        let err = |e: redb::StorageError| db_error(self.path, "write", e);
        self.pods.remove(id).map_err(err)?;
        self.pod_states.remove(id).map_err(err)?;
        self.pod_names.remove(config.name.as_str()).map_err(err)?;
        self.pod_members.remove_all(id).map_err(err)?;
        Ok(())
    }
}

pub(crate) fn open_read_tables<'p>(
    txn: &redb::ReadTransaction,
    path: &'p Path,
    operation: &'static str,
) -> Result<ReadTables<'p>> {
    let err = |e: redb::TableError| db_error(path, operation, e);
    Ok(Tables {
        path,
        containers: open_ro(txn, CONTAINERS, path, operation)?,
        container_states: open_ro(txn, CONTAINER_STATES, path, operation)?,
        container_names: open_ro(txn, CONTAINER_NAMES, path, operation)?,
        pods: open_ro(txn, PODS, path, operation)?,
        pod_states: open_ro(txn, POD_STATES, path, operation)?,
        pod_names: open_ro(txn, POD_NAMES, path, operation)?,
        pod_members: txn.open_multimap_table(POD_MEMBERS).map_err(err)?,
        dependents: txn.open_multimap_table(DEPENDENTS).map_err(err)?,
    })
}

//! The redb tables, the schema version and the migrations between versions.
//!
//! Versions:
//! - 1: records (`containers`, `container_states`, `pods`, `pod_states`)
//!   and names (`container_names`, `pod_names`) only; pod membership and
//!   dependencies were found by reading every container.
//! - 2: adds the `pod_members` and `dependents` index tables. Migration from
//!   1 builds them from the container records.
//!
//! A database is checked on every open: the current version opens with one
//! read transaction; an older one is migrated in a single write transaction
//! (all steps and the new version number commit together, or nothing does);
//! a newer one is refused with [`StateError::SchemaTooNew`].

use std::path::Path;

use redb::{
    Database, MultimapTableDefinition, ReadableDatabase, ReadableTable, TableDefinition,
    TableError, TableHandle, WriteTransaction,
};

use crate::error::{Result, StateError};
use crate::redb_state::db_error;
use crate::types::ContainerConfig;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u64 = 2;

pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
pub(crate) const VERSION_KEY: &str = "schema_version";

pub(crate) const CONTAINERS: TableDefinition<&str, &[u8]> = TableDefinition::new("containers");
pub(crate) const CONTAINER_STATES: TableDefinition<&str, &[u8]> =
    TableDefinition::new("container_states");
pub(crate) const CONTAINER_NAMES: TableDefinition<&str, &str> =
    TableDefinition::new("container_names");
pub(crate) const PODS: TableDefinition<&str, &[u8]> = TableDefinition::new("pods");
pub(crate) const POD_STATES: TableDefinition<&str, &[u8]> = TableDefinition::new("pod_states");
pub(crate) const POD_NAMES: TableDefinition<&str, &str> = TableDefinition::new("pod_names");
pub(crate) const POD_MEMBERS: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("pod_members");
pub(crate) const DEPENDENTS: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("dependents");

/// Whether the database has the current schema (with one read
/// transaction); a newer schema is an error.
pub(crate) fn is_current(db: &impl ReadableDatabase, path: &Path) -> Result<bool> {
    let err = |e: redb::Error| db_error(path, "open", e);
    let txn = db.begin_read().map_err(|e| err(e.into()))?;
    match txn.open_table(META) {
        Ok(meta) => match meta.get(VERSION_KEY).map_err(|e| err(e.into()))? {
            Some(v) if v.value() == SCHEMA_VERSION => Ok(true),
            Some(v) => check_not_newer(path, v.value()).map(|()| false),
            None => Ok(false),
        },
        Err(TableError::TableDoesNotExist(_)) => Ok(false),
        Err(e) => Err(err(e.into())),
    }
}

/// Check the schema version; initialize a new database; migrate an old one.
pub(crate) fn ensure(db: &Database, path: &Path) -> Result<()> {
    let err = |e: redb::Error| db_error(path, "open", e);
    if is_current(db, path)? {
        return Ok(());
    }
    // New or old: fix it in one write transaction. Another process may be
    // doing the same; the write lock orders us, and the second one finds the
    // work done.
    let txn = db.begin_write().map_err(|e| err(e.into()))?;
    let tables: Vec<String> = txn
        .list_tables()
        .map_err(|e| err(e.into()))?
        .map(|t| t.name().to_string())
        .collect();
    {
        let mut meta = txn.open_table(META).map_err(|e| err(e.into()))?;
        let found = meta
            .get(VERSION_KEY)
            .map_err(|e| err(e.into()))?
            .map(|g| g.value());
        match found {
            Some(v) if v == SCHEMA_VERSION => return Ok(()),
            Some(v) => {
                check_not_newer(path, v)?;
                for from in v..SCHEMA_VERSION {
                    migrate(&txn, path, from)?;
                }
            }
            None if tables.iter().any(|t| t != "meta") => {
                return Err(StateError::Corrupt {
                    path: path.to_path_buf(),
                    detail: "the schema version is missing".to_string(),
                });
            }
            None => create_tables(&txn, path)?,
        }
        meta.insert(VERSION_KEY, SCHEMA_VERSION)
            .map_err(|e| err(e.into()))?;
    }
    txn.commit().map_err(|e| err(e.into()))
}

fn check_not_newer(path: &Path, found: u64) -> Result<()> {
    if found > SCHEMA_VERSION {
        return Err(StateError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        return Err(StateError::Corrupt {
            path: path.to_path_buf(),
            detail: "schema version 0 does not exist".to_string(),
        });
    }
    Ok(())
}

fn create_tables(txn: &WriteTransaction, path: &Path) -> Result<()> {
    let err = |e: TableError| db_error(path, "create tables", e);
    for def in [CONTAINERS, CONTAINER_STATES, PODS, POD_STATES] {
        txn.open_table(def).map_err(err)?;
    }
    for def in [CONTAINER_NAMES, POD_NAMES] {
        txn.open_table(def).map_err(err)?;
    }
    for def in [POD_MEMBERS, DEPENDENTS] {
        txn.open_multimap_table(def).map_err(err)?;
    }
    Ok(())
}

/// One migration step, from `from` to `from + 1`, inside `txn`.
fn migrate(txn: &WriteTransaction, path: &Path, from: u64) -> Result<()> {
    tracing::info!(path = %path.display(), from, to = from + 1, "migrating the state database");
    match from {
        1 => build_indexes(txn, path),
        _ => Err(StateError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("no migration from schema version {from}"),
        }),
    }
}

/// Version 1 -> 2: build `pod_members` and `dependents` from the records.
fn build_indexes(txn: &WriteTransaction, path: &Path) -> Result<()> {
    let err = |e: redb::Error| db_error(path, "migrate", e);
    create_tables(txn, path)?;
    let containers = txn.open_table(CONTAINERS).map_err(|e| err(e.into()))?;
    let mut members = txn
        .open_multimap_table(POD_MEMBERS)
        .map_err(|e| err(e.into()))?;
    let mut dependents = txn
        .open_multimap_table(DEPENDENTS)
        .map_err(|e| err(e.into()))?;
    for item in containers.iter().map_err(|e| err(e.into()))? {
        let (id, bytes) = item.map_err(|e| err(e.into()))?;
        let config: ContainerConfig =
            serde_json::from_slice(bytes.value()).map_err(|source| StateError::Record {
                path: path.to_path_buf(),
                key: format!("container/{}", id.value()),
                source,
            })?;
        if let Some(pod) = &config.pod_id {
            members
                .insert(pod.as_str(), config.id.as_str())
                .map_err(|e| err(e.into()))?;
        }
        for dep in config.dependencies() {
            dependents
                .insert(dep, config.id.as_str())
                .map_err(|e| err(e.into()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContainerState, PodConfig, PodState, RedbState, SharedNamespaces, State};

    fn id(n: u8) -> String {
        format!("{n:02x}").repeat(32)
    }

    /// Write a version-1 database by hand: records and names, no indexes.
    fn write_v1(path: &Path) {
        let db = Database::create(path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut meta = txn.open_table(META).unwrap();
            meta.insert(VERSION_KEY, 1).unwrap();
            let pod = PodConfig {
                id: id(1),
                name: "p".into(),
                ..PodConfig::default()
            };
            txn.open_table(PODS)
                .unwrap()
                .insert(
                    pod.id.as_str(),
                    serde_json::to_vec(&pod).unwrap().as_slice(),
                )
                .unwrap();
            txn.open_table(POD_STATES).unwrap();
            txn.open_table(POD_NAMES)
                .unwrap()
                .insert("p", pod.id.as_str())
                .unwrap();
            let infra = ContainerConfig {
                id: id(2),
                name: "infra".into(),
                pod_id: Some(id(1)),
                ..ContainerConfig::default()
            };
            let app = ContainerConfig {
                id: id(3),
                name: "app".into(),
                pod_id: Some(id(1)),
                shared_namespaces: SharedNamespaces {
                    net: Some(id(2)),
                    ..SharedNamespaces::default()
                },
                ..ContainerConfig::default()
            };
            let mut ctrs = txn.open_table(CONTAINERS).unwrap();
            let mut states = txn.open_table(CONTAINER_STATES).unwrap();
            let mut names = txn.open_table(CONTAINER_NAMES).unwrap();
            for c in [&infra, &app] {
                ctrs.insert(c.id.as_str(), serde_json::to_vec(c).unwrap().as_slice())
                    .unwrap();
                states
                    .insert(
                        c.id.as_str(),
                        serde_json::to_vec(&ContainerState::default())
                            .unwrap()
                            .as_slice(),
                    )
                    .unwrap();
                names.insert(c.name.as_str(), c.id.as_str()).unwrap();
            }
        }
        txn.commit().unwrap();
    }

    #[test]
    fn version_1_is_migrated_and_indexes_work() {
        let dir = tempfile::tempdir().unwrap();
        write_v1(&dir.path().join(RedbState::FILE_NAME));
        let state = RedbState::open(dir.path(), "").unwrap();
        let members: Vec<String> = state
            .pod_containers(&id(1))
            .unwrap()
            .into_iter()
            .map(|r| r.config.id)
            .collect();
        assert_eq!(members, [id(2), id(3)]);
        assert_eq!(state.container_dependents(&id(2)).unwrap(), [id(3)]);
        let err = state.remove_container(&id(2)).unwrap_err();
        assert!(matches!(err, StateError::ContainerInUse { .. }), "{err}");
        let err = state.remove_pod(&id(1)).unwrap_err();
        assert!(matches!(err, StateError::PodHasContainers { .. }), "{err}");
        state.close().unwrap();

        let db = Database::create(dir.path().join(RedbState::FILE_NAME)).unwrap();
        let txn = db.begin_read().unwrap();
        let v = txn
            .open_table(META)
            .unwrap()
            .get(VERSION_KEY)
            .unwrap()
            .unwrap()
            .value();
        assert_eq!(v, SCHEMA_VERSION);
        let _ = PodState::default();
    }

    #[test]
    fn newer_schema_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(RedbState::FILE_NAME);
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META)
                .unwrap()
                .insert(VERSION_KEY, SCHEMA_VERSION + 1)
                .unwrap();
            txn.commit().unwrap();
        }
        let err = RedbState::open(dir.path(), "").unwrap_err();
        assert!(
            matches!(err, StateError::SchemaTooNew { found: 3, .. }),
            "{err}"
        );
        let msg = err.to_string();
        assert!(
            msg.contains("state.redb") && msg.contains("upgrade berth"),
            "{msg}"
        );
    }

    #[test]
    fn tables_without_a_version_are_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(RedbState::FILE_NAME);
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(CONTAINERS).unwrap();
            txn.commit().unwrap();
        }
        let err = RedbState::open(dir.path(), "").unwrap_err();
        assert!(matches!(err, StateError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("berth system reset"), "{err}");
    }
}

//! `RedbState`: the state in one redb file (`state.redb`) that many `berth`
//! processes share at once.
//!
//! The database is opened in redb's `ConcurrencyMode::MultiWriter`: every
//! process may write, one write transaction at a time across all of them.
//! Each `State` call is exactly one transaction, begun and committed (or
//! dropped) inside the call, so no transaction ever outlives a call and a
//! caller may wait on processes or the network between calls.
//!
//! Layout (schema version 2; see [`crate::schema`]):
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"schema_version"` | u64 |
//! | `containers` | id | `ContainerConfig` as JSON |
//! | `container_states` | id | `ContainerState` as JSON |
//! | `container_names` | name | id |
//! | `pods` | id | `PodConfig` as JSON |
//! | `pod_states` | id | `PodState` as JSON |
//! | `pod_names` | name | id |
//! | `pod_members` (multimap) | pod id | container ids |
//! | `dependents` (multimap) | container id | ids of the containers sharing its namespaces |

use std::os::unix::fs::OpenOptionsExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};

use redb::{Database, ReadableDatabase};

use crate::error::{Result, StateError};
use crate::ops;
use crate::private;
use crate::redb_tables::{open_read_tables, open_write_tables, ReadTables, WriteTables};
use crate::schema;
use crate::state::State;
use crate::types::{
    ContainerConfig, ContainerRecord, ContainerState, PodConfig, PodRecord, PodState,
};

/// A [`State`] stored in `<static dir>/state.redb`, safe to share between
/// processes.
///
/// ```
/// use berth_state::{RedbState, State};
/// let dir = tempfile::tempdir().unwrap();
/// let state = RedbState::open(dir.path(), "")?;
/// assert!(state.all_pods()?.is_empty());
/// state.close()?;
/// # Ok::<(), berth_state::StateError>(())
/// ```
#[derive(Debug)]
pub struct RedbState {
    path: PathBuf,
    db: RwLock<Option<Handle>>,
    namespace: RwLock<String>,
}

impl RedbState {
    /// The name of the database file in the static dir.
    pub const FILE_NAME: &'static str = "state.redb";

    /// Open (creating when missing) `<static_dir>/state.redb`, set to
    /// `namespace` (`""` for all).
    ///
    /// A database of an older schema is migrated in one transaction; a
    /// newer one fails with [`StateError::SchemaTooNew`]; a damaged file
    /// fails with [`StateError::Corrupt`], which names the file and the
    /// remedy. An empty file (left by a crash while the database was first
    /// created) is initialized as a new database.
    pub fn open(static_dir: &Path, namespace: &str) -> Result<Self> {
        private::secure(static_dir, Self::FILE_NAME)?;
        let path = static_dir.join(Self::FILE_NAME);
        let is_empty = match std::fs::metadata(&path) {
            Ok(meta) => meta.len() == 0,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(source) => {
                return Err(StateError::Io {
                    action: "inspect the state database",
                    path,
                    source,
                })
            }
        };
        if is_empty {
            create_atomically(static_dir, &path)?;
        }
        let db = guarded(&path, "open", || {
            let mut builder = Database::builder();
            builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
            builder.open(&path).map_err(|e| open_error(&path, e))
        })?;
        guarded(&path, "open", || schema::ensure(&db, &path))?;
        Ok(Self {
            path,
            db: RwLock::new(Some(Handle::Write(db))),
            namespace: RwLock::new(namespace.to_string()),
        })
    }

    /// Open `<static_dir>/state.redb` for reads only: every write call
    /// fails with [`StateError::ReadOnly`]. Such a handle changes nothing on
    /// disk, so opening and closing it costs no fsync; it suits commands that
    /// only list or inspect. It still sees what other processes commit.
    ///
    /// When the file is missing, needs a repair after a crash, or has an
    /// older schema, it is first opened read-write (see [`RedbState::open`])
    /// to create, repair or migrate it, then reopened read-only.
    pub fn open_read_only(static_dir: &Path, namespace: &str) -> Result<Self> {
        private::secure(static_dir, Self::FILE_NAME)?;
        let path = static_dir.join(Self::FILE_NAME);
        let handle = if let Some(db) = Self::try_read_only(&path)? {
            db
        } else {
            Self::open(static_dir, namespace)?.close()?;
            Self::try_read_only(&path)?.ok_or_else(|| StateError::Corrupt {
                path: path.clone(),
                detail: "it still needs a repair after being opened read-write".to_string(),
            })?
        };
        Ok(Self {
            path,
            db: RwLock::new(Some(Handle::Read(handle))),
            namespace: RwLock::new(namespace.to_string()),
        })
    }

    /// A read-only handle, or `None` when a read-write open must come first.
    fn try_read_only(path: &Path) -> Result<Option<redb::ReadOnlyDatabase>> {
        if !std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            return Ok(None);
        }
        guarded(path, "open", || {
            let mut builder = Database::builder();
            builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
            let db = match builder.open_read_only(path) {
                Ok(db) => db,
                Err(redb::DatabaseError::RepairAborted) => return Ok(None),
                Err(e) => return Err(open_error(path, e)),
            };
            if schema::is_current(&db, path)? {
                Ok(Some(db))
            } else {
                Ok(None)
            }
        })
    }

    /// Whether this handle was opened with [`RedbState::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        matches!(
            *self.db.read().unwrap_or_else(PoisonError::into_inner),
            Some(Handle::Read(_))
        )
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn ns(&self) -> String {
        self.namespace
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Run `f` over the tables of one read transaction.
    fn read<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&ReadTables<'_>, &str) -> Result<T>,
    ) -> Result<T> {
        let guard = self.db.read().unwrap_or_else(PoisonError::into_inner);
        let db = guard.as_ref().ok_or(StateError::Closed)?;
        let ns = self.ns();
        guarded(&self.path, operation, || {
            let txn = db
                .begin_read()
                .map_err(|e| db_error(&self.path, operation, e))?;
            let tables = open_read_tables(&txn, &self.path, operation)?;
            f(&tables, &ns)
        })
    }

    /// Run `f` over the tables of one write transaction and commit when it
    /// succeeds; on an error the transaction is dropped, changing nothing.
    fn write<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&mut WriteTables<'_, '_>, &str) -> Result<T>,
    ) -> Result<T> {
        let guard = self.db.read().unwrap_or_else(PoisonError::into_inner);
        let db = match guard.as_ref().ok_or(StateError::Closed)? {
            Handle::Write(db) => db,
            Handle::Read(_) => {
                return Err(StateError::ReadOnly {
                    path: self.path.clone(),
                    operation,
                })
            }
        };
        let ns = self.ns();
        guarded(&self.path, operation, || {
            let txn = db
                .begin_write()
                .map_err(|e| db_error(&self.path, operation, e))?;
            let out = {
                let mut tables = open_write_tables(&txn, &self.path, operation)?;
                f(&mut tables, &ns)?
            };
            txn.commit()
                .map_err(|e| db_error(&self.path, operation, e))?;
            Ok(out)
        })
    }
}

/// An open database: read-write, or read-only.
enum Handle {
    Write(Database),
    Read(redb::ReadOnlyDatabase),
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handle::Write(db) => f.debug_tuple("Write").field(db).finish(),
            Handle::Read(_) => f.write_str("Read"),
        }
    }
}

impl Handle {
    fn begin_read(&self) -> std::result::Result<redb::ReadTransaction, redb::TransactionError> {
        match self {
            Handle::Write(db) => db.begin_read(),
            Handle::Read(db) => db.begin_read(),
        }
    }

    fn close(self) -> std::result::Result<(), redb::DatabaseError> {
        match self {
            Handle::Write(db) => db.close(),
            Handle::Read(db) => db.close(),
        }
    }
}

impl Drop for RedbState {
    fn drop(&mut self) {
        // Closing a damaged database can fail inside redb; an error is
        // logged, a panic is contained, nothing escapes a drop.
        let db = self
            .db
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(db) = db {
            if let Err(e) = guarded(&self.path, "close", || {
                db.close().map_err(|e| db_error(&self.path, "close", e))
            }) {
                tracing::warn!(error = %e, "closing the state database");
            }
        }
    }
}

/// Create the database file whole or not at all: redb writes a new file in
/// several steps, and a process killed between them would leave a file no
/// later open accepts. So the database is built in a temp file of the same
/// directory, synced, and linked into place; when another process wins the
/// race its file is kept. An empty file (no berth writes one, but a crash of
/// an older writer or a careless `touch` may) is replaced.
fn create_atomically(dir: &Path, path: &Path) -> Result<()> {
    let io = |action: &'static str, at: &Path| {
        let at = at.to_path_buf();
        move |source| StateError::Io {
            action,
            path: at,
            source,
        }
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{}.{}.{nanos}.tmp",
        RedbState::FILE_NAME,
        std::process::id()
    ));
    // 0600 from the start: the records are never readable by others, not even briefly.
    let made = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(private::FILE_MODE)
        .open(&tmp)
        .map_err(io("create the state database", &tmp));
    let built = made
        .and_then(|_| {
            guarded(&tmp, "create", || {
                let db = Database::create(&tmp).map_err(|e| open_error(&tmp, e))?;
                schema::ensure(&db, &tmp)?;
                db.close().map_err(|e| db_error(&tmp, "create", e))
            })
        })
        .and_then(|()| {
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(io("sync the new state database", &tmp))
        });
    let placed = built.and_then(|()| {
        let replace_empty = std::fs::metadata(path).is_ok_and(|m| m.len() == 0);
        if replace_empty {
            std::fs::rename(&tmp, path).map_err(io("move the new state database to", path))
        } else {
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => Ok(()),
                // another process created it first: use theirs
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(io("link the new state database to", path)(e)),
            }
        }
    });
    let _ = std::fs::remove_file(&tmp);
    placed?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("sync the state directory", dir))
}

/// Run `f`, turning a panic inside redb (its answer to some damaged files in
/// debug builds) into [`StateError::Corrupt`].
fn guarded<T>(path: &Path, operation: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(StateError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("{operation}: the database library failed: {message}"),
            })
        }
    }
}

fn is_corruption(e: &redb::Error) -> Option<String> {
    match e {
        redb::Error::Corrupted(detail) => Some(detail.clone()),
        redb::Error::UpgradeRequired(v) => Some(format!("unknown file format version {v}")),
        redb::Error::RepairAborted => Some("the file needs a repair that failed".to_string()),
        redb::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            Some(format!("not a database: {io}"))
        }
        redb::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Some(format!("truncated: {io}"))
        }
        _ => None,
    }
}

/// Map an error from `Builder::create`.
fn open_error(path: &Path, e: redb::DatabaseError) -> StateError {
    let e: redb::Error = e.into();
    if let Some(detail) = is_corruption(&e) {
        return StateError::Corrupt {
            path: path.to_path_buf(),
            detail,
        };
    }
    match e {
        redb::Error::DatabaseAlreadyOpen | redb::Error::LockProtocolMismatch => {
            StateError::Locked {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }
        }
        redb::Error::Io(source) => StateError::Io {
            action: "open the state database",
            path: path.to_path_buf(),
            source,
        },
        other => db_error(path, "open", other),
    }
}

/// Map any redb error of an operation; corruption becomes [`StateError::Corrupt`].
pub(crate) fn db_error(
    path: &Path,
    operation: &'static str,
    e: impl Into<redb::Error>,
) -> StateError {
    let e: redb::Error = e.into();
    if let Some(detail) = is_corruption(&e) {
        return StateError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("{operation}: {detail}"),
        };
    }
    StateError::Database {
        path: path.to_path_buf(),
        operation,
        source: Box::new(e),
    }
}

impl State for RedbState {
    fn namespace(&self) -> Result<String> {
        let guard = self.db.read().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            return Err(StateError::Closed);
        }
        Ok(self.ns())
    }

    fn set_namespace(&self, namespace: &str) -> Result<()> {
        let guard = self.db.read().unwrap_or_else(PoisonError::into_inner);
        if guard.is_none() {
            return Err(StateError::Closed);
        }
        *self
            .namespace
            .write()
            .unwrap_or_else(PoisonError::into_inner) = namespace.to_string();
        Ok(())
    }

    fn refresh(&self) -> Result<()> {
        self.write("refresh", |t, _| ops::refresh(t))
    }

    fn close(&self) -> Result<()> {
        let db = self
            .db
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or(StateError::Closed)?;
        guarded(&self.path, "close", || {
            db.close().map_err(|e| db_error(&self.path, "close", e))
        })
    }

    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        self.write("add_container", |t, ns| {
            ops::add_container(t, ns, config, state)
        })
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        self.write("remove_container", |t, ns| ops::remove_container(t, ns, id))
    }

    fn container(&self, id: &str) -> Result<ContainerRecord> {
        self.read("container", |t, ns| ops::get_container(t, ns, id))
    }

    fn has_container(&self, id: &str) -> Result<bool> {
        self.read("has_container", |t, ns| ops::has_container(t, ns, id))
    }

    fn lookup_container(&self, id_or_name: &str) -> Result<ContainerRecord> {
        self.read("lookup_container", |t, ns| {
            ops::lookup_container(t, ns, id_or_name)
        })
    }

    fn all_containers(&self) -> Result<Vec<ContainerRecord>> {
        self.read("all_containers", |t, ns| ops::all_containers(t, ns))
    }

    fn all_containers_in_every_namespace(&self) -> Result<Vec<ContainerRecord>> {
        self.read("all_containers_in_every_namespace", |t, _| {
            ops::all_containers(t, "")
        })
    }

    fn container_state(&self, id: &str) -> Result<ContainerState> {
        self.read("container_state", |t, ns| {
            Ok(ops::get_container(t, ns, id)?.state)
        })
    }

    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        self.write("save_container_state", |t, ns| {
            ops::save_container_state(t, ns, id, state)
        })
    }

    fn update_container_resources(
        &self,
        id: &str,
        resources: &crate::ResourceLimits,
    ) -> Result<()> {
        self.write("update_container_resources", |t, ns| {
            ops::update_container_resources(t, ns, id, resources)
        })
    }

    fn rename_container(&self, id: &str, new_name: &str) -> Result<()> {
        self.write("rename_container", |t, ns| {
            ops::rename_container(t, ns, id, new_name)
        })
    }

    fn container_dependents(&self, id: &str) -> Result<Vec<String>> {
        self.read("container_dependents", |t, ns| {
            ops::container_dependents(t, ns, id)
        })
    }

    fn add_pod(&self, config: &PodConfig, state: &PodState) -> Result<()> {
        self.write("add_pod", |t, ns| ops::add_pod(t, ns, config, state))
    }

    fn remove_pod(&self, id: &str) -> Result<()> {
        self.write("remove_pod", |t, ns| ops::remove_pod(t, ns, id))
    }

    fn pod(&self, id: &str) -> Result<PodRecord> {
        self.read("pod", |t, ns| ops::get_pod(t, ns, id))
    }

    fn has_pod(&self, id: &str) -> Result<bool> {
        self.read("has_pod", |t, ns| ops::has_pod(t, ns, id))
    }

    fn lookup_pod(&self, id_or_name: &str) -> Result<PodRecord> {
        self.read("lookup_pod", |t, ns| ops::lookup_pod(t, ns, id_or_name))
    }

    fn pod_containers(&self, pod_id: &str) -> Result<Vec<ContainerRecord>> {
        self.read("pod_containers", |t, ns| ops::pod_containers(t, ns, pod_id))
    }

    fn all_pods(&self) -> Result<Vec<PodRecord>> {
        self.read("all_pods", |t, ns| ops::all_pods(t, ns))
    }

    fn pod_state(&self, id: &str) -> Result<PodState> {
        self.read("pod_state", |t, ns| Ok(ops::get_pod(t, ns, id)?.state))
    }

    fn save_pod_state(&self, id: &str, state: &PodState) -> Result<()> {
        self.write("save_pod_state", |t, ns| {
            ops::save_pod_state(t, ns, id, state)
        })
    }
}

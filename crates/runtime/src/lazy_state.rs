//! [`LazyState`]: the redb state opened on its first use, so a command that never reads a
//! container or pod record (`images`, `import`, `tag`) never pays for opening (and, at
//! close, syncing) the database. See [`crate::RuntimeBuilder::lazy_state`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use berth_state::{
    ContainerConfig, ContainerRecord, ContainerState, PodConfig, PodRecord, PodState, RedbState,
    Result, State, StateError,
};

#[derive(Debug)]
enum Slot {
    /// Not opened yet; the namespace to open it in.
    Waiting(String),
    Open(Arc<RedbState>),
    /// Closed before it was ever opened.
    Closed,
}

/// A [`RedbState`] in `static_dir`, opened by the first call that needs the database.
#[derive(Debug)]
pub(crate) struct LazyState {
    static_dir: PathBuf,
    slot: Mutex<Slot>,
}

impl LazyState {
    pub(crate) fn new(static_dir: PathBuf, namespace: &str) -> Self {
        Self {
            static_dir,
            slot: Mutex::new(Slot::Waiting(namespace.to_string())),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The database, opened now if needed (a failed open is tried again next time).
    fn db(&self) -> Result<Arc<RedbState>> {
        let mut slot = self.slot();
        match &*slot {
            Slot::Open(db) => Ok(Arc::clone(db)),
            Slot::Closed => Err(StateError::Closed),
            Slot::Waiting(ns) => {
                let db = Arc::new(RedbState::open(&self.static_dir, ns)?);
                *slot = Slot::Open(Arc::clone(&db));
                Ok(db)
            }
        }
    }
}

macro_rules! opened {
    ($($name:ident($($arg:ident: $t:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&self, $($arg: $t),*) -> Result<$ret> { self.db()?.$name($($arg),*) })*
    };
}

impl State for LazyState {
    fn namespace(&self) -> Result<String> {
        match &*self.slot() {
            Slot::Waiting(ns) => Ok(ns.clone()),
            Slot::Open(db) => db.namespace(),
            Slot::Closed => Err(StateError::Closed),
        }
    }

    fn set_namespace(&self, namespace: &str) -> Result<()> {
        let mut slot = self.slot();
        match &mut *slot {
            Slot::Waiting(ns) => {
                *ns = namespace.to_string();
                Ok(())
            }
            Slot::Open(db) => db.set_namespace(namespace),
            Slot::Closed => Err(StateError::Closed),
        }
    }

    fn close(&self) -> Result<()> {
        let mut slot = self.slot();
        match std::mem::replace(&mut *slot, Slot::Closed) {
            Slot::Open(db) => {
                let r = db.close();
                *slot = Slot::Open(db);
                r
            }
            Slot::Waiting(_) => Ok(()),
            Slot::Closed => Err(StateError::Closed),
        }
    }

    opened! {
        refresh() -> ();
        add_container(c: &ContainerConfig, s: &ContainerState) -> ();
        remove_container(id: &str) -> ();
        container(id: &str) -> ContainerRecord;
        has_container(id: &str) -> bool;
        lookup_container(id: &str) -> ContainerRecord;
        all_containers() -> Vec<ContainerRecord>;
        all_containers_in_every_namespace() -> Vec<ContainerRecord>;
        container_state(id: &str) -> ContainerState;
        save_container_state(id: &str, s: &ContainerState) -> ();
        rename_container(id: &str, name: &str) -> ();
        update_container_resources(id: &str, r: &berth_state::ResourceLimits) -> ();
        container_dependents(id: &str) -> Vec<String>;
        add_pod(c: &PodConfig, s: &PodState) -> ();
        remove_pod(id: &str) -> ();
        pod(id: &str) -> PodRecord;
        has_pod(id: &str) -> bool;
        lookup_pod(id: &str) -> PodRecord;
        pod_containers(id: &str) -> Vec<ContainerRecord>;
        all_pods() -> Vec<PodRecord>;
        pod_state(id: &str) -> PodState;
        save_pod_state(id: &str, s: &PodState) -> ();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_opened_by_the_first_call_that_needs_it() {
        let d = tempfile::tempdir().unwrap();
        let s = LazyState::new(d.path().to_path_buf(), "ns1");
        s.set_namespace("ns2").unwrap();
        assert_eq!(s.namespace().unwrap(), "ns2");
        assert!(!d.path().join(RedbState::FILE_NAME).exists());
        assert!(s.all_containers().unwrap().is_empty());
        assert!(d.path().join(RedbState::FILE_NAME).exists());
        assert_eq!(s.namespace().unwrap(), "ns2");
        s.close().unwrap();
        assert!(s.all_pods().unwrap_err().is_closed());
    }

    #[test]
    fn closed_unopened_it_stays_closed_and_writes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let s = LazyState::new(d.path().to_path_buf(), "");
        s.close().unwrap();
        assert!(s.all_containers().unwrap_err().is_closed());
        assert!(s.close().unwrap_err().is_closed());
        assert!(!d.path().join(RedbState::FILE_NAME).exists());
    }
}

//! berth's state store: the [`State`] trait, an in-memory state
//! ([`MemoryState`]) and a redb-backed state shared by many processes
//! ([`RedbState`]).
//!
//! The state keeps the records of containers and pods. Each record has an
//! immutable part written once at create ([`ContainerConfig`],
//! [`PodConfig`]) and a mutable part saved as the object's life goes on
//! ([`ContainerState`], [`PodState`]). Every call is one atomic operation;
//! none holds a lock or a transaction after it returns, so callers may wait
//! on processes or the network between calls.
//!
//! [`RedbState::open`] opens `<static dir>/state.redb` read-write;
//! [`RedbState::open_read_only`] opens it for commands that only read,
//! which is much cheaper (it writes nothing to the file).
//!
//! # Example
//!
//! ```
//! use berth_state::{ContainerConfig, ContainerState, ContainerStatus, MemoryState, State};
//!
//! let state: Box<dyn State> = Box::new(MemoryState::new());
//! let config = ContainerConfig {
//!     id: "4f".repeat(32),
//!     name: "web".to_string(),
//!     image_name: "docker.io/library/busybox:latest".to_string(),
//!     command: vec!["sleep".into(), "60".into()],
//!     ..ContainerConfig::default()
//! };
//! state.add_container(&config, &ContainerState::default())?;
//!
//! // Look it up by name, by id, or by a unique id prefix.
//! let found = state.lookup_container("4f4f4f")?;
//! assert_eq!(found.config.name, "web");
//!
//! let mut running = found.state;
//! running.status = ContainerStatus::Running;
//! running.pid = 4242;
//! state.save_container_state(&config.id, &running)?;
//! assert!(state.lookup_container("web")?.state.status.can_stop());
//!
//! state.close()?;
//! assert!(state.all_containers().unwrap_err().is_closed());
//! # Ok::<(), berth_state::StateError>(())
//! ```

#![deny(unsafe_code)]

mod error;
mod memory;
mod migrate;
mod ops;
mod private;
mod redb_state;
mod redb_tables;
mod schema;
mod state;
mod types;

pub use berth_config::Protocol;
pub use error::{Kind, Result, StateError};
pub use memory::MemoryState;
pub use redb_state::RedbState;
pub use schema::SCHEMA_VERSION;
pub use state::State;
pub use types::{
    is_valid_id, ContainerConfig, ContainerRecord, ContainerState, ContainerStatus, Mount,
    NamedVolume, NetworkMode, PodConfig, PodRecord, PodSharedNamespaces, PodState, PodStatus,
    PortMapping, ResourceLimits, SecurityOptions, SharedNamespaces,
};

//! berth's storage: a content-addressed blob store, layers (overlay, vfs),
//! images, container root filesystems, and import/export of root filesystem
//! tars, OCI layouts and docker archives.
//!
//! Open a [`Store`] with [`StoreOptions`]; the runtime talks to it through the
//! [`Storage`] trait. Tests of the layers above use `testing::FakeStorage`
//! (feature `testing`). The on-disk layout is described in the crate README.
#![deny(unsafe_code)]

mod api;
mod archive;
mod blobs;
mod check;
mod compress;
mod containers;
pub mod diff;
pub mod digest;
pub mod driver;
mod error;
pub mod extract;
mod fsutil;
mod image_mounts;
mod images;
mod import;
pub mod inroot;
mod layers;
mod lock;
mod manifest_lists;
mod model;
pub mod oci;
pub mod reference;
pub mod registry;
mod staging;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use api::Storage;
pub use archive::ArchiveFormat;
pub use check::CheckReport;
pub use diff::{Change, ChangeKind, CommitOptions};
pub use error::{Error, Result};
pub use image_mounts::ImageMount;
pub use images::{normalize_local_name, normalize_name, RemovedImage};
pub use manifest_lists::{
    InstanceEdit, ListDocument, ListInstance, ListOp, ListPlatform, ManifestList,
};
pub use model::{
    ContainerRecord, Driver, HealthConfig, HistoryEntry, ImageConfig, ImageRecord, ImportOptions,
    LayerRecord, StoreOptions,
};
pub use reference::Reference;
pub use store::{RulesError, RulesSource, Store};

//! Images: the local store (list, inspect, history, tag, untag, remove, exists), archives
//! (import, load, save) and registries (pull, push, login, logout), each a [`Runtime`]
//! method over the [`berth_storage::Storage`] and [`berth_storage::registry::ImageRegistry`]
//! seams, with typed options and results.
//!
//! Storage's "image not known" comes back as [`crate::Error::NoSuchImage`] and "in use by
//! containers" as [`crate::Error::ImageInUse`] (naming the runtime's container ids), so a
//! caller tells them apart without reading messages.
//!
//! [`Runtime`]: crate::Runtime

mod archive;
mod local;
mod manifests;
mod mounts;
pub(crate) use local::recorded_image_name;
pub(crate) mod registry;
mod runlabel;
mod search;
mod types;

pub use archive::apply_import_change;
pub use mounts::{ImageMountReport, ImageMountTarget, ImageTree, ImageUnmountReport, TreeLayer};
pub use registry::{registry_key, registry_reference, registry_rules, short_name_rules};
pub use runlabel::RunlabelOptions;
pub use types::{
    image_digest, ImageHistoryEntry, ImageListOptions, ImageRemoveOptions, ImageRemoveReport,
    ImageSaveOptions, ImageSummary, InspectImage, InspectImageConfig, InspectRootFs,
};

use crate::error::Error;

/// Storage's image errors as the runtime's typed ones; others pass whole.
pub(crate) fn image_error(e: berth_storage::Error) -> Error {
    match e {
        berth_storage::Error::ImageNotFound(what) => Error::NoSuchImage(what),
        e => e.into(),
    }
}

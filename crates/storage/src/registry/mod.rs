//! Registries: pull, push, login/logout over the OCI distribution API.
//!
//! Blocking HTTP (ureq with rustls), no async runtime. The entry points are
//! [`pull`], [`push`], [`login`] and [`logout`]; registries.conf reaches
//! them as [`RegistryRules`] (filled by the runtime from berth-config), the
//! signature policy as [`PolicySource`], credentials as [`AuthOptions`].
//! See `README.md` in this directory.

mod api;
mod auth;
mod client;
mod ensure;
mod error;
mod list_push;
mod login;
pub mod manifest;
mod policy;
mod pull;
mod push;
mod rules;
mod search;
mod shortnames;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use api::{ImageRegistry, StoreRegistry};
pub use auth::{
    parse_challenge, parse_token_response, AuthFile, AuthOptions, Challenge, Credentials,
};
pub use client::{Client, ClientOptions, FetchedManifest, RetryPolicy, DEFAULT_CERTS_DIR};
pub use ensure::{ensure_image, PullPolicy};
pub use error::{Error, Result};
pub use list_push::push_list;
pub use login::{login, logout, LoginOptions};
pub use manifest::Platform;
pub use policy::{Policy, PolicySource, Requirement, DEFAULT_POLICY};
pub use pull::{pull, Event, ProgressFn, PullOptions, PullReport};
pub use push::{push, PushOptions, PushReport};
pub use rules::{
    Alias, Mirror, RegistryEntry, RegistryRules, Resolution, Resolved, ShortNameMode, Source,
};
pub use search::{search, SearchFilter, SearchOptions, SearchResult, DEFAULT_SEARCH_LIMIT};

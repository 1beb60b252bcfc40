//! The seam the runtime uses: [`ImageRegistry`], implemented by
//! [`StoreRegistry`] (the real client over a [`Store`]) and, with the
//! `testing` feature, by `testing::FakeRegistry`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::store::Store;

use super::auth::Credentials;
use super::error::Result;
use super::login::LoginOptions;
use super::pull::{PullOptions, PullReport};
use super::push::{PushOptions, PushReport};
use super::search::{SearchOptions, SearchResult};

/// Registry operations as the runtime calls them.
pub trait ImageRegistry: Send + Sync + std::fmt::Debug {
    /// See [`super::pull`].
    fn pull(&self, reference: &str, opts: &PullOptions) -> Result<PullReport>;
    /// See [`super::push`].
    fn push(
        &self,
        image: &str,
        destination: Option<&str>,
        opts: &PushOptions,
    ) -> Result<PushReport>;
    /// See [`super::login`].
    fn login(
        &self,
        registry: &str,
        credentials: &Credentials,
        opts: &LoginOptions,
    ) -> Result<PathBuf>;
    /// See [`super::logout`].
    fn logout(&self, registry: Option<&str>, opts: &LoginOptions) -> Result<PathBuf>;
    /// See [`super::push_list`].
    fn push_list(
        &self,
        list: &str,
        destination: &str,
        opts: &PushOptions,
        all: bool,
        oci: bool,
    ) -> Result<PushReport> {
        let _ = (destination, opts, all, oci);
        Err(crate::Error::InvalidOption(format!(
            "pushing manifest list {list} is not supported by this registry client"
        ))
        .into())
    }
    /// See [`super::search`].
    fn search(&self, term: &str, opts: &SearchOptions) -> Result<Vec<SearchResult>> {
        super::search(term, opts)
    }
}

/// The real registry client, pulling into and pushing from a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreRegistry {
    store: Arc<Store>,
}

impl StoreRegistry {
    /// A client for `store` (share the `Arc` with the runtime's `Storage`).
    pub fn new(store: Arc<Store>) -> Self {
        StoreRegistry { store }
    }
}

impl ImageRegistry for StoreRegistry {
    fn pull(&self, reference: &str, opts: &PullOptions) -> Result<PullReport> {
        super::pull(&self.store, reference, opts)
    }
    fn push(
        &self,
        image: &str,
        destination: Option<&str>,
        opts: &PushOptions,
    ) -> Result<PushReport> {
        super::push(&self.store, image, destination, opts)
    }
    fn login(
        &self,
        registry: &str,
        credentials: &Credentials,
        opts: &LoginOptions,
    ) -> Result<PathBuf> {
        super::login(registry, credentials, opts)
    }
    fn logout(&self, registry: Option<&str>, opts: &LoginOptions) -> Result<PathBuf> {
        super::logout(registry, opts)
    }
    fn push_list(
        &self,
        list: &str,
        destination: &str,
        opts: &PushOptions,
        all: bool,
        oci: bool,
    ) -> Result<PushReport> {
        super::push_list(&self.store, list, destination, opts, all, oci)
    }
}

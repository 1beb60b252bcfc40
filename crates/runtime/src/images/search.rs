//! `search`: a registry's catalog or a repository's tags, through the
//! [`berth_storage::registry::ImageRegistry`] seam with registries.conf's
//! search registries and the default auth files filled in.

use berth_storage::registry::{SearchOptions, SearchResult};

use crate::error::Result;
use crate::runtime::Runtime;

impl Runtime {
    /// Search options with the registry rules and the default auth files
    /// filled in; the caller adds the limit, filter, TLS choice and credentials.
    pub fn search_options(&self) -> Result<SearchOptions> {
        Ok(SearchOptions {
            rules: self.registry_rules()?,
            auth: self.auth_options()?,
            ..SearchOptions::default()
        })
    }

    /// Searches `term` (`registry/term`, or a term every search registry is
    /// asked for); with `opts.list_tags`, the tags of the repository it names.
    pub fn search_images(&self, term: &str, opts: &SearchOptions) -> Result<Vec<SearchResult>> {
        self.check()?;
        Ok(self.registry.search(term, opts)?)
    }
}

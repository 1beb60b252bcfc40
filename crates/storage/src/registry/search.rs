//! `search`: repositories of a registry's `/v2/_catalog` whose name contains
//! the term, or (`list_tags`) the tags of one repository, as containers/common
//! searches a v2 registry without a search API.

use super::auth::AuthOptions;
use super::client::{Client, ClientOptions, RetryPolicy};
use super::error::{Error, Result};
use super::pull::insecure_for;
use super::rules::RegistryRules;
use crate::reference::Reference;

/// What podman lists when no `--limit` is given.
pub const DEFAULT_SEARCH_LIMIT: usize = 25;

/// `--filter`: podman's stars, is-official and is-automated conditions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only results with at least this many stars.
    pub stars: u64,
    /// Only official (`Some(true)`) or unofficial results.
    pub official: Option<bool>,
    /// Only automated (`Some(true)`) or not automated results.
    pub automated: Option<bool>,
}

impl SearchFilter {
    fn matches(&self, r: &SearchResult) -> bool {
        r.stars >= self.stars
            && self.official.is_none_or(|o| o == r.official)
            && self.automated.is_none_or(|a| a == r.automated)
    }
}

/// Options of [`search`].
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// registries.conf rules: the search registries of a term without a
    /// registry, and which registries are insecure.
    pub rules: RegistryRules,
    /// `--tls-verify` (see [`super::PullOptions::tls_verify`]).
    pub tls_verify: Option<bool>,
    /// Credentials.
    pub auth: AuthOptions,
    /// Retries.
    pub retry: RetryPolicy,
    /// certs.d directory (`None`: /etc/containers/certs.d).
    pub certs_dir: Option<std::path::PathBuf>,
    /// CA certificates (PEM) to trust instead of the webpki roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Results per registry; 0 = [`DEFAULT_SEARCH_LIMIT`].
    pub limit: usize,
    /// List the tags of the repository the term names.
    pub list_tags: bool,
    /// Conditions on the results.
    pub filter: SearchFilter,
}

/// One result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    /// The registry searched.
    pub index: String,
    /// `registry/repository`.
    pub name: String,
    /// The description (v2 catalogs have none).
    pub description: String,
    /// Stars (0 from a v2 catalog).
    pub stars: u64,
    /// Whether the repository is official.
    pub official: bool,
    /// Whether it is built automatically.
    pub automated: bool,
    /// With `list_tags`: the tag.
    pub tag: String,
}

/// Searches `term`: a term with a `/` searches the registry before it
/// only, else every search registry of the rules. The results of the
/// registries that answered; the errors only when none did.
pub fn search(term: &str, opts: &SearchOptions) -> Result<Vec<SearchResult>> {
    let (registries, term) = match term.split_once('/') {
        Some((reg, rest)) => (vec![reg.to_owned()], rest),
        None => (opts.rules.search.clone(), term),
    };
    if registries.is_empty() {
        return Err(Error::NoSearchRegistries {
            name: term.to_owned(),
        });
    }
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for reg in &registries {
        match search_registry(reg, term, opts) {
            Ok(r) => results.extend(r),
            Err(e) => errors.push((
                reg.clone(),
                Error::Search {
                    registry: reg.clone(),
                    source: Box::new(e),
                },
            )),
        }
    }
    if !results.is_empty() || errors.is_empty() {
        return Ok(results);
    }
    if errors.len() == 1 {
        return Err(errors.pop().expect("one").1);
    }
    Err(Error::AllSourcesFailed {
        reference: term.to_owned(),
        attempts: errors,
    })
}

fn connect(registry: &str, repository: &str, opts: &SearchOptions) -> Result<Client> {
    let insecure = insecure_for(opts.tls_verify, opts.rules.is_insecure(registry));
    Client::connect(
        registry,
        &ClientOptions {
            insecure,
            credentials: opts.auth.lookup(registry, repository)?,
            retry: opts.retry,
            ca_pem: opts.ca_pem.clone(),
            certs_dir: opts.certs_dir.clone(),
        },
    )
}

fn search_registry(registry: &str, term: &str, opts: &SearchOptions) -> Result<Vec<SearchResult>> {
    let limit = if opts.limit == 0 {
        DEFAULT_SEARCH_LIMIT
    } else {
        opts.limit
    };
    if opts.list_tags {
        let full = format!("{registry}/{term}");
        let r = Reference::parse(&full).map_err(|_| {
            Error::bad(
                format!("search term {term:?}"),
                format!("reference {full:?} must be a docker reference"),
            )
        })?;
        let client = connect(&r.domain, &r.path, opts)?;
        let name = format!("{}/{}", r.domain, r.path);
        return Ok(client
            .list_tags(&r.path)?
            .into_iter()
            .take(limit)
            .map(|tag| SearchResult {
                index: registry.to_owned(),
                name: name.clone(),
                tag,
                ..SearchResult::default()
            })
            .collect());
    }
    let client = connect(registry, "", opts)?;
    Ok(client
        .search_catalog(term, limit)?
        .into_iter()
        .map(|repo| SearchResult {
            index: registry.to_owned(),
            name: if registry == "docker.io" && !repo.contains('/') {
                format!("docker.io/library/{repo}")
            } else {
                format!("{registry}/{repo}")
            },
            ..SearchResult::default()
        })
        .filter(|r| opts.filter.matches(r))
        .collect())
}

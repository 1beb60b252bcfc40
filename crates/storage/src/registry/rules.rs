//! Which registry to contact for a reference: short-name resolution
//! (aliases, search registries, `short-name-mode`), `[[registry]]`
//! prefix/location rewriting, mirrors, `insecure` and `blocked`, as
//! registries.conf v2 and containers/image's pkg/shortnames describe them.
//!
//! berth-storage does not read registries.conf itself; the runtime fills
//! [`RegistryRules`] from berth-config.

use std::collections::BTreeMap;

use crate::reference::{Reference, DEFAULT_DOMAIN};

use super::error::{Error, Result};

/// The parts of registries.conf that decide where images come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryRules {
    /// `unqualified-search-registries`, tried in order for short names.
    pub search: Vec<String>,
    /// `[[registry]]` tables.
    pub registries: Vec<RegistryEntry>,
    /// `short-name-mode` (containers/image's default when unset: permissive).
    pub short_name_mode: ShortNameMode,
    /// Short-name aliases by short name (`busybox`, `ns/app`): the
    /// short-name-aliases.conf cache's entries over registries.conf's
    /// `[aliases]`, as containers/image looks them up.
    pub aliases: BTreeMap<String, Alias>,
}

/// How short names with several candidates are treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShortNameMode {
    /// Several candidates need a choice; berth never prompts, so they are an error.
    Enforcing,
    /// Several candidates are tried in order.
    #[default]
    Permissive,
    /// Every candidate is tried in order, aliases still apply.
    Disabled,
}

/// One short-name alias.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alias {
    /// The fully qualified name without tag or digest; empty resets the
    /// alias (a drop-in cancelling one of an earlier file).
    pub target: String,
    /// The file it came from, for messages.
    pub origin: String,
}

/// One `[[registry]]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryEntry {
    /// The namespace it applies to (`quay.io`, `quay.io/ns`, `*.example.com`);
    /// empty means "same as location".
    pub prefix: String,
    /// Where the namespace really lives (replaces `prefix` in references).
    pub location: String,
    /// Allow plain HTTP and unverified TLS.
    pub insecure: bool,
    /// Refuse to pull from it.
    pub blocked: bool,
    /// Use the mirrors only for references with a digest.
    pub mirror_by_digest_only: bool,
    /// Mirrors, tried in order before `location`.
    pub mirrors: Vec<Mirror>,
}

/// One `[[registry.mirror]]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirror {
    /// `host[:port][/namespace]` replacing the prefix.
    pub location: String,
    /// Allow plain HTTP and unverified TLS for this mirror.
    pub insecure: bool,
}

/// A place to fetch a reference from: a registry host and the repository
/// path there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `host[:port]` as written (docker.io is mapped to its API host when connecting).
    pub host: String,
    /// Repository path on that host.
    pub repository: String,
    /// Plain HTTP / unverified TLS allowed.
    pub insecure: bool,
    /// A mirror rather than the primary location.
    pub mirror: bool,
}

impl Source {
    /// `host/repository`, for messages.
    pub fn name(&self) -> String {
        format!("{}/{}", self.host, self.repository)
    }
}

/// The candidates of a reference and how they were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Fully qualified references to try, in order.
    pub candidates: Vec<Reference>,
    /// Where they came from.
    pub how: Resolution,
}

/// How a reference was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// It named its registry.
    Qualified,
    /// A short-name alias (from the file named).
    Alias {
        /// The short name as written, without tag or digest.
        name: String,
        /// The file that set the alias.
        origin: String,
    },
    /// The unqualified-search registries.
    SearchRegistries,
}

impl RegistryEntry {
    fn effective_prefix(&self) -> &str {
        if self.prefix.is_empty() {
            &self.location
        } else {
            &self.prefix
        }
    }

    /// Whether this entry applies to `name` (`host/path`), and how long the match is.
    fn match_len(&self, name: &str) -> Option<usize> {
        let p = self.effective_prefix();
        if p.is_empty() {
            return None;
        }
        if let Some(suffix) = p.strip_prefix("*.") {
            let host = name.split('/').next().unwrap_or("");
            let host = host.split(':').next().unwrap_or(host);
            return host
                .strip_suffix(suffix)
                .is_some_and(|h| h.ends_with('.') && h.len() > 1)
                .then_some(p.len());
        }
        let ok = name == p
            || name
                .strip_prefix(p)
                .is_some_and(|r| r.starts_with('/') || r.starts_with(':') || r.starts_with('@'));
        ok.then_some(p.len())
    }
}

impl RegistryRules {
    /// The `[[registry]]` entry for a repository (`host/path`): the longest
    /// matching prefix (whole path components; `*.domain` wildcards).
    pub fn find(&self, repository: &str) -> Option<&RegistryEntry> {
        self.registries
            .iter()
            .filter_map(|e| e.match_len(repository).map(|n| (n, e)))
            .max_by_key(|(n, _)| *n)
            .map(|(_, e)| e)
    }

    /// Whether `host` is marked insecure (by an entry whose prefix is that host).
    pub fn is_insecure(&self, host: &str) -> bool {
        self.find(&format!("{host}/x")).is_some_and(|e| e.insecure)
    }

    /// Where to fetch a fully qualified reference from: its mirrors in
    /// order, then the (possibly rewritten) primary location. `blocked`
    /// entries are refused.
    pub fn pull_sources(&self, r: &Reference) -> Result<Vec<Source>> {
        let repo = r.repository();
        let Some(e) = self.find(&repo) else {
            return Ok(vec![split(&repo, false, false)]);
        };
        if e.blocked {
            return Err(Error::Blocked {
                registry: e.effective_prefix().to_string(),
                reference: r.to_string(),
            });
        }
        let mut out = Vec::new();
        let wildcard = e.effective_prefix().starts_with("*.");
        if !(e.mirror_by_digest_only && r.digest.is_none()) {
            for m in &e.mirrors {
                let name = if wildcard {
                    // A wildcard prefix names hosts; the mirror takes the host's place.
                    let rest = repo.split_once('/').map_or("", |(_, p)| p);
                    format!("{}/{rest}", m.location)
                } else {
                    rewrite(&repo, e.effective_prefix(), &m.location)
                };
                out.push(split(&name, m.insecure, true));
            }
        }
        let primary = if wildcard || e.location.is_empty() {
            repo.clone()
        } else {
            rewrite(&repo, e.effective_prefix(), &e.location)
        };
        out.push(split(&primary, e.insecure, false));
        Ok(out)
    }

    /// Where to push a fully qualified reference: the primary location only.
    pub fn push_source(&self, r: &Reference) -> Result<Source> {
        let mut all = self.pull_sources(r)?;
        Ok(all
            .pop()
            .expect("pull_sources always ends with the primary"))
    }
}

fn rewrite(repo: &str, prefix: &str, location: &str) -> String {
    format!("{location}{}", &repo[prefix.len().min(repo.len())..])
}

fn split(name: &str, insecure: bool, mirror: bool) -> Source {
    let (host, repository) = name.split_once('/').unwrap_or((name, ""));
    let mut repository = repository.trim_matches('/').to_string();
    if host == DEFAULT_DOMAIN && !repository.contains('/') {
        repository = format!("library/{repository}");
    }
    Source {
        host: host.to_string(),
        repository,
        insecure,
        mirror,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(prefix: &str, location: &str) -> RegistryEntry {
        RegistryEntry {
            prefix: prefix.into(),
            location: location.into(),
            ..RegistryEntry::default()
        }
    }

    #[test]
    fn short_names_expand_against_the_search_list_in_order() {
        let rules = RegistryRules {
            search: vec!["quay.io".into(), "docker.io".into()],
            registries: vec![],
            ..RegistryRules::default()
        };
        let c = rules.candidates("busybox").unwrap();
        let names: Vec<String> = c.iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            ["quay.io/busybox:latest", "docker.io/library/busybox:latest"]
        );
        let c = rules.candidates("ns/app:1").unwrap();
        assert_eq!(c[1].to_string(), "docker.io/ns/app:1");
        assert_eq!(rules.candidates("quay.io/a/b").unwrap().len(), 1);
        let err = RegistryRules::default().candidates("busybox").unwrap_err();
        assert!(
            err.to_string().contains("unqualified-search-registries"),
            "{err}"
        );
    }

    #[test]
    fn mirrors_come_first_and_prefixes_are_rewritten() {
        let mut e = entry("quay.io", "quay.io");
        e.mirrors = vec![Mirror {
            location: "127.0.0.1:5000/cache".into(),
            insecure: true,
        }];
        let rules = RegistryRules {
            search: vec![],
            registries: vec![e, entry("example.com/old", "new.example.com/moved")],
            ..RegistryRules::default()
        };
        let r = Reference::parse("quay.io/x/y:tag").unwrap();
        let s = rules.pull_sources(&r).unwrap();
        assert_eq!(s[0].host, "127.0.0.1:5000");
        assert_eq!(s[0].repository, "cache/x/y");
        assert!(s[0].insecure && s[0].mirror);
        assert_eq!(s[1].name(), "quay.io/x/y");
        assert!(!s[1].insecure);
        let r = Reference::parse("example.com/old/app").unwrap();
        assert_eq!(
            rules.pull_sources(&r).unwrap()[0].name(),
            "new.example.com/moved/app"
        );
        // whole components only
        let r = Reference::parse("example.com/older/app").unwrap();
        assert_eq!(
            rules.pull_sources(&r).unwrap()[0].name(),
            "example.com/older/app"
        );
    }

    #[test]
    fn blocked_and_wildcards() {
        let mut b = entry("*.blocked.test", "");
        b.blocked = true;
        let mut digest_only = entry("docker.io", "docker.io");
        digest_only.mirror_by_digest_only = true;
        digest_only.mirrors = vec![Mirror {
            location: "mirror.test".into(),
            insecure: false,
        }];
        let rules = RegistryRules {
            search: vec![],
            registries: vec![b, digest_only],
            ..RegistryRules::default()
        };
        let err = rules
            .pull_sources(&Reference::parse("a.blocked.test/x").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("blocked"), "{err}");
        assert!(rules
            .pull_sources(&Reference::parse("blocked.test/x").unwrap())
            .is_ok());
        let by_tag = rules
            .pull_sources(&Reference::parse("busybox").unwrap())
            .unwrap();
        assert_eq!(by_tag.len(), 1);
        let d = format!("busybox@sha256:{}", "a".repeat(64));
        let by_digest = rules.pull_sources(&Reference::parse(&d).unwrap()).unwrap();
        assert_eq!(by_digest[0].name(), "mirror.test/library/busybox");
    }
}

//! Applying [`Filters`] to what a listing shows of each object, podman's way.
//!
//! - containers: `id` (prefix), `name` (regular expression), `status`, `label`/`label!`,
//!   `ancestor` (image name, name without tag, or ID prefix), `pod` (ID prefix or name),
//!   `exited` (code), `network`, `before`/`since` (another container), `until`.
//! - images: `id`, `reference` (glob over `repo:tag`), `dangling`, `label`,
//!   `before`/`since`/`after` (another image), `until`, `readonly`, `containers`.
//! - volumes, networks, pods: `name`/`id`/`driver`/`label`/`until`/`status`.
//!
//! Keys a listing cannot decide from these facts (volume `opt`, pod `ctr-*`, ...) pass.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{FilterError, Filters};

/// What a container filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct ContainerFacts<'a> {
    /// Full ID.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// State word (`created`, `running`, `paused`, `exited`, ...).
    pub status: &'a str,
    /// Exit code, when exited.
    pub exit_code: Option<i32>,
    /// Labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Image name as listings show it.
    pub image: &'a str,
    /// Image ID.
    pub image_id: &'a str,
    /// Pod ID.
    pub pod_id: Option<&'a str>,
    /// Pod name.
    pub pod_name: Option<&'a str>,
    /// Networks.
    pub networks: &'a [String],
    /// Creation time.
    pub created: DateTime<Utc>,
    /// `--restart` as podman names it (`no`, `always`, `on-failure`, `unless-stopped`).
    pub restart_policy: &'a str,
}

/// What an image filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct ImageFacts<'a> {
    /// Full ID.
    pub id: &'a str,
    /// Names (`registry/repo:tag`); empty when dangling.
    pub names: &'a [String],
    /// Labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Containers using it.
    pub containers: u64,
    /// Whether it lives in a read-only store.
    pub read_only: bool,
}

/// What a volume filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct VolumeFacts<'a> {
    /// Name.
    pub name: &'a str,
    /// Driver.
    pub driver: &'a str,
    /// Labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Creation time.
    pub created: DateTime<Utc>,
}

/// What a network filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct NetworkFacts<'a> {
    /// ID.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Driver.
    pub driver: &'a str,
    /// Labels.
    pub labels: &'a BTreeMap<String, String>,
}

/// What a pod filter looks at.
#[derive(Debug, Clone, Copy)]
pub struct PodFacts<'a> {
    /// Full ID.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Status word, lower case (`running`, `degraded`, ...).
    pub status: &'a str,
    /// Labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Creation time.
    pub created: DateTime<Utc>,
}

/// Filters made ready once: regular expressions compiled, times resolved.
#[derive(Debug, Clone)]
pub struct Matcher {
    filters: Filters,
    names: Vec<regex::Regex>,
    before: Vec<DateTime<Utc>>,
    since: Vec<DateTime<Utc>>,
    until: Vec<DateTime<Utc>>,
}

impl Matcher {
    /// Prepares `filters`; `lookup` gives the creation time of the object a `before=`,
    /// `since=` or `after=` names (an unknown one is an error naming it).
    pub fn new(
        filters: &Filters,
        now: DateTime<Utc>,
        lookup: &dyn Fn(&str) -> Option<DateTime<Utc>>,
    ) -> Result<Self, FilterError> {
        let names = filters
            .name
            .iter()
            .map(|n| {
                regex::Regex::new(n).map_err(|e| FilterError {
                    value: format!("name={n}"),
                    reason: format!("bad regular expression: {e}"),
                })
            })
            .collect::<Result<_, _>>()?;
        let resolve = |key: &str, refs: &[String]| -> Result<Vec<DateTime<Utc>>, FilterError> {
            refs.iter()
                .map(|r| {
                    lookup(r).ok_or_else(|| FilterError {
                        value: format!("{key}={r}"),
                        reason: format!("no such object {r:?}"),
                    })
                })
                .collect()
        };
        let mut since = resolve("since", &filters.since)?;
        since.extend(resolve("after", &filters.after)?);
        Ok(Self {
            names,
            before: resolve("before", &filters.before)?,
            since,
            until: filters.until.iter().map(|u| u.resolve(now)).collect(),
            filters: filters.clone(),
        })
    }

    /// The filters this matcher applies.
    pub fn filters(&self) -> &Filters {
        &self.filters
    }

    fn created_ok(&self, created: DateTime<Utc>) -> bool {
        self.before.iter().all(|b| created < *b)
            && self.since.iter().all(|s| created > *s)
            && self.until.iter().all(|u| created < *u)
    }

    fn name_ok(&self, name: &str) -> bool {
        self.names.is_empty() || self.names.iter().any(|r| r.is_match(name))
    }

    fn prefix_ok(wanted: &[String], id: &str) -> bool {
        wanted.is_empty() || wanted.iter().any(|w| id.starts_with(w.as_str()))
    }

    fn bool_ok(wanted: &[bool], value: bool) -> bool {
        wanted.is_empty() || wanted.contains(&value)
    }

    fn equals_ok(wanted: &[String], value: &str) -> bool {
        wanted.is_empty() || wanted.iter().any(|w| w == value)
    }

    /// Whether a container passes.
    pub fn container(&self, c: &ContainerFacts<'_>) -> bool {
        let f = &self.filters;
        let exited_ok = f.exited.is_empty()
            || c.status == "exited" && c.exit_code.is_some_and(|code| f.exited.contains(&code));
        let ancestor_ok = f.ancestor.is_empty()
            || f.ancestor.iter().any(|a| {
                let (repo, _) = split_reference(c.image);
                let short_repo = repo.rsplit('/').next().unwrap_or(repo);
                c.image == a
                    || repo == a
                    || short_repo == a
                    || c.image.rsplit('/').next() == Some(a.as_str())
                    || c.image_id.starts_with(a.as_str())
            });
        let pod_ok = f.pod.is_empty()
            || f.pod.iter().any(|p| {
                c.pod_id.is_some_and(|id| id.starts_with(p.as_str()))
                    || c.pod_name == Some(p.as_str())
            });
        let network_ok = f.network.is_empty() || f.network.iter().any(|n| c.networks.contains(n));
        let restart_ok = Self::equals_ok(&f.restart_policy, c.restart_policy);
        Self::prefix_ok(&f.id, c.id)
            && self.name_ok(c.name)
            && Self::equals_ok(&f.status, c.status)
            && f.labels_match(c.labels)
            && exited_ok
            && ancestor_ok
            && pod_ok
            && network_ok
            && restart_ok
            && self.created_ok(c.created)
    }

    /// Whether an image passes.
    pub fn image(&self, i: &ImageFacts<'_>) -> bool {
        let f = &self.filters;
        let reference_ok = f.reference.is_empty()
            || f.reference.iter().any(|pattern| {
                i.names.iter().any(|n| {
                    glob(pattern, n)
                        || glob(pattern, n.rsplit('/').next().unwrap_or(n))
                        || split_reference(n).0 == pattern
                })
            });
        Self::prefix_ok(&f.id, i.id)
            && reference_ok
            && Self::bool_ok(&f.dangling, i.names.is_empty())
            && Self::bool_ok(&f.readonly, i.read_only)
            && Self::bool_ok(&f.containers, i.containers > 0)
            && f.labels_match(i.labels)
            && self.created_ok(i.created)
    }

    /// Whether a volume passes.
    pub fn volume(&self, v: &VolumeFacts<'_>) -> bool {
        self.name_ok(v.name)
            && Self::equals_ok(&self.filters.driver, v.driver)
            && self.filters.labels_match(v.labels)
            && self.created_ok(v.created)
    }

    /// Whether a network passes.
    pub fn network(&self, n: &NetworkFacts<'_>) -> bool {
        self.name_ok(n.name)
            && Self::prefix_ok(&self.filters.id, n.id)
            && Self::equals_ok(&self.filters.driver, n.driver)
            && self.filters.labels_match(n.labels)
    }

    /// Whether a pod passes.
    pub fn pod(&self, p: &PodFacts<'_>) -> bool {
        self.name_ok(p.name)
            && Self::prefix_ok(&self.filters.id, p.id)
            && Self::equals_ok(&self.filters.status, p.status)
            && self.filters.labels_match(p.labels)
            && self.created_ok(p.created)
    }
}

/// Splits `repo:tag` at the colon after the last `/`; no tag is `<none>`.
fn split_reference(name: &str) -> (&str, &str) {
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[slash..].rfind(':') {
        Some(i) => (&name[..slash + i], &name[slash + i + 1..]),
        None => (name, "<none>"),
    }
}

/// Shell-style glob with `*` and `?` (what podman's `reference=` uses).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

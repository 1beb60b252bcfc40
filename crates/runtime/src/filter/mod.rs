//! Listing filters (`ps`, `pod ps`, `volume ls`, `images`, `network ls`) and prune filters:
//! parsed once from `KEY=VALUE` words into a typed [`Filters`] set, then matched by the
//! runtime (see [`Matcher`] and the `*_filtered` listing methods).
//!
//! As in podman, values of the same key are alternatives (any may match) and different keys
//! must all match. Each listing accepts its own keys ([`FilterTarget`]); an unknown key, a
//! missing `=`, or a bad value is a [`FilterError`] naming the word.

mod list;
mod matcher;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

pub use list::{container_image_name, container_state_word, is_infra_container, ContainerMatcher};
pub use matcher::{glob, ContainerFacts, ImageFacts, Matcher, NetworkFacts, PodFacts, VolumeFacts};

/// What a filter applies to; decides the accepted keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterTarget {
    /// `ps` (`container prune` uses [`FilterTarget::Prune`]).
    Containers,
    /// `images`.
    Images,
    /// `pod ps`.
    Pods,
    /// `volume ls`.
    Volumes,
    /// `network ls`.
    Networks,
    /// the prune commands (`label`, `label!`, `until`).
    Prune,
}

impl FilterTarget {
    /// The keys this target accepts.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Self::Containers => &[
                "id",
                "name",
                "status",
                "label",
                "label!",
                "ancestor",
                "pod",
                "exited",
                "before",
                "since",
                "volume",
                "network",
                "until",
                "health",
                "restart-policy",
            ],
            Self::Images => &[
                "id",
                "reference",
                "label",
                "label!",
                "dangling",
                "before",
                "since",
                "after",
                "until",
                "readonly",
                "intermediate",
                "containers",
            ],
            Self::Pods => &[
                "id",
                "name",
                "status",
                "label",
                "label!",
                "network",
                "ctr-names",
                "ctr-ids",
                "ctr-status",
                "ctr-number",
                "until",
            ],
            Self::Volumes => &[
                "name", "driver", "label", "label!", "opt", "scope", "dangling", "until",
            ],
            Self::Networks => &[
                "name", "id", "driver", "label", "label!", "dangling", "until",
            ],
            Self::Prune => &["label", "label!", "until"],
        }
    }
}

/// The container states `status=` accepts.
pub const CONTAINER_STATES: &[&str] = &[
    "created", "running", "paused", "stopping", "exited", "stopped", "unknown", "removing",
];
/// The pod states `status=` accepts.
pub const POD_STATES: &[&str] = &[
    "created", "running", "stopped", "paused", "exited", "dead", "degraded",
];

/// A filter word that does not parse: the word as given and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter {value:?}: {reason}")]
pub struct FilterError {
    /// The word (`name=(`, `bogus=1`).
    pub value: String,
    /// What is wrong and, where useful, what is accepted.
    pub reason: String,
}

impl FilterError {
    fn new(value: &str, reason: impl Into<String>) -> Self {
        Self {
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A `label=` filter: the key, and the value when given (`label=a=b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelFilter {
    /// Label key.
    pub key: String,
    /// Required value; `None` matches any value.
    pub value: Option<String>,
}

impl LabelFilter {
    fn parse(v: &str) -> Self {
        match v.split_once('=') {
            Some((k, v)) => Self {
                key: k.to_owned(),
                value: Some(v.to_owned()),
            },
            None => Self {
                key: v.to_owned(),
                value: None,
            },
        }
    }

    /// True when `labels` has this label.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match (labels.get(&self.key), &self.value) {
            (Some(_), None) => true,
            (Some(v), Some(want)) => v == want,
            (None, _) => false,
        }
    }
}

/// An `until=` time: a fixed time, or a duration before "now" (resolved when matching).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFilter {
    /// A Unix or RFC 3339 time.
    At(DateTime<Utc>),
    /// A duration ago (`24h`, `1h30m`, `90s`, `500ms`).
    Ago(chrono::Duration),
}

impl TimeFilter {
    /// Parses a Unix time, an RFC 3339 time, or a duration (`24h`, `1h30m`, `90s`, `500ms`).
    pub fn parse(value: &str) -> Result<Self, FilterError> {
        let bad = || {
            FilterError::new(
                &format!("until={value}"),
                "expected a duration (24h, 1h30m), an RFC 3339 time or a Unix time",
            )
        };
        if let Ok(secs) = value.parse::<i64>() {
            return Utc
                .timestamp_opt(secs, 0)
                .single()
                .map(Self::At)
                .ok_or_else(bad);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(value) {
            return Ok(Self::At(t.with_timezone(&Utc)));
        }
        let mut total = 0f64;
        let mut number = String::new();
        let mut chars = value.chars().peekable();
        let mut any = false;
        while let Some(c) = chars.next() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let unit = if c == 'm' && chars.peek() == Some(&'s') {
                chars.next();
                0.001
            } else {
                match c {
                    'h' => 3600.0,
                    'm' => 60.0,
                    's' => 1.0,
                    _ => return Err(bad()),
                }
            };
            let n: f64 = number.parse().map_err(|_| bad())?;
            total += n * unit;
            number.clear();
            any = true;
        }
        if !any || !number.is_empty() {
            return Err(bad());
        }
        let ms = total * 1000.0;
        if !ms.is_finite() || ms > i64::MAX as f64 / 2.0 {
            return Err(bad());
        }
        chrono::Duration::try_milliseconds(ms as i64)
            .map(Self::Ago)
            .ok_or_else(bad)
    }

    /// The time this filter names, with durations counted back from `now`.
    pub fn resolve(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Self::At(t) => *t,
            Self::Ago(d) => now.checked_sub_signed(*d).unwrap_or(DateTime::UNIX_EPOCH),
        }
    }
}

/// `until=`: the time a Unix time, an RFC 3339 time, or a duration ago (from `now`) names.
pub fn parse_until(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FilterError> {
    TimeFilter::parse(value).map(|t| t.resolve(now))
}

/// Parsed, checked listing filters: the alternatives given for each key, in the order given.
/// Build one with [`parse_filters`] (or by hand; keys a listing does not know are ignored
/// by its matcher).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    /// `id=`: ID prefixes.
    pub id: Vec<String>,
    /// `name=`: regular expressions (checked to compile).
    pub name: Vec<String>,
    /// `status=`: state words (`running`, `exited`, `degraded`, ...).
    pub status: Vec<String>,
    /// `label=`: all must match.
    pub labels: Vec<LabelFilter>,
    /// `label!=`: none may match.
    pub not_labels: Vec<LabelFilter>,
    /// `ancestor=`: image name, name without tag, or image ID prefix.
    pub ancestor: Vec<String>,
    /// `pod=`: pod ID prefix or name.
    pub pod: Vec<String>,
    /// `exited=`: exit codes.
    pub exited: Vec<i32>,
    /// `before=`: another object, created later than the ones that pass.
    pub before: Vec<String>,
    /// `since=`: another object, created earlier than the ones that pass.
    pub since: Vec<String>,
    /// `after=`: as `since=` (images).
    pub after: Vec<String>,
    /// `until=`: created before this time.
    pub until: Vec<TimeFilter>,
    /// `volume=` (accepted, not applied).
    pub volume: Vec<String>,
    /// `network=`: network names.
    pub network: Vec<String>,
    /// `reference=`: globs over `repo:tag`.
    pub reference: Vec<String>,
    /// `dangling=`.
    pub dangling: Vec<bool>,
    /// `readonly=`.
    pub readonly: Vec<bool>,
    /// `intermediate=` (accepted, not applied).
    pub intermediate: Vec<bool>,
    /// `containers=`: whether containers use the image.
    pub containers: Vec<bool>,
    /// `driver=`.
    pub driver: Vec<String>,
    /// `opt=` (accepted, not applied).
    pub opt: Vec<String>,
    /// `scope=` (accepted, not applied).
    pub scope: Vec<String>,
    /// `ctr-names=` (accepted, not applied).
    pub ctr_names: Vec<String>,
    /// `ctr-ids=` (accepted, not applied).
    pub ctr_ids: Vec<String>,
    /// `ctr-status=` (accepted, not applied).
    pub ctr_status: Vec<String>,
    /// `ctr-number=` (accepted, not applied).
    pub ctr_number: Vec<i32>,
    /// `health=`: `starting`, `healthy`, `unhealthy`, `none` (no healthcheck).
    pub health: Vec<String>,
    /// `restart-policy=`: `always`, `on-failure`, `unless-stopped`, `no` (also `none`).
    pub restart_policy: Vec<String>,
}

impl Filters {
    /// True when no filter is given.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Whether the labels pass the `label=` and `label!=` filters.
    pub fn labels_match(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|f| f.matches(labels))
            && !self.not_labels.iter().any(|f| f.matches(labels))
    }

    fn push(&mut self, key: &str, val: &str) -> Result<(), String> {
        let boolean = || Ok::<bool, String>(matches!(val, "true" | "1"));
        let number = || {
            val.parse::<i32>()
                .map_err(|_| format!("{key} takes a number"))
        };
        match key {
            "id" => self.id.push(val.into()),
            "name" => {
                regex::Regex::new(val).map_err(|e| format!("bad regular expression: {e}"))?;
                self.name.push(val.into());
            }
            "status" => self.status.push(val.into()),
            "label" => self.labels.push(LabelFilter::parse(val)),
            "label!" => self.not_labels.push(LabelFilter::parse(val)),
            "ancestor" => self.ancestor.push(val.into()),
            "pod" => self.pod.push(val.into()),
            "exited" => self.exited.push(number()?),
            "before" => self.before.push(val.into()),
            "since" => self.since.push(val.into()),
            "after" => self.after.push(val.into()),
            "until" => self
                .until
                .push(TimeFilter::parse(val).map_err(|e| e.reason)?),
            "volume" => self.volume.push(val.into()),
            "network" => self.network.push(val.into()),
            "reference" => self.reference.push(val.into()),
            "dangling" => self.dangling.push(boolean()?),
            "readonly" => self.readonly.push(boolean()?),
            "intermediate" => self.intermediate.push(boolean()?),
            "containers" => self.containers.push(boolean()?),
            "driver" => self.driver.push(val.into()),
            "opt" => self.opt.push(val.into()),
            "scope" => self.scope.push(val.into()),
            "ctr-names" => self.ctr_names.push(val.into()),
            "ctr-ids" => self.ctr_ids.push(val.into()),
            "ctr-status" => self.ctr_status.push(val.into()),
            "ctr-number" => self.ctr_number.push(number()?),
            "health" => self.health.push(val.into()),
            "restart-policy" => self.restart_policy.push(match val {
                "none" => "no".into(),
                v => v.into(),
            }),
            _ => return Err(format!("unknown filter {key:?}")),
        }
        Ok(())
    }
}

/// Parses `KEY=VALUE` (and `KEY!=VALUE`) filter words for `target`. Every word is checked
/// for its key and value first; then the `name=` regular expressions and `until=` times.
pub fn parse_filters(target: FilterTarget, values: &[String]) -> Result<Filters, FilterError> {
    let mut pairs = Vec::new();
    for value in values {
        let bad = |reason: String| FilterError::new(value, reason);
        let (key, val) = if let Some((k, v)) = value.split_once("!=") {
            (format!("{k}!"), v)
        } else if let Some((k, v)) = value.split_once('=') {
            (k.to_owned(), v)
        } else {
            return Err(bad("expected KEY=VALUE".into()));
        };
        if !target.keys().contains(&key.as_str()) {
            return Err(bad(format!(
                "unknown filter {key:?}; valid: {}",
                target.keys().join(", ")
            )));
        }
        if val.is_empty() {
            return Err(bad(format!("filter {key} needs a value")));
        }
        check_value(target, &key, val).map_err(bad)?;
        pairs.push((key, val, value));
    }
    let mut filters = Filters::default();
    // Regular expressions before times, as the matcher used to compile them.
    pairs.sort_by_key(|(k, _, _)| match k.as_str() {
        "name" => 0,
        "until" => 2,
        _ => 1,
    });
    for (key, val, value) in pairs {
        // podman: a container's `status=stopped` is `exited`.
        let val = match (target, key.as_str(), val) {
            (FilterTarget::Containers, "status", "stopped") => "exited",
            _ => val,
        };
        filters.push(&key, val).map_err(|reason| {
            if key == "until" {
                FilterError::new(&format!("until={val}"), reason)
            } else if key == "name" {
                FilterError::new(&format!("name={val}"), reason)
            } else {
                FilterError::new(value, reason)
            }
        })?;
    }
    Ok(filters)
}

/// The policies `restart-policy=` takes.
const RESTART_POLICIES: &[&str] = &["always", "on-failure", "unless-stopped", "no", "none"];

fn check_value(target: FilterTarget, key: &str, val: &str) -> Result<(), String> {
    match (target, key) {
        // podman's words.
        (FilterTarget::Containers, "restart-policy") if !RESTART_POLICIES.contains(&val) => {
            Err(format!("{val} invalid restart policy"))
        }
        (FilterTarget::Containers, "status") if !CONTAINER_STATES.contains(&val) => Err(format!(
            "unknown container state {val:?}; valid: {}",
            CONTAINER_STATES.join(", ")
        )),
        (FilterTarget::Pods, "status" | "ctr-status") => {
            let states = if key == "status" {
                POD_STATES
            } else {
                CONTAINER_STATES
            };
            if states.contains(&val) {
                Ok(())
            } else {
                Err(format!(
                    "unknown state {val:?}; valid: {}",
                    states.join(", ")
                ))
            }
        }
        (FilterTarget::Containers, "health") => {
            const HEALTH: [&str; 4] = ["starting", "healthy", "unhealthy", "none"];
            if HEALTH.contains(&val) {
                Ok(())
            } else {
                Err(format!(
                    "unknown health {val:?}; valid: {}",
                    HEALTH.join(", ")
                ))
            }
        }
        (FilterTarget::Containers, "exited") | (FilterTarget::Pods, "ctr-number") => val
            .parse::<i32>()
            .map(|_| ())
            .map_err(|_| format!("{key} takes a number")),
        (_, "dangling" | "readonly" | "intermediate") => match val {
            "true" | "false" | "1" | "0" => Ok(()),
            _ => Err(format!("{key} takes true or false")),
        },
        (_, "label" | "label!") if val.starts_with('=') => {
            Err("label filter needs a key: label=KEY or label=KEY=VALUE".into())
        }
        _ => Ok(()),
    }
}

/// The filters of the prune commands (`until=`, `label=`, `label!=`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PruneFilters {
    /// Created before each of these times.
    pub until: Vec<TimeFilter>,
    /// Labels that must all match.
    pub labels: Vec<LabelFilter>,
    /// Labels none of which may match.
    pub not_labels: Vec<LabelFilter>,
}

impl PruneFilters {
    /// Parses prune `--filter` words.
    pub fn parse(values: &[String]) -> Result<Self, FilterError> {
        let f = parse_filters(FilterTarget::Prune, values)?;
        Ok(Self {
            until: f.until,
            labels: f.labels,
            not_labels: f.not_labels,
        })
    }

    /// Whether an object with these labels, created then, passes (durations from `now`).
    pub fn matches(
        &self,
        labels: &BTreeMap<String, String>,
        created: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        self.labels.iter().all(|f| f.matches(labels))
            && !self.not_labels.iter().any(|f| f.matches(labels))
            && self.until.iter().all(|u| created < u.resolve(now))
    }
}

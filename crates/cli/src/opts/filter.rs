//! `--filter KEY=VALUE` for `ps`, `images`, `pod ps`, `volume ls`,
//! `network ls` and the prune commands.
//!
//! As in podman, values of the same key are alternatives (any may match)
//! and different keys must all match. Each listing accepts its own keys;
//! an unknown key, a missing `=`, or a bad value is an error naming it.

use crate::error::{CliError, Result};
use std::collections::BTreeMap;

/// What a filter applies to; decides the accepted keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterTarget {
    /// `ps`, `container prune` uses [`FilterTarget::Prune`].
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
    fn keys(self) -> &'static [&'static str] {
        match self {
            Self::Containers => &[
                "id", "name", "status", "label", "label!", "ancestor", "pod", "exited", "before",
                "since", "volume", "network", "until",
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
    "created", "running", "paused", "stopping", "exited", "unknown", "removing",
];
/// The pod states `status=` accepts.
pub const POD_STATES: &[&str] = &[
    "created", "running", "stopped", "paused", "exited", "dead", "degraded",
];

/// A `label=` filter: the key, and the value when given (`label=a=b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelFilter {
    /// Label key.
    pub key: String,
    /// Required value; `None` matches any value.
    pub value: Option<String>,
}

impl LabelFilter {
    /// True when `labels` has this label.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match (labels.get(&self.key), &self.value) {
            (Some(_), None) => true,
            (Some(v), Some(want)) => v == want,
            (None, _) => false,
        }
    }
}

/// Parsed filters: each key with its alternatives, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    entries: BTreeMap<String, Vec<String>>,
}

impl Filters {
    /// The values given for `key`.
    pub fn get(&self, key: &str) -> &[String] {
        self.entries.get(key).map_or(&[], Vec::as_slice)
    }

    /// The keys given.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// True when no filter is given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `label=` filters (all must match).
    pub fn labels(&self) -> Vec<LabelFilter> {
        self.label_list("label")
    }

    /// The `label!=` filters (none may match).
    pub fn not_labels(&self) -> Vec<LabelFilter> {
        self.label_list("label!")
    }

    fn label_list(&self, key: &str) -> Vec<LabelFilter> {
        self.get(key)
            .iter()
            .map(|v| match v.split_once('=') {
                Some((k, v)) => LabelFilter {
                    key: k.to_owned(),
                    value: Some(v.to_owned()),
                },
                None => LabelFilter {
                    key: v.clone(),
                    value: None,
                },
            })
            .collect()
    }

    /// Whether the labels pass the `label=` and `label!=` filters.
    pub fn labels_match(&self, labels: &BTreeMap<String, String>) -> bool {
        self.labels().iter().all(|f| f.matches(labels))
            && !self.not_labels().iter().any(|f| f.matches(labels))
    }

    /// Whether `value` passes the alternatives of `key` (true when the key
    /// is not given).
    pub fn any_equals(&self, key: &str, value: &str) -> bool {
        let wanted = self.get(key);
        wanted.is_empty() || wanted.iter().any(|w| w == value)
    }
}

/// Parses `--filter` values for `target`.
pub fn parse_filters(target: FilterTarget, values: &[String]) -> Result<Filters> {
    let mut filters = Filters::default();
    for value in values {
        let bad = |reason: String| CliError::invalid("--filter", value, reason);
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
        filters.entries.entry(key).or_default().push(val.to_owned());
    }
    Ok(filters)
}

fn check_value(target: FilterTarget, key: &str, val: &str) -> std::result::Result<(), String> {
    match (target, key) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(target: FilterTarget, values: &[&str]) -> Result<Filters> {
        parse_filters(
            target,
            &values.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn same_key_alternatives_and_labels() {
        let f = parse(
            FilterTarget::Containers,
            &[
                "status=running",
                "status=exited",
                "label=app=web",
                "label=tier",
                "label!=skip",
            ],
        )
        .unwrap();
        assert_eq!(f.get("status"), ["running", "exited"]);
        assert!(f.any_equals("status", "exited"));
        assert!(!f.any_equals("status", "paused"));
        assert!(f.any_equals("name", "anything"));
        let mut labels = BTreeMap::new();
        labels.insert("app".to_owned(), "web".to_owned());
        labels.insert("tier".to_owned(), "1".to_owned());
        assert!(f.labels_match(&labels));
        labels.insert("skip".to_owned(), String::new());
        assert!(!f.labels_match(&labels));
        labels.remove("skip");
        labels.insert("app".to_owned(), "db".to_owned());
        assert!(!f.labels_match(&labels));
    }

    #[test]
    fn per_target_keys() {
        assert!(parse(FilterTarget::Images, &["dangling=true", "reference=bb*"]).is_ok());
        assert!(parse(FilterTarget::Volumes, &["driver=local", "name=v1"]).is_ok());
        assert!(parse(FilterTarget::Networks, &["driver=bridge"]).is_ok());
        assert!(parse(
            FilterTarget::Pods,
            &["ctr-status=running", "status=degraded"]
        )
        .is_ok());
        assert!(parse(FilterTarget::Prune, &["until=24h", "label=a"]).is_ok());
        assert!(parse(FilterTarget::Prune, &["name=x"]).is_err());
        assert!(parse(FilterTarget::Volumes, &["ancestor=x"]).is_err());
    }

    #[test]
    fn bad_filters_name_the_value() {
        for (target, bad, what) in [
            (FilterTarget::Containers, "bogus=1", "unknown filter"),
            (FilterTarget::Containers, "name", "KEY=VALUE"),
            (FilterTarget::Containers, "name=", "needs a value"),
            (
                FilterTarget::Containers,
                "status=bogus",
                "unknown container state",
            ),
            (FilterTarget::Containers, "exited=x", "number"),
            (FilterTarget::Images, "dangling=maybe", "true or false"),
            (FilterTarget::Pods, "status=up", "unknown state"),
            (FilterTarget::Containers, "label==x", "needs a key"),
        ] {
            let e = parse(target, &[bad]).unwrap_err().to_string();
            assert!(e.contains("--filter") && e.contains(what), "{bad}: {e}");
        }
    }
}

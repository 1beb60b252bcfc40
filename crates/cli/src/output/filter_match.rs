//! Listing rows the runtime does not list itself yet (images, networks)
//! checked against parsed `--filter`s with the runtime's matcher
//! ([`berth_runtime::filter::Matcher`]); containers, pods and volumes are
//! filtered by the runtime's `list_*_filtered` calls.

use super::rows::{ImageSummary, NetworkSummary};
use crate::error::Result;
use crate::opts::filter::filter_error;
use crate::opts::Filters;
use berth_runtime::filter::{ImageFacts, NetworkFacts};
use chrono::{DateTime, Utc};

pub use berth_runtime::filter::{glob, parse_until};

/// Looks up the creation time of another object named in `before=` or
/// `since=` (an image name or ID).
pub type CreatedLookup<'a> = &'a dyn Fn(&str) -> Option<DateTime<Utc>>;

/// Filters checked once: regular expressions compiled, times resolved.
#[derive(Debug)]
pub struct Matcher(berth_runtime::filter::Matcher);

impl Matcher {
    /// Prepares `filters`; `lookup` resolves `before=`/`since=`/`after=`
    /// references (an unknown one is an error naming it).
    pub fn new(filters: &Filters, now: DateTime<Utc>, lookup: CreatedLookup<'_>) -> Result<Self> {
        berth_runtime::filter::Matcher::new(filters, now, lookup)
            .map(Self)
            .map_err(filter_error)
    }

    /// Whether an image passes.
    pub fn image(&self, i: &ImageSummary) -> bool {
        self.0.image(&ImageFacts {
            id: &i.id,
            names: &i.names,
            labels: &i.labels,
            created: i.created,
            containers: i.containers,
            read_only: i.read_only,
        })
    }

    /// Whether a network passes.
    pub fn network(&self, n: &NetworkSummary) -> bool {
        self.0.network(&NetworkFacts {
            id: &n.id,
            name: &n.name,
            driver: &n.driver,
            labels: &n.labels,
        })
    }
}

//! `--filter KEY=VALUE` for `ps`, `images`, `pod ps`, `volume ls`,
//! `network ls` and the prune commands: the runtime parses the words into
//! its typed filters ([`berth_runtime::parse_filters`]) and decides what
//! matches; here a bad word becomes `--filter`'s error (exit 125).

use crate::error::{CliError, Result};
pub use berth_runtime::filter::{FilterTarget, Filters, LabelFilter};
use berth_runtime::{FilterError, PruneFilters};

/// A bad filter word as `--filter`'s error.
pub fn filter_error(e: FilterError) -> CliError {
    // podman's words for a bad restart policy, which its tests match.
    if e.value.starts_with("restart-policy=") {
        return CliError::Worded(e.reason);
    }
    CliError::invalid("--filter", &e.value, e.reason)
}

/// A runtime error, with a filter error in it reported as `--filter`'s.
pub fn runtime_error(e: berth_runtime::Error) -> anyhow::Error {
    match e {
        berth_runtime::Error::Filter(f) => filter_error(f).into(),
        e => e.into(),
    }
}

/// Parses `--filter` values for `target`.
pub fn parse_filters(target: FilterTarget, values: &[String]) -> Result<Filters> {
    berth_runtime::parse_filters(target, values).map_err(filter_error)
}

/// Parses the `--filter` values of a prune command (`until`, `label`, `label!`).
pub fn parse_prune_filters(values: &[String]) -> Result<PruneFilters> {
    PruneFilters::parse(values).map_err(filter_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_filters_name_the_flag_and_the_value() {
        let e = parse_filters(FilterTarget::Containers, &["bogus=1".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("invalid value \"bogus=1\" for --filter: unknown filter"),
            "{e}"
        );
        let e = parse_prune_filters(&["until=soon".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"until=soon\" for --filter"), "{e}");
        assert!(parse_prune_filters(&["label=a".to_owned(), "until=1h".to_owned()]).is_ok());
    }
}

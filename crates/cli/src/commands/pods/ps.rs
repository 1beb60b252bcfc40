//! `pod ps`: the pod listing.

use crate::cli::PodPsArgs;
use crate::commands::{print_listing, print_quiet_ids};
use crate::opts::filter::runtime_error;
use crate::opts::Filters;
use crate::output::{
    rows::{pods_listing, PodColumns},
    OutputFormat, PodSummary,
};
use berth_runtime::{PodReport, Runtime};
use chrono::Utc;
use serde_json::Value;

/// Runs `pod ps`.
pub(super) fn run(
    rt: &Runtime,
    a: PodPsArgs,
    filters: Filters,
    format: OutputFormat,
) -> anyhow::Result<u8> {
    let now = Utc::now();
    let mut rows: Vec<PodSummary> = rt
        .list_pod_reports(&filters)
        .map_err(runtime_error)?
        .into_iter()
        .map(summary)
        .collect();
    if a.latest {
        rows.truncate(1);
    }
    crate::output::sort::sort_pods(&mut rows, &a.sort);
    if a.quiet {
        return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
    }
    let t: Vec<Value> = rows
        .iter()
        .map(|r| r.template_row(now, a.no_trunc))
        .collect();
    let j: Vec<Value> = rows.iter().map(PodSummary::json).collect();
    let listing = pods_listing(PodColumns {
        ids: a.ctr_ids,
        names: a.ctr_names,
        status: a.ctr_status,
        ns: a.ns,
    });
    print_listing(&format, &listing, &t, &j, a.noheading)
}

fn summary(p: PodReport) -> PodSummary {
    PodSummary {
        id: p.id,
        name: p.name,
        status: capitalized(&p.status.to_string()),
        created: p.created,
        infra_id: p.infra_id,
        containers: p
            .containers
            .into_iter()
            .map(|m| (m.id, m.name, capitalized(&m.status.to_string())))
            .collect(),
        labels: p.labels,
        networks: p.networks,
        cgroup: p.cgroup,
        namespace: p.namespace,
    }
}

/// A state word as `pod ps` shows it: its first letter upper case
/// (`running` -> `Running`).
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn state_words_are_capitalized() {
        assert_eq!(super::capitalized("running"), "Running");
        assert_eq!(super::capitalized("Degraded"), "Degraded");
        assert_eq!(super::capitalized(""), "");
    }
}

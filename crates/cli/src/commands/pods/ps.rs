//! `pod ps`: the pod listing.

use crate::cli::PodPsArgs;
use crate::commands::{print_listing, print_quiet_ids};
use crate::opts::filter::runtime_error;
use crate::opts::Filters;
use crate::output::{rows::PODS, OutputFormat, PodSummary};
use berth_runtime::{ContainerRecord, ListOptions, PodRecord, Runtime};
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
    let mut rows = Vec::new();
    for p in rt.list_pods_filtered(&filters).map_err(runtime_error)? {
        let s = match summary(rt, &p) {
            Ok(s) => s,
            // Removed while listing.
            Err(e)
                if e.downcast_ref::<berth_runtime::Error>()
                    .is_some_and(berth_runtime::Error::is_not_found) =>
            {
                continue
            }
            Err(e) => return Err(e),
        };
        rows.push(s);
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.created));
    if a.latest {
        rows.truncate(1);
    }
    if a.quiet {
        return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
    }
    let t: Vec<Value> = rows
        .iter()
        .map(|r| r.template_row(now, a.no_trunc))
        .collect();
    let j: Vec<Value> = rows.iter().map(PodSummary::json).collect();
    print_listing(&format, &PODS, &t, &j, a.noheading)
}

/// Every container of the pod `pod_id`, running or not.
fn pod_members(rt: &Runtime, pod_id: &str) -> berth_runtime::Result<Vec<ContainerRecord>> {
    rt.list_containers(&ListOptions {
        all: true,
        pod: Some(pod_id.to_owned()),
    })
}

fn summary(rt: &Runtime, p: &PodRecord) -> anyhow::Result<PodSummary> {
    let members = pod_members(rt, &p.config.id)?;
    Ok(PodSummary {
        id: p.config.id.clone(),
        name: p.config.name.clone(),
        status: capitalized(
            &rt.inspect_pod(&p.config.id)
                .map_or_else(|_| p.state.status.to_string(), |i| i.state),
        ),
        created: p.config.created,
        infra_id: p.config.infra_container_id.clone(),
        containers: members
            .iter()
            .map(|m| {
                let word = capitalized(&m.state.status.to_string());
                (m.config.id.clone(), m.config.name.clone(), word)
            })
            .collect(),
        labels: p.config.labels.clone(),
        networks: Vec::new(),
    })
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

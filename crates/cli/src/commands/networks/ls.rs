//! `network ls`.

use super::inspect::inspect_json;
use crate::cli::NetworkLsArgs;
use crate::commands::{out, print_listing};
use crate::opts::filter::runtime_error;
use crate::opts::Filters;
use crate::output::{rows::NETWORKS, NetworkSummary, OutputFormat};
use berth_runtime::{Network, Runtime};
use serde_json::Value;

/// Runs `network ls`.
pub(super) fn run(
    rt: &Runtime,
    a: &NetworkLsArgs,
    filters: &Filters,
    format: &OutputFormat,
) -> anyhow::Result<u8> {
    let nets = rt.list_networks_filtered(filters).map_err(runtime_error)?;
    if a.quiet {
        let mut s = String::new();
        for n in &nets {
            s.push_str(&n.name);
            s.push('\n');
        }
        out(&s)?;
        return Ok(0);
    }
    let j: Vec<Value> = nets.iter().map(inspect_json).collect();
    let t: Vec<Value> = nets
        .iter()
        .zip(&j)
        .map(|(n, json)| summary(n).template_row(a.no_trunc, json))
        .collect();
    print_listing(format, &NETWORKS, &t, &j, a.noheading)
}

/// The row `network ls` shows for a network.
pub fn summary(n: &Network) -> NetworkSummary {
    NetworkSummary {
        id: n.id.clone(),
        name: n.name.clone(),
        driver: n.driver.clone(),
        labels: n.labels.clone(),
    }
}

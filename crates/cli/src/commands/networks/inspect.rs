//! `network inspect`: podman 4.3.1's network object.

use crate::commands::render_objects_as;
use crate::output::OutputFormat;
use berth_runtime::{Network, Runtime};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// Runs `network inspect`.
pub(super) fn run(rt: &Runtime, networks: Vec<String>, format: OutputFormat) -> anyhow::Result<u8> {
    let mut objs = Vec::new();
    for n in &networks {
        objs.push(inspect_json(&rt.inspect_network(n)?));
    }
    render_objects_as(&format, &objs)
}

/// podman 4.3.1's `network inspect` object (its `types.Network`).
pub fn inspect_json(n: &Network) -> Value {
    let subnets: Vec<Value> = n
        .subnets
        .iter()
        .map(|s| {
            let mut o = Map::new();
            o.insert("subnet".into(), json!(s.subnet));
            if let Some(g) = s.gateway {
                o.insert("gateway".into(), json!(g.to_string()));
            }
            if let Some(r) = &s.lease_range {
                let mut lr = Map::new();
                if let Some(ip) = r.start_ip {
                    lr.insert("start_ip".into(), json!(ip.to_string()));
                }
                if let Some(ip) = r.end_ip {
                    lr.insert("end_ip".into(), json!(ip.to_string()));
                }
                o.insert("lease_range".into(), Value::Object(lr));
            }
            Value::Object(o)
        })
        .collect();
    let created = n
        .created
        .map(|c| DateTime::<Utc>::from(c).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true));
    let mut o = json!({
        "name": n.name,
        "id": n.id,
        "driver": n.driver,
        "network_interface": n.network_interface.clone().unwrap_or_default(),
        "created": created,
        "subnets": subnets,
        "ipv6_enabled": n.ipv6_enabled,
        "internal": n.internal,
        "dns_enabled": n.dns_enabled,
        "ipam_options": {"driver": n.ipam_driver},
    });
    if !n.labels.is_empty() {
        o["labels"] = json!(n.labels);
    }
    if !n.options.is_empty() {
        o["options"] = json!(n.options);
    }
    o
}

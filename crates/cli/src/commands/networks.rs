//! `network create/ls/inspect/rm` over the runtime's network API, with
//! podman 4.3.1's output (CNI backend): the ID is the sha256 of the name.

use super::{finish, out, print_listing, render_objects, with_runtime};
use crate::cli::{NetworkCommand, NetworkCreateArgs, NetworkLsArgs};
use crate::error::CliError;
use crate::opts::{filter::parse_filters, FilterTarget};
use crate::output::{parse_format, rows::NETWORKS, Matcher, NetworkSummary};
use berth_runtime::{CreateNetwork, NetworkConfigList, Runtime};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Runs a `network` subcommand.
pub fn run(g: &crate::cli::GlobalOptions, c: &NetworkCommand) -> anyhow::Result<u8> {
    with_runtime(g, |rt| match c {
        NetworkCommand::Create(a) => create(rt, a),
        NetworkCommand::Ls(a) => ls(rt, a),
        NetworkCommand::Inspect(a) => {
            let mut objs = Vec::new();
            for n in &a.networks {
                objs.push(inspect_json(&rt.inspect_network(n)?));
            }
            render_objects(a.format.as_deref().unwrap_or("json"), &objs)
        }
        NetworkCommand::Rm(a) => {
            let mut errors = Vec::new();
            for n in &a.networks {
                match rt.remove_network(n, a.force) {
                    Ok(()) => out(&format!("{n}\n"))?,
                    Err(e) => errors.push(e.into()),
                }
            }
            finish(errors)
        }
    })
}

/// Refuses the `network create` flags berth's CNI bridge cannot honour.
pub fn check_create(a: &NetworkCreateArgs) -> anyhow::Result<()> {
    let unsupported = [
        ("--internal", a.internal),
        ("--ipv6", a.ipv6),
        ("--ip-range", !a.ip_range.is_empty()),
        ("--label", !a.label.is_empty()),
    ];
    if let Some((flag, _)) = unsupported.iter().find(|(_, set)| *set) {
        return Err(CliError::conflict(
            flag,
            "not supported by berth's bridge networks (IPv4 bridge, host-local IPAM only)",
        )
        .into());
    }
    bridge_option(a)?;
    if let Some(d) = a.ipam_driver.as_deref().filter(|d| *d != "host-local") {
        return Err(CliError::invalid("--ipam-driver", d, "only host-local is supported").into());
    }
    if a.subnet.len() > 1 {
        return Err(CliError::invalid(
            "--subnet",
            &a.subnet.join(","),
            "only one IPv4 subnet per network is supported",
        )
        .into());
    }
    if let Some(s) = a.subnet.first() {
        berth_cni::Subnet::parse(s).map_err(|e| CliError::invalid("--subnet", s, e.to_string()))?;
    }
    if let Some(g) = a.gateway.first() {
        g.parse::<std::net::Ipv4Addr>()
            .map_err(|_| CliError::invalid("--gateway", g, "not an IPv4 address"))?;
    }
    if a.gateway.len() > 1 || (!a.gateway.is_empty() && a.subnet.is_empty()) {
        return Err(CliError::invalid(
            "--gateway",
            &a.gateway.join(","),
            "give one gateway, together with --subnet",
        )
        .into());
    }
    Ok(())
}

/// The docker option naming the bridge device.
pub const BRIDGE_NAME_OPT: &str = "com.docker.network.bridge.name";

/// `-o com.docker.network.bridge.name=NAME` (the only driver option berth takes).
fn bridge_option(a: &NetworkCreateArgs) -> anyhow::Result<Option<String>> {
    let mut bridge = None;
    for o in &a.opt {
        match o.split_once('=') {
            Some((BRIDGE_NAME_OPT, v)) if !v.is_empty() => bridge = Some(v.to_string()),
            _ => {
                return Err(CliError::invalid(
                    "--opt",
                    o,
                    format!("the only supported option is {BRIDGE_NAME_OPT}=NAME"),
                )
                .into())
            }
        }
    }
    Ok(bridge)
}

fn create(rt: &Runtime, a: &NetworkCreateArgs) -> anyhow::Result<u8> {
    check_create(a)?;
    let name = match &a.name {
        Some(n) => n.clone(),
        None => free_name(rt)?,
    };
    let list = rt.create_network(&CreateNetwork {
        name,
        subnet: a.subnet.first().cloned(),
        gateway: a.gateway.first().cloned(),
        bridge: bridge_option(a)?,
    })?;
    out(&format!("{}\n", list.name))?;
    Ok(0)
}

/// podman's generated names: the default network's name plus the first free number.
fn free_name(rt: &Runtime) -> anyhow::Result<String> {
    let taken: Vec<String> = rt.list_networks()?.into_iter().map(|l| l.name).collect();
    let base = rt.config()?.cni_default_network;
    Ok((1..=u32::MAX)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_default())
}

fn ls(rt: &Runtime, a: &NetworkLsArgs) -> anyhow::Result<u8> {
    let filters = parse_filters(FilterTarget::Networks, &a.filter)?;
    let format = parse_format("--format", a.format.as_deref())?;
    let lookup = |_: &str| None;
    let m = Matcher::new(&filters, Utc::now(), &lookup)?;
    let rows: Vec<NetworkSummary> = rt
        .list_networks()?
        .iter()
        .map(summary)
        .filter(|n| m.network(n))
        .collect();
    if a.quiet {
        let mut s = String::new();
        for r in &rows {
            s.push_str(&r.name);
            s.push('\n');
        }
        out(&s)?;
        return Ok(0);
    }
    let t: Vec<Value> = rows.iter().map(|r| r.template_row(a.no_trunc)).collect();
    let j: Vec<Value> = rows.iter().map(|r| inspect_like(rt, r)).collect();
    print_listing(&format, &NETWORKS, &t, &j, a.noheading)
}

fn inspect_like(rt: &Runtime, r: &NetworkSummary) -> Value {
    rt.inspect_network(&r.name)
        .map_or_else(|_| r.json(), |l| inspect_json(&l))
}

/// podman's network ID under CNI: the hex sha256 of the name.
pub fn network_id(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

fn driver(list: &NetworkConfigList) -> String {
    list.plugins
        .first()
        .map_or_else(String::new, |p| p.plugin_type.clone())
}

/// The row `network ls` shows for a config list.
pub fn summary(list: &NetworkConfigList) -> NetworkSummary {
    NetworkSummary {
        id: network_id(&list.name),
        name: list.name.clone(),
        driver: driver(list),
        labels: BTreeMap::new(),
    }
}

/// podman 4.3.1's `network inspect` object (its `types.Network`).
pub fn inspect_json(list: &NetworkConfigList) -> Value {
    let ipam = list.plugins.iter().find_map(|p| p.raw.get("ipam"));
    let gateways: Vec<Option<String>> = ipam
        .and_then(|i| i.get("ranges"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|set| set.as_array().into_iter().flatten())
        .map(|r| r.get("gateway").and_then(Value::as_str).map(str::to_string))
        .collect();
    let subnets: Vec<Value> = list
        .subnets()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut o = Map::new();
            o.insert("subnet".into(), json!(s));
            if let Some(Some(g)) = gateways.get(i) {
                o.insert("gateway".into(), json!(g));
            }
            Value::Object(o)
        })
        .collect();
    let created: Option<DateTime<Utc>> = list
        .path
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .and_then(|m| m.modified().ok())
        .map(DateTime::<Utc>::from);
    let ipam_driver = ipam
        .and_then(|i| i.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("host-local");
    json!({
        "name": list.name,
        "id": network_id(&list.name),
        "driver": driver(list),
        "network_interface": list.bridge_name().unwrap_or_default(),
        "created": created.map(|c| c.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)),
        "subnets": subnets,
        "ipv6_enabled": false,
        "internal": false,
        "dns_enabled": false,
        "ipam_options": {"driver": ipam_driver},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn list(raw: Value) -> NetworkConfigList {
        NetworkConfigList::from_value(raw, true, std::path::Path::new("/nowhere/x.conflist"))
            .unwrap()
    }

    fn sample() -> NetworkConfigList {
        list(json!({
            "cniVersion": "1.0.0",
            "name": "web",
            "plugins": [
                {"type": "bridge", "bridge": "brweb0", "ipam": {"type": "host-local",
                  "ranges": [[{"subnet": "10.77.0.0/24", "gateway": "10.77.0.1"}]]}},
                {"type": "portmap", "capabilities": {"portMappings": true}}
            ]
        }))
    }

    #[test]
    fn id_is_the_sha256_of_the_name() {
        // podman's id of its default CNI network "podman".
        assert_eq!(
            network_id("podman"),
            "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9"
        );
    }

    #[test]
    fn summary_and_inspect_shape() {
        let l = sample();
        let s = summary(&l);
        assert_eq!((s.name.as_str(), s.driver.as_str()), ("web", "bridge"));
        let j = inspect_json(&l);
        assert_eq!(j["network_interface"], "brweb0");
        assert_eq!(
            j["subnets"],
            json!([{"subnet": "10.77.0.0/24", "gateway": "10.77.0.1"}])
        );
        assert_eq!(j["ipam_options"]["driver"], "host-local");
        assert_eq!(j["id"], network_id("web"));
        assert_eq!(j["dns_enabled"], false);
    }

    fn create_args(args: &[&str]) -> NetworkCreateArgs {
        let mut argv = vec!["berth", "network", "create"];
        argv.extend_from_slice(args);
        let cli = crate::cli::Cli::try_parse_from(argv).unwrap();
        match cli.command.into_group() {
            crate::cli::Group::Network(NetworkCommand::Create(a)) => a,
            other => panic!("not network create: {other:?}"),
        }
    }

    #[test]
    fn unsupported_create_flags_are_refused_by_name() {
        for (args, flag) in [
            (&["--ipv6", "n"][..], "--ipv6"),
            (&["--internal", "n"][..], "--internal"),
            (&["--label", "a=b", "n"][..], "--label"),
            (&["--ipam-driver", "dhcp", "n"][..], "--ipam-driver"),
            (
                &["--subnet", "10.1.0.0/24", "--subnet", "10.2.0.0/24", "n"][..],
                "--subnet",
            ),
            (&["--gateway", "10.1.0.1", "n"][..], "--gateway"),
            (&["-o", "mtu=1400", "n"][..], "--opt"),
        ] {
            let err = check_create(&create_args(args)).unwrap_err().to_string();
            assert!(err.contains(flag), "{args:?}: {err}");
        }
        check_create(&create_args(&[
            "--subnet",
            "10.1.0.0/24",
            "--gateway",
            "10.1.0.1",
            "n",
        ]))
        .unwrap();
        check_create(&create_args(&["--disable-dns", "n"])).unwrap();
        let a = create_args(&["-o", "com.docker.network.bridge.name=br7", "n"]);
        assert_eq!(bridge_option(&a).unwrap().as_deref(), Some("br7"));
    }
}

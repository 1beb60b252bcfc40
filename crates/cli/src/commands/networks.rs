//! `network create/ls/inspect/rm` over the runtime's network API, with
//! podman 4.3.1's output (CNI backend). The runtime names, describes and
//! validates networks; this module turns flags into its options and its
//! typed descriptions into podman's text and JSON.

use super::{finish, out, print_listing, render_objects_as, with_runtime};
use crate::cli::{NetworkCommand, NetworkCreateArgs, NetworkLsArgs};
use crate::error::CliError;
use crate::opts::filter::{parse_filters, runtime_error};
use crate::opts::{FilterTarget, Filters};
use crate::output::{parse_format, rows::NETWORKS, NetworkSummary, OutputFormat};
use berth_runtime::{Network, NetworkCreateOptions, NetworkOption, Runtime};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// A network command with its arguments parsed once, before the runtime
/// is opened ([`parse`]); [`run`] acts on it.
#[allow(clippy::large_enum_variant)] // built once per process
#[derive(Debug)]
pub enum Parsed {
    /// `network create`, its options checked against the runtime's rules.
    Create(NetworkCreateOptions),
    /// `network ls`.
    Ls {
        /// The flags as given.
        args: NetworkLsArgs,
        /// `--filter`.
        filters: Filters,
        /// `--format`.
        format: OutputFormat,
    },
    /// `network inspect`.
    Inspect {
        /// The networks.
        networks: Vec<String>,
        /// `--format` (json when not given).
        format: OutputFormat,
    },
    /// `network rm`.
    Rm {
        /// The networks.
        networks: Vec<String>,
        /// `--force`: remove the containers using them first.
        force: bool,
    },
}

/// Parses a network command: bad input (and the `network create` flags
/// berth's bridge networks cannot honour) refused before the runtime opens.
pub fn parse(c: NetworkCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        NetworkCommand::Create(a) => {
            let opts = create_options(&a);
            opts.validate().map_err(flag_error)?;
            Parsed::Create(opts)
        }
        NetworkCommand::Ls(a) => Parsed::Ls {
            filters: parse_filters(FilterTarget::Networks, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        },
        NetworkCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", Some(a.format.as_deref().unwrap_or("json")))?,
            networks: a.networks,
        },
        NetworkCommand::Rm(a) => Parsed::Rm {
            networks: a.networks,
            force: a.force,
        },
    })
}

/// Runs a parsed `network` subcommand.
pub fn run(g: &crate::cli::GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| match c {
        Parsed::Create(opts) => create(rt, &opts),
        Parsed::Ls {
            args,
            filters,
            format,
        } => ls(rt, &args, &filters, &format),
        Parsed::Inspect { networks, format } => {
            let mut objs = Vec::new();
            for n in &networks {
                objs.push(inspect_json(&rt.inspect_network(n)?));
            }
            render_objects_as(&format, &objs)
        }
        Parsed::Rm { networks, force } => {
            let mut errors = Vec::new();
            for n in &networks {
                match rt.remove_network(n, force) {
                    Ok(()) => out(&format!("{n}\n"))?,
                    Err(e) => errors.push(e.into()),
                }
            }
            finish(errors)
        }
    })
}

/// The runtime's options for `network create`'s flags.
pub fn create_options(a: &NetworkCreateArgs) -> NetworkCreateOptions {
    let pair = |s: &String| match s.split_once('=') {
        Some((k, v)) => (k.to_string(), Some(v.to_string())),
        None => (s.clone(), None),
    };
    NetworkCreateOptions {
        name: a.name.clone(),
        driver: Some(a.driver.clone()),
        subnets: a.subnet.clone(),
        gateways: a.gateway.clone(),
        ip_ranges: a.ip_range.clone(),
        ipam_driver: a.ipam_driver.clone(),
        internal: a.internal,
        ipv6: a.ipv6,
        disable_dns: a.disable_dns,
        labels: a
            .label
            .iter()
            .map(|l| {
                let (k, v) = pair(l);
                (k, v.unwrap_or_default())
            })
            .collect(),
        options: a.opt.iter().map(pair).collect(),
    }
}

/// The flag a refused network option was given with.
fn flag(option: NetworkOption) -> &'static str {
    match option {
        NetworkOption::Driver => "--driver",
        NetworkOption::Subnet => "--subnet",
        NetworkOption::Gateway => "--gateway",
        NetworkOption::IpRange => "--ip-range",
        NetworkOption::IpamDriver => "--ipam-driver",
        NetworkOption::Internal => "--internal",
        NetworkOption::Ipv6 => "--ipv6",
        NetworkOption::Label => "--label",
        NetworkOption::Option => "--opt",
    }
}

/// A runtime error, a refused option named by its flag.
fn flag_error(e: berth_runtime::Error) -> anyhow::Error {
    match e {
        berth_runtime::Error::InvalidNetworkOption {
            option,
            value: Some(v),
            reason,
        } => CliError::invalid(flag(option), &v, reason).into(),
        berth_runtime::Error::InvalidNetworkOption {
            option,
            value: None,
            reason,
        } => CliError::conflict(flag(option), reason).into(),
        other => other.into(),
    }
}

fn create(rt: &Runtime, opts: &NetworkCreateOptions) -> anyhow::Result<u8> {
    let net = rt.create_network(opts).map_err(flag_error)?;
    out(&format!("{}\n", net.name))?;
    Ok(0)
}

fn ls(
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
    let t: Vec<Value> = nets
        .iter()
        .map(|n| summary(n).template_row(a.no_trunc))
        .collect();
    let j: Vec<Value> = nets.iter().map(inspect_json).collect();
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
            Value::Object(o)
        })
        .collect();
    let created = n
        .created
        .map(|c| DateTime::<Utc>::from(c).to_rfc3339_opts(chrono::SecondsFormat::Nanos, true));
    json!({
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn sample() -> Network {
        Network {
            name: "web".into(),
            id: berth_runtime::network_id("web"),
            driver: "bridge".into(),
            network_interface: Some("brweb0".into()),
            subnets: vec![berth_runtime::NetworkSubnet {
                subnet: "10.77.0.0/24".into(),
                gateway: Some("10.77.0.1".parse().unwrap()),
                lease_range: None,
            }],
            ipv6_enabled: false,
            internal: false,
            dns_enabled: false,
            labels: std::collections::BTreeMap::new(),
            options: std::collections::BTreeMap::new(),
            ipam_driver: "host-local".into(),
            created: None,
        }
    }

    #[test]
    fn summary_and_inspect_shape() {
        let n = sample();
        let s = summary(&n);
        assert_eq!((s.name.as_str(), s.driver.as_str()), ("web", "bridge"));
        let j = inspect_json(&n);
        assert_eq!(j["network_interface"], "brweb0");
        assert_eq!(
            j["subnets"],
            json!([{"subnet": "10.77.0.0/24", "gateway": "10.77.0.1"}])
        );
        assert_eq!(j["ipam_options"]["driver"], "host-local");
        assert_eq!(j["id"], berth_runtime::network_id("web"));
        assert_eq!(j["dns_enabled"], false);
        assert_eq!(j["created"], Value::Null);
    }

    /// `network create` parsed as the command line would be.
    fn check_create(a: &NetworkCreateArgs) -> anyhow::Result<()> {
        parse(NetworkCommand::Create(a.clone())).map(drop)
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
        assert_eq!(
            check_create(&create_args(&["--internal", "n"]))
                .unwrap_err()
                .to_string(),
            "--internal: not supported by berth's bridge networks (IPv4 bridge, host-local IPAM only)"
        );
        assert_eq!(
            check_create(&create_args(&["-o", "mtu", "n"]))
                .unwrap_err()
                .to_string(),
            "invalid value \"mtu\" for --opt: the only supported option is com.docker.network.bridge.name=NAME"
        );
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
        check_create(&a).unwrap();
        assert_eq!(
            create_options(&a).options,
            [(
                berth_runtime::BRIDGE_NAME_OPTION.to_string(),
                Some("br7".to_string())
            )]
        );
    }
}

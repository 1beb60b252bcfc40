//! `network connect/create/disconnect/exists/ls/inspect/prune/reload/rm` over the runtime's network API, with
//! podman 4.3.1's output (CNI backend). The runtime names, describes and
//! validates networks; these modules turn flags into its options and its
//! typed descriptions into podman's text and JSON.

mod connect;
mod create;
mod inspect;
mod ls;
mod prune;
mod reload;
mod rm;

use super::with_runtime;
use crate::cli::{NetworkCommand, NetworkLsArgs};
use crate::opts::filter::{parse_filters, parse_prune_filters};
use crate::opts::{FilterTarget, Filters};
use crate::output::{parse_format, OutputFormat};
use berth_runtime::{NetworkConnectOptions, NetworkCreateOptions, PruneFilters};
pub use create::create_options;
use create::flag_error;
pub use inspect::inspect_json;
pub use ls::summary;

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
    /// `network connect NETWORK CONTAINER`.
    Connect {
        /// The network.
        network: String,
        /// The container.
        container: String,
        /// `--alias`, `--ip`, `--mac-address`.
        opts: NetworkConnectOptions,
    },
    /// `network disconnect NETWORK CONTAINER`.
    Disconnect {
        /// The network.
        network: String,
        /// The container.
        container: String,
        /// `-f` (accepted and ignored, as podman 4.3.1 does).
        force: bool,
    },
    /// `network exists`: exit 0 when it does, 1 when not.
    Exists(String),
    /// `network prune`.
    Prune {
        /// `--filter` (label, label!, until).
        filters: PruneFilters,
        /// `--force`: no question.
        force: bool,
    },
    /// `network reload`: the containers.
    Reload(crate::opts::targets::Selection),
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
        NetworkCommand::Connect(a) => Parsed::Connect {
            opts: connect::connect_options(&a)?,
            network: a.network,
            container: a.container,
        },
        NetworkCommand::Disconnect(a) => Parsed::Disconnect {
            network: a.network,
            container: a.container,
            force: a.force,
        },
        NetworkCommand::Exists(a) => Parsed::Exists(a.network),
        NetworkCommand::Prune(a) => Parsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            force: a.force,
        },
        NetworkCommand::Reload(a) => Parsed::Reload(
            crate::opts::targets::Selection::all_latest_or_named(a.all, a.latest, &a.containers)?,
        ),
        NetworkCommand::Rm(a) => Parsed::Rm {
            networks: a.networks,
            force: a.force,
        },
    })
}

/// Runs a parsed `network` subcommand.
pub fn run(g: &crate::cli::GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    with_runtime(g, |rt| match c {
        Parsed::Create(opts) => create::run(rt, &opts),
        Parsed::Ls {
            args,
            filters,
            format,
        } => ls::run(rt, &args, &filters, &format),
        Parsed::Inspect { networks, format } => inspect::run(rt, networks, format),
        Parsed::Connect {
            network,
            container,
            opts,
        } => connect::connect(rt, &network, &container, &opts),
        Parsed::Disconnect {
            network,
            container,
            force,
        } => connect::disconnect(rt, &network, &container, force),
        Parsed::Exists(name) => Ok(u8::from(!rt.network_exists(&name)?)),
        Parsed::Prune { filters, force } => prune::run(rt, &filters, force),
        Parsed::Reload(sel) => reload::run(rt, &sel),
        Parsed::Rm { networks, force } => rm::run(rt, networks, force),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::NetworkCreateArgs;
    use berth_runtime::Network;
    use clap::Parser;
    use serde_json::{json, Value};

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
            (&["--ip-range", "10.1.0.0/28", "n"][..], "--ip-range"),
            (&["--ipam-driver", "dhcp", "n"][..], "--ipam-driver"),
            (
                &["--subnet", "10.1.0.0/24", "--subnet", "10.2.0.0/24", "n"][..],
                "--subnet",
            ),
            (&["--gateway", "10.1.0.1", "n"][..], "--gateway"),
            (&["-o", "mtu=1", "n"][..], "--opt"),
        ] {
            let err = check_create(&create_args(args)).unwrap_err().to_string();
            assert!(err.contains(flag), "{args:?}: {err}");
        }
        assert_eq!(
            check_create(&create_args(&["--ipv6", "n"]))
                .unwrap_err()
                .to_string(),
            "--ipv6: not supported by berth's bridge networks (IPv4 bridge, host-local IPAM only)"
        );
        check_create(&create_args(&[
            "--internal",
            "-o",
            "mtu=1400",
            "-o",
            "vlan=3",
            "n",
        ]))
        .unwrap();
        assert_eq!(
            check_create(&create_args(&["-o", "mtu", "n"]))
                .unwrap_err()
                .to_string(),
            "invalid value \"mtu\" for --opt: the supported options are com.docker.network.bridge.name=NAME, mtu=N and vlan=N"
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
        check_create(&create_args(&["--label", "a=b", "--label", "c", "n"])).unwrap();
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

//! `network create`: the flags as the runtime's options, a refused option named by its flag.

use crate::cli::NetworkCreateArgs;
use crate::commands::out;
use crate::error::CliError;
use berth_runtime::{NetworkCreateOptions, NetworkOption, Runtime};

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
pub(super) fn flag_error(e: berth_runtime::Error) -> anyhow::Error {
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

/// Runs `network create`.
pub(super) fn run(rt: &Runtime, opts: &NetworkCreateOptions) -> anyhow::Result<u8> {
    let net = rt.create_network(opts).map_err(flag_error)?;
    out(&format!("{}\n", net.name))?;
    Ok(0)
}

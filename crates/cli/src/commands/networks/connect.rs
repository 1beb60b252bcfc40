//! `network connect` and `network disconnect`: the flags as the runtime's options; nothing
//! is printed on success, as podman.

use crate::cli::NetworkConnectArgs;
use crate::error::CliError;
use berth_runtime::{NetworkConnectOptions, Runtime};

/// The runtime's options for `network connect`'s flags, bad values refused by flag.
pub(super) fn connect_options(a: &NetworkConnectArgs) -> anyhow::Result<NetworkConnectOptions> {
    let ip = match &a.ip {
        Some(v) => Some(
            v.parse()
                .map_err(|_| CliError::invalid("--ip", v, "not an IPv4 address"))?,
        ),
        None => None,
    };
    if let Some(v) = &a.ip6 {
        let reason = match v.parse::<std::net::Ipv6Addr>() {
            Ok(_) => "berth's networks are IPv4 only",
            Err(_) => "not an IPv6 address",
        };
        return Err(CliError::invalid("--ip6", v, reason).into());
    }
    if let Some(m) = &a.mac_address {
        berth_runtime::check_mac(m)
            .map_err(|e| CliError::invalid("--mac-address", m, e.to_string()))?;
    }
    Ok(NetworkConnectOptions {
        aliases: a.alias.clone(),
        ip,
        ip6: None,
        mac: a.mac_address.clone(),
    })
}

/// Runs `network connect`.
pub(super) fn connect(
    rt: &Runtime,
    network: &str,
    container: &str,
    opts: &NetworkConnectOptions,
) -> anyhow::Result<u8> {
    rt.connect_network(network, container, opts)?;
    Ok(0)
}

/// Runs `network disconnect`.
pub(super) fn disconnect(
    rt: &Runtime,
    network: &str,
    container: &str,
    force: bool,
) -> anyhow::Result<u8> {
    rt.disconnect_network(network, container, force)?;
    Ok(0)
}

//! `network connect` and `network disconnect`: the networks a container joins change after
//! create. The list (with each network's connect options) is kept in the container's
//! mutable state (`extra["berth.networks"]`), which then replaces the list its create
//! recorded: `start` attaches those networks, `rm`, `network rm/prune` and `ps` see them.
//! A container with a live network namespace (created, running, paused) gets the CNI ADD
//! or DEL on that namespace at once, its recorded attachments updated; the planned
//! attachment is recorded before the ADD, so a crash in between leaves a trail cleanup
//! follows.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use berth_state::ContainerRecord;
use serde::{Deserialize, Serialize};

use crate::container::{encode_network_attachments, network_attachments};
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// The state's `extra` key holding the networks a container joins once connect or
/// disconnect changed them.
pub(crate) const NETWORKS_KEY: &str = "berth.networks";

/// `network connect` options (podman's `PerNetworkOptions` as the CLI gives them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkConnectOptions {
    /// Names the container has on this network (kept and shown by inspect; berth's
    /// networks run no DNS server that answers for them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// A static IPv4 address (host-local's `IP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Ipv4Addr>,
    /// A static IPv6 address (refused: berth's networks are IPv4 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip6: Option<Ipv6Addr>,
    /// A static MAC address (`aa:bb:cc:dd:ee:ff`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

impl NetworkConnectOptions {
    /// Checks the options without touching anything.
    pub fn validate(&self) -> Result<()> {
        if let Some(ip6) = self.ip6 {
            return Err(Error::invalid(
                "ip6 address",
                ip6.to_string(),
                "berth's networks are IPv4 only",
            ));
        }
        if let Some(mac) = &self.mac {
            check_mac(mac)?;
        }
        Ok(())
    }
}

/// A MAC address in the six colon-separated hex pairs form, not multicast.
pub fn check_mac(mac: &str) -> Result<()> {
    let bytes: Vec<Option<u8>> = mac
        .split([':', '-'])
        .map(|p| {
            (p.len() == 2)
                .then(|| u8::from_str_radix(p, 16).ok())
                .flatten()
        })
        .collect();
    if bytes.len() != 6 || bytes.iter().any(Option::is_none) {
        return Err(Error::invalid(
            "MAC address",
            mac,
            "expected six hex pairs such as 92:d0:c6:0a:29:33",
        ));
    }
    if bytes[0].is_some_and(|b| b & 1 == 1) {
        return Err(Error::invalid(
            "MAC address",
            mac,
            "a multicast address cannot be an interface's",
        ));
    }
    Ok(())
}

/// One network a container joins, with the options it was connected with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinedNetwork {
    /// The network's name.
    pub name: String,
    /// Its connect options.
    #[serde(flatten)]
    pub options: NetworkConnectOptions,
}

/// The networks a container joins: those connect/disconnect left in its state, else the
/// ones its create recorded (without options). Empty for the non-bridge modes.
pub(crate) fn joined_networks(rec: &ContainerRecord) -> Vec<JoinedNetwork> {
    if let Some(list) = rec
        .state
        .extra
        .get(NETWORKS_KEY)
        .and_then(|v| serde_json::from_value::<Vec<JoinedNetwork>>(v.clone()).ok())
    {
        return list;
    }
    let names = match &rec.config.network_mode {
        Some(berth_state::NetworkMode::Networks(n)) => n.clone(),
        Some(_) => Vec::new(),
        None => rec.config.networks.clone(),
    };
    names
        .into_iter()
        .map(|name| JoinedNetwork {
            name,
            options: NetworkConnectOptions::default(),
        })
        .collect()
}

/// The networks of a container being created with the options asked for, when any were:
/// the empty name stands for its only network. Options for a network it does not join, or
/// for "its only network" when it joins several or none, are refused.
pub(crate) fn joined_at_create(
    networks: &[String],
    options: &std::collections::BTreeMap<String, NetworkConnectOptions>,
) -> Result<Option<Vec<JoinedNetwork>>> {
    if options.is_empty() {
        return Ok(None);
    }
    let mut joined: Vec<JoinedNetwork> = networks
        .iter()
        .map(|n| JoinedNetwork {
            name: n.clone(),
            options: NetworkConnectOptions::default(),
        })
        .collect();
    for (name, o) in options {
        o.validate()?;
        let slot = if name.is_empty() {
            if joined.len() != 1 {
                return Err(Error::invalid(
                    "network options",
                    format!("{o:?}"),
                    "a static IP, MAC or alias needs exactly one bridge network",
                ));
            }
            &mut joined[0]
        } else {
            joined.iter_mut().find(|j| j.name == *name).ok_or_else(|| {
                Error::invalid(
                    "network options",
                    name.clone(),
                    "the container does not join this network",
                )
            })?
        };
        slot.options = o.clone();
    }
    Ok(Some(joined))
}

/// The state's value of [`NETWORKS_KEY`] for these networks.
pub(crate) fn joined_value(joined: &[JoinedNetwork]) -> serde_json::Value {
    serde_json::to_value(joined).unwrap_or_default()
}

/// Sets a planned attachment's static address and MAC from its network's options.
pub(crate) fn apply_static(a: &mut berth_cni::NetworkAttachment, joined: &[JoinedNetwork]) {
    if let Some(j) = joined.iter().find(|j| j.name == a.network) {
        a.static_ip = j.options.ip.map(IpAddr::V4);
        a.static_mac.clone_from(&j.options.mac);
    }
}

impl Runtime {
    /// Connects a container to network `network` (`network connect`): recorded, and on a
    /// container with a live network namespace added at once as the next free `ethN`.
    /// Refused for a container not in bridge mode (none, host, another's namespace), a
    /// network it already joins, a missing network or container.
    pub fn connect_network(
        &self,
        network: &str,
        container: &str,
        opts: &NetworkConnectOptions,
    ) -> Result<()> {
        self.check()?;
        opts.validate()?;
        let net = self.inspect_network(network)?.name;
        let id = self.resolve_container_id(container)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        bridge_mode(&rec)?;
        let mut joined = joined_networks(&rec);
        if joined.iter().any(|j| j.name == net) {
            return Err(Error::NetworkConnected { id, network: net });
        }
        joined.push(JoinedNetwork {
            name: net.clone(),
            options: opts.clone(),
        });
        let before = rec.state.clone();
        rec.state
            .extra
            .insert(NETWORKS_KEY.into(), joined_value(&joined));
        if !has_live_netns(&rec) {
            return Ok(self.state.save_container_state(&id, &rec.state)?);
        }
        let mut attachments = network_attachments(&rec)?;
        let mut planned =
            self.network
                .plan(&id, std::slice::from_ref(&net), &rec.config.port_mappings)?;
        for a in &mut planned {
            a.interface = free_interface(&attachments);
            apply_static(a, &joined);
        }
        let netns = std::path::PathBuf::from(&rec.state.netns_path);
        let with_plan: Vec<_> = attachments.iter().chain(&planned).cloned().collect();
        rec.state.network_results = Some(encode_network_attachments(&id, &with_plan)?);
        self.state.save_container_state(&id, &rec.state)?;
        match self.network.setup_planned(&id, &netns, &planned) {
            Ok(added) => {
                attachments.extend(added);
                rec.state.network_results = Some(encode_network_attachments(&id, &attachments)?);
                Ok(self.state.save_container_state(&id, &rec.state)?)
            }
            Err(e) => {
                // setup_planned deleted what it added; the record goes back to before.
                let restored = self.state.save_container_state(&id, &before);
                let undo = restored.err().map(Error::from).into_iter().collect();
                Err(Error::from(e).with_undo(undo))
            }
        }
    }

    /// Disconnects a container from network `network` (`network disconnect`): recorded,
    /// and on a container with a live network namespace deleted at once (CNI DEL). podman
    /// 4.3.1 takes `force` and ignores it; so does berth.
    pub fn disconnect_network(&self, network: &str, container: &str, force: bool) -> Result<()> {
        let _ = force;
        self.check()?;
        let net = self.inspect_network(network)?.name;
        let id = self.resolve_container_id(container)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        bridge_mode(&rec)?;
        let mut joined = joined_networks(&rec);
        let Some(pos) = joined.iter().position(|j| j.name == net) else {
            return Err(Error::NetworkNotConnected {
                container: container.to_string(),
                network: net,
            });
        };
        joined.remove(pos);
        rec.state
            .extra
            .insert(NETWORKS_KEY.into(), joined_value(&joined));
        if has_live_netns(&rec) {
            let mut attachments = network_attachments(&rec)?;
            let (gone, kept): (Vec<_>, Vec<_>) =
                attachments.drain(..).partition(|a| a.network == net);
            let netns = std::path::PathBuf::from(&rec.state.netns_path);
            self.network.teardown(&id, &netns, &gone)?;
            rec.state.network_results = Some(encode_network_attachments(&id, &kept)?);
        }
        Ok(self.state.save_container_state(&id, &rec.state)?)
    }
}

/// Whether the container's network namespace exists now (made at start, gone at cleanup).
pub(super) fn has_live_netns(rec: &ContainerRecord) -> bool {
    rec.state.status.is_active() && !rec.state.netns_path.is_empty()
}

/// The first `ethN` no attachment uses.
fn free_interface(attachments: &[berth_cni::NetworkAttachment]) -> String {
    (0..=attachments.len())
        .map(|i| format!("eth{i}"))
        .find(|n| !attachments.iter().any(|a| a.interface == *n))
        .unwrap_or_default()
}

/// Refuses a container that is not in bridge mode (podman's "invalid network mode").
pub(super) fn bridge_mode(rec: &ContainerRecord) -> Result<()> {
    let mode = if let Some(dep) = &rec.config.shared_namespaces.net {
        Some(format!("container:{dep}"))
    } else {
        match &rec.config.network_mode {
            Some(berth_state::NetworkMode::None) => Some("none".to_string()),
            Some(berth_state::NetworkMode::Host) => Some("host".to_string()),
            Some(berth_state::NetworkMode::Container(p)) => Some(format!("ns:{}", p.display())),
            _ => None,
        }
    };
    match mode {
        Some(mode) => Err(Error::NetworkModeInvalid { mode }),
        None => Ok(()),
    }
}

//! The conflist berth writes for a bridge network and what `network create` asks for
//! ([`CreateNetwork`]): the bridge plugin with host-local, portmap, firewall and tuning, and
//! the options podman's CNI backend writes the same way (labels in `args`, `--internal`,
//! `mtu`, `vlan`, `--ip-range`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::subnet::Subnet;

/// The key of the conflist's `args` that holds a network's labels (podman's).
pub const LABELS_ARG: &str = "podman_labels";

/// What to create. Unset fields are picked: the next free `berthN` bridge,
/// the next free `10.89.N.0/24` subnet, its first address as gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateNetwork {
    /// Network name.
    pub name: String,
    /// IPv4 subnet in CIDR form.
    pub subnet: Option<String>,
    /// Gateway inside the subnet.
    pub gateway: Option<String>,
    /// Bridge device name (at most 15 bytes).
    pub bridge: Option<String>,
    /// Labels, kept in the conflist's `args.podman_labels` as podman's CNI backend keeps
    /// them.
    pub labels: BTreeMap<String, String>,
    /// No masquerade and no default route: containers reach only the network itself.
    pub internal: bool,
    /// The bridge's and veths' MTU.
    pub mtu: Option<u32>,
    /// The VLAN tag of the bridge ports.
    pub vlan: Option<u16>,
    /// A part of the subnet (CIDR) addresses are handed out from.
    pub ip_range: Option<String>,
}

/// The conflist berth writes for a bridge network (cniVersion 1.0.0):
/// bridge (gateway, masquerade, hairpin) + host-local, portmap, firewall,
/// tuning. `ipam_data_dir` overrides host-local's store (tests).
pub fn bridge_conflist(
    name: &str,
    bridge: &str,
    subnet: Subnet,
    gateway: Ipv4Addr,
    ipam_data_dir: Option<&Path>,
) -> Value {
    let mut ipam = json!({
        "type": "host-local",
        "routes": [{"dst": "0.0.0.0/0"}],
        "ranges": [[{"subnet": subnet.to_string(), "gateway": gateway.to_string()}]],
    });
    if let Some(d) = ipam_data_dir {
        ipam["dataDir"] = Value::String(d.to_string_lossy().into_owned());
    }
    json!({
        "cniVersion": "1.0.0",
        "name": name,
        "plugins": [
            {
                "type": "bridge",
                "bridge": bridge,
                "isGateway": true,
                "ipMasq": true,
                "hairpinMode": true,
                "ipam": ipam,
            },
            {"type": "portmap", "capabilities": {"portMappings": true}},
            {"type": "firewall", "backend": "iptables"},
            {"type": "tuning"},
        ],
    })
}

/// `--internal`, `mtu`, `vlan` and `--ip-range` written into a bridge conflist.
pub(crate) fn apply_bridge_options(
    value: &mut Value,
    req: &CreateNetwork,
    subnet: Subnet,
) -> Result<()> {
    let bridge = &mut value["plugins"][0];
    if req.internal {
        // As podman writes internal networks: the bridge is no gateway (no address on it,
        // no default route, no masquerade).
        bridge["isGateway"] = json!(false);
        bridge["ipMasq"] = json!(false);
        bridge["ipam"]["routes"] = json!([]);
        if let Some(set) = bridge["ipam"]["ranges"][0][0].as_object_mut() {
            set.remove("gateway");
        }
    }
    if let Some(mtu) = req.mtu {
        bridge["mtu"] = json!(mtu);
    }
    if let Some(vlan) = req.vlan {
        bridge["vlan"] = json!(vlan);
    }
    if let Some(r) = &req.ip_range {
        let range = Subnet::parse(r)?;
        let (start, end) = (range.first_host(), range.last_host());
        if !(subnet.contains_host(start) && subnet.contains_host(end)) {
            return Err(Error::InvalidArgument {
                what: "ip range",
                value: r.clone(),
                reason: format!("not inside the subnet {subnet}"),
            });
        }
        let set = &mut bridge["ipam"]["ranges"][0][0];
        set["rangeStart"] = json!(start.to_string());
        set["rangeEnd"] = json!(end.to_string());
    }
    Ok(())
}

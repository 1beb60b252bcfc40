//! `network reload`: a container's network set up again on its live namespace, so the
//! firewall rules of its attachments (port forwards, masquerade, CNI-FORWARD) come back
//! after something flushed them (`iptables -F`, a firewall reload). Each attachment gets a
//! DEL (its failures are expected when the rules are gone, and ignored) and then an ADD on
//! the same interface with the address and MAC it had, as podman keeps them.

use std::net::IpAddr;
use std::path::PathBuf;

use berth_cni::NetworkAttachment;
use tracing::info;

use super::connect::{bridge_mode, has_live_netns};
use crate::container::{encode_network_attachments, network_attachments};
use crate::error::{Error, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Sets the network of one container up again (`network reload CONTAINER`); its id.
    /// Refused for a container without a live network namespace
    /// ([`Error::NetworkNotConfigured`]) or not in bridge mode.
    pub fn reload_network(&self, container: &str) -> Result<String> {
        self.check()?;
        let id = self.resolve_container_id(container)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        if !has_live_netns(&rec) {
            return Err(Error::NetworkNotConfigured { id });
        }
        bridge_mode(&rec)?;
        let netns = PathBuf::from(&rec.state.netns_path);
        let old = network_attachments(&rec)?;
        if let Err(e) = self.network.teardown(&id, &netns, &old) {
            info!(container = %id, error = %e, "network reload: DEL before ADD failed (rules gone)");
        }
        let planned: Vec<NetworkAttachment> = old.iter().map(replanned).collect();
        match self.network.setup_planned(&id, &netns, &planned) {
            Ok(added) => {
                rec.state.network_results = Some(encode_network_attachments(&id, &added)?);
                self.state.save_container_state(&id, &rec.state)?;
                Ok(id)
            }
            Err(e) => {
                // Nothing is attached now; the record says so, so nothing is torn down twice.
                rec.state.network_results = Some(encode_network_attachments(&id, &[])?);
                let saved = self.state.save_container_state(&id, &rec.state);
                let undo = saved.err().map(Error::from).into_iter().collect();
                Err(Error::from(e).with_undo(undo))
            }
        }
    }

    /// [`Runtime::reload_network`] for every container with a live network namespace in
    /// bridge mode (`network reload --all`; the others are left out, as podman does): each
    /// id with its outcome.
    pub fn reload_all_networks(&self) -> Result<Vec<(String, Result<String>)>> {
        self.check()?;
        let mut out = Vec::new();
        for rec in self.state.all_containers()? {
            let id = rec.config.id.clone();
            match self.reload_network(&id) {
                Err(Error::NetworkNotConfigured { .. } | Error::NetworkModeInvalid { .. }) => {}
                r => out.push((id, r)),
            }
        }
        Ok(out)
    }
}

/// An attachment planned again as it was: same network, interface, config and ports, with
/// the address and MAC it had fixed.
fn replanned(a: &NetworkAttachment) -> NetworkAttachment {
    let mut p =
        NetworkAttachment::planned(&a.network, &a.interface, a.config.clone(), &a.port_mappings);
    p.static_ip = a
        .ips()
        .first()
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .or(a.static_ip);
    p.static_mac = a.mac().map(str::to_string).or_else(|| a.static_mac.clone());
    p
}

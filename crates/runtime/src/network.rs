//! CNI network management (`network create/ls/inspect/rm`) over the CNI layer's
//! [`berth_cni::Networks`]. The runtime holds that handle beside its [`berth_cni::NetworkPlugin`]
//! (which only attaches containers): [`crate::RuntimeBuilder`] sets it from the same options;
//! a runtime built with [`Runtime::from_layers`] gets one through [`Runtime::with_networks`].

use berth_cni::{CreateNetwork, NetworkConfigList, Networks};

use crate::error::{Error, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Gives this runtime a network manager (the builder does it; embedders and tests that
    /// compose their own layers call it to get the `*_network` methods).
    #[must_use]
    pub fn with_networks(mut self, networks: Networks) -> Self {
        self.networks = Some(networks);
        self
    }

    fn networks(&self) -> Result<&Networks> {
        self.check()?;
        self.networks.as_ref().ok_or_else(|| Error::InvalidOption {
            option: "networks",
            reason: "this runtime has no network manager; build it with RuntimeBuilder or \
                     call Runtime::with_networks"
                .into(),
        })
    }

    /// Creates a bridge network (`<cni config dir>/<name>.conflist`). Refuses a name in use,
    /// a bad name or subnet, and a subnet that overlaps another network or a host route.
    pub fn create_network(&self, req: &CreateNetwork) -> Result<NetworkConfigList> {
        Ok(self.networks()?.create(req)?)
    }

    /// Every network, the default one included (its conflist is written when missing).
    pub fn list_networks(&self) -> Result<Vec<NetworkConfigList>> {
        let nets = self.networks()?;
        nets.ensure_default()?;
        Ok(nets.list()?)
    }

    /// One network by name (the default one is written when missing).
    pub fn inspect_network(&self, name: &str) -> Result<NetworkConfigList> {
        let nets = self.networks()?;
        if name == nets.default_network() {
            return Ok(nets.ensure_default()?);
        }
        Ok(nets.inspect(name)?)
    }

    /// Ids of the containers whose configuration joins network `name`.
    pub fn network_users(&self, name: &str) -> Result<Vec<String>> {
        self.check()?;
        Ok(self
            .state
            .all_containers()?
            .into_iter()
            .filter(|c| c.config.networks.iter().any(|n| n == name))
            .map(|c| c.config.id)
            .collect())
    }

    /// Removes a network. Used by containers: refused unless `force`, which removes those
    /// containers first (stopping them), as podman does. The default network cannot be removed.
    pub fn remove_network(&self, name: &str, force: bool) -> Result<()> {
        let nets = self.networks()?;
        if name == nets.default_network() {
            // The CNI layer refuses it with a clear message; ask it before touching containers.
            return Ok(nets.remove(name, &[], false)?);
        }
        nets.inspect(name)?;
        let users = self.network_users(name)?;
        if !users.is_empty() {
            if !force {
                return Ok(nets.remove(name, &users, false)?);
            }
            for id in &users {
                self.remove_by_id(id, true, false)?;
            }
        }
        Ok(nets.remove(name, &[], force)?)
    }
}

//! Named networks (`network create/ls/inspect/rm`) over the [`berth_cni::NetworkManager`] of
//! the runtime's [`crate::Layers`]: the runtime validates the typed options, generates names,
//! and returns typed [`Network`] descriptions; the network layer reads and writes the CNI
//! files. Published ports are decided in [`ports`].

pub(crate) mod connect;
mod options;
pub(crate) mod ports;
mod reload;

pub use berth_cni::{network_id, LeaseRange, Network, NetworkSubnet};
pub use connect::{check_mac, JoinedNetwork, NetworkConnectOptions};
pub use options::{NetworkCreateOptions, NetworkOption, BRIDGE_NAME_OPTION};

use std::collections::BTreeSet;

use crate::error::{ErrorKind, Result};
use crate::filter::{Filters, Matcher, NetworkFacts, PruneFilters};
use crate::prune::PruneReport;
use crate::runtime::Runtime;

impl Runtime {
    /// Creates a bridge network (`<cni config dir>/<name>.conflist`) and describes it. A
    /// missing name gets podman's: the default network's name and the first free number
    /// (`berth1`, ...). Refuses options berth's bridges cannot honour
    /// ([`crate::Error::InvalidNetworkOption`]), a name in use, a bad name or subnet, and a
    /// subnet that overlaps another network or a host route.
    pub fn create_network(&self, opts: &NetworkCreateOptions) -> Result<Network> {
        self.check()?;
        opts.validate()?;
        let name = match &opts.name {
            Some(n) => n.clone(),
            None => self.free_network_name()?,
        };
        let net = self.networks.create(&opts.request(name))?;
        self.network_event(&net.id, &net.name, crate::EventStatus::Create);
        Ok(net)
    }

    /// podman's generated network names: the default network's name plus the first free
    /// number.
    fn free_network_name(&self) -> Result<String> {
        let taken: Vec<String> = self.list_networks()?.into_iter().map(|n| n.name).collect();
        let base = &self.config.cni_default_network;
        Ok((1..=u32::MAX)
            .map(|i| format!("{base}{i}"))
            .find(|n| !taken.contains(n))
            .unwrap_or_default())
    }

    /// Every network by name, the default one included (its config is written when missing).
    pub fn list_networks(&self) -> Result<Vec<Network>> {
        self.check()?;
        self.networks.ensure_default()?;
        Ok(self.networks.list()?)
    }

    /// [`Runtime::list_networks`] keeping those that pass `filters` (`name` regular
    /// expressions, `id` prefixes, `driver`, `label`/`label!`).
    pub fn list_networks_filtered(&self, filters: &Filters) -> Result<Vec<Network>> {
        let m = Matcher::new(filters, chrono::Utc::now(), &|_| None)?;
        let mut nets = self.list_networks()?;
        nets.retain(|n| {
            m.network(&NetworkFacts {
                id: &n.id,
                name: &n.name,
                driver: &n.driver,
                labels: &n.labels,
            })
        });
        Ok(nets)
    }

    /// One network by name (the default one is written when missing).
    pub fn inspect_network(&self, name: &str) -> Result<Network> {
        self.check()?;
        if name == self.networks.default_network() {
            return Ok(self.networks.ensure_default()?);
        }
        Ok(self.networks.inspect(name)?)
    }

    /// Whether network `name` exists (`network exists`); the default network always does.
    pub fn network_exists(&self, name: &str) -> Result<bool> {
        match self.inspect_network(name) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The networks some container (in any state) joins.
    fn networks_in_use(&self) -> Result<BTreeSet<String>> {
        Ok(self
            .state
            .all_containers()?
            .iter()
            .flat_map(connect::joined_networks)
            .map(|j| j.name)
            .collect())
    }

    /// Removes every network that no container joins and that passes `filters` (`label`,
    /// `label!`, `until` against the network's creation time), as podman's `network prune`
    /// decides: the default network always stays. One failure does not stop the others.
    pub fn prune_networks(&self, filters: &PruneFilters) -> Result<PruneReport> {
        let now = chrono::Utc::now();
        let used = self.networks_in_use()?;
        let mut report = PruneReport::default();
        for n in self.list_networks()? {
            let created = n
                .created
                .map_or(chrono::DateTime::UNIX_EPOCH, chrono::DateTime::from);
            if n.name == self.networks.default_network()
                || used.contains(&n.name)
                || !filters.matches(&n.labels, created, now)
            {
                continue;
            }
            let result = self
                .networks
                .remove(&n.name, &[], false)
                .map_err(Into::into);
            report.record(n.name, 0, result);
        }
        Ok(report)
    }

    /// Ids of the containers whose configuration joins network `name`.
    pub fn network_users(&self, name: &str) -> Result<Vec<String>> {
        self.check()?;
        Ok(self
            .state
            .all_containers()?
            .into_iter()
            .filter(|c| connect::joined_networks(c).iter().any(|j| j.name == name))
            .map(|c| c.config.id)
            .collect())
    }

    /// Removes a network. Used by containers: refused unless `force`, which removes those
    /// containers first (stopping them), as podman does. The default network cannot be removed.
    pub fn remove_network(&self, name: &str, force: bool) -> Result<()> {
        self.check()?;
        let nets = &self.networks;
        if name == nets.default_network() {
            // The network layer refuses it with a clear message; ask it before touching
            // containers.
            return Ok(nets.remove(name, &[], false)?);
        }
        let id = nets.inspect(name)?.id;
        let users = self.network_users(name)?;
        if !users.is_empty() {
            if !force {
                return Ok(nets.remove(name, &users, false)?);
            }
            for id in &users {
                self.remove_by_id(id, true, false)?;
            }
        }
        nets.remove(name, &[], force)?;
        self.network_event(&id, name, crate::EventStatus::Remove);
        Ok(())
    }
}

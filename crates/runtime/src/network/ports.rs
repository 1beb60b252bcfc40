//! Published ports at create: the one place that decides them. The network layer chooses a
//! free host port for each mapping that asks for one (host port 0) and checks that the
//! others are free, against the ports running containers publish (which the runtime
//! knows) and the host's sockets (which the network layer probes).

use berth_cni::PortMapping;

use crate::container::ListOptions;
use crate::error::Result;
use crate::runtime::Runtime;

impl Runtime {
    /// The host ports a new container publishes, every host port set. With `check_taken`
    /// (a container of its own), each given port must be free now; without it (a pod's infra
    /// container, whose ports are bound when the pod starts), only the host ports left to
    /// choose are chosen.
    pub(crate) fn decide_ports(
        &self,
        wanted: &[PortMapping],
        check_taken: bool,
    ) -> Result<Vec<PortMapping>> {
        if wanted.is_empty() || (!check_taken && wanted.iter().all(|p| p.host_port != 0)) {
            return Ok(wanted.to_vec());
        }
        let taken: Vec<PortMapping> = self
            .list_containers(&ListOptions {
                all: false,
                pod: None,
            })?
            .into_iter()
            .flat_map(|r| r.config.port_mappings)
            .collect();
        if check_taken {
            return Ok(self.network.prepare_ports(wanted, &taken)?);
        }
        let mut out = wanted.to_vec();
        let choose: Vec<PortMapping> = wanted
            .iter()
            .filter(|p| p.host_port == 0)
            .cloned()
            .collect();
        let mut chosen = self.network.prepare_ports(&choose, &taken)?.into_iter();
        for p in out.iter_mut().filter(|p| p.host_port == 0) {
            if let Some(c) = chosen.next() {
                *p = c;
            }
        }
        Ok(out)
    }
}

//! Published ports at create: the one place that decides them. The network layer chooses a
//! free host port for each mapping that asks for one (host port 0) and checks that the
//! others are free, against the ports running containers publish (which the runtime
//! knows) and the host's sockets (which the network layer probes). A chosen port stays
//! bound by the network layer until the container's record names it, and avoids every
//! port a record names, so two creates never choose the same port.

use berth_cni::{PortMapping, PreparedPorts};

use crate::container::ListOptions;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// How often a choice is made again when a port just chosen turns out to be named by a
/// record written meanwhile (each retry keeps the earlier ports held, so it gets others).
const CHOICE_ATTEMPTS: usize = 16;

/// The host ports decided for a container, with the chosen ones held: keep it until the
/// container's record is written.
#[derive(Debug, Default)]
pub(crate) struct DecidedPorts {
    /// Every mapping, every host port set.
    pub mappings: Vec<PortMapping>,
    /// Holds the chosen ports (and the ones passed over).
    _held: Vec<PreparedPorts>,
}

impl Runtime {
    /// The host ports a new container publishes, every host port set. With `check_taken`
    /// (a container of its own), each given port must be free now; without it (a pod's infra
    /// container, whose ports are bound when the pod starts), only the host ports left to
    /// choose are chosen. Chosen ports are in no container's record, and stay held in the
    /// result; after they are chosen the records are read again, so a port another create
    /// chose, recorded and let go meanwhile is chosen again rather than shared.
    pub(crate) fn decide_ports(
        &self,
        wanted: &[PortMapping],
        check_taken: bool,
    ) -> Result<DecidedPorts> {
        let choosing = wanted.iter().any(|p| p.host_port == 0);
        if wanted.is_empty() || (!check_taken && !choosing) {
            return Ok(DecidedPorts {
                mappings: wanted.to_vec(),
                _held: Vec::new(),
            });
        }
        let running: Vec<PortMapping> = self.published_ports(false)?;
        let request: Vec<PortMapping> = if check_taken {
            wanted.to_vec()
        } else {
            wanted
                .iter()
                .filter(|p| p.host_port == 0)
                .cloned()
                .collect()
        };
        let mut recorded = if choosing {
            self.published_ports(true)?
        } else {
            Vec::new()
        };
        let mut held = Vec::new();
        for _ in 0..CHOICE_ATTEMPTS {
            let prepared = self.network.prepare_ports(&request, &running, &recorded)?;
            if !choosing {
                return Ok(DecidedPorts {
                    mappings: prepared.mappings.clone(),
                    _held: vec![prepared],
                });
            }
            recorded = self.published_ports(true)?;
            if prepared.clashes_with(&recorded) {
                held.push(prepared);
                continue;
            }
            let mappings = if check_taken {
                prepared.mappings.clone()
            } else {
                let mut chosen = prepared.mappings.iter();
                wanted
                    .iter()
                    .map(|p| match p.host_port {
                        0 => chosen.next().cloned().unwrap_or_else(|| p.clone()),
                        _ => p.clone(),
                    })
                    .collect()
            };
            held.push(prepared);
            return Ok(DecidedPorts {
                mappings,
                _held: held,
            });
        }
        Err(Error::invalid(
            "ports",
            format!("{wanted:?}"),
            "no free host port could be chosen: every one offered was taken meanwhile",
        ))
    }

    /// The ports containers publish: of this namespace's running ones, or (`all`) of every
    /// record in every namespace (host ports are the host's).
    fn published_ports(&self, all: bool) -> Result<Vec<PortMapping>> {
        let records = if all {
            self.state.all_containers_in_every_namespace()?
        } else {
            self.list_containers(&ListOptions { all, pod: None })?
        };
        Ok(records
            .into_iter()
            .flat_map(|r| r.config.port_mappings)
            .collect())
    }
}

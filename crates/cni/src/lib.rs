//! berth's network layer: network namespaces, CNI conflists, plugin
//! execution (spec 1.0.0, the containernetworking-plugins 1.1.1 found in
//! /usr/lib/cni), the default bridge network and port mappings.
//!
//! The runtime uses it through the [`NetworkPlugin`] trait; tests of the
//! layers above use `testing::FakeNetworkPlugin` (feature `testing`).

#![deny(unsafe_code)]

pub mod cni;
pub mod config;
pub mod conflist;
pub mod error;
pub mod exec;
pub mod iptables;
pub mod manager;
pub mod netns;
pub mod network;
pub mod plugin;
pub mod ports;
pub mod repair;
pub mod result;
pub mod subnet;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use cni::{CniNetworkPlugin, CniOptions};
pub use config::{HostLocalLease, NetworkConfigList, PluginConfig};
pub use error::{Error, Result};
pub use exec::{CniCommand, PluginExec, Target};
pub use manager::{network_id, LeaseRange, Network, NetworkManager, NetworkSubnet};
pub use netns::NetNs;
pub use network::{CreateNetwork, Networks};
pub use plugin::{NetworkAttachment, NetworkMode, NetworkPlugin, NetworkStatus};
pub use ports::{
    exposed_port_mappings, prepare_ports, reserve_ports, PortMapping, PortSpecError, PreparedPorts,
    Protocol,
};
pub use result::{CniResult, Dns, Interface, IpConfig, PluginErrorObject, Route, VersionInfo};
pub use subnet::Subnet;

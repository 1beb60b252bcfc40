//! Network commands: `berth network ...`.

use clap::{Args, Subcommand};

/// `berth network` subcommands.
#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// network connect
    Connect(NetworkConnectArgs),
    /// Create a network
    Create(NetworkCreateArgs),
    /// network rm
    Disconnect(NetworkDisconnectArgs),
    /// network exists
    Exists(NetworkExistsArgs),
    /// Inspect networks
    Inspect(NetworkInspectArgs),
    /// List networks
    Ls(NetworkLsArgs),
    /// network prune
    Prune(NetworkPruneArgs),
    /// Reload firewall rules for one or more containers
    Reload(NetworkReloadArgs),
    /// Remove networks
    #[command(visible_alias = "remove")]
    Rm(NetworkRmArgs),
}

/// `network create`.
#[derive(Debug, Clone, Args)]
pub struct NetworkCreateArgs {
    /// Disable dns plugin
    #[arg(long)]
    pub disable_dns: bool,
    /// Driver to manage the network
    #[arg(short = 'd', long, default_value = "bridge", value_parser = ["bridge"])]
    pub driver: String,
    /// IPv4 or IPv6 gateway for the subnet
    #[arg(long, value_delimiter = ',', value_name = "IP")]
    pub gateway: Vec<String>,
    /// Restrict external access from this network
    #[arg(long)]
    pub internal: bool,
    /// Allocate container IP from range
    #[arg(long, value_name = "CIDR")]
    pub ip_range: Vec<String>,
    /// IP Address Management Driver
    #[arg(long)]
    pub ipam_driver: Option<String>,
    /// Enable IPv6 networking
    #[arg(long)]
    pub ipv6: bool,
    /// Set metadata on a network
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Set driver specific options
    #[arg(short = 'o', long, value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    /// Subnets in CIDR format
    #[arg(long, value_name = "CIDR")]
    pub subnet: Vec<String>,
    /// The network's name (generated when omitted)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

/// `network inspect`.
#[derive(Debug, Clone, Args)]
pub struct NetworkInspectArgs {
    /// Pretty-print network to JSON or using a Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Networks
    #[arg(value_name = "NETWORK", required = true)]
    pub networks: Vec<String>,
}

/// `network ls`.
#[derive(Debug, Clone, Args)]
pub struct NetworkLsArgs {
    /// Provide filter values (e.g. 'name=berth')
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Pretty-print networks to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Do not truncate the network ID
    #[arg(long)]
    pub no_trunc: bool,
    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,
    /// Display only names
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `network rm`.
#[derive(Debug, Clone, Args)]
pub struct NetworkRmArgs {
    /// Remove any containers using network
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Seconds to wait for running containers to stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Networks
    #[arg(value_name = "NETWORK", required = true)]
    pub networks: Vec<String>,
}

/// `network exists`.
#[derive(Debug, Clone, Args)]
pub struct NetworkExistsArgs {
    /// The network
    #[arg(value_name = "NETWORK")]
    pub network: String,
}

/// `network prune`.
#[derive(Debug, Clone, Args)]
pub struct NetworkPruneArgs {
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long)]
    pub filter: Vec<String>,
    /// do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

/// `network connect`.
#[derive(Debug, Clone, Args)]
pub struct NetworkConnectArgs {
    /// network scoped alias for container
    #[arg(long, value_delimiter = ',')]
    pub alias: Vec<String>,
    /// set a static ipv4 address for this container network
    #[arg(long)]
    pub ip: Option<String>,
    /// set a static ipv6 address for this container network
    #[arg(long)]
    pub ip6: Option<String>,
    /// set a static mac address for this container network
    #[arg(long)]
    pub mac_address: Option<String>,
    /// The network
    #[arg(value_name = "NETWORK")]
    pub network: String,
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `network disconnect`.
#[derive(Debug, Clone, Args)]
pub struct NetworkDisconnectArgs {
    /// force removal of container from network
    #[arg(short = 'f', long)]
    pub force: bool,
    /// The network
    #[arg(value_name = "NETWORK")]
    pub network: String,
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `network reload`.
#[derive(Debug, Clone, Args)]
pub struct NetworkReloadArgs {
    /// Reload network configuration of all containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// The containers
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

//! Pod commands: `berth pod ...`.

use clap::{ArgAction, Args, Subcommand};
use std::path::PathBuf;

/// `berth pod` subcommands.
#[allow(clippy::large_enum_variant)] // parsed once per process; boxing buys nothing
#[derive(Debug, Subcommand)]
pub enum PodCommand {
    /// Create a new empty pod
    Create(PodCreateArgs),
    /// Check if a pod exists in local storage
    Exists(PodExistsArgs),
    /// Displays a pod configuration
    Inspect(PodInspectArgs),
    /// Send the specified signal or SIGKILL to containers in pod
    Kill(PodKillArgs),
    /// Pause one or more pods
    Pause(PodPauseArgs),
    /// Remove all stopped pods and their containers
    Prune(PodPruneArgs),
    /// List pods
    #[command(visible_aliases = ["ls", "list"])]
    Ps(PodPsArgs),
    /// Restart one or more pods
    Restart(PodRestartArgs),
    /// Remove one or more pods
    Rm(PodRmArgs),
    /// Fetch logs for pod with one or more containers
    Logs(PodLogsArgs),
    /// Display a live stream of resource usage statistics for the containers in one or more pods
    Stats(PodStatsArgs),
    /// Display the running processes of containers in a pod
    Top(PodTopArgs),
    /// Start one or more pods
    Start(PodStartArgs),
    /// Stop one or more pods
    Stop(PodStopArgs),
    /// Unpause one or more pods
    Unpause(PodUnpauseArgs),
}

/// `pod top`.
#[derive(Debug, Clone, Args)]
pub struct PodTopArgs {
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// The pod, then ps(1) format descriptors or arguments
    #[arg(
        value_name = "POD [FORMAT-DESCRIPTORS|ARGS...]",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

/// `pod logs`.
#[derive(Debug, Clone, Args)]
pub struct PodLogsArgs {
    /// Output the containers within a pod with different colors in the log
    #[arg(long)]
    pub color: bool,
    /// Filter logs by container name or id which belongs to pod
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// Follow log output.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Output container names instead of container IDs in the log
    #[arg(short = 'n', long)]
    pub names: bool,
    /// Show logs since TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,
    /// Output the specified number of LINES at the end of the logs.
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,
    /// Output the timestamps in the log
    #[arg(short = 't', long)]
    pub timestamps: bool,
    /// Show logs until TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,
    /// The pod
    #[arg(value_name = "POD")]
    pub pod: Option<String>,
}

/// `pod stats`.
#[derive(Debug, Clone, Args)]
pub struct PodStatsArgs {
    /// Provide stats for all pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Pretty-print container statistics to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Disable resetting the screen when streaming
    #[arg(long)]
    pub no_reset: bool,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Pods
    #[arg(value_name = "POD")]
    pub pods: Vec<String>,
}

/// `pod pause`.
#[derive(Debug, Clone, Args)]
pub struct PodPauseArgs {
    /// Pause all running pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest"])]
    pub pods: Vec<String>,
}

/// `pod unpause`.
#[derive(Debug, Clone, Args)]
pub struct PodUnpauseArgs {
    /// Unpause all running pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest"])]
    pub pods: Vec<String>,
}

/// `pod create`.
#[derive(Debug, Clone, Args)]
#[command(disable_help_flag = true)]
pub struct PodCreateArgs {
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long, value_delimiter = ',', value_name = "HOST:IP")]
    pub add_host: Vec<String>,
    /// Number of CPUs. The default is 0.000 which means no limit
    #[arg(long, allow_negative_numbers = true)]
    pub cpus: Option<f64>,
    /// Block IO weight (relative weight) accepts a weight value between 10 and 1000.
    #[arg(long, value_name = "WEIGHT")]
    pub blkio_weight: Option<String>,
    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)
    #[arg(long, value_name = "DEVICE_NAME:WEIGHT")]
    pub blkio_weight_device: Vec<String>,
    /// Optional parent cgroup for the container
    #[arg(long, value_name = "PATH")]
    pub cgroup_parent: Option<String>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long, value_name = "SHARES")]
    pub cpu_shares: Option<u64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "CPUS")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.
    #[arg(long, value_name = "NODES")]
    pub cpuset_mems: Option<String>,
    /// Add a host device to the container
    #[arg(long, value_delimiter = ',', value_name = "DEVICE")]
    pub device: Vec<String>,
    /// Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)
    #[arg(long, value_delimiter = ',', value_name = "DEVICE:RATE")]
    pub device_read_bps: Vec<String>,
    /// Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)
    #[arg(long, value_delimiter = ',', value_name = "DEVICE:RATE")]
    pub device_write_bps: Vec<String>,
    /// Set custom DNS servers
    #[arg(long, value_delimiter = ',', value_name = "IP")]
    pub dns: Vec<String>,
    /// Set custom DNS options
    #[arg(long, value_delimiter = ',', value_name = "OPTION")]
    pub dns_option: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long, value_delimiter = ',', value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// Behaviour when the last container exits (continue, stop)
    #[arg(long, default_value = "continue", value_name = "POLICY")]
    pub exit_policy: String,
    /// GID map to use for the user namespace
    #[arg(long, value_delimiter = ',', value_name = "MAP")]
    pub gidmap: Vec<String>,
    /// Set container hostname
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// Create an infra container associated with the pod to share namespaces with
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub infra: bool,
    /// Overwrite the default ENTRYPOINT of the infra image
    #[arg(long)]
    pub infra_command: Option<String>,
    /// Image to use to override builtin infra container
    #[arg(long)]
    pub infra_image: Option<String>,
    /// Path to the file that will receive the PID of conmon
    #[arg(long, value_name = "FILE")]
    pub infra_conmon_pidfile: Option<PathBuf>,
    /// Assign a name to the infra container
    #[arg(long)]
    pub infra_name: Option<String>,
    /// Specify a static IPv4 address for the container
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// Specify a static IPv6 address for the container
    #[arg(long, value_name = "IP")]
    pub ip6: Option<String>,
    /// Set metadata on pod
    #[arg(short = 'l', long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Read in a line delimited file of labels
    #[arg(long, value_delimiter = ',', value_name = "FILE")]
    pub label_file: Vec<PathBuf>,
    /// Container MAC address (e.g. 92:d0:c6:0a:29:33)
    #[arg(long, value_name = "MAC")]
    pub mac_address: Option<String>,
    /// Memory limit (format: <number>[<unit>])
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long, value_name = "LIMIT", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Assign a name to the pod
    #[arg(short = 'n', long = "name", value_name = "NAME")]
    pub name_flag: Option<String>,
    /// Connect the pod to a network
    #[arg(long, alias = "net", value_name = "MODE|NETWORK")]
    pub network: Vec<String>,
    /// Add network-scoped alias for the container
    #[arg(long, value_delimiter = ',', value_name = "ALIAS")]
    pub network_alias: Vec<String>,
    /// Do not create /etc/hosts within the pod's containers
    #[arg(long)]
    pub no_hosts: bool,
    /// PID namespace to use
    #[arg(long, value_name = "MODE")]
    pub pid: Option<String>,
    /// Write the pod ID to the file
    #[arg(long, value_name = "FILE")]
    pub pod_id_file: Option<PathBuf>,
    /// Publish a container's port, or a range of ports, to the host
    #[arg(short = 'p', long, value_name = "[[IP:][HOSTPORT]:]PORT[/PROTO]")]
    pub publish: Vec<String>,
    /// If a pod with the same name exists, replace it
    #[arg(long)]
    pub replace: bool,
    /// Security Options
    #[arg(long, value_name = "OPTION")]
    pub security_opt: Vec<String>,
    /// A comma delimited list of kernel namespaces the pod will share
    #[arg(long, default_value = "ipc,net,uts")]
    pub share: String,
    /// Set the pod's cgroup as the cgroup parent for all containers joining the pod
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub share_parent: bool,
    /// Size of /dev/shm (format: <number>[<unit>])
    #[arg(long, default_value = "65536k", value_name = "<number>[<unit>]")]
    pub shm_size: String,
    /// Name of range listed in /etc/subgid for use in user namespace
    #[arg(long, value_name = "NAME")]
    pub subgidname: Option<String>,
    /// Name of range listed in /etc/subuid for use in user namespace
    #[arg(long, value_name = "NAME")]
    pub subuidname: Option<String>,
    /// Sysctl options
    #[arg(long, value_delimiter = ',', value_name = "NAME=VALUE")]
    pub sysctl: Vec<String>,
    /// UID map to use for the user namespace
    #[arg(long, value_delimiter = ',', value_name = "MAP")]
    pub uidmap: Vec<String>,
    /// User namespace to use
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,
    /// UTS namespace to use
    #[arg(long, value_name = "MODE")]
    pub uts: Option<String>,
    /// Bind mount a volume into the container
    #[arg(short = 'v', long, value_name = "VOLUME")]
    pub volume: Vec<String>,
    /// Mount volumes from the specified container(s)
    #[arg(long, value_name = "CONTAINER")]
    pub volumes_from: Vec<String>,
    /// The pod's name (same as --name)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

/// `pod exists`.
#[derive(Debug, Clone, Args)]
pub struct PodExistsArgs {
    /// The pod
    #[arg(value_name = "POD")]
    pub pod: String,
}

/// `pod inspect`.
#[derive(Debug, Clone, Args)]
pub struct PodInspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Pods
    #[arg(value_name = "POD", required_unless_present = "latest")]
    pub pods: Vec<String>,
}

/// `pod kill`.
#[derive(Debug, Clone, Args)]
pub struct PodKillArgs {
    /// Kill all containers in all pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Signal to send to the containers in the pod
    #[arg(short = 's', long, default_value = "KILL")]
    pub signal: String,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest"])]
    pub pods: Vec<String>,
}

/// `pod prune`.
#[derive(Debug, Clone, Args)]
pub struct PodPruneArgs {
    /// Do not prompt for confirmation.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,
}

/// `pod ps`.
#[derive(Debug, Clone, Args)]
pub struct PodPsArgs {
    /// Display the container UUIDs. If no-trunc is not set they will be truncated
    #[arg(long)]
    pub ctr_ids: bool,
    /// Display the container names
    #[arg(long)]
    pub ctr_names: bool,
    /// Display the container status
    #[arg(long)]
    pub ctr_status: bool,
    /// Filter output based on conditions given
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Pretty-print pods to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Do not truncate pod and container IDs
    #[arg(long)]
    pub no_trunc: bool,
    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,
    /// Display namespace information of the pod
    #[arg(long)]
    pub ns: bool,
    /// Print the numeric IDs of the pods only
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Sort output by created, id, name, or number
    #[arg(long, default_value = "created", value_parser = ["created", "id", "name", "number"])]
    pub sort: String,
}

/// `pod restart`.
#[derive(Debug, Clone, Args)]
pub struct PodRestartArgs {
    /// Restart all running pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest"])]
    pub pods: Vec<String>,
}

/// `pod rm`.
#[derive(Debug, Clone, Args)]
pub struct PodRmArgs {
    /// Remove all pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Force removal of a running pod by first stopping all containers, then removing all containers in the pod
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Ignore errors when a specified pod is missing
    #[arg(short = 'i', long)]
    pub ignore: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Read the pod ID from the file
    #[arg(long, value_name = "FILE")]
    pub pod_id_file: Vec<PathBuf>,
    /// Seconds to wait for pod stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest", "pod_id_file"])]
    pub pods: Vec<String>,
}

/// `pod start`.
#[derive(Debug, Clone, Args)]
pub struct PodStartArgs {
    /// Start all pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Read the pod ID from the file
    #[arg(long, value_name = "FILE")]
    pub pod_id_file: Vec<PathBuf>,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest", "pod_id_file"])]
    pub pods: Vec<String>,
}

/// `pod stop`.
#[derive(Debug, Clone, Args)]
pub struct PodStopArgs {
    /// Stop all running pods
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Ignore errors when a specified pod is missing
    #[arg(short = 'i', long)]
    pub ignore: bool,
    /// Act on the latest pod berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Read the pod ID from the file
    #[arg(long, value_name = "FILE")]
    pub pod_id_file: Vec<PathBuf>,
    /// Seconds to wait for pod stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Pods
    #[arg(value_name = "POD", required_unless_present_any = ["all", "latest", "pod_id_file"])]
    pub pods: Vec<String>,
}

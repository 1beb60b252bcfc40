//! Container commands: `berth container ...` and their top-level forms.

use super::run::{CreateArgs, ExecArgs, RunArgs};
use clap::{ArgAction, Args, Subcommand};
use std::path::PathBuf;

/// `berth container` subcommands.
#[derive(Debug, Subcommand)]
pub enum ContainerCommand {
    /// Attach to a running container
    Attach(AttachArgs),
    /// Checkpoint one or more containers
    Checkpoint(crate::cli::CheckpointArgs),
    /// Clean up network and mountpoints of one or more containers
    Cleanup(CleanupArgs),
    /// Create new image based on the changed container
    Commit(crate::cli::CommitArgs),
    /// Copy files/folders between a container and the local filesystem
    Cp(CpArgs),
    /// Create but do not start a container
    Create(CreateArgs),
    /// Inspect changes to the container's file systems
    Diff(crate::cli::DiffArgs),
    /// Run a process in a running container
    Exec(ExecArgs),
    /// Check if a container exists in local storage
    Exists(ContainerExistsArgs),
    /// Export container's filesystem contents as a tar archive
    Export(crate::cli::ExportArgs),
    /// Initialize one or more containers
    Init(crate::cli::InitArgs),
    /// Display the configuration of a container
    Inspect(ContainerInspectArgs),
    /// Kill one or more running containers with a specific signal
    Kill(KillArgs),
    /// List containers
    #[command(visible_aliases = ["ls", "ps"])]
    List(PsArgs),
    /// Fetch the logs of one or more containers
    Logs(LogsArgs),
    /// Mount a working container's root filesystem
    Mount(MountArgs),
    /// Pause all the processes in one or more containers
    Pause(PauseArgs),
    /// List port mappings or a specific mapping for the container
    Port(PortArgs),
    /// Remove all non running containers
    Prune(PruneArgs),
    /// Restart one or more containers
    Restart(RestartArgs),
    /// Rename an existing container
    Rename(crate::cli::RenameArgs),
    /// Restore one or more containers from a checkpoint
    Restore(crate::cli::RestoreArgs),
    /// Remove one or more containers
    Rm(RmArgs),
    /// Run a command in a new container
    Run(RunArgs),
    /// Execute the command described by an image label
    Runlabel(crate::cli::RunlabelArgs),
    /// Start one or more containers
    Start(StartArgs),
    /// Display a live stream of container resource usage statistics
    Stats(StatsArgs),
    /// Stop one or more containers
    Stop(StopArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// Unmounts working container's root filesystem
    #[command(visible_alias = "umount")]
    Unmount(UnmountArgs),
    /// Unpause the processes in one or more containers
    Unpause(UnpauseArgs),
    /// Update an existing container
    Update(crate::cli::UpdateArgs),
    /// Block on one or more containers
    Wait(WaitArgs),
}

/// `attach`.
#[derive(Debug, Clone, Args)]
pub struct AttachArgs {
    /// Select the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Do not attach STDIN. The default is false
    #[arg(long)]
    pub no_stdin: bool,
    /// Proxy received signals to the process
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub sig_proxy: bool,
    /// The container
    #[arg(value_name = "CONTAINER", required_unless_present = "latest")]
    pub container: Option<String>,
}

/// `container cleanup` (run by conmon's exit command).
#[derive(Debug, Clone, Args)]
pub struct CleanupArgs {
    /// Cleans up all containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Clean up the given exec session instead of the container
    #[arg(long, value_name = "SESSION")]
    pub exec: Option<String>,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// After cleanup, remove the container entirely
    #[arg(long)]
    pub rm: bool,
    /// After cleanup, remove the image entirely
    #[arg(long)]
    pub rmi: bool,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest"])]
    pub containers: Vec<String>,
}

/// `cp`.
#[derive(Debug, Clone, Args)]
pub struct CpArgs {
    /// Chown copied files to the primary uid/gid of the destination container.
    #[arg(short = 'a', long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub archive: bool,
    /// Allow to overwrite directories with non-directories and vice versa
    #[arg(long)]
    pub overwrite: bool,
    /// Source: a host path, or CONTAINER:PATH
    #[arg(value_name = "[CONTAINER:]SRC_PATH")]
    pub source: String,
    /// Destination: a host path, or CONTAINER:PATH
    #[arg(value_name = "[CONTAINER:]DEST_PATH")]
    pub destination: String,
}

/// `container exists`.
#[derive(Debug, Clone, Args)]
pub struct ContainerExistsArgs {
    /// Check external storage containers as well as berth containers
    #[arg(long)]
    pub external: bool,
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `container inspect`.
#[derive(Debug, Clone, Args)]
pub struct ContainerInspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Display total file size
    #[arg(short = 's', long)]
    pub size: bool,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present = "latest")]
    pub containers: Vec<String>,
}

/// `kill`.
#[derive(Debug, Clone, Args)]
pub struct KillArgs {
    /// Signal all running containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Read the container ID from the file
    #[arg(long)]
    pub cidfile: Vec<PathBuf>,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Signal to send to the container
    #[arg(short = 's', long, default_value = "KILL")]
    pub signal: String,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "cidfile"])]
    pub containers: Vec<String>,
}

/// `ps`, `container list`.
#[derive(Debug, Clone, Args)]
pub struct PsArgs {
    /// Show all the containers, default is only running containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show containers in storage not controlled by berth
    #[arg(long)]
    pub external: bool,
    /// Filter output based on conditions given
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Pretty-print containers to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Print the n last created containers (all states)
    #[arg(short = 'n', long, default_value_t = -1, allow_negative_numbers = true)]
    pub last: i64,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Display the extended information
    #[arg(long)]
    pub no_trunc: bool,
    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,
    /// Display namespace information
    #[arg(long)]
    pub ns: bool,
    /// Print the ID and name of the pod the containers are associated with
    #[arg(short = 'p', long)]
    pub pod: bool,
    /// Print the numeric IDs of the containers only
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Display the total file sizes
    #[arg(short = 's', long)]
    pub size: bool,
    /// Sort output by: command, created, id, image, names, runningfor, size, status
    #[arg(long, default_value = "created",
          value_parser = ["command", "created", "id", "image", "names", "runningfor", "size", "status"])]
    pub sort: String,
    /// Sync container state with OCI runtime
    #[arg(long)]
    pub sync: bool,
    /// Watch the ps output on an interval in seconds
    #[arg(short = 'w', long, value_name = "SECONDS")]
    pub watch: Option<u64>,
}

/// `logs`.
#[derive(Debug, Clone, Args)]
pub struct LogsArgs {
    /// Output the containers with different colors in the log.
    #[arg(long)]
    pub color: bool,
    /// Follow log output.  The default is false
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Output the container name in the log
    #[arg(short = 'n', long)]
    pub names: bool,
    /// Show logs since TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,
    /// Output the specified number of LINES at the end of the logs (-1: all)
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,
    /// Output the timestamps in the log
    #[arg(short = 't', long)]
    pub timestamps: bool,
    /// Show logs until TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present = "latest")]
    pub containers: Vec<String>,
}

/// `mount`.
#[derive(Debug, Clone, Args)]
pub struct MountArgs {
    /// Mount all containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Print the mounted containers in specified format (json)
    #[arg(long)]
    pub format: Option<String>,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Containers; none lists the mounted ones
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `pause`.
#[derive(Debug, Clone, Args)]
pub struct PauseArgs {
    /// Pause all running containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Read the container ID from the file
    #[arg(long)]
    pub cidfile: Vec<PathBuf>,
    /// Filter output based on conditions given
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "cidfile", "filter"])]
    pub containers: Vec<String>,
}

/// `unpause` (same flags as `pause`).
pub type UnpauseArgs = PauseArgs;

/// `port`.
#[derive(Debug, Clone, Args)]
pub struct PortArgs {
    /// Display port information for all containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// The container
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest"])]
    pub container: Option<String>,
    /// Only this private port (PORT[/PROTOCOL])
    #[arg(value_name = "PORT")]
    pub port: Option<String>,
}

/// `container prune`, `pod prune`-like commands with filters.
#[derive(Debug, Clone, Args)]
pub struct PruneArgs {
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long)]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,
}

/// `restart`.
#[derive(Debug, Clone, Args)]
pub struct RestartArgs {
    /// Restart all non-running containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Read the container ID from the file
    #[arg(long)]
    pub cidfile: Vec<PathBuf>,
    /// Filter output based on conditions given
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Restart only running containers
    #[arg(long)]
    pub running: bool,
    /// Seconds to wait for stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "cidfile", "filter"])]
    pub containers: Vec<String>,
}

/// `rm`, `container rm`.
#[derive(Debug, Clone, Args)]
pub struct RmArgs {
    /// Remove all containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Read the container ID from the file
    #[arg(long)]
    pub cidfile: Vec<PathBuf>,
    /// Remove container and all containers that depend on the selected container
    #[arg(long)]
    pub depend: bool,
    /// Filter output based on conditions given
    #[arg(long)]
    pub filter: Vec<String>,
    /// Force removal of a running or unusable container
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Ignore errors when a specified container is missing
    #[arg(short = 'i', long)]
    pub ignore: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Seconds to wait for stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Remove anonymous volumes associated with the container
    #[arg(short = 'v', long)]
    pub volumes: bool,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "cidfile", "filter"])]
    pub containers: Vec<String>,
}

/// `start`.
#[derive(Debug, Clone, Args)]
pub struct StartArgs {
    /// Start all containers regardless of their state or configuration
    #[arg(long)]
    pub all: bool,
    /// Attach container's STDOUT and STDERR
    #[arg(short = 'a', long)]
    pub attach: bool,
    /// Select the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Filter output based on conditions given
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Proxy received signals to the process (default true if attaching, false otherwise)
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    pub sig_proxy: Option<bool>,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "filter"])]
    pub containers: Vec<String>,
}

/// `stats`.
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    /// Show all containers. Only running containers are shown by default
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Pretty-print container statistics to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Time in seconds between stats reports
    #[arg(short = 'i', long, default_value_t = 5)]
    pub interval: u64,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Disable resetting the screen between intervals
    #[arg(long)]
    pub no_reset: bool,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Containers; none means all running ones
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `stop`.
#[derive(Debug, Clone, Args)]
pub struct StopArgs {
    /// Stop all running containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Read the container ID from the file
    #[arg(long)]
    pub cidfile: Vec<PathBuf>,
    /// Filter output based on conditions given
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Ignore errors when a specified container is missing
    #[arg(short = 'i', long)]
    pub ignore: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Seconds to wait for stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest", "cidfile", "filter"])]
    pub containers: Vec<String>,
}

/// `top`.
#[derive(Debug, Clone, Args)]
pub struct TopArgs {
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// The container, then ps(1) format descriptors or arguments
    #[arg(
        value_name = "CONTAINER [FORMAT-DESCRIPTORS|ARGS...]",
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required_unless_present = "latest"
    )]
    pub args: Vec<String>,
}

/// `unmount`.
#[derive(Debug, Clone, Args)]
pub struct UnmountArgs {
    /// Unmount all of the currently mounted containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Force the complete unmount of the specified mounted containers
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present_any = ["all", "latest"])]
    pub containers: Vec<String>,
}

/// `wait`.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Condition to wait on
    #[arg(long, value_delimiter = ',')]
    pub condition: Vec<String>,
    /// Time Interval to wait before polling for completion
    #[arg(short = 'i', long, default_value = "250ms")]
    pub interval: String,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Containers
    #[arg(value_name = "CONTAINER", required_unless_present = "latest")]
    pub containers: Vec<String>,
}

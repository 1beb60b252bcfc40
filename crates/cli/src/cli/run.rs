//! `run`, `create` and `exec`: the flags shared by run and create, and the
//! `IMAGE [COMMAND [ARG...]]` tail, after which nothing is a berth flag.

use clap::{ArgAction, Args};
use std::path::PathBuf;

/// Flags shared by `run` and `create`, with podman's names and defaults.
#[derive(Debug, Clone, Default, Args)]
pub struct CreateFlags {
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long, value_delimiter = ',', value_name = "HOST:IP")]
    pub add_host: Vec<String>,
    /// Use ARCH instead of the architecture of the machine for choosing images
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,
    /// Add annotations to container (key=value)
    #[arg(long, value_name = "KEY=VALUE")]
    pub annotation: Vec<String>,
    /// Add capabilities to the container
    #[arg(long, value_delimiter = ',', value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop capabilities from the container
    #[arg(long, value_delimiter = ',', value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Write the container ID to the file
    #[arg(long, value_name = "FILE")]
    pub cidfile: Option<PathBuf>,
    /// Number of CPUs. The default is 0.000 which means no limit
    #[arg(long, allow_negative_numbers = true)]
    pub cpus: Option<f64>,
    /// Set custom DNS servers
    #[arg(long, value_delimiter = ',', value_name = "IP")]
    pub dns: Vec<String>,
    /// Set custom DNS options
    #[arg(long, value_delimiter = ',', value_name = "OPTION")]
    pub dns_option: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long, value_delimiter = ',', value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image (a string or a JSON array)
    #[arg(long, allow_hyphen_values = true)]
    pub entrypoint: Option<String>,
    /// Set environment variables in container
    #[arg(short = 'e', long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Use all current host environment variables in container
    #[arg(long)]
    pub env_host: bool,
    /// Set container hostname
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Run an init binary inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Path to the container-init binary
    #[arg(long, value_name = "PATH")]
    pub init_path: Option<PathBuf>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Set metadata on container
    #[arg(short = 'l', long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,
    /// Attach a filesystem mount to the container
    #[arg(long, value_name = "type=TYPE,...")]
    pub mount: Vec<String>,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Connect a container to a network
    #[arg(long, alias = "net", value_name = "MODE|NETWORK")]
    pub network: Vec<String>,
    /// Tune container pids limit (set -1 for unlimited); default from the configuration (2048)
    #[arg(long, allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
    /// Run container in an existing pod
    #[arg(long)]
    pub pod: Option<String>,
    /// Give extended privileges to container
    #[arg(long)]
    pub privileged: bool,
    /// Specify the platform for selecting the image (OS/ARCH[/VARIANT]; conflicts with --arch and --os)
    #[arg(long)]
    pub platform: Option<String>,
    /// Use OS instead of the running OS for choosing images
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// Publish a container's port, or a range of ports, to the host
    #[arg(short = 'p', long, value_name = "[[IP:][HOSTPORT]:]PORT[/PROTO]")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports on the host interface
    #[arg(short = 'P', long)]
    pub publish_all: bool,
    /// Pull image policy
    #[arg(
        long,
        default_value = "missing",
        value_name = "always|missing|never|newer"
    )]
    pub pull: String,
    /// Registry flags for the pull.
    #[command(flatten)]
    pub registry: crate::cli::RegistryFlags,
    /// Suppress output information when pulling images
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Make containers root filesystem read-only
    #[arg(long)]
    pub read_only: bool,
    /// When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub read_only_tmpfs: bool,
    /// If a container with the same name exists, replace it
    #[arg(long)]
    pub replace: bool,
    /// Remove container (and pod if created) after exit
    #[arg(long)]
    pub rm: bool,
    /// Security Options
    #[arg(long, value_name = "OPTION")]
    pub security_opt: Vec<String>,
    /// Size of /dev/shm (format: <number>[<unit>])
    #[arg(long, default_value = "65536k", value_name = "<number>[<unit>]")]
    pub shm_size: String,
    /// Signal to stop a container. Default is SIGTERM
    #[arg(long)]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL.
    #[arg(long, default_value_t = 10)]
    pub stop_timeout: u64,
    /// Sysctl options
    #[arg(long, value_delimiter = ',', value_name = "NAME=VALUE")]
    pub sysctl: Vec<String>,
    /// Mount a temporary filesystem (tmpfs) into a container
    #[arg(long, value_name = "DEST[:OPTIONS]")]
    pub tmpfs: Vec<String>,
    /// Allocate a pseudo-TTY for container
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Ulimit options
    #[arg(long, value_delimiter = ',', value_name = "NAME=SOFT[:HARD]")]
    pub ulimit: Vec<String>,
    /// Use VARIANT instead of the running architecture variant for choosing images
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Bind mount a volume into the container
    #[arg(short = 'v', long, value_name = "[SRC:]DEST[:OPTIONS]")]
    pub volume: Vec<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
}

/// `create`.
#[derive(Debug, Clone, Args)]
#[command(disable_help_flag = true)]
pub struct CreateArgs {
    /// The shared run/create flags.
    #[command(flatten)]
    pub flags: CreateFlags,
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// The image, then the command and its arguments
    #[arg(
        value_name = "IMAGE [COMMAND [ARG...]]",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub image_and_command: Vec<String>,
}

/// `run`.
#[derive(Debug, Clone, Args)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// The shared run/create flags.
    #[command(flatten)]
    pub flags: CreateFlags,
    /// Run container in background and print container ID
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Proxy received signals to the process
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub sig_proxy: bool,
    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
    /// The image, then the command and its arguments
    #[arg(
        value_name = "IMAGE [COMMAND [ARG...]]",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub image_and_command: Vec<String>,
}

/// `exec`.
#[derive(Debug, Clone, Args)]
pub struct ExecArgs {
    /// Run the exec session in detached mode (backgrounded)
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Select the key sequence for detaching a container
    #[arg(long, default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    /// Set environment variables
    #[arg(short = 'e', long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Pass N additional file descriptors to the container
    #[arg(long, default_value_t = 0)]
    pub preserve_fds: u32,
    /// Give the process extended Linux capabilities inside the container
    #[arg(long)]
    pub privileged: bool,
    /// Allocate a pseudo-TTY. The default is false
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Sets the username or UID used and optionally the groupname or GID for the specified command
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// The container (unless --latest), then the command and its arguments
    #[arg(
        value_name = "CONTAINER [COMMAND [ARG...]]",
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub container_and_command: Vec<String>,
}

impl CreateArgs {
    /// The image reference.
    pub fn image(&self) -> &str {
        &self.image_and_command[0]
    }

    /// The command after the image (empty: the image's default).
    pub fn command(&self) -> &[String] {
        &self.image_and_command[1..]
    }
}

impl RunArgs {
    /// The image reference.
    pub fn image(&self) -> &str {
        &self.image_and_command[0]
    }

    /// The command after the image (empty: the image's default).
    pub fn command(&self) -> &[String] {
        &self.image_and_command[1..]
    }
}

impl ExecArgs {
    /// The container and the command: with `--latest` every word is the
    /// command.
    pub fn split(&self) -> (Option<&str>, &[String]) {
        if self.latest {
            (None, &self.container_and_command)
        } else {
            (
                Some(self.container_and_command[0].as_str()),
                &self.container_and_command[1..],
            )
        }
    }
}

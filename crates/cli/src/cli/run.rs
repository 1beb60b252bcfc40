//! `run`, `create` and `exec`: the flags shared by run and create, and the
//! `IMAGE [COMMAND [ARG...]]` tail, after which nothing is a berth flag.

use clap::{ArgAction, Args};
use std::path::PathBuf;

pub use super::run_more::{HealthFlags, UnsupportedCreateFlags};

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
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short = 'a', long, value_delimiter = ',', value_name = "STREAM")]
    pub attach: Vec<String>,
    /// Add capabilities to the container
    #[arg(long, value_delimiter = ',', value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop capabilities from the container
    #[arg(long, value_delimiter = ',', value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Optional parent cgroup for the container
    #[arg(long, value_name = "PATH")]
    pub cgroup_parent: Option<String>,
    /// cgroup namespace to use
    #[arg(long, value_name = "private|host")]
    pub cgroupns: Option<String>,
    /// control container cgroup configuration ("enabled"|"disabled"|"no-conmon"|"split")
    #[arg(long, default_value = "enabled")]
    pub cgroups: String,
    /// Kernel memory limit (podman's hidden flag, a no-op since cgroups v2; warns)
    #[arg(long, value_name = "SIZE", hide = true)]
    pub kernel_memory: Option<String>,
    /// Write the container ID to the file
    #[arg(long, value_name = "FILE")]
    pub cidfile: Option<PathBuf>,
    /// Path to the file that will receive the PID of conmon
    #[arg(long, value_name = "FILE")]
    pub conmon_pidfile: Option<PathBuf>,
    /// Limit the CPU CFS (Completely Fair Scheduler) period
    #[arg(long, value_name = "MICROSECONDS")]
    pub cpu_period: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, allow_negative_numbers = true, value_name = "MICROSECONDS")]
    pub cpu_quota: Option<i64>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long)]
    pub cpu_shares: Option<u64>,
    /// Number of CPUs. The default is 0.000 which means no limit
    #[arg(long, allow_negative_numbers = true)]
    pub cpus: Option<f64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "CPUS")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.
    #[arg(long, value_name = "NODES")]
    pub cpuset_mems: Option<String>,
    /// Add a host device to the container (HOST[:CONTAINER][:PERMISSIONS])
    #[arg(long, value_name = "DEVICE")]
    pub device: Vec<String>,
    /// Add a rule to the cgroup allowed devices list ('TYPE MAJOR:MINOR ACCESS')
    #[arg(long, value_name = "RULE")]
    pub device_cgroup_rule: Vec<String>,
    /// Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_read_bps: Vec<String>,
    /// Limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_read_iops: Vec<String>,
    /// Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_write_bps: Vec<String>,
    /// Limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_write_iops: Vec<String>,
    /// This is a Docker specific option and is a NOOP
    #[arg(long)]
    pub disable_content_trust: bool,
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
    /// Preprocess environment variables from image before injecting them into the container
    #[arg(long, value_name = "KEY=VALUE")]
    pub env_merge: Vec<String>,
    /// Use all current host environment variables in container
    #[arg(long)]
    pub env_host: bool,
    /// Add additional groups to the primary container process
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub group_add: Vec<String>,
    /// Healthchecks: accepted and stored (see `opts::health`).
    #[command(flatten)]
    pub health: HealthFlags,
    /// Set container hostname
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Host user account to add to /etc/passwd within container
    #[arg(long, value_name = "USER")]
    pub hostuser: Vec<String>,
    /// Set proxy environment variables in the container based on the host proxy vars
    // Not given: containers.conf's `http_proxy`, else true.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub http_proxy: Option<bool>,
    /// Tells berth how to handle the builtin image volumes ("bind"|"tmpfs"|"ignore")
    #[arg(long, default_value = "bind")]
    pub image_volume: String,
    /// Run an init binary inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Path to the container-init binary
    #[arg(long, value_name = "PATH")]
    pub init_path: Option<PathBuf>,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// IPC namespace to use
    #[arg(long, value_name = "MODE")]
    pub ipc: Option<String>,
    /// Set metadata on container
    #[arg(short = 'l', long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Read in a line delimited file of labels
    #[arg(long, value_name = "FILE")]
    pub label_file: Vec<PathBuf>,
    /// Logging driver for the container ("k8s-file"|"none"|"passthrough"|"journald")
    #[arg(long, default_value = "k8s-file")]
    pub log_driver: String,
    /// Logging driver options (path=PATH, max-size=SIZE, tag=TAG)
    #[arg(long, value_delimiter = ',', value_name = "OPTION")]
    pub log_opt: Vec<String>,
    /// Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,
    /// Memory soft limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(long, value_name = "<number>[<unit>]")]
    pub memory_reservation: Option<String>,
    /// Tune container memory swappiness (0 to 100, or -1 for system default)
    #[arg(long, default_value_t = -1, allow_negative_numbers = true, value_name = "N")]
    pub memory_swappiness: i64,
    /// Disable OOM Killer
    #[arg(long)]
    pub oom_kill_disable: bool,
    /// Tune the host's OOM preferences (-1000 to 1000)
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    pub oom_score_adj: Option<i32>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long, allow_negative_numbers = true, value_name = "<number>[<unit>]")]
    pub memory_swap: Option<String>,
    /// Attach a filesystem mount to the container
    #[arg(long, value_name = "type=TYPE,...")]
    pub mount: Vec<String>,
    /// Do not create /etc/hosts within the container, instead use the version from the image
    #[arg(long)]
    pub no_hosts: bool,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Connect a container to a network
    #[arg(long, alias = "net", value_name = "MODE|NETWORK")]
    pub network: Vec<String>,
    /// PID namespace to use
    #[arg(long, value_name = "MODE")]
    pub pid: Option<String>,
    /// Write the container process ID to the file
    #[arg(long, value_name = "FILE")]
    pub pidfile: Option<PathBuf>,
    /// Tune container pids limit (set -1 for unlimited); default from the configuration (2048)
    #[arg(long, allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
    /// Run container in an existing pod (new:NAME creates it)
    #[arg(long)]
    pub pod: Option<String>,
    /// Read the pod ID from the file
    #[arg(long, value_name = "FILE")]
    pub pod_id_file: Option<PathBuf>,
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
    // Not given: containers.conf's `engine.pull_policy`, else missing.
    #[arg(long, value_name = "always|missing|never|newer")]
    pub pull: Option<String>,
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
    /// Restart policy to apply when a container exits ("always"|"no"|"on-failure"|"unless-stopped")
    #[arg(long, value_name = "POLICY")]
    pub restart: Option<String>,
    /// Remove container (and pod if created) after exit
    #[arg(long)]
    pub rm: bool,
    /// control sd-notify behavior ("container"|"conmon"|"ignore")
    #[arg(long, default_value = "container")]
    pub sdnotify: String,
    /// Policy for selecting a seccomp profile (experimental)
    #[arg(long, default_value = "default")]
    pub seccomp_policy: String,
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
    /// Run container in systemd mode ("true"|"false"|"always")
    #[arg(long, default_value = "true")]
    pub systemd: String,
    /// Maximum length of time a container is allowed to run. The container will be killed automatically after the time expires.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u32>,
    /// Mount a temporary filesystem (tmpfs) into a container
    #[arg(long, value_name = "DEST[:OPTIONS]")]
    pub tmpfs: Vec<String>,
    /// Allocate a pseudo-TTY for container
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Set timezone in container ("local" or a zone such as America/New_York)
    #[arg(long, value_name = "TIMEZONE")]
    pub tz: Option<String>,
    /// Ulimit options
    #[arg(long, value_delimiter = ',', value_name = "NAME=SOFT[:HARD]")]
    pub ulimit: Vec<String>,
    /// Use VARIANT instead of the running architecture variant for choosing images
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,
    /// Set umask in container
    #[arg(long, default_value = "0022")]
    pub umask: String,
    /// Unset environment default variables in container
    #[arg(long, value_name = "KEY")]
    pub unsetenv: Vec<String>,
    /// Unset all default environment variables in container
    #[arg(long)]
    pub unsetenv_all: bool,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// User namespace to use
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,
    /// UTS namespace to use
    #[arg(long, value_name = "MODE")]
    pub uts: Option<String>,
    /// Bind mount a volume into the container
    #[arg(short = 'v', long, value_name = "[SRC:]DEST[:OPTIONS]")]
    pub volume: Vec<String>,
    /// Mount volumes from the specified container(s) (CONTAINER[:ro|rw])
    #[arg(long, value_name = "CONTAINER[:OPTIONS]")]
    pub volumes_from: Vec<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// podman's flags berth defines but does not support yet.
    #[command(flatten)]
    pub unsupported: UnsupportedCreateFlags,
}

/// `create`.
#[derive(Debug, Clone, Args)]
#[command(disable_help_flag = true)]
pub struct CreateArgs {
    /// The shared run/create flags.
    #[command(flatten)]
    pub flags: CreateFlags,
    /// Make this an init container of a pod ("always"|"once"); not supported yet
    #[arg(long, value_name = "TYPE")]
    pub init_ctr: Option<String>,
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
    // Not given: containers.conf's `engine.detach_keys`, else ctrl-p,ctrl-q.
    #[arg(long)]
    pub detach_keys: Option<String>,
    /// add entries to /etc/passwd and /etc/group
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub passwd: bool,
    /// Pass a number of additional file descriptors into the container
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub preserve_fds: u32,
    /// Remove container image unless used by other containers
    #[arg(long)]
    pub rmi: bool,
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

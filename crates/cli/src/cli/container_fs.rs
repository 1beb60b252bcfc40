//! clap types of the container commands over a container's files and
//! record: `diff`, `export`, `commit`, `init`, `rename`.

use clap::{ArgAction, Args};
use std::path::PathBuf;

/// What `diff` compares: set by the command path (`diff`, `container diff`, `image diff`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DiffKind {
    /// `diff`: an image, else a container.
    Any,
    /// `container diff`.
    #[default]
    Container,
    /// `image diff`.
    Image,
}

/// `diff`, `container diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Change the output format (json)
    #[arg(long)]
    pub format: Option<String>,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// The container or image, then the one to compare it with
    #[arg(value_name = "NAME", num_args = 0..=2)]
    pub names: Vec<String>,
    /// Which command path this came from.
    #[arg(skip)]
    pub kind: DiffKind,
}

/// `image diff`.
#[derive(Debug, Clone, Args)]
pub struct ImageDiffArgs {
    /// Change the output format (json)
    #[arg(long)]
    pub format: Option<String>,
    /// The image, then the one to compare it with
    #[arg(value_name = "IMAGE", num_args = 1..=2, required = true)]
    pub names: Vec<String>,
}

impl From<ImageDiffArgs> for DiffArgs {
    fn from(a: ImageDiffArgs) -> Self {
        DiffArgs {
            format: a.format,
            latest: false,
            names: a.names,
            kind: DiffKind::Image,
        }
    }
}

/// `export`, `container export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Write to a specified file (default: stdout, which must be redirected)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `commit`, `container commit`.
#[derive(Debug, Clone, Args)]
pub struct CommitArgs {
    /// Set the author for the image committed
    #[arg(short = 'a', long)]
    pub author: Option<String>,
    /// Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR
    #[arg(short = 'c', long, action = ArgAction::Append)]
    pub change: Vec<String>,
    /// Format of the image manifest and metadata
    #[arg(short = 'f', long, default_value = "oci", value_name = "Format")]
    pub format: String,
    /// file to write the image ID to
    #[arg(long, value_name = "file")]
    pub iidfile: Option<PathBuf>,
    /// Include container volumes as image volumes
    #[arg(long)]
    pub include_volumes: bool,
    /// Set commit message for imported image
    #[arg(short = 'm', long)]
    pub message: Option<String>,
    /// Pause container during commit
    #[arg(short = 'p', long)]
    pub pause: bool,
    /// Suppress output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// squash newly built layers into a single new layer
    #[arg(short = 's', long)]
    pub squash: bool,
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// The new image's name
    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,
}

/// `init`, `container init`.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Initialize all containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// The containers
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `rename`, `container rename`.
#[derive(Debug, Clone, Args)]
pub struct RenameArgs {
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Its new name
    #[arg(value_name = "NAME")]
    pub name: String,
}

/// `update`, `container update`: podman 4.3.1's resource flags.
#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    /// Block IO weight (relative weight) accepts a weight value between 10 and 1000.
    #[arg(long)]
    pub blkio_weight: Option<String>,
    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)
    #[arg(long, value_name = "DEVICE_NAME:WEIGHT")]
    pub blkio_weight_device: Vec<String>,
    /// Limit the CPU CFS (Completely Fair Scheduler) period
    #[arg(long)]
    pub cpu_period: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, allow_negative_numbers = true)]
    pub cpu_quota: Option<i64>,
    /// Limit the CPU real-time period in microseconds
    #[arg(long)]
    pub cpu_rt_period: Option<u64>,
    /// Limit the CPU real-time runtime in microseconds
    #[arg(long, allow_negative_numbers = true)]
    pub cpu_rt_runtime: Option<i64>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long)]
    pub cpu_shares: Option<u64>,
    /// Number of CPUs. The default is 0.000 which means no limit
    #[arg(long)]
    pub cpus: Option<f64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long)]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.
    #[arg(long)]
    pub cpuset_mems: Option<String>,
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
    /// Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,
    /// Memory soft limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(long, value_name = "<number>[<unit>]")]
    pub memory_reservation: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long, allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Tune container memory swappiness (0 to 100, or -1 for system default)
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub memory_swappiness: i64,
    /// The container
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `container checkpoint`.
#[derive(Debug, Clone, Args)]
pub struct CheckpointArgs {
    /// Checkpoint all running containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Select compression algorithm (gzip, none, zstd) for checkpoint archive.
    #[arg(short = 'c', long, default_value = "zstd")]
    pub compress: String,
    /// Create checkpoint image with specified name
    #[arg(long)]
    pub create_image: Option<String>,
    /// Export the checkpoint image to a tar.gz
    #[arg(short = 'e', long)]
    pub export: Option<PathBuf>,
    /// Checkpoint a container with file locks
    #[arg(long)]
    pub file_locks: bool,
    /// Do not include root file-system changes when exporting
    #[arg(long)]
    pub ignore_rootfs: bool,
    /// Do not export volumes associated with container
    #[arg(long)]
    pub ignore_volumes: bool,
    /// Keep all temporary checkpoint files
    #[arg(short = 'k', long)]
    pub keep: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Leave the container running after writing checkpoint to disk
    #[arg(short = 'R', long)]
    pub leave_running: bool,
    /// Dump container's memory information only, leave the container running
    #[arg(short = 'P', long)]
    pub pre_checkpoint: bool,
    /// Display checkpoint statistics
    #[arg(long)]
    pub print_stats: bool,
    /// Checkpoint a container with established TCP connections
    #[arg(long)]
    pub tcp_established: bool,
    /// Checkpoint container with pre-checkpoint images
    #[arg(long)]
    pub with_previous: bool,
    /// The containers
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `container restore`.
#[derive(Debug, Clone, Args)]
pub struct RestoreArgs {
    /// Restore all checkpointed containers
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Restore a container with file locks
    #[arg(long)]
    pub file_locks: bool,
    /// Do not apply root file-system changes when importing from exported checkpoint
    #[arg(long)]
    pub ignore_rootfs: bool,
    /// Ignore IP address set via --static-ip
    #[arg(long)]
    pub ignore_static_ip: bool,
    /// Ignore MAC address set via --mac-address
    #[arg(long)]
    pub ignore_static_mac: bool,
    /// Do not export volumes associated with container
    #[arg(long)]
    pub ignore_volumes: bool,
    /// Restore from exported checkpoint archive (tar.gz)
    #[arg(short = 'i', long)]
    pub import: Option<PathBuf>,
    /// Restore from exported pre-checkpoint archive (tar.gz)
    #[arg(long)]
    pub import_previous: Option<PathBuf>,
    /// Keep all temporary checkpoint files
    #[arg(short = 'k', long)]
    pub keep: bool,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Specify new name for container restored from exported checkpoint (only works with image or --import)
    #[arg(short = 'n', long)]
    pub name: Option<String>,
    /// Restore container into existing Pod (only works with image or --import)
    #[arg(long)]
    pub pod: Option<String>,
    /// Display restore statistics
    #[arg(long)]
    pub print_stats: bool,
    /// Publish a container's port, or a range of ports, to the host
    #[arg(short = 'p', long)]
    pub publish: Vec<String>,
    /// Restore a container with established TCP connections
    #[arg(long)]
    pub tcp_established: bool,
    /// The containers
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `container runlabel`.
#[derive(Debug, Clone, Args)]
pub struct RunlabelArgs {
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long)]
    pub authfile: Option<PathBuf>,
    /// Pathname of a directory containing TLS certificates and keys
    #[arg(long, value_name = "Pathname")]
    pub cert_dir: Option<PathBuf>,
    /// Credentials (USERNAME:PASSWORD) to use for authenticating to a registry
    #[arg(long, value_name = "Credentials")]
    pub creds: Option<String>,
    /// Preview the command that the label would run
    #[arg(long)]
    pub display: bool,
    /// Assign a name to the container
    #[arg(short = 'n', long)]
    pub name: Option<String>,
    /// Suppress output information when installing images
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Replace existing container with a new one from the image
    #[arg(long)]
    pub replace: bool,
    /// Require HTTPS and verify certificates when contacting registries
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub tls_verify: bool,
    /// The label
    #[arg(value_name = "LABEL")]
    pub label: String,
    /// The image
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Words appended to the label's command
    #[arg(
        value_name = "ARG",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub args: Vec<String>,
}

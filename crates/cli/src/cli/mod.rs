//! The clap command tree: podman's commands, flags, short flags, aliases
//! and defaults, one file per command group.
//!
//! Parsing only produces these argument structs; [`crate::opts`] turns
//! them into the typed options the runtime takes.

// The doc comments double as `--help` text and quote podman's, which uses
// `<number>[<unit>]` and `label=<key>=<value>`: not rustdoc links or HTML.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

pub mod container;
pub mod container_fs;
pub mod generate;
pub mod healthcheck;
pub mod image;
pub mod image_extra;
pub mod manifest;
pub mod network;
pub mod pod;
pub mod registry;
pub mod run;
pub mod run_more;
pub mod secret;
pub mod system;
pub mod unsupported;
pub mod volume;

use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;

pub use container::*;
pub use container_fs::*;
pub use generate::*;
pub use healthcheck::*;
pub use image::*;
pub use image_extra::*;
pub use manifest::*;
pub use network::*;
pub use pod::*;
pub use registry::*;
pub use run::*;
pub use secret::*;
pub use system::*;
pub use volume::*;

/// `berth`: manage pods, containers and images.
#[derive(Debug, Parser)]
#[command(
    name = "berth",
    about = "Manage pods, containers and images",
    long_about = "Manage pods, containers and images.\n\nberth is a daemonless container engine with podman's commands, flags and exit codes.",
    version = concat!("version ", env!("CARGO_PKG_VERSION")),
    disable_version_flag = true,
    subcommand_required = true,
    arg_required_else_help = true,
    max_term_width = 100,
    args_override_self = true
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalOptions,

    /// Print the version and exit.
    #[arg(short = 'v', long = "version", action = ArgAction::Version)]
    pub version: Option<bool>,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// podman's global options. Each may also be given after the command.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global Options")]
pub struct GlobalOptions {
    /// Path to the root directory in which data, including images, is stored
    #[arg(long, global = true, value_name = "PATH")]
    pub root: Option<PathBuf>,

    /// Path to the 'run directory' where all state information is stored
    #[arg(long, global = true, value_name = "PATH")]
    pub runroot: Option<PathBuf>,

    /// Path to default mounts file (podman's mounts.conf; hidden, as in podman)
    #[arg(long, global = true, value_name = "PATH", hide = true)]
    pub default_mounts_file: Option<PathBuf>,

    /// Path of the berth configuration file (TOML, libpod.conf keys)
    #[arg(long, global = true, value_name = "FILE", env = "BERTH_CONFIG")]
    pub config: Option<PathBuf>,

    /// Set the libpod namespace, used to create separate views of the containers and pods on the system
    #[arg(long, global = true, value_name = "NAME")]
    pub namespace: Option<String>,

    /// Path to the OCI-compatible binary used to run containers (or its name: runc, crun)
    #[arg(long, global = true, value_name = "PATH")]
    pub runtime: Option<String>,

    /// Path of the conmon binary
    #[arg(long, global = true, value_name = "PATH")]
    pub conmon: Option<PathBuf>,

    /// Cgroup manager to use
    #[arg(long, global = true, value_parser = ["cgroupfs", "systemd"])]
    pub cgroup_manager: Option<String>,

    /// Select which storage driver is used to manage storage of images and containers
    #[arg(long, global = true, value_parser = ["overlay", "vfs"])]
    pub storage_driver: Option<String>,

    /// Path to the tmp directory for libpod state content
    #[arg(long, global = true, value_name = "PATH")]
    pub tmpdir: Option<PathBuf>,

    /// Path of the configuration directory for CNI networks
    #[arg(long, global = true, value_name = "PATH", alias = "network-config-dir")]
    pub cni_config_dir: Option<PathBuf>,

    /// Set the OCI hooks directory path (may be set multiple times)
    #[arg(long, global = true, value_name = "PATH")]
    pub hooks_dir: Vec<PathBuf>,

    /// Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic)
    #[arg(long, global = true, default_value = "warn", value_name = "LEVEL")]
    pub log_level: String,

    /// Events backend to use ("file"|"journald"|"none")
    // Not given: containers.conf's `engine.events_logger`, else file.
    #[arg(long, global = true, value_name = "BACKEND")]
    pub events_backend: Option<String>,

    /// Path to the command for configuring the network
    #[arg(long, global = true, value_name = "PATH")]
    pub network_cmd_path: Option<PathBuf>,

    /// do not output to stdout
    #[arg(long, global = true)]
    pub noout: bool,

    /// add global flags for the container runtime
    #[arg(long, global = true, value_name = "FLAG", allow_hyphen_values = true)]
    pub runtime_flag: Vec<String>,

    /// Used to pass an option to the storage driver
    #[arg(long, global = true, value_name = "OPTION")]
    pub storage_opt: Vec<String>,

    /// Output logging information to syslog as well as the console
    #[arg(long, global = true)]
    pub syslog: bool,

    /// Path to the volume directory in which volume data is stored
    #[arg(long, global = true, value_name = "PATH")]
    pub volumepath: Option<PathBuf>,

    /// podman's remote-client flags (berth has no service yet; refused).
    #[command(flatten)]
    pub remote: RemoteOptions,
}

/// podman's flags for talking to a podman service. berth has no service
/// yet, so each is refused by name when given. They are taken before the
/// command only (`-c` is `run`'s `--cpu-shares`).
#[derive(Debug, Clone, Default, Args)]
pub struct RemoteOptions {
    /// Connection to use for remote berth service; not supported yet
    #[arg(short = 'c', long, value_name = "NAME")]
    pub connection: Option<String>,
    /// path to SSH identity file; not supported yet
    #[arg(long, value_name = "PATH")]
    pub identity: Option<PathBuf>,
    /// Access remote berth service; not supported yet
    #[arg(short = 'r', long)]
    pub remote: bool,
    /// define the ssh mode ("golang"|"native"); not supported yet
    #[arg(long, value_name = "MODE")]
    pub ssh: Option<String>,
    /// URL to access berth service; not supported yet
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

impl RemoteOptions {
    /// The first remote flag that was given, by its long name.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            ("connection", self.connection.is_some()),
            ("identity", self.identity.is_some()),
            ("remote", self.remote),
            ("ssh", self.ssh.is_some()),
            ("url", self.url.is_some()),
        ]
        .into_iter()
        .find(|(_, g)| *g)
        .map(|(f, _)| f)
    }
}

/// The top-level commands, as podman names them.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Attach to a running container
    Attach(AttachArgs),
    /// Create new image based on the changed container
    Commit(CommitArgs),
    /// Manage containers
    Container {
        /// The container command.
        #[command(subcommand)]
        command: ContainerCommand,
    },
    /// Copy files/folders between a container and the local filesystem
    Cp(CpArgs),
    /// Create but do not start a container
    Create(CreateArgs),
    /// Display the changes to the object's file system
    Diff(DiffArgs),
    /// Show berth events
    Events(EventsArgs),
    /// Run a process in a running container
    Exec(ExecArgs),
    /// Manage health checks on containers
    Healthcheck {
        /// The healthcheck command.
        #[command(subcommand)]
        command: HealthcheckCommand,
    },
    /// Export container's filesystem contents as a tar archive
    Export(ExportArgs),
    /// Generate structured data based on containers, pods or volumes
    Generate {
        /// The generate command.
        #[command(subcommand)]
        command: GenerateCommand,
    },
    /// Show history of a specified image
    History(HistoryArgs),
    /// Manage images
    Image {
        /// The image command.
        #[command(subcommand)]
        command: ImageCommand,
    },
    /// List images in local storage
    Images(ImageListArgs),
    /// Import a tarball to create a filesystem image
    Import(ImportArgs),
    /// Display berth system information
    Info(InfoArgs),
    /// Initialize one or more containers
    Init(InitArgs),
    /// Display the configuration of object denoted by ID
    Inspect(InspectArgs),
    /// Kill one or more running containers with a specific signal
    Kill(KillArgs),
    /// Load image(s) from a tar archive
    Load(LoadArgs),
    /// Log in to a container registry
    Login(LoginArgs),
    /// Log out of a container registry
    Logout(LogoutArgs),
    /// Fetch the logs of one or more containers
    Logs(LogsArgs),
    /// Manipulate manifest lists and image indexes
    Manifest {
        /// The manifest command.
        #[command(subcommand)]
        command: ManifestCommand,
    },
    /// Mount a working container's root filesystem
    Mount(MountArgs),
    /// Manage networks
    Network {
        /// The network command.
        #[command(subcommand)]
        command: NetworkCommand,
    },
    /// Pause all the processes in one or more containers
    Pause(PauseArgs),
    /// Manage pods
    Pod {
        /// The pod command.
        #[command(subcommand)]
        command: PodCommand,
    },
    /// List port mappings or a specific mapping for the container
    Port(PortArgs),
    /// List containers
    Ps(PsArgs),
    /// Pull an image from a registry
    Pull(PullArgs),
    /// Push an image to a specified destination
    Push(PushArgs),
    /// Restart one or more containers
    Restart(RestartArgs),
    /// Rename an existing container
    Rename(RenameArgs),
    /// Remove one or more containers
    Rm(RmArgs),
    /// Removes one or more images from local storage
    Rmi(ImageRmArgs),
    /// Run a command in a new container
    Run(RunArgs),
    /// Save image(s) to an archive
    Save(SaveArgs),
    /// Search registry for image
    Search(SearchArgs),
    /// Start one or more containers
    Start(StartArgs),
    /// Display a live stream of container resource usage statistics
    Stats(StatsArgs),
    /// Stop one or more containers
    Stop(StopArgs),
    /// Manage berth
    System {
        /// The system command.
        #[command(subcommand)]
        command: SystemCommand,
    },
    /// Add an additional name to a local image
    Tag(TagArgs),
    /// Display the running processes of a container
    Top(TopArgs),
    /// Unmounts working container's root filesystem
    #[command(visible_alias = "umount")]
    Unmount(UnmountArgs),
    /// Unpause the processes in one or more containers
    Unpause(UnpauseArgs),
    /// Update an existing container
    Update(UpdateArgs),
    /// Remove a name from a local image
    Untag(UntagArgs),
    /// Manage secrets
    Secret {
        /// The secret command.
        #[command(subcommand)]
        command: SecretCommand,
    },
    /// Display the berth version information
    Version(VersionArgs),
    /// Manage volumes
    Volume {
        /// The volume command.
        #[command(subcommand)]
        command: VolumeCommand,
    },
    /// Block on one or more containers
    Wait(WaitArgs),
}

/// A parsed command with the top-level shortcuts folded into their group
/// (`ps` is `container list`, `rmi` is `image rm`, `info` is
/// `system info`), so the dispatcher handles each operation once.
#[allow(clippy::large_enum_variant)] // built once per process
#[derive(Debug)]
pub enum Group {
    /// A container command.
    Container(ContainerCommand),
    /// An image command.
    Image(ImageCommand),
    /// A pod command.
    Pod(PodCommand),
    /// A generate command.
    Generate(GenerateCommand),
    /// A volume command.
    Volume(VolumeCommand),
    /// A secret command.
    Secret(SecretCommand),
    /// A network command.
    Network(NetworkCommand),
    /// A healthcheck command.
    Healthcheck(HealthcheckCommand),
    /// A registry command (`pull`, `push`, `login`, `logout`).
    Registry(RegistryCommand),
    /// A system command.
    System(SystemCommand),
    /// A manifest list command.
    Manifest(ManifestCommand),
    /// `inspect` of any object type.
    Inspect(InspectArgs),
    /// `events`.
    Events(EventsArgs),
    /// `version`.
    Version(VersionArgs),
}

impl Command {
    /// Folds top-level shortcuts into their group.
    pub fn into_group(self) -> Group {
        use ContainerCommand as C;
        match self {
            Self::Attach(a) => Group::Container(C::Attach(a)),
            Self::Commit(a) => Group::Container(C::Commit(a)),
            Self::Container { command } => Group::Container(command),
            Self::Diff(mut a) => {
                a.kind = DiffKind::Any;
                Group::Container(C::Diff(a))
            }
            Self::Export(a) => Group::Container(C::Export(a)),
            Self::Init(a) => Group::Container(C::Init(a)),
            Self::Rename(a) => Group::Container(C::Rename(a)),
            Self::Update(a) => Group::Container(C::Update(a)),
            Self::Cp(a) => Group::Container(C::Cp(a)),
            Self::Create(a) => Group::Container(C::Create(a)),
            Self::Events(a) => Group::Events(a),
            Self::Exec(a) => Group::Container(C::Exec(a)),
            Self::Healthcheck { command } => Group::Healthcheck(command),
            Self::Generate { command } => Group::Generate(command),
            Self::History(a) => Group::Image(ImageCommand::History(a)),
            Self::Image { command } => command.into_group(),
            Self::Images(a) => Group::Image(ImageCommand::List(a)),
            Self::Import(a) => Group::Image(ImageCommand::Import(a)),
            Self::Info(a) => Group::System(SystemCommand::Info(a)),
            Self::Inspect(a) => Group::Inspect(a),
            Self::Kill(a) => Group::Container(C::Kill(a)),
            Self::Load(a) => Group::Image(ImageCommand::Load(a)),
            Self::Login(a) => Group::Registry(RegistryCommand::Login(a)),
            Self::Logout(a) => Group::Registry(RegistryCommand::Logout(a)),
            Self::Logs(a) => Group::Container(C::Logs(a)),
            Self::Mount(a) => Group::Container(C::Mount(a)),
            Self::Network { command } => Group::Network(command),
            Self::Pause(a) => Group::Container(C::Pause(a)),
            Self::Pod { command } => Group::Pod(command),
            Self::Port(a) => Group::Container(C::Port(a)),
            Self::Ps(a) => Group::Container(C::List(a)),
            Self::Pull(a) => Group::Registry(RegistryCommand::Pull(a)),
            Self::Push(a) => Group::Registry(RegistryCommand::Push(a)),
            Self::Restart(a) => Group::Container(C::Restart(a)),
            Self::Rm(a) => Group::Container(C::Rm(a)),
            Self::Rmi(a) => Group::Image(ImageCommand::Rm(a)),
            Self::Run(a) => Group::Container(C::Run(a)),
            Self::Manifest { command } => Group::Manifest(command),
            Self::Save(a) => Group::Image(ImageCommand::Save(a)),
            Self::Search(a) => Group::Image(ImageCommand::Search(a)),
            Self::Start(a) => Group::Container(C::Start(a)),
            Self::Stats(a) => Group::Container(C::Stats(a)),
            Self::Stop(a) => Group::Container(C::Stop(a)),
            Self::System { command } => Group::System(command),
            Self::Tag(a) => Group::Image(ImageCommand::Tag(a)),
            Self::Top(a) => Group::Container(C::Top(a)),
            Self::Unmount(a) => Group::Container(C::Unmount(a)),
            Self::Unpause(a) => Group::Container(C::Unpause(a)),
            Self::Untag(a) => Group::Image(ImageCommand::Untag(a)),
            Self::Version(a) => Group::Version(a),
            Self::Volume { command } => Group::Volume(command),
            Self::Secret { command } => Group::Secret(command),
            Self::Wait(a) => Group::Container(C::Wait(a)),
        }
    }
}

/// `--format` for commands that print one object (`info`, `version`,
/// `inspect`).
#[derive(Debug, Clone, Default, Args)]
pub struct FormatArg {
    /// Change the output format to JSON or a Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

/// `version`.
#[derive(Debug, Clone, Default, Args)]
pub struct VersionArgs {
    /// Change the output format to JSON or a Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

/// `inspect` of any object.
#[derive(Debug, Clone, Args)]
pub struct InspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
    /// Act on the latest container berth is aware of
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Display total file size
    #[arg(short = 's', long)]
    pub size: bool,
    /// Specify inspect-object type
    #[arg(short = 't', long = "type", default_value = "all",
          value_parser = ["all", "container", "image", "pod", "network", "volume"])]
    pub kind: String,
    /// Objects to inspect
    #[arg(value_name = "NAME", required_unless_present = "latest")]
    pub names: Vec<String>,
}

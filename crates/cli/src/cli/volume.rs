//! Volume commands: `berth volume ...`.

use clap::{Args, Subcommand};

/// `berth volume` subcommands.
#[derive(Debug, Subcommand)]
pub enum VolumeCommand {
    /// Create a new volume
    Create(VolumeCreateArgs),
    /// Volume exists
    Exists(VolumeNameArg),
    /// Export volumes
    Export(VolumeExportArgs),
    /// Import a tarball contents into a podman volume
    Import(VolumeImportArgs),
    /// Display detailed information on one or more volumes
    Inspect(VolumeInspectArgs),
    /// List volumes
    #[command(visible_alias = "list")]
    Ls(VolumeLsArgs),
    /// Mount volume
    Mount(VolumeNameArg),
    /// Remove all unused volumes
    Prune(VolumePruneArgs),
    /// Reload all volumes from volume plugins
    Reload,
    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(VolumeRmArgs),
    /// Unmount volume
    Unmount(VolumeNameArg),
}

/// `volume exists`, `volume mount`, `volume unmount`: one volume.
#[derive(Debug, Clone, Args)]
pub struct VolumeNameArg {
    /// The volume
    #[arg(value_name = "VOLUME")]
    pub name: String,
}

/// `volume export`.
#[derive(Debug, Clone, Args)]
pub struct VolumeExportArgs {
    /// Write to a specified file (default: stdout, which must be redirected)
    #[arg(short = 'o', long, default_value = "/dev/stdout")]
    pub output: String,
    /// The volume
    #[arg(value_name = "VOLUME")]
    pub name: String,
}

/// `volume import`.
#[derive(Debug, Clone, Args)]
pub struct VolumeImportArgs {
    /// The volume
    #[arg(value_name = "VOLUME")]
    pub name: String,
    /// The tar file (plain, gzip or zstd), `-` for stdin
    #[arg(value_name = "SOURCE")]
    pub source: String,
}

/// `volume create`.
#[derive(Debug, Clone, Args)]
pub struct VolumeCreateArgs {
    /// Specify volume driver name
    #[arg(long, default_value = "local", value_parser = ["local"])]
    pub driver: String,
    /// Set metadata for a volume
    #[arg(short = 'l', long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Set driver specific options
    #[arg(short = 'o', long, value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    /// The volume's name (random when omitted)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,
}

/// `volume inspect`.
#[derive(Debug, Clone, Args)]
pub struct VolumeInspectArgs {
    /// Inspect all volumes
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Format volume output using Go template
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
    /// Volumes
    #[arg(value_name = "VOLUME", required_unless_present = "all")]
    pub volumes: Vec<String>,
}

/// `volume ls`.
#[derive(Debug, Clone, Args)]
pub struct VolumeLsArgs {
    /// Filter volume output
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Format volume output using Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,
    /// Print volume output in quiet mode
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `volume prune`.
#[derive(Debug, Clone, Args)]
pub struct VolumePruneArgs {
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long)]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

/// `volume rm`.
#[derive(Debug, Clone, Args)]
pub struct VolumeRmArgs {
    /// Remove all volumes
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Remove a volume by force, even if it is being used by a container
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Seconds to wait for running containers to stop before killing the container
    #[arg(short = 't', long, default_value_t = 10)]
    pub time: u64,
    /// Volumes
    #[arg(value_name = "VOLUME", required_unless_present = "all")]
    pub volumes: Vec<String>,
}

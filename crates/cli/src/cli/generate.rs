//! Generate commands: `berth generate ...` (`systemd`; `kube` is not there yet).

use clap::{Args, Subcommand};

/// `berth generate` subcommands.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Generate systemd units
    Systemd(GenerateSystemdArgs),
}

/// `generate systemd`.
#[derive(Debug, Clone, Args)]
pub struct GenerateSystemdArgs {
    /// Add dependencies order to the generated unit file
    #[arg(long)]
    pub after: Vec<String>,
    /// Systemd unit name prefix for containers
    #[arg(long, default_value = "container")]
    pub container_prefix: String,
    /// Set environment variables to the systemd unit files
    #[arg(short = 'e', long)]
    pub env: Vec<String>,
    /// Generate .service files instead of printing to stdout
    #[arg(short = 'f', long)]
    pub files: bool,
    /// Print the created units in specified format (json)
    #[arg(long, value_parser = ["json"])]
    pub format: Option<String>,
    /// Use container/pod names instead of IDs
    #[arg(short = 'n', long)]
    pub name: bool,
    /// Create a new container or pod instead of starting an existing one
    #[arg(long)]
    pub new: bool,
    /// Skip header generation
    #[arg(long)]
    pub no_header: bool,
    /// Systemd unit name prefix for pods
    #[arg(long, default_value = "pod")]
    pub pod_prefix: String,
    /// Similar to wants, but declares stronger requirement dependencies
    #[arg(long)]
    pub requires: Vec<String>,
    /// Systemd restart-policy
    #[arg(long, default_value = "on-failure")]
    pub restart_policy: String,
    /// Systemd restart-sec
    #[arg(long)]
    pub restart_sec: Option<u64>,
    /// Systemd unit name separator between name/id and prefix
    #[arg(long, default_value = "-")]
    pub separator: String,
    /// Start timeout override
    #[arg(long)]
    pub start_timeout: Option<u64>,
    /// Stop timeout override
    #[arg(long, default_value_t = 10)]
    pub stop_timeout: u64,
    /// Make it a template file and use %i and %I specifiers. Working only for containers
    #[arg(long)]
    pub template: bool,
    /// Add (weak) requirement dependencies to the generated unit file
    #[arg(long)]
    pub wants: Vec<String>,
    /// The container or pod
    #[arg(value_name = "CTR|POD")]
    pub target: String,
}

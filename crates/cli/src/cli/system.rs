//! System commands: `berth system ...` and `info`.

use clap::{ArgAction, Args, Subcommand};

/// `berth system` subcommands.
#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Check state and storage consistency, and repair with --repair
    Check(SystemCheckArgs),
    /// Show berth disk usage
    Df(SystemDfArgs),
    /// Display berth system information
    Info(InfoArgs),
    /// Remove unused data
    Prune(SystemPruneArgs),
    /// Refresh container state after a reboot
    Refresh,
    /// Reset berth storage: remove every container, pod, image, volume and network berth made
    Reset(SystemResetArgs),
}

/// `events`, `system events`.
#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// filter output
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// format the output using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// do not truncate the output
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub no_trunc: bool,
    /// show all events created since timestamp
    #[arg(long)]
    pub since: Option<String>,
    /// stream new events; for testing only
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", hide = true)]
    pub stream: bool,
    /// show all events until timestamp
    #[arg(long)]
    pub until: Option<String>,
}

/// `info`, `system info`.
#[derive(Debug, Clone, Args)]
pub struct InfoArgs {
    /// Change the output format to JSON or a Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

/// `system check`.
#[derive(Debug, Clone, Args)]
pub struct SystemCheckArgs {
    /// Remove inconsistent containers and images even when they are in use
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Skip time-consuming checks (layer contents)
    #[arg(short = 'q', long)]
    pub quick: bool,
    /// Remove inconsistent images and containers
    #[arg(short = 'r', long)]
    pub repair: bool,
}

/// `system df`.
#[derive(Debug, Clone, Args)]
pub struct SystemDfArgs {
    /// Pretty-print images using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Show detailed information on disk usage
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

/// `system prune`.
#[derive(Debug, Clone, Args)]
pub struct SystemPruneArgs {
    /// Remove all unused data
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long)]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Prune volumes
    #[arg(long)]
    pub volumes: bool,
}

/// `system reset`.
#[derive(Debug, Clone, Args)]
pub struct SystemResetArgs {
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

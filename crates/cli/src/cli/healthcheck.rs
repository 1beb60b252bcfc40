//! Healthcheck commands: `berth healthcheck ...`.

use clap::{Args, Subcommand};

/// `berth healthcheck` subcommands.
#[derive(Debug, Subcommand)]
pub enum HealthcheckCommand {
    /// run the health check of a container
    Run(HealthcheckRunArgs),
    /// The scheduler `start` spawns: runs the container's healthcheck every interval until
    /// it stops (not a user command)
    #[command(hide = true)]
    Scheduler(HealthcheckRunArgs),
}

/// `healthcheck run CONTAINER`.
#[derive(Debug, Clone, Args)]
pub struct HealthcheckRunArgs {
    /// The container (name or id)
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

//! Secret commands: `berth secret ...`.

use clap::{Args, Subcommand};

/// `berth secret` subcommands.
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create a new secret
    Create(SecretCreateArgs),
    /// Inspect a secret
    Inspect(SecretInspectArgs),
    /// List secrets
    #[command(visible_alias = "list")]
    Ls(SecretLsArgs),
    /// Remove one or more secrets
    Rm(SecretRmArgs),
}

/// `secret create`.
#[derive(Debug, Clone, Args)]
pub struct SecretCreateArgs {
    /// Specify secret driver
    #[arg(short = 'd', long, default_value = "file")]
    pub driver: String,
    /// Specify driver specific options
    #[arg(long = "driver-opts", value_delimiter = ',', value_name = "KEY=VALUE")]
    pub driver_opts: Vec<String>,
    /// Read secret data from environment variable
    #[arg(long)]
    pub env: bool,
    /// Specify labels on the secret
    #[arg(short = 'l', long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// The secret's name
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The file holding the data, `-` for stdin (with --env: the variable's name)
    #[arg(value_name = "FILE")]
    pub source: String,
}

/// `secret inspect`.
#[derive(Debug, Clone, Args)]
pub struct SecretInspectArgs {
    /// Format inspect output using Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Print inspect output in human-readable format
    #[arg(long)]
    pub pretty: bool,
    /// Secrets
    #[arg(value_name = "SECRET", required = true)]
    pub secrets: Vec<String>,
}

/// `secret ls`.
#[derive(Debug, Clone, Args)]
pub struct SecretLsArgs {
    /// Filter secret output
    #[arg(short = 'f', long, value_delimiter = ',')]
    pub filter: Vec<String>,
    /// Format volume output using Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,
    /// Print secret IDs only
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `secret rm`.
#[derive(Debug, Clone, Args)]
pub struct SecretRmArgs {
    /// Remove all secrets
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Secrets
    #[arg(value_name = "SECRET")]
    pub secrets: Vec<String>,
}

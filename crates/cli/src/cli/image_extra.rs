//! `image mount`, `image unmount`, `image tree` and `search`/`image search`.

use clap::{ArgAction, Args};
use std::path::PathBuf;

/// `image mount`.
#[derive(Debug, Clone, Args)]
pub struct ImageMountArgs {
    /// Mount all images
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Print the mounted images in specified format (json)
    #[arg(long)]
    pub format: Option<String>,
    /// Images to mount; none lists the mounted images
    #[arg(value_name = "IMAGE")]
    pub images: Vec<String>,
}

/// `image unmount`.
#[derive(Debug, Clone, Args)]
pub struct ImageUnmountArgs {
    /// Unmount all of the currently mounted images
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Force the complete unmount of the specified mounted images
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Images to unmount
    #[arg(value_name = "IMAGE")]
    pub images: Vec<String>,
}

/// `image tree`.
#[derive(Debug, Clone, Args)]
pub struct ImageTreeArgs {
    /// Show all child images and layers of the specified image
    #[arg(long)]
    pub whatrequires: bool,
    /// The image
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `search`, `image search`.
#[derive(Debug, Clone, Args)]
pub struct SearchArgs {
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// List stars, official and automated columns (Docker compatibility)
    #[arg(long)]
    pub compatible: bool,
    /// Filter output based on conditions provided (default [])
    #[arg(short = 'f', long, value_delimiter = ',')]
    pub filter: Vec<String>,
    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Limit the number of results
    #[arg(long, default_value_t = 0)]
    pub limit: i64,
    /// List the tags of the input registry
    #[arg(long)]
    pub list_tags: bool,
    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,
    /// Require HTTPS and verify certificates when contacting registries (default true)
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub tls_verify: Option<bool>,
    /// The search term: `registry/term`, or a term searched in every search registry
    #[arg(value_name = "TERM")]
    pub term: String,
}

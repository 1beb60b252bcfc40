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

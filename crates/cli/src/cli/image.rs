//! Image commands: `berth image ...`, `images`, `rmi`, `import`, `load`,
//! `save`, `tag`, `untag`, `history`; `image pull` and `image push` are
//! folded into the registry commands.

use clap::{ArgAction, Args, Subcommand};
use std::path::PathBuf;

/// `berth image` subcommands.
#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Inspect changes to the image's file systems
    Diff(crate::cli::ImageDiffArgs),
    /// Check if an image exists in local storage
    Exists(ImageExistsArgs),
    /// Show history of a specified image
    History(HistoryArgs),
    /// Import a tarball to create a filesystem image
    Import(ImportArgs),
    /// Display the configuration of an image
    Inspect(ImageInspectArgs),
    /// List images in local storage
    #[command(visible_alias = "ls")]
    List(ImageListArgs),
    /// Load image(s) from a tar archive
    Load(LoadArgs),
    /// Mount an image's root filesystem
    Mount(crate::cli::ImageMountArgs),
    /// Remove unused images
    Prune(ImagePruneArgs),
    /// Pull an image from a registry
    Pull(crate::cli::PullArgs),
    /// Push an image to a specified destination
    Push(crate::cli::PushArgs),
    /// Removes one or more images from local storage
    Rm(ImageRmArgs),
    /// Save image(s) to an archive
    Save(SaveArgs),
    /// Search registry for image
    Search(crate::cli::SearchArgs),
    /// Add an additional name to a local image
    Tag(TagArgs),
    /// Prints layer hierarchy of an image in a tree format
    Tree(crate::cli::ImageTreeArgs),
    /// Unmount an image's root filesystem
    #[command(visible_alias = "umount")]
    Unmount(crate::cli::ImageUnmountArgs),
    /// Remove a name from a local image
    Untag(UntagArgs),
}

impl ImageCommand {
    /// `image pull` and `image push` are registry commands.
    pub fn into_group(self) -> crate::cli::Group {
        use crate::cli::{Group, RegistryCommand};
        match self {
            Self::Pull(a) => Group::Registry(RegistryCommand::Pull(a)),
            Self::Push(a) => Group::Registry(RegistryCommand::Push(a)),
            Self::Diff(a) => Group::Container(crate::cli::ContainerCommand::Diff(a.into())),
            c => Group::Image(c),
        }
    }
}

/// `image exists`.
#[derive(Debug, Clone, Args)]
pub struct ImageExistsArgs {
    /// The image
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `history`, `image history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Change the output to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Display sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true")]
    pub human: bool,
    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,
    /// Display the numeric IDs only
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// The image
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Set the architecture of the imported image
    #[arg(long)]
    pub arch: Option<String>,
    /// Apply the following possible instructions to the created image: CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR
    #[arg(short = 'c', long, value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Set commit message for imported image
    #[arg(short = 'm', long)]
    pub message: Option<String>,
    /// Set the OS of the imported image
    #[arg(long)]
    pub os: Option<String>,
    /// Suppress output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Set the variant of the imported image
    #[arg(long)]
    pub variant: Option<String>,
    /// The tarball (a path, or - for stdin)
    #[arg(value_name = "PATH")]
    pub path: String,
    /// The name of the new image
    #[arg(value_name = "REFERENCE")]
    pub reference: Option<String>,
}

/// `image inspect`.
#[derive(Debug, Clone, Args)]
pub struct ImageInspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
    /// Images
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `images`, `image list`.
#[derive(Debug, Clone, Args)]
pub struct ImageListArgs {
    /// Show all images (default hides intermediate images)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Filter output based on conditions provided
    #[arg(short = 'f', long)]
    pub filter: Vec<String>,
    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Display the image name history
    #[arg(long)]
    pub history: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Do not print column headings
    #[arg(short = 'n', long)]
    pub noheading: bool,
    /// Display only image IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Sort by created, id, repository, size, tag
    #[arg(long, default_value = "created", value_parser = ["created", "id", "repository", "size", "tag"])]
    pub sort: String,
    /// Only images matching this name
    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,
}

/// `load`.
#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Read from specified archive file (default: stdin)
    #[arg(short = 'i', long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Suppress the output
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `image prune`.
#[derive(Debug, Clone, Args)]
pub struct ImagePruneArgs {
    /// Remove all images not in use by containers, not just dangling ones
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Remove images even when they are used by external containers
    #[arg(long)]
    pub external: bool,
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long)]
    pub filter: Vec<String>,
    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

/// `rmi`, `image rm`.
#[derive(Debug, Clone, Args)]
pub struct ImageRmArgs {
    /// Remove all images
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Force Removal of the image
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Ignore errors if a specified image does not exist
    #[arg(short = 'i', long)]
    pub ignore: bool,
    /// Do not remove dangling images
    #[arg(long)]
    pub no_prune: bool,
    /// Images
    #[arg(value_name = "IMAGE", required_unless_present = "all")]
    pub images: Vec<String>,
}

/// `save`.
#[derive(Debug, Clone, Args)]
pub struct SaveArgs {
    /// Compress tarball image layers when saving to a directory using the 'dir' transport
    #[arg(long)]
    pub compress: bool,
    /// Save image to oci-archive, oci-dir, docker-archive, docker-dir
    #[arg(long, default_value = "docker-archive",
          value_parser = ["oci-archive", "oci-dir", "docker-archive", "docker-dir"])]
    pub format: String,
    /// Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)
    #[arg(short = 'm', long)]
    pub multi_image_archive: bool,
    /// Write to a specified file (default: stdout, which must be redirected)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Suppress the output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Accept uncompressed layers when copying OCI images
    #[arg(long)]
    pub uncompressed: bool,
    /// Images
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `tag`.
#[derive(Debug, Clone, Args)]
pub struct TagArgs {
    /// The image
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// New names
    #[arg(value_name = "TARGET_NAME", required = true)]
    pub targets: Vec<String>,
}

/// `untag`.
#[derive(Debug, Clone, Args)]
pub struct UntagArgs {
    /// The image
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Names to remove; none removes all
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

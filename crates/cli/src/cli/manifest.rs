//! `manifest`: manifest lists (Docker manifest lists and OCI indexes).

use clap::{ArgAction, Args, Subcommand};
use std::path::PathBuf;

/// `berth manifest` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum ManifestCommand {
    /// Add images to a manifest list or image index
    Add(ManifestAddArgs),
    /// Add or update information about an entry in a manifest list or image index
    Annotate(ManifestAnnotateArgs),
    /// Create manifest list or image index
    Create(ManifestCreateArgs),
    /// Check if a manifest list exists in local storage
    Exists(ManifestExistsArgs),
    /// Display the contents of a manifest list or image index
    Inspect(ManifestInspectArgs),
    /// Push a manifest list or image index to a registry
    Push(ManifestPushArgs),
    /// Remove an entry from a manifest list or image index
    Remove(ManifestRemoveArgs),
    /// Remove manifest list or image index from local storage
    Rm(ManifestRmArgs),
}

/// The platform and annotation overrides `add` and `annotate` share.
#[derive(Debug, Clone, Default, Args)]
pub struct InstanceFlags {
    /// set an annotation for the specified image
    #[arg(long, value_name = "annotation")]
    pub annotation: Vec<String>,
    /// override the architecture of the specified image
    #[arg(long, value_name = "architecture")]
    pub arch: Option<String>,
    /// override the features of the specified image
    #[arg(long, value_name = "features", value_delimiter = ',')]
    pub features: Vec<String>,
    /// override the OS of the specified image
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// override the OS version of the specified image
    #[arg(long, value_name = "version")]
    pub os_version: Option<String>,
    /// override the Variant of the specified image
    #[arg(long, value_name = "Variant")]
    pub variant: Option<String>,
}

/// `manifest add`.
#[derive(Debug, Clone, Args)]
pub struct ManifestAddArgs {
    /// Overrides.
    #[command(flatten)]
    pub instance: InstanceFlags,
    /// add all of the list's images if the image is a list
    #[arg(long)]
    pub all: bool,
    /// path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// use certificates at the specified path to access the registry
    #[arg(long, value_name = "PATH")]
    pub cert_dir: Option<PathBuf>,
    /// use [username[:password]] for accessing the registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]")]
    pub creds: Option<String>,
    /// require HTTPS and verify certificates when accessing the registry (default true)
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub tls_verify: Option<bool>,
    /// The list
    #[arg(value_name = "LIST")]
    pub list: String,
    /// Images to add (local images; `containers-storage:` may prefix them)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `manifest annotate`.
#[derive(Debug, Clone, Args)]
pub struct ManifestAnnotateArgs {
    /// Overrides.
    #[command(flatten)]
    pub instance: InstanceFlags,
    /// override the OS features of the specified image
    #[arg(long, value_name = "features", value_delimiter = ',')]
    pub os_features: Vec<String>,
    /// The list
    #[arg(value_name = "LIST")]
    pub list: String,
    /// The instance's digest
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `manifest create`.
#[derive(Debug, Clone, Args)]
pub struct ManifestCreateArgs {
    /// add all of the lists' images if the images to add are lists
    #[arg(long)]
    pub all: bool,
    /// modify an existing list if one with the desired name already exists
    #[arg(short = 'a', long)]
    pub amend: bool,
    /// require HTTPS and verify certificates when accessing the registry (default true)
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub tls_verify: Option<bool>,
    /// The list's name
    #[arg(value_name = "LIST")]
    pub list: String,
    /// Images to add
    #[arg(value_name = "IMAGE")]
    pub images: Vec<String>,
}

/// `manifest exists`.
#[derive(Debug, Clone, Args)]
pub struct ManifestExistsArgs {
    /// The list
    #[arg(value_name = "MANIFEST")]
    pub list: String,
}

/// `manifest inspect`.
#[derive(Debug, Clone, Args)]
pub struct ManifestInspectArgs {
    /// The list
    #[arg(value_name = "IMAGE")]
    pub list: String,
}

/// `manifest push`.
#[derive(Debug, Clone, Args)]
pub struct ManifestPushArgs {
    /// also push the images in the list (default true)
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    pub all: bool,
    /// path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// use certificates at the specified path to access the registry
    #[arg(long, value_name = "PATH")]
    pub cert_dir: Option<PathBuf>,
    /// compression format to use
    #[arg(long, value_name = "FORMAT")]
    pub compression_format: Option<String>,
    /// use [username[:password]] for accessing the registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]")]
    pub creds: Option<String>,
    /// after copying the image, write the digest of the resulting digest to the file
    #[arg(long, value_name = "FILE")]
    pub digestfile: Option<PathBuf>,
    /// manifest type (oci or v2s2) to attempt to use when pushing the manifest list (default is manifest type of source)
    #[arg(short = 'f', long, value_name = "TYPE")]
    pub format: Option<String>,
    /// don't output progress information when pushing lists
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// don't copy signatures when pushing images
    #[arg(long)]
    pub remove_signatures: bool,
    /// remove the manifest list if push succeeds
    #[arg(long)]
    pub rm: bool,
    /// sign the image using a GPG key with the specified FINGERPRINT
    #[arg(long, value_name = "FINGERPRINT")]
    pub sign_by: Option<String>,
    /// Sign the image using a sigstore private key at PATH
    #[arg(long, value_name = "PATH")]
    pub sign_by_sigstore_private_key: Option<PathBuf>,
    /// Read a passphrase for signing an image from PATH
    #[arg(long, value_name = "PATH")]
    pub sign_passphrase_file: Option<PathBuf>,
    /// require HTTPS and verify certificates when accessing the registry (default true)
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub tls_verify: Option<bool>,
    /// The list
    #[arg(value_name = "LIST")]
    pub list: String,
    /// Where to push it
    #[arg(value_name = "DESTINATION")]
    pub destination: String,
}

/// `manifest remove`.
#[derive(Debug, Clone, Args)]
pub struct ManifestRemoveArgs {
    /// The list
    #[arg(value_name = "LIST")]
    pub list: String,
    /// The instance's digest
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `manifest rm`.
#[derive(Debug, Clone, Args)]
pub struct ManifestRmArgs {
    /// The lists
    #[arg(value_name = "LIST", required = true)]
    pub lists: Vec<String>,
}

//! Registry commands: `pull`, `push` (also under `image`), `login`,
//! `logout`, and the flags they share with `run`/`create --pull`.

use clap::{ArgAction, Args};
use std::path::PathBuf;

/// Flags every registry command takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct RegistryFlags {
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// Pathname of a directory containing TLS certificates and keys
    #[arg(long, value_name = "PATH")]
    pub cert_dir: Option<PathBuf>,
    /// Require HTTPS and verify certificates when contacting registries (default: registries.conf decides, else true)
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_name = "BOOL")]
    pub tls_verify: Option<bool>,
}

/// `pull`, `image pull`.
#[derive(Debug, Clone, Args)]
pub struct PullArgs {
    /// Registry flags.
    #[command(flatten)]
    pub registry: RegistryFlags,
    /// All tagged images in the repository will be pulled
    #[arg(short = 'a', long)]
    pub all_tags: bool,
    /// Use ARCH instead of the architecture of the machine for choosing images
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,
    /// Credentials (USERNAME:PASSWORD) to use for authenticating to a registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]")]
    pub creds: Option<String>,
    /// This is a Docker specific option and is a NOOP
    #[arg(long)]
    pub disable_content_trust: bool,
    /// Use OS instead of the running OS for choosing images
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// Specify the platform for selecting the image (OS/ARCH[/VARIANT]; conflicts with --arch and --os)
    #[arg(long, conflicts_with_all = ["arch", "os"])]
    pub platform: Option<String>,
    /// Suppress output information when pulling images
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Path of the signature policy file (policy.json)
    #[arg(long, value_name = "PATH", hide = true)]
    pub signature_policy: Option<PathBuf>,
    /// Use VARIANT instead of the running architecture variant for choosing images
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,
    /// Images to pull
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `push`, `image push`.
#[derive(Debug, Clone, Args)]
pub struct PushArgs {
    /// Registry flags.
    #[command(flatten)]
    pub registry: RegistryFlags,
    /// Compress image layers with gzip (layers are pushed as stored otherwise)
    #[arg(long)]
    pub compress: bool,
    /// Credentials (USERNAME:PASSWORD) to use for authenticating to a registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]")]
    pub creds: Option<String>,
    /// Write the digest of the pushed image to the specified file
    #[arg(long, value_name = "FILE")]
    pub digestfile: Option<PathBuf>,
    /// This is a Docker specific option and is a NOOP
    #[arg(long)]
    pub disable_content_trust: bool,
    /// compression format to use (gzip; zstd is not supported yet)
    #[arg(long, value_name = "FORMAT")]
    pub compression_format: Option<String>,
    /// Manifest type (oci, v2s2, or v2s1) to use in the destination (default is manifest type of source)
    #[arg(short = 'f', long, value_name = "TYPE")]
    pub format: Option<String>,
    /// Suppress output information when pushing images
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Discard any pre-existing signatures in the image (berth stores none)
    #[arg(long)]
    pub remove_signatures: bool,
    /// Add a signature at the destination using the specified key
    #[arg(long, value_name = "KEY")]
    pub sign_by: Option<String>,
    /// Sign the image using a sigstore private key at PATH
    #[arg(long, value_name = "PATH")]
    pub sign_by_sigstore_private_key: Option<PathBuf>,
    /// Read a passphrase for signing an image from PATH
    #[arg(long, value_name = "PATH")]
    pub sign_passphrase_file: Option<PathBuf>,
    /// The local image (name or id)
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// Where to push it (default: the image's name); `docker://` may prefix it
    #[arg(value_name = "DESTINATION")]
    pub destination: Option<String>,
}

/// `login`.
#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    /// Registry flags.
    #[command(flatten)]
    pub registry: RegistryFlags,
    /// Return the current login user for the registry
    #[arg(long)]
    pub get_login: bool,
    /// Password for registry
    #[arg(short = 'p', long)]
    pub password: Option<String>,
    /// Take the password from stdin
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
    /// Username for registry
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// Write more detailed information to stdout
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// The registry (host[:port][/namespace])
    #[arg(value_name = "REGISTRY")]
    pub registry_name: String,
}

/// `logout`.
#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    /// Remove the cached credentials for all registries in the auth file
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "PATH")]
    pub authfile: Option<PathBuf>,
    /// The registry (host[:port][/namespace])
    #[arg(
        value_name = "REGISTRY",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub registry_name: Option<String>,
}

/// The registry commands, gathered from the top level and `image`.
#[derive(Debug, Clone)]
pub enum RegistryCommand {
    /// `pull`.
    Pull(PullArgs),
    /// `push`.
    Push(PushArgs),
    /// `login`.
    Login(LoginArgs),
    /// `logout`.
    Logout(LogoutArgs),
}

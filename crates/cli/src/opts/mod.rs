//! Turning flag values into typed options: every parser names the flag and
//! the value it rejects. The structs here are what the runtime calls take.

pub mod create;
pub mod env;
pub mod exec;
pub mod filter;
pub mod global;
pub mod keys;
pub mod kv;
pub mod mounts;
pub mod network;
pub mod pod;
pub mod ports;
pub mod registry;
pub mod resources;
pub mod run_flags;
mod run_limits;
pub use run_limits::parse_throttles;
pub mod security;
pub mod signal;
pub mod targets;
pub mod time;

pub use create::{CreateOptions, ParseContext, Resources, RunOptions, UserSpec};
pub use env::EnvVars;
pub use exec::{CopyLocation, CopyOptions, ExecOptions};
pub use filter::{FilterTarget, Filters, LabelFilter};
pub use kv::{DnsServers, HostEntry};
pub use mounts::ContainerMount;
pub use network::{Namespace, NetworkAttachment, NetworkMode};
pub use pod::PodCreateOptions;
pub use ports::{PortMapping, Protocol};
pub use registry::PullSpec;
pub use resources::{CpuLimit, PidsLimit, Ulimit, Ulimits};
pub use run_flags::{AttachStreams, MoreCreateOptions};
pub use security::{Seccomp, SecurityOptions};
pub use signal::Signal;
pub use targets::Targets;

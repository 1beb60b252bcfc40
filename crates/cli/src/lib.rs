//! The `berth` command line: a podman-compatible front end over
//! berth-runtime.
//!
//! - [`cli`]: the clap command tree (podman's commands, flags, aliases).
//! - [`opts`]: flag values turned into the typed options the runtime takes
//!   ([`opts::CreateOptions`], [`opts::RunOptions`], ...).
//! - [`output`]: `--format` templates, podman's tables, human times/sizes.
//! - [`error`]: exit codes (125/126/127/container's) and `Error:` printing.
//! - [`signals`], [`progress`]: foreground-run signal forwarding, progress
//!   bars on a terminal.
//! - [`prompt`]: podman's confirmations for prune and `system reset`.
//! - [`generate`]: shell completions and man pages, for `cargo xtask`.
//!
//! [`run`] parses and checks every command, then runs it over
//! berth-runtime ([`engine`] turns the global flags into a runtime,
//! [`commands`] holds the handlers).

#![deny(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod dispatch;
pub mod engine;
pub mod error;
pub mod generate;
pub mod opts;
pub mod output;
pub mod progress;
pub mod prompt;
pub mod signals;
pub mod terminal;

pub use dispatch::run;

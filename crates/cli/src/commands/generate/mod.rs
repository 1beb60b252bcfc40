//! The generate commands: `generate systemd`.

mod systemd;

use crate::cli::{GenerateCommand, GlobalOptions};

/// A generate command with its arguments parsed once, before the runtime is opened
/// ([`parse`]); [`run`] acts on it.
#[derive(Debug)]
pub enum Parsed {
    /// `generate systemd`.
    Systemd(systemd::SystemdRequest),
}

/// Parses a generate command: bad input is refused before the runtime opens.
pub fn parse(c: GenerateCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        GenerateCommand::Systemd(a) => Parsed::Systemd(systemd::parse(a)?),
    })
}

/// Runs a parsed generate command; the exit code.
pub fn run(g: &GlobalOptions, p: Parsed) -> anyhow::Result<u8> {
    match p {
        Parsed::Systemd(r) => systemd::run(g, r),
    }
}

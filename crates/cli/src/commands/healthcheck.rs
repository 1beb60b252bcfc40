//! `healthcheck run CONTAINER` (podman's exit codes: 0 healthy; 1 and `unhealthy`
//! printed when the check failed; 125 when the container is missing, not running or has
//! no healthcheck, or the check outlived its timeout) and the hidden scheduler command.

use crate::cli::{GlobalOptions, HealthcheckCommand};
use berth_runtime::{ErrorKind, HealthCheckOutcome};

use super::{out, with_runtime};

/// A healthcheck command, parsed.
#[derive(Debug)]
pub enum Parsed {
    /// `healthcheck run`.
    Run(String),
    /// The scheduler loop.
    Scheduler(String),
}

/// Nothing to check before the runtime opens but the shape.
pub fn parse(c: HealthcheckCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        HealthcheckCommand::Run(a) => Parsed::Run(a.container),
        HealthcheckCommand::Scheduler(a) => Parsed::Scheduler(a.container),
    })
}

/// Runs it.
pub fn run(g: &GlobalOptions, p: Parsed) -> anyhow::Result<u8> {
    match p {
        Parsed::Run(name) => with_runtime(g, |rt| match rt.run_healthcheck(&name) {
            Ok(HealthCheckOutcome::Healthy) => Ok(0),
            Ok(HealthCheckOutcome::Unhealthy) => {
                out("unhealthy\n")?;
                Ok(1)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Err(anyhow::Error::new(e).context(
                format!("unable to look up {name} to perform a health check"),
            )),
            Err(e) => Err(e.into()),
        }),
        Parsed::Scheduler(name) => with_runtime(g, |rt| {
            rt.run_health_scheduler(&name)?;
            Ok(0)
        }),
    }
}

//! Checks of the global flags before anything runs: `--log-level` with
//! podman's level names and message, `--events-backend`, and the globals
//! berth defines but does not support yet (the remote-client flags among
//! them), each refused by name.

use crate::cli::GlobalOptions;
use crate::error::{CliError, Result};

/// podman's log level names.
pub const LOG_LEVELS: [&str; 8] = [
    "trace", "debug", "info", "warn", "warning", "error", "fatal", "panic",
];

/// Checks the global flags; `journald_runs` says whether journald listens.
pub fn check_globals(g: &GlobalOptions, journald_runs: bool) -> Result<()> {
    if !LOG_LEVELS.contains(&g.log_level.as_str()) {
        return Err(CliError::UnknownFlag(format!(
            "Log Level {:?} is not supported, choose from: {}",
            g.log_level,
            LOG_LEVELS.join(", ")
        )));
    }
    if let Some(f) = g.remote.first_given() {
        return Err(CliError::not_supported(
            format!("--{f}"),
            Some("berth has no service to connect to; run berth on the machine itself"),
        ));
    }
    match g.events_backend.as_deref().unwrap_or("file") {
        "file" | "none" => {}
        "journald" if !journald_runs => {
            return Err(CliError::invalid(
                "--events-backend",
                "journald",
                format!(
                    "journald is not running on this machine ({} is absent); use file or none",
                    berth_runtime::JOURNALD_SOCKET
                ),
            ))
        }
        "journald" => return Err(CliError::not_supported("--events-backend journald", None)),
        other => {
            return Err(CliError::invalid(
                "--events-backend",
                other,
                format!("{other:?} is not a valid events backend; use file, journald or none"),
            ))
        }
    }
    let unsupported = [
        ("--network-cmd-path", g.network_cmd_path.is_some()),
        ("--storage-opt", g.storage_opt.iter().any(|o| !o.is_empty())),
        ("--syslog", g.syslog),
    ];
    if let Some((flag, _)) = unsupported.iter().find(|(_, given)| *given) {
        return Err(CliError::not_supported(*flag, None));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    fn check(args: &[&str]) -> Result<()> {
        let mut argv = vec!["berth"];
        argv.extend_from_slice(args);
        argv.push("ps");
        check_globals(&Cli::try_parse_from(argv).unwrap().global, false)
    }

    #[test]
    fn log_levels_are_podmans() {
        for l in LOG_LEVELS {
            check(&["--log-level", l]).unwrap();
        }
        let e = check(&["--log-level", "loud"]).unwrap_err().to_string();
        assert_eq!(
            e,
            "Log Level \"loud\" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic"
        );
    }

    #[test]
    fn unsupported_globals_are_named() {
        for (args, flag) in [
            (&["--remote"][..], "--remote"),
            (&["-r"][..], "--remote"),
            (&["--url", "unix:/x"][..], "--url"),
            (&["-c", "c1"][..], "--connection"),
            (&["--identity", "/k"][..], "--identity"),
            (
                &["--storage-opt", "overlay.mountopt=nodev"][..],
                "--storage-opt",
            ),
            (&["--syslog"][..], "--syslog"),
            (&["--network-cmd-path", "/s"][..], "--network-cmd-path"),
            (&["--events-backend", "journald"][..], "--events-backend"),
            (
                &["--events-backend", "carrier-pigeon"][..],
                "--events-backend",
            ),
        ] {
            let e = check(args).unwrap_err().to_string();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
        check(&["--events-backend", "none", "--storage-opt", ""]).unwrap();
    }
}

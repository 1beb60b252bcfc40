//! Typed container options and the parsers of their podman-compatible text forms (`-v`,
//! `--mount`, `--tmpfs`, `--security-opt`, `--cpus`, `--add-host`), shared by every front end.
//! Each parser takes the name of the flag (or field) the value came from, so its error names
//! it as the user wrote it.

mod cpu;
mod devices;
mod hosts;
mod mounts;
mod run;
mod security;

pub use cpu::{parse_cpus, CpuLimit};
pub use devices::{
    parse_device, parse_device_cgroup_rule, DeviceRule, DeviceSpec, Throttle, Tuning,
};
pub use hosts::{parse_add_hosts, HostEntry};
pub use mounts::{check_volume_name, parse_mount, parse_tmpfs, parse_volume, ContainerMount};
pub use run::{
    apply_log_opts, expand_env, host_passwd_line, parse_health_cmd, parse_health_on_failure,
    parse_log_driver, parse_namespace, parse_restart, resolve_timezone, Healthcheck, LogConfig,
    LogDriver, NamespaceChoice, NamespaceOptions, RestartPolicy, RunSettings, JOURNALD_SOCKET,
};
pub use security::{parse_security_opts, Seccomp, SecurityOptions};

/// A value that does not parse: which flag, what was given, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for {flag}: {reason}")]
pub struct InvalidValue {
    /// The flag or field, as the user spells it (`--mount`).
    pub flag: String,
    /// The value given.
    pub value: String,
    /// What is wrong and, where useful, what is expected.
    pub reason: String,
}

impl InvalidValue {
    /// A bad `value` of `flag`.
    pub fn new(flag: &str, value: &str, reason: impl Into<String>) -> Self {
        Self {
            flag: flag.to_owned(),
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

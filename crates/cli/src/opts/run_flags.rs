//! The rest of `run`/`create`'s flags → typed options ([`MoreCreateOptions`]):
//! attach streams, the log driver, time zone, pid files, timeout, namespace
//! choices, healthcheck, cgroup and CPU settings; and the refusal of the
//! flags (and values) berth does not support yet, each named.

use super::kv::parse_key_values;
use super::resources::{parse_decimal_size, parse_size};
use super::run_limits::{check_cpuset, ns, tuning};
use crate::cli::CreateFlags;
use crate::error::{CliError, Result};
use berth_runtime::{Healthcheck, LogConfig, NamespaceOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `-a/--attach`: which of the container's streams a foreground `run` joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttachStreams {
    /// `stdin`.
    pub stdin: bool,
    /// `stdout`.
    pub stdout: bool,
    /// `stderr`.
    pub stderr: bool,
}

/// Parses `-a` values (`stdin`, `stdout`, `stderr`, any case); `None` when
/// none was given (all streams).
pub fn parse_attach(values: &[String]) -> Result<Option<AttachStreams>> {
    if values.is_empty() {
        return Ok(None);
    }
    let mut a = AttachStreams::default();
    for v in values {
        match v.to_ascii_lowercase().as_str() {
            "stdin" => a.stdin = true,
            "stdout" => a.stdout = true,
            "stderr" => a.stderr = true,
            _ => {
                return Err(CliError::invalid(
                    "--attach",
                    v,
                    "must be one of stdin, stdout, or stderr",
                ))
            }
        }
    }
    Ok(Some(a))
}

/// The options of [`CreateFlags`] beyond the original set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MoreCreateOptions {
    /// `-a`.
    pub attach: Option<AttachStreams>,
    /// `--log-driver`, `--log-opt`.
    pub log: LogConfig,
    /// `--tz`.
    pub timezone: Option<String>,
    /// `--conmon-pidfile`.
    pub conmon_pidfile: Option<PathBuf>,
    /// `--pidfile`.
    pub pidfile: Option<PathBuf>,
    /// `--timeout` seconds (0: none).
    pub timeout: Option<u32>,
    /// `--ipc`, `--uts`, `--pid`, `--cgroupns`.
    pub namespaces: NamespaceOptions,
    /// `--health-*`; `None` without `--health-cmd`, or with `--no-healthcheck`.
    pub healthcheck: Option<Healthcheck>,
    /// `--unsetenv`.
    pub unset_env: Vec<String>,
    /// `--unsetenv-all`.
    pub unset_env_all: bool,
    /// `--group-add`.
    pub group_add: Vec<String>,
    /// `--cgroup-parent`.
    pub cgroup_parent: Option<String>,
    /// `-c/--cpu-shares`.
    pub cpu_shares: Option<u64>,
    /// `--cpuset-cpus`.
    pub cpuset_cpus: Option<String>,
    /// `--cpu-period` (microseconds).
    pub cpu_period: Option<u64>,
    /// `--cpu-quota` (microseconds).
    pub cpu_quota: Option<i64>,
    /// `--memory-swap` in bytes (`-1`: unlimited).
    pub memory_swap: Option<i64>,
    /// `--pod new:NAME`: the pod is created first.
    pub new_pod: bool,
    /// `--preserve-fds` (run): berth's fds 3..3+N go into the container.
    pub preserve_fds: u32,
    /// `--umask`, `--oom-score-adj`, `--memory-reservation`, `--memory-swappiness`,
    /// `--oom-kill-disable`, `--cpuset-mems`.
    pub tuning: berth_runtime::Tuning,
    /// `--env-merge` (`KEY=VALUE`, expanded by the runtime against the image's environment).
    pub env_merge: Vec<String>,
    /// `--volumes-from CONTAINER[:ro|rw]`.
    pub volumes_from: Vec<String>,
    /// `--no-hosts`.
    pub no_hosts: bool,
    /// `--hostuser` (names or UIDs of host users).
    pub host_users: Vec<String>,
    /// `--restart`; `None` = `no`.
    pub restart: Option<berth_runtime::RestartPolicy>,
    /// `--device`.
    pub devices: Vec<berth_runtime::DeviceSpec>,
    /// `--device-cgroup-rule`.
    pub device_rules: Vec<berth_runtime::DeviceRule>,
    /// `--secret NAME[,type=mount|env,target=,uid=,gid=,mode=]`.
    pub secrets: Vec<berth_runtime::SecretUse>,
}

/// `--preserve-fds N`: berth's descriptors 3..3+N must all be open (checked
/// before berth opens anything of its own), as podman checks.
pub fn check_preserve_fds(n: u32) -> Result<u32> {
    for fd in 3..3u64 + u64::from(n) {
        if std::fs::symlink_metadata(format!("/proc/self/fd/{fd}")).is_err() {
            return Err(CliError::invalid(
                "--preserve-fds",
                &n.to_string(),
                format!(
                    "file descriptor {fd} is not available; all {n} descriptors from 3 must be passed to berth"
                ),
            ));
        }
    }
    Ok(n)
}

/// Refuses the flags and values berth does not support yet, by name.
pub fn refuse_unsupported(flags: &CreateFlags) -> Result<()> {
    if let Some(f) = flags.unsupported.first_given() {
        return Err(CliError::not_supported(format!("--{f}"), None));
    }
    let value = |flag: &str, v: &str, ok: &[&str], later: &[&str]| -> Result<()> {
        if ok.contains(&v) {
            Ok(())
        } else if later.contains(&v) {
            Err(CliError::not_supported(format!("{flag} {v}"), None))
        } else {
            let all: Vec<&str> = ok.iter().chain(later).copied().collect();
            Err(CliError::invalid(
                flag,
                v,
                format!("use one of {}", all.join(", ")),
            ))
        }
    };
    value(
        "--cgroups",
        &flags.cgroups,
        &["enabled"],
        &["disabled", "no-conmon", "split"],
    )?;
    value("--systemd", &flags.systemd, &["true", "false"], &["always"])?;
    value(
        "--seccomp-policy",
        &flags.seccomp_policy,
        &["default"],
        &["image"],
    )?;
    value(
        "--sdnotify",
        &flags.sdnotify,
        &["container", "conmon", "ignore"],
        &[],
    )?;
    value(
        "--image-volume",
        &flags.image_volume,
        &["bind", "tmpfs", "ignore"],
        &[],
    )?;
    if let Some(u) = &flags.userns {
        if !u.is_empty() && u != "host" {
            let mode = u.split(':').next().unwrap_or(u);
            return Err(
                if ["auto", "keep-id", "nomap", "ns", "container", "private"].contains(&mode) {
                    CliError::not_supported(format!("--userns {u}"), None)
                } else {
                    CliError::invalid(
                        "--userns",
                        u,
                        "use host, auto, keep-id, nomap, ns:PATH, container:ID or private",
                    )
                },
            );
        }
    }
    let umask = &flags.umask;
    if umask.len() > 4 || u32::from_str_radix(umask, 8).map_or(true, |m| m > 0o777) {
        return Err(CliError::invalid(
            "--umask",
            umask,
            "an octal mask such as 0022",
        ));
    }
    if flags.group_add.iter().any(|g| g == "keep-groups") {
        return Err(CliError::not_supported("--group-add keep-groups", None));
    }
    Ok(())
}

/// Checks and converts the flags of [`MoreCreateOptions`].
pub fn parse_more(flags: &CreateFlags, journald_runs: bool) -> Result<MoreCreateOptions> {
    if flags.log_driver == "passthrough" && flags.tty {
        return Err(CliError::conflict(
            "--log-driver",
            "passthrough gives the container berth's own stdio and cannot be combined with --tty",
        ));
    }
    let driver = match berth_runtime::parse_log_driver(&flags.log_driver, journald_runs) {
        Ok(d) => d,
        // podman's words for a driver it does not know (journald's own error stays ours).
        Err(_) if flags.log_driver != "journald" => {
            return Err(CliError::Worded(
                "running container create option: invalid log driver: invalid argument".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let mut log = LogConfig {
        driver,
        ..LogConfig::default()
    };
    berth_runtime::apply_log_opts(&mut log, &flags.log_opt, &|v| parse_decimal_size(v))?;
    let namespaces = NamespaceOptions {
        ipc: ns("--ipc", flags.ipc.as_deref())?,
        uts: ns("--uts", flags.uts.as_deref())?,
        pid: ns("--pid", flags.pid.as_deref())?,
        cgroup: ns("--cgroupns", flags.cgroupns.as_deref())?,
    };
    if flags.cpus.is_some() && (flags.cpu_period.is_some() || flags.cpu_quota.is_some()) {
        return Err(CliError::conflict(
            "--cpus",
            "cannot be combined with --cpu-period or --cpu-quota",
        ));
    }
    if let Some(q) = flags.cpu_quota {
        if q != -1 && q < 1000 {
            return Err(CliError::invalid(
                "--cpu-quota",
                &q.to_string(),
                "at least 1000 microseconds, or -1 for no limit",
            ));
        }
    }
    if let Some(p) = flags.cpu_period {
        if !(1000..=1_000_000).contains(&p) {
            return Err(CliError::invalid(
                "--cpu-period",
                &p.to_string(),
                "between 1000 and 1000000 microseconds",
            ));
        }
    }
    if let Some(c) = &flags.cpuset_cpus {
        check_cpuset(c)?;
    }
    if let Some(p) = &flags.cgroup_parent {
        if p.is_empty() || p.split('/').any(|c| c == "..") {
            return Err(CliError::invalid(
                "--cgroup-parent",
                p,
                "a cgroup path without ..",
            ));
        }
    }
    let memory_swap = match flags.memory_swap.as_deref() {
        None => None,
        Some("-1") => Some(-1),
        Some(v) => {
            let bytes = parse_size("--memory-swap", v)?;
            Some(
                i64::try_from(bytes)
                    .map_err(|_| CliError::invalid("--memory-swap", v, "too large"))?,
            )
        }
    };
    if memory_swap.is_some() && flags.memory.as_deref().is_none_or(|m| m == "0") {
        return Err(CliError::conflict(
            "--memory-swap",
            "needs a memory limit (--memory)",
        ));
    }
    let healthcheck = health(flags)?;
    for u in &flags.unsetenv {
        if u.is_empty() || u.contains('=') {
            return Err(CliError::invalid("--unsetenv", u, "a variable name"));
        }
    }
    for g in &flags.group_add {
        if g.is_empty() || g.contains(':') {
            return Err(CliError::invalid("--group-add", g, "a group name or GID"));
        }
    }
    if let Some(t) = &flags.tz {
        if t.is_empty() {
            return Err(CliError::invalid(
                "--tz",
                t,
                "use local or a zone name such as America/New_York",
            ));
        }
    }
    if let Some(c) = &flags.cidfile {
        if std::fs::symlink_metadata(c).is_ok() {
            return Err(CliError::CidFileExists(c.clone()));
        }
        check_writable_parent("--cidfile", c)?;
    }
    for (flag, p) in [
        ("--conmon-pidfile", &flags.conmon_pidfile),
        ("--pidfile", &flags.pidfile),
    ] {
        if let Some(p) = p {
            check_writable_parent(flag, p)?;
        }
    }
    Ok(MoreCreateOptions {
        attach: parse_attach(&flags.attach)?,
        log,
        timezone: flags.tz.clone(),
        conmon_pidfile: flags.conmon_pidfile.clone(),
        pidfile: flags.pidfile.clone(),
        timeout: flags.timeout.filter(|t| *t > 0),
        namespaces,
        healthcheck,
        unset_env: flags.unsetenv.clone(),
        unset_env_all: flags.unsetenv_all,
        group_add: flags.group_add.clone(),
        cgroup_parent: flags.cgroup_parent.clone(),
        cpu_shares: flags.cpu_shares,
        cpuset_cpus: flags.cpuset_cpus.clone(),
        cpu_period: flags.cpu_period,
        cpu_quota: flags.cpu_quota.filter(|q| *q != -1),
        memory_swap,
        new_pod: flags.pod.as_deref().is_some_and(|p| p.starts_with("new:")),
        preserve_fds: 0,
        tuning: tuning(flags)?,
        host_users: {
            for u in &flags.hostuser {
                if u.is_empty() || u.contains(':') || u.contains('\n') {
                    return Err(CliError::invalid("--hostuser", u, "a user name or UID"));
                }
            }
            flags.hostuser.clone()
        },
        restart: {
            let policy = berth_runtime::parse_restart(flags.restart.as_deref().unwrap_or(""))?;
            if policy.is_some() && flags.rm {
                return Err(CliError::conflict(
                    "--restart",
                    "cannot be combined with --rm",
                ));
            }
            policy
        },
        no_hosts: {
            if flags.no_hosts && !flags.add_host.is_empty() {
                return Err(CliError::conflict(
                    "--no-hosts",
                    "cannot be combined with --add-host",
                ));
            }
            flags.no_hosts
        },
        volumes_from: {
            for v in &flags.volumes_from {
                let (ctr, opts) = v.split_once(':').unwrap_or((v, ""));
                let opts_ok = opts
                    .split(',')
                    .all(|o| matches!(o, "" | "ro" | "rw" | "z" | "Z"));
                if ctr.is_empty() || !opts_ok {
                    return Err(CliError::invalid(
                        "--volumes-from",
                        v,
                        "use CONTAINER[:ro|rw]",
                    ));
                }
            }
            flags.volumes_from.clone()
        },
        env_merge: {
            for m in &flags.env_merge {
                if m.split_once('=')
                    .is_none_or(|(k, _)| k.is_empty() || k.contains('$'))
                {
                    return Err(CliError::invalid(
                        "--env-merge",
                        m,
                        "use KEY=VALUE, where VALUE may use ${NAME} of the image's environment",
                    ));
                }
            }
            flags.env_merge.clone()
        },
        devices: flags
            .device
            .iter()
            .map(|d| berth_runtime::parse_device(d))
            .collect::<Result<_, _>>()?,
        device_rules: flags
            .device_cgroup_rule
            .iter()
            // podman's words, which scripts match.
            .map(|r| {
                berth_runtime::parse_device_cgroup_rule(r).map_err(|e| CliError::Worded(e.reason))
            })
            .collect::<Result<_, _>>()?,
        secrets: flags
            .unsupported
            .secret
            .iter()
            .map(|s| berth_runtime::SecretUse::parse(s))
            .collect::<Result<_, _>>()?,
    })
}

/// A pid file's directory must exist.
fn check_writable_parent(flag: &str, p: &Path) -> Result<()> {
    let text = p.to_string_lossy();
    if text.is_empty() {
        return Err(CliError::invalid(flag, "", "the file name is empty"));
    }
    match p.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) if !d.is_dir() => Err(CliError::invalid(
            flag,
            &text,
            format!("the directory {} does not exist", d.display()),
        )),
        _ => Ok(()),
    }
}

/// `--health-*`: a healthcheck when `--health-cmd` is given; `--no-healthcheck`
/// and `--health-cmd none` give the disabled one (the image's is not used); `None`:
/// the image's, if it has one. The other values are checked either way. Times are
/// whole seconds (rounded up); an interval is `disable`, 0, or at least 1 second.
fn health(flags: &CreateFlags) -> Result<Option<Healthcheck>> {
    let h = &flags.health;
    let secs = |flag: &str, v: &str, allow_disable: bool| -> Result<u64> {
        if allow_disable && v == "disable" {
            return Ok(0);
        }
        let d = super::time::parse_duration(flag, v, Duration::from_secs(1))?;
        Ok(d.as_secs() + u64::from(d.subsec_nanos() > 0))
    };
    let interval = secs("--health-interval", &h.health_interval, true)?;
    let sub_second = |v: &str| {
        super::time::parse_duration("--health-interval", v, Duration::from_secs(1))
            .is_ok_and(|d| !d.is_zero() && d < Duration::from_secs(1))
    };
    if sub_second(&h.health_interval) {
        return Err(CliError::invalid(
            "--health-interval",
            &h.health_interval,
            "must be at least 1 second, or disable",
        ));
    }
    if h.health_retries < 1 {
        return Err(CliError::invalid(
            "--health-retries",
            &h.health_retries.to_string(),
            "must be greater than 0",
        ));
    }
    let timeout = secs("--health-timeout", &h.health_timeout, false)?;
    if timeout == 0 {
        return Err(CliError::invalid(
            "--health-timeout",
            &h.health_timeout,
            "must be at least 1 second",
        ));
    }
    let start = secs("--health-start-period", &h.health_start_period, false)?;
    let on_failure = berth_runtime::parse_health_on_failure(&h.health_on_failure)?;
    let test = match &h.health_cmd {
        Some(c) => berth_runtime::parse_health_cmd(c)?,
        None => None,
    };
    if h.no_healthcheck && h.health_cmd.is_some() {
        return Err(CliError::conflict(
            "--no-healthcheck",
            "cannot be combined with --health-cmd",
        ));
    }
    if h.no_healthcheck || (h.health_cmd.is_some() && test.is_none()) {
        return Ok(Some(Healthcheck::disabled()));
    }
    Ok(test.map(|test| Healthcheck {
        test,
        interval_secs: interval,
        timeout_secs: timeout,
        start_period_secs: start,
        retries: h.health_retries,
        on_failure,
    }))
}

/// The host variables `--http-proxy` (on by default) copies into the container.
pub const PROXY_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "ftp_proxy",
    "FTP_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// A word where the image belongs that starts with `-` is a flag this
/// command does not have (podman's wording), never an image reference.
pub fn check_not_a_flag(word: &str) -> Result<()> {
    if let Some(long) = word.strip_prefix("--") {
        let name = long.split('=').next().unwrap_or(long);
        return Err(CliError::UnknownFlag(format!("unknown flag: --{name}")));
    }
    if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
        let c = short.chars().next().unwrap_or('-');
        return Err(CliError::UnknownFlag(format!(
            "unknown shorthand flag: '{c}' in {word}"
        )));
    }
    Ok(())
}

/// `--label-file` lines (`#` comments and blank lines skipped), then `-l`.
pub fn labels(flags: &CreateFlags) -> Result<BTreeMap<String, String>> {
    let mut entries = Vec::new();
    for file in &flags.label_file {
        let text = std::fs::read_to_string(file).map_err(|source| CliError::ReadFile {
            flag: "--label-file".into(),
            path: file.clone(),
            source,
        })?;
        entries.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned),
        );
    }
    let mut map = parse_key_values("--label-file", &entries)?;
    map.extend(parse_key_values("--label", &flags.label)?);
    Ok(map)
}

/// `--pod NAME`, `--pod new:NAME` (the name), or the pod named in `--pod-id-file`.
pub fn pod_of(flags: &CreateFlags) -> Result<Option<String>> {
    if let Some(f) = &flags.pod_id_file {
        if flags.pod.is_some() {
            return Err(CliError::conflict(
                "--pod-id-file",
                "cannot be combined with --pod",
            ));
        }
        let text = std::fs::read_to_string(f).map_err(|source| CliError::ReadFile {
            flag: "--pod-id-file".into(),
            path: f.clone(),
            source,
        })?;
        let id = text.trim();
        if id.is_empty() {
            return Err(CliError::invalid(
                "--pod-id-file",
                &f.to_string_lossy(),
                "the file is empty",
            ));
        }
        return Ok(Some(id.to_owned()));
    }
    match flags.pod.as_deref() {
        Some(p) => {
            let name = p.strip_prefix("new:").unwrap_or(p);
            if !berth_runtime::is_valid_name(berth_runtime::NameKind::Pod, name) {
                return Err(CliError::invalid(
                    "--pod",
                    p,
                    "a pod name or id, or new:NAME; names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                ));
            }
            Ok(Some(name.to_owned()))
        }
        None => Ok(None),
    }
}

#[cfg(test)]
#[path = "run_flags_tests.rs"]
mod tests;

//! The rest of `run`/`create`'s flags → typed options ([`MoreCreateOptions`]):
//! attach streams, the log driver, time zone, pid files, timeout, namespace
//! choices, healthcheck, cgroup and CPU settings; and the refusal of the
//! flags (and values) berth does not support yet, each named.

use super::kv::parse_key_values;
use super::resources::parse_size;
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
    /// `--expose`, each on host port 0 (published by `-P`).
    pub expose: Vec<berth_runtime::PortMapping>,
    /// `--umask`, `--oom-score-adj`, `--memory-reservation`, `--memory-swappiness`,
    /// `--oom-kill-disable`, `--cpuset-mems`.
    pub tuning: berth_runtime::Tuning,
    /// `--env-merge` (`KEY=VALUE`, expanded by the runtime against the image's environment).
    pub env_merge: Vec<String>,
    /// `--volumes-from CONTAINER[:ro|rw]`.
    pub volumes_from: Vec<String>,
    /// `--no-hosts`.
    pub no_hosts: bool,
    /// `--restart`; `None` = `no`.
    pub restart: Option<berth_runtime::RestartPolicy>,
    /// `--device`.
    pub devices: Vec<berth_runtime::DeviceSpec>,
    /// `--device-cgroup-rule`.
    pub device_rules: Vec<berth_runtime::DeviceRule>,
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
    if flags.log_driver == "passthrough" {
        return Err(CliError::not_supported(
            "--log-driver passthrough",
            Some("use k8s-file or none"),
        ));
    }
    let mut log = LogConfig {
        driver: berth_runtime::parse_log_driver(&flags.log_driver, journald_runs)?,
        ..LogConfig::default()
    };
    berth_runtime::apply_log_opts(&mut log, &flags.log_opt, &|v| {
        parse_size("--log-opt", v).ok()
    })?;
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
        expose: parse_expose(&flags.expose)?,
        tuning: tuning(flags)?,
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
            .map(|r| berth_runtime::parse_device_cgroup_rule(r))
            .collect::<Result<_, _>>()?,
    })
}

/// The process and memory tuning flags.
fn tuning(flags: &CreateFlags) -> Result<berth_runtime::Tuning> {
    if let Some(m) = &flags.cpuset_mems {
        check_cpuset_for("--cpuset-mems", m)?;
    }
    let swappiness = match flags.memory_swappiness {
        -1 => None,
        s @ 0..=100 => Some(s.unsigned_abs()),
        s => {
            return Err(CliError::invalid(
                "--memory-swappiness",
                &s.to_string(),
                "between 0 and 100, or -1 for the system default",
            ))
        }
    };
    if let Some(a) = flags.oom_score_adj {
        if !(-1000..=1000).contains(&a) {
            return Err(CliError::invalid(
                "--oom-score-adj",
                &a.to_string(),
                "between -1000 and 1000",
            ));
        }
    }
    let reservation = match flags.memory_reservation.as_deref() {
        None => None,
        Some(v) => Some(
            i64::try_from(parse_size("--memory-reservation", v)?)
                .map_err(|_| CliError::invalid("--memory-reservation", v, "too large"))?,
        )
        .filter(|r| *r > 0),
    };
    Ok(berth_runtime::Tuning {
        // Checked by refuse_unsupported: octal, at most 0777.
        umask: u32::from_str_radix(&flags.umask, 8).ok(),
        oom_score_adj: flags.oom_score_adj,
        memory_reservation: reservation,
        memory_swappiness: swappiness,
        oom_kill_disable: flags.oom_kill_disable,
        cpuset_mems: flags.cpuset_mems.clone(),
        throttles: throttles(flags)?,
    })
}

/// `--device-{read,write}-{bps,iops} DEVICE:RATE` (bps: a size such as 1mb; iops: a count).
fn throttles(flags: &CreateFlags) -> Result<Vec<berth_runtime::Throttle>> {
    let mut out = Vec::new();
    for (flag, kind, values, bytes) in [
        (
            "--device-read-bps",
            "read-bps",
            &flags.device_read_bps,
            true,
        ),
        (
            "--device-write-bps",
            "write-bps",
            &flags.device_write_bps,
            true,
        ),
        (
            "--device-read-iops",
            "read-iops",
            &flags.device_read_iops,
            false,
        ),
        (
            "--device-write-iops",
            "write-iops",
            &flags.device_write_iops,
            false,
        ),
    ] {
        for v in values {
            let bad = |reason: &str| CliError::invalid(flag, v, reason);
            let (device, rate) = v
                .rsplit_once(':')
                .ok_or_else(|| bad("use DEVICE:RATE, such as /dev/sda:1mb"))?;
            if !device.starts_with('/') {
                return Err(bad("the device must be an absolute path"));
            }
            let rate = if bytes {
                parse_size(flag, rate)?
            } else {
                rate.parse::<u64>()
                    .map_err(|_| bad("the rate is a number of operations per second"))?
            };
            out.push(berth_runtime::Throttle {
                kind: kind.to_owned(),
                device: PathBuf::from(device),
                rate,
            });
        }
    }
    Ok(out)
}

/// `--expose PORT[-END][/PROTO]`.
fn parse_expose(values: &[String]) -> Result<Vec<berth_runtime::PortMapping>> {
    let mut out = Vec::new();
    for v in values {
        if v.contains(':') || v.is_empty() {
            return Err(CliError::invalid(
                "--expose",
                v,
                "use PORT[-END][/PROTO], such as 80 or 8000-8002/udp",
            ));
        }
        let ports = berth_runtime::PortMapping::parse(v)
            .map_err(|e| CliError::invalid("--expose", v, e.reason))?;
        out.extend(ports);
    }
    Ok(out)
}

fn ns(flag: &str, v: Option<&str>) -> Result<berth_runtime::NamespaceChoice> {
    let v = v.unwrap_or("");
    if v.starts_with("container:") || v.starts_with("ns:") || v == "none" {
        return Err(CliError::not_supported(
            format!("{flag} {v}"),
            Some("use private or host"),
        ));
    }
    Ok(berth_runtime::parse_namespace(flag, v)?)
}

/// `--cpuset-cpus`: `0-3`, `0,1`.
fn check_cpuset(v: &str) -> Result<()> {
    check_cpuset_for("--cpuset-cpus", v)
}

/// A cpuset list (`0-3`, `0,1`) for `flag`.
fn check_cpuset_for(flag: &str, v: &str) -> Result<()> {
    let ok = !v.is_empty()
        && v.split(',').all(|part| {
            let mut ends = part.splitn(2, '-');
            let lo = ends.next().and_then(|n| n.parse::<u32>().ok());
            match (lo, ends.next()) {
                (Some(_), None) => true,
                (Some(lo), Some(hi)) => hi.parse::<u32>().is_ok_and(|hi| hi >= lo),
                _ => false,
            }
        });
    if ok {
        Ok(())
    } else {
        Err(CliError::invalid(flag, v, "a list such as 0-3 or 0,1"))
    }
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

/// `--health-*`: a healthcheck when `--health-cmd` is given (and not
/// `none`, and no `--no-healthcheck`); the other values are checked either way.
fn health(flags: &CreateFlags) -> Result<Option<Healthcheck>> {
    let h = &flags.health;
    let secs = |flag: &str, v: &str, allow_disable: bool| -> Result<u64> {
        if allow_disable && v == "disable" {
            return Ok(0);
        }
        let d = super::time::parse_duration(flag, v, Duration::from_secs(1))?;
        Ok(d.as_secs())
    };
    let interval = secs("--health-interval", &h.health_interval, true)?;
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
    if h.no_healthcheck && test.is_some() {
        return Err(CliError::conflict(
            "--no-healthcheck",
            "cannot be combined with --health-cmd",
        ));
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
            if !super::is_valid_name(name) {
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
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::opts::create::fixed_context;
    use crate::opts::RunOptions;
    use clap::Parser;

    fn run(args: &[&str]) -> Result<RunOptions> {
        let mut argv = vec!["berth", "run"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("clap parse");
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        let lookup = |k: &str| (k == "https_proxy").then(|| "http://p:1".to_owned());
        let vars = Vec::new;
        let ctx = fixed_context(Path::new("/work"), &lookup, &vars);
        RunOptions::from_args(&run, &ctx)
    }

    #[test]
    fn a_flag_given_twice_takes_the_last_value() {
        let o = run(&["--name", "a", "--name", "b", "-m", "1g", "-m", "0", "img"]).unwrap();
        assert_eq!(o.create.name.as_deref(), Some("b"));
        assert_eq!(o.create.resources.memory, None, "-m 0 is no limit");
        let o = run(&["--log-driver", "none", "--log-driver", "k8s-file", "img"]).unwrap();
        assert_eq!(o.create.more.log.driver, berth_runtime::LogDriver::K8sFile);
    }

    #[test]
    fn the_new_flags_reach_the_typed_options() {
        let o = run(&[
            "--tz",
            "local",
            "--timeout",
            "5",
            "--uts",
            "host",
            "--cgroupns",
            "host",
            "--health-cmd",
            "true",
            "--health-retries",
            "5",
            "--rmi",
            "--pod",
            "new:p",
            "--cpu-shares",
            "512",
            "--cpuset-cpus",
            "0",
            "-m",
            "64m",
            "--memory-swap",
            "-1",
            "--group-add",
            "wheel",
            "--unsetenv",
            "PATH",
            "-a",
            "stdout",
            "img",
        ])
        .unwrap();
        let m = &o.create.more;
        assert_eq!(m.timezone.as_deref(), Some("local"));
        assert_eq!(m.timeout, Some(5));
        assert_eq!(m.namespaces.uts, berth_runtime::NamespaceChoice::Host);
        assert_eq!(m.namespaces.cgroup, berth_runtime::NamespaceChoice::Host);
        assert_eq!(m.namespaces.ipc, berth_runtime::NamespaceChoice::Private);
        let h = m.healthcheck.as_ref().unwrap();
        assert_eq!((h.retries, h.interval_secs, h.timeout_secs), (5, 30, 30));
        assert!(o.rmi && o.create.remove, "--rmi implies --rm");
        assert!(m.new_pod);
        assert_eq!(o.create.pod.as_deref(), Some("p"));
        assert_eq!((m.cpu_shares, m.memory_swap), (Some(512), Some(-1)));
        assert!(m.attach.unwrap().stdout);
        // --http-proxy (on by default) copies the host's proxy variables.
        assert_eq!(o.create.env.get("https_proxy"), Some("http://p:1"));
        let o = run(&["--http-proxy=false", "img"]).unwrap();
        assert_eq!(o.create.env.get("https_proxy"), None);
    }

    #[test]
    fn unsupported_flags_and_values_are_named() {
        for (args, text) in [
            (
                &["--expose", "80:80", "img"][..],
                "invalid value \"80:80\" for --expose",
            ),
            (
                &["--secret", "s", "img"][..],
                "--secret is not supported yet",
            ),
            (
                &["--ipc", "container:x", "img"][..],
                "--ipc container:x is not supported yet",
            ),
            (
                &["--log-driver", "passthrough", "img"][..],
                "--log-driver passthrough is not supported yet",
            ),
        ] {
            let e = run(args).unwrap_err().to_string();
            assert!(e.starts_with(text), "{args:?}: {e}");
        }
        run(&[
            "--restart",
            "no",
            "--memory-swappiness",
            "-1",
            "--userns",
            "host",
            "img",
        ])
        .unwrap();
    }

    #[test]
    fn a_flag_where_the_image_belongs_is_refused() {
        for (word, text) in [
            ("--bogus", "unknown flag: --bogus"),
            ("--bogus=1", "unknown flag: --bogus"),
            ("-Z", "unknown shorthand flag: 'Z' in -Z"),
        ] {
            assert_eq!(run(&[word, "img"]).unwrap_err().to_string(), text);
        }
    }

    #[test]
    fn attach_streams() {
        assert_eq!(parse_attach(&[]).unwrap(), None);
        let a = parse_attach(&["STDIN".into(), "stdout".into()])
            .unwrap()
            .unwrap();
        assert!(a.stdin && a.stdout && !a.stderr);
        let e = parse_attach(&["stdweird".into()]).unwrap_err().to_string();
        assert!(e.contains("--attach") && e.contains("stdweird"), "{e}");
    }

    #[test]
    fn cpusets() {
        for ok in ["0", "0-3", "0,2-3"] {
            check_cpuset(ok).unwrap();
        }
        for bad in ["", "a", "3-1", "0,,1", "-1"] {
            assert!(check_cpuset(bad).is_err(), "{bad}");
        }
    }
}

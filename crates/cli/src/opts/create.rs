//! The typed options of `run` and `create` ([`CreateOptions`]), built from
//! [`CreateFlags`] and checked before the runtime is called.

use super::env::{parse_env, EnvVars};
use super::kv::{
    parse_add_hosts, parse_dns, parse_key_values, parse_sysctls, DnsServers, HostEntry,
};
use super::mounts::{parse_mounts, ContainerMount};
use super::network::{parse_network, NetworkMode};
use super::ports::{parse_publish, PortMapping};
use super::resources::{
    parse_cpus, parse_memory, parse_pids_limit, parse_size, parse_ulimits, CpuLimit, PidsLimit,
    Ulimits,
};
use super::security::{parse_security_opts, SecurityOptions};
use super::signal::{parse_signal, Signal};
use crate::cli::{CreateArgs, CreateFlags, RunArgs};
use crate::error::{CliError, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What parsing may read from berth's surroundings, so tests can pass
/// their own.
pub struct ParseContext<'a> {
    /// The current directory (relative bind sources).
    pub cwd: PathBuf,
    /// Reads one variable of berth's environment.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    /// All of berth's environment (`--env-host`, `-e PREFIX*`).
    pub all_vars: &'a dyn Fn() -> Vec<(String, String)>,
}

impl std::fmt::Debug for ParseContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseContext")
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

impl ParseContext<'static> {
    /// The real process environment and current directory.
    pub fn from_process() -> std::io::Result<Self> {
        Ok(Self {
            cwd: std::env::current_dir()?,
            lookup: &|k| std::env::var(k).ok(),
            all_vars: &|| std::env::vars().collect(),
        })
    }
}

/// `-u USER[:GROUP]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    /// User name or numeric UID.
    pub user: String,
    /// Group name or numeric GID.
    pub group: Option<String>,
}

/// Resource limits of a container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resources {
    /// `-m`: memory limit in bytes.
    pub memory: Option<u64>,
    /// `--cpus`.
    pub cpus: Option<CpuLimit>,
    /// `--pids-limit`; `None` takes the configured default.
    pub pids_limit: Option<PidsLimit>,
    /// `--ulimit`.
    pub ulimits: Ulimits,
    /// `--shm-size` in bytes.
    pub shm_size: u64,
}

/// podman's warning for `-p` with `--network host`, `none` or `container:`.
pub const PORTS_DISCARDED_WARNING: &str = "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use";

/// podman's warning for `--kernel-memory`, which does nothing.
pub const KERNEL_MEMORY_WARNING: &str =
    "The --kernel-memory flag is no longer supported. This flag is a noop.";

/// Everything `create` (and `run`) asks of the runtime, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateOptions {
    /// Image reference as given.
    pub image: String,
    /// Command; empty takes the image's.
    pub command: Vec<String>,
    /// `--entrypoint`: `Some(vec![])` clears the image's.
    pub entrypoint: Option<Vec<String>>,
    /// `--name`.
    pub name: Option<String>,
    /// `-e`, `--env-file`, `--env-host`, over the image's environment.
    pub env: EnvVars,
    /// `-l`.
    pub labels: BTreeMap<String, String>,
    /// `--annotation`.
    pub annotations: BTreeMap<String, String>,
    /// `-i`.
    pub interactive: bool,
    /// `-t`.
    pub tty: bool,
    /// `--rm`.
    pub remove: bool,
    /// `--replace`.
    pub replace: bool,
    /// `-p`.
    pub ports: Vec<PortMapping>,
    /// Warnings for stderr before the container is made (podman's words: `-p` with a
    /// network mode that has no ports of its own, the no-op `--kernel-memory`).
    pub warnings: Vec<String>,
    /// `-P`.
    pub publish_all: bool,
    /// `--network`.
    pub network: NetworkMode,
    /// Per-network options: `--network NAME:ip=..`, `--ip`, `--mac-address`,
    /// `--network-alias` (the empty name: the default network).
    pub network_options: std::collections::BTreeMap<String, berth_runtime::NetworkConnectOptions>,
    /// `--pod`.
    pub pod: Option<String>,
    /// `-h`.
    pub hostname: Option<String>,
    /// `-v`, `--mount`, `--tmpfs`.
    pub mounts: Vec<ContainerMount>,
    /// `-w`.
    pub workdir: Option<PathBuf>,
    /// `-u`.
    pub user: Option<UserSpec>,
    /// `--cap-add`, normalised (`CAP_NET_ADMIN`, or `ALL`).
    pub cap_add: Vec<String>,
    /// `--cap-drop`, normalised.
    pub cap_drop: Vec<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--security-opt`.
    pub security: SecurityOptions,
    /// `--read-only`.
    pub read_only: bool,
    /// `--read-only-tmpfs`.
    pub read_only_tmpfs: bool,
    /// Resource limits.
    pub resources: Resources,
    /// `--stop-signal`; `None` takes the image's, else SIGTERM.
    pub stop_signal: Option<Signal>,
    /// `--stop-timeout` seconds.
    pub stop_timeout: u64,
    /// `--sysctl`.
    pub sysctls: BTreeMap<String, String>,
    /// `--dns`.
    pub dns: DnsServers,
    /// `--dns-search`.
    pub dns_search: Vec<String>,
    /// `--dns-option`.
    pub dns_options: Vec<String>,
    /// `--add-host`.
    pub add_hosts: Vec<HostEntry>,
    /// `--init`.
    pub init: bool,
    /// `--init-path`.
    pub init_path: Option<PathBuf>,
    /// `--cidfile`.
    pub cidfile: Option<PathBuf>,
    /// `-q`.
    pub quiet: bool,
    /// The host's proxy variables (`KEY=VALUE`) when `--http-proxy` is not given: added
    /// under the other variables when containers.conf's `http_proxy` is true or unset.
    pub proxy_env: Vec<String>,
    /// `--pull`, `--platform`, `--tls-verify`, `--authfile`.
    pub pull: super::PullSpec,
    /// The flags added for podman parity (attach, log driver, tz, pid files...).
    pub more: super::MoreCreateOptions,
}

/// `run`'s options: create's, plus how the client attaches.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// The container to create.
    pub create: CreateOptions,
    /// `-d`.
    pub detach: bool,
    /// `--detach-keys`, as bytes (empty: no detaching); `None`: the runtime's default
    /// (containers.conf's `engine.detach_keys`).
    pub detach_keys: Option<Vec<u8>>,
    /// `--sig-proxy`.
    pub sig_proxy: bool,
    /// `--rmi`: remove the image after the container (implies `--rm`).
    pub rmi: bool,
}

impl RunOptions {
    /// Checks and converts `run`'s arguments.
    pub fn from_args(args: &RunArgs, ctx: &ParseContext<'_>) -> Result<Self> {
        let mut create = CreateOptions::from_flags(&args.flags, args.image(), args.command(), ctx)?;
        create.more.preserve_fds = super::run_flags::check_preserve_fds(args.preserve_fds)?;
        if args.detach && create.more.attach.is_some() {
            return Err(CliError::conflict(
                "--attach",
                "cannot be combined with --detach",
            ));
        }
        if args.rmi && args.detach {
            return Err(CliError::conflict(
                "--rmi",
                "cannot be combined with --detach",
            ));
        }
        if args.rmi && create.more.restart.is_some() {
            return Err(CliError::conflict(
                "--restart",
                "cannot be combined with --rmi",
            ));
        }
        if args.rmi {
            create.remove = true;
        }
        Ok(Self {
            create,
            detach: args.detach,
            detach_keys: args
                .detach_keys
                .as_deref()
                .map(super::keys::parse_detach_keys)
                .transpose()?,
            sig_proxy: args.sig_proxy && !args.flags.tty,
            rmi: args.rmi,
        })
    }
}

impl CreateOptions {
    /// Checks and converts `create`'s arguments.
    pub fn from_create_args(args: &CreateArgs, ctx: &ParseContext<'_>) -> Result<Self> {
        let o = Self::from_flags(&args.flags, args.image(), args.command(), ctx)?;
        if args.init_ctr.is_some() {
            return Err(CliError::not_supported("--init-ctr", None));
        }
        Ok(o)
    }

    /// Checks and converts run/create flags, the image and the command.
    pub fn from_flags(
        flags: &CreateFlags,
        image: &str,
        command: &[String],
        ctx: &ParseContext<'_>,
    ) -> Result<Self> {
        super::run_flags::check_not_a_flag(image)?;
        if image.is_empty() {
            return Err(CliError::invalid("IMAGE", image, "the image name is empty"));
        }
        super::run_flags::refuse_unsupported(flags)?;
        let more = super::run_flags::parse_more(
            flags,
            Path::new(berth_runtime::JOURNALD_SOCKET).exists(),
        )?;
        if let Some(name) = &flags.name {
            check_container_name(name)?;
        }
        if let Some(h) = &flags.hostname {
            check_hostname(h)?;
        }
        let mut env = EnvVars::default();
        let host_proxies: Vec<(&str, String)> = super::run_flags::PROXY_VARS
            .iter()
            .filter_map(|var| (ctx.lookup)(var).map(|v| (*var, v)))
            .collect();
        if flags.http_proxy == Some(true) {
            for (var, v) in &host_proxies {
                env.set(var, v);
            }
        }
        // Not given: containers.conf's `http_proxy` decides (`create` adds them).
        let proxy_env = if flags.http_proxy.is_none() {
            host_proxies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        } else {
            Vec::new()
        };
        if flags.env_host {
            for (k, v) in (ctx.all_vars)() {
                env.set(&k, &v);
            }
        }
        for (k, v) in parse_env(&flags.env, &flags.env_file, ctx.lookup, ctx.all_vars)?.iter() {
            env.set(k, v);
        }
        let network = parse_network(&flags.network)?;
        let network_options = super::network::network_options(
            &network,
            flags.unsupported.ip.as_deref(),
            flags.unsupported.mac_address.as_deref(),
            &flags.unsupported.network_alias,
        )?;
        let pod = super::run_flags::pod_of(flags)?;
        if pod.is_some() && !flags.network.is_empty() {
            return Err(CliError::conflict(
                "--network",
                "a container in a pod uses the pod's network; set --network on `pod create`",
            ));
        }
        let mut ports = parse_publish(&flags.publish)?;
        let mut warnings = Vec::new();
        if flags.kernel_memory.is_some() {
            warnings.push(KERNEL_MEMORY_WARNING.to_owned());
        }
        if !ports.is_empty() {
            if matches!(
                network,
                NetworkMode::None | NetworkMode::Host | NetworkMode::Container(_)
            ) {
                // podman discards them with a warning: the container has no ports of its own.
                warnings.push(PORTS_DISCARDED_WARNING.to_owned());
                ports.clear();
            }
            if pod.is_some() {
                return Err(CliError::conflict(
                    "--publish",
                    "a container in a pod cannot publish ports; publish them on `pod create`",
                ));
            }
        }
        let resources = Resources {
            memory: match flags.memory.as_deref() {
                // podman: 0 is no limit.
                Some(m) if parse_size("--memory", m)? == 0 => None,
                m => m.map(parse_memory).transpose()?,
            },
            cpus: flags.cpus.map(parse_cpus).transpose()?.flatten(),
            pids_limit: flags.pids_limit.map(parse_pids_limit).transpose()?,
            ulimits: parse_ulimits(&flags.ulimit)?,
            shm_size: parse_size("--shm-size", &flags.shm_size)?,
        };
        let workdir = parse_workdir(flags.workdir.as_deref())?;
        if flags.init_path.is_some() && !flags.init {
            return Err(CliError::conflict("--init-path", "needs --init"));
        }
        Ok(Self {
            image: image.to_owned(),
            command: command.to_vec(),
            entrypoint: flags
                .entrypoint
                .as_deref()
                .map(parse_entrypoint)
                .transpose()?,
            name: flags.name.clone(),
            env,
            labels: super::run_flags::labels(flags)?,
            annotations: parse_key_values("--annotation", &flags.annotation)?,
            interactive: flags.interactive,
            tty: flags.tty,
            remove: flags.rm,
            replace: flags.replace,
            ports,
            warnings,
            publish_all: flags.publish_all,
            network,
            network_options,
            pod,
            hostname: flags.hostname.clone(),
            mounts: parse_mounts(&flags.volume, &flags.mount, &flags.tmpfs, &ctx.cwd)?,
            workdir,
            user: flags.user.as_deref().map(parse_user).transpose()?,
            cap_add: normalize_caps("--cap-add", &flags.cap_add)?,
            cap_drop: normalize_caps("--cap-drop", &flags.cap_drop)?,
            privileged: flags.privileged,
            security: parse_security_opts(&flags.security_opt)?,
            read_only: flags.read_only,
            read_only_tmpfs: flags.read_only_tmpfs,
            resources,
            stop_signal: flags
                .stop_signal
                .as_deref()
                .map(|s| parse_signal("--stop-signal", s))
                .transpose()?,
            stop_timeout: flags.stop_timeout,
            sysctls: parse_sysctls(&flags.sysctl)?,
            dns: parse_dns(&flags.dns)?,
            dns_search: flags.dns_search.clone(),
            dns_options: flags.dns_option.clone(),
            add_hosts: parse_add_hosts(&flags.add_host)?,
            init: flags.init,
            init_path: flags.init_path.clone(),
            cidfile: flags.cidfile.clone(),
            quiet: flags.quiet,
            proxy_env,
            pull: super::PullSpec {
                policy: flags
                    .pull
                    .as_deref()
                    .map(super::registry::parse_pull_policy)
                    .transpose()?,
                platform: super::registry::parse_platform(
                    flags.platform.as_deref(),
                    flags.os.as_deref(),
                    flags.arch.as_deref(),
                    flags.variant.as_deref(),
                )?,
                registry: flags.registry.clone(),
            },
            more,
        })
    }
}

/// `--entrypoint`: a JSON array (`'["/bin/sh","-c"]'`), an empty string
/// (clear the image's), or one program.
pub fn parse_entrypoint(value: &str) -> Result<Vec<String>> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    if value.trim_start().starts_with('[') {
        return serde_json::from_str::<Vec<String>>(value).map_err(|e| {
            CliError::invalid(
                "--entrypoint",
                value,
                format!("not a JSON array of strings: {e}"),
            )
        });
    }
    Ok(vec![value.to_owned()])
}

/// `-u USER[:GROUP]`.
pub fn parse_user(value: &str) -> Result<UserSpec> {
    let (user, group) = match value.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (value, None),
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
    };
    if !ok(user) || group.is_some_and(|g| !ok(g)) {
        return Err(CliError::invalid(
            "--user",
            value,
            "expected <name|uid>[:<group|gid>]",
        ));
    }
    Ok(UserSpec {
        user: user.to_owned(),
        group: group.map(str::to_owned),
    })
}

/// `--workdir` of `run`/`create`/`exec`: an absolute path in the
/// container, when given.
pub fn parse_workdir(workdir: Option<&str>) -> Result<Option<PathBuf>> {
    match workdir {
        Some(w) if !w.starts_with('/') => Err(CliError::invalid(
            "--workdir",
            w,
            "must be an absolute path in the container",
        )),
        w => Ok(w.map(PathBuf::from)),
    }
}

/// A container (or pod) name, by the runtime's one name rule: podman's
/// `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 253 characters.
pub fn check_container_name(name: &str) -> Result<()> {
    match berth_runtime::NameKind::Container.check(name) {
        Ok(()) => Ok(()),
        Err(e @ berth_runtime::NameError::TooLong { .. }) => {
            Err(CliError::invalid("--name", name, e.to_string()))
        }
        Err(berth_runtime::NameError::Empty | berth_runtime::NameError::Pattern) => {
            Err(CliError::invalid(
                "--name",
                name,
                "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
            ))
        }
    }
}

fn check_hostname(h: &str) -> Result<()> {
    let ok = !h.is_empty()
        && h.len() <= 64
        && !h.starts_with('-')
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if ok {
        Ok(())
    } else {
        Err(CliError::invalid(
            "--hostname",
            h,
            "a host name is 1-64 letters, digits, `-`, `.` or `_`",
        ))
    }
}

/// Linux capabilities berth knows, without `CAP_`.
const CAPABILITIES: &[&str] = &[
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "BPF",
    "CHECKPOINT_RESTORE",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "PERFMON",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYSLOG",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "WAKE_ALARM",
];

/// Upper-cases, adds `CAP_`, checks each capability; `all` becomes `ALL`.
pub fn normalize_caps(flag: &str, caps: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for cap in caps {
        let upper = cap.trim().to_ascii_uppercase();
        let name = if upper == "ALL" {
            upper
        } else {
            let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
            if !CAPABILITIES.contains(&bare) {
                return Err(CliError::invalid(flag, cap, "unknown capability"));
            }
            format!("CAP_{bare}")
        };
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// Convenience for tests and callers: a context with fixed values.
pub fn fixed_context<'a>(
    cwd: &Path,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    all_vars: &'a dyn Fn() -> Vec<(String, String)>,
) -> ParseContext<'a> {
    ParseContext {
        cwd: cwd.to_owned(),
        lookup,
        all_vars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn no_env(_: &str) -> Option<String> {
        None
    }
    fn no_vars() -> Vec<(String, String)> {
        vec![("HOSTVAR".into(), "1".into())]
    }

    fn run(args: &[&str]) -> Result<RunOptions> {
        let mut argv = vec!["berth", "run"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("clap parse");
        let Command::Run(run) = cli.command else {
            panic!("not run")
        };
        let ctx = fixed_context(Path::new("/work"), &no_env, &no_vars);
        RunOptions::from_args(&run, &ctx)
    }

    #[test]
    fn a_full_run_line() {
        let o = run(&[
            "-d",
            "--rm",
            "--name",
            "web",
            "-e",
            "A=1",
            "-l",
            "tier=front",
            "--annotation",
            "x=y",
            "-p",
            "8080:80",
            "-h",
            "box",
            "-v",
            "data:/data",
            "--tmpfs",
            "/run",
            "-w",
            "/srv",
            "-u",
            "1000:1000",
            "--cap-add",
            "net_admin,sys_time",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--read-only",
            "-m",
            "64m",
            "--cpus",
            "0.5",
            "--pids-limit",
            "100",
            "--ulimit",
            "nofile=100:200",
            "--stop-signal",
            "INT",
            "--stop-timeout",
            "3",
            "--sysctl",
            "net.ipv4.ip_forward=1",
            "--dns",
            "1.1.1.1",
            "--add-host",
            "db:10.0.0.2",
            "--init",
            "--env-host",
            "busybox",
            "httpd",
            "-f",
            "-p",
            "80",
        ])
        .unwrap();
        let c = &o.create;
        assert!(o.detach && c.remove && c.read_only && c.init);
        assert_eq!(c.image, "busybox");
        assert_eq!(c.command, ["httpd", "-f", "-p", "80"]);
        assert_eq!(c.name.as_deref(), Some("web"));
        assert_eq!(c.env.get("A"), Some("1"));
        assert_eq!(c.env.get("HOSTVAR"), Some("1"));
        assert_eq!(c.labels["tier"], "front");
        assert_eq!(c.ports.len(), 1);
        assert_eq!(c.mounts.len(), 2);
        assert_eq!(c.workdir.as_deref(), Some(Path::new("/srv")));
        assert_eq!(c.user.as_ref().unwrap().group.as_deref(), Some("1000"));
        assert_eq!(c.cap_add, ["CAP_NET_ADMIN", "CAP_SYS_TIME"]);
        assert_eq!(c.cap_drop, ["ALL"]);
        assert!(c.security.no_new_privileges);
        assert_eq!(c.resources.memory, Some(64 << 20));
        assert_eq!(c.resources.cpus.unwrap().quota_us, 50_000);
        assert_eq!(c.resources.pids_limit, Some(PidsLimit::Limit(100)));
        assert_eq!(c.resources.shm_size, 64 << 20);
        assert_eq!(c.stop_signal, Some(Signal(2)));
        assert_eq!(c.stop_timeout, 3);
        assert_eq!(c.sysctls.len(), 1);
        assert_eq!(c.add_hosts.len(), 1);
    }

    #[test]
    fn defaults_match_podman() {
        let o = run(&["img"]).unwrap();
        assert_eq!(o.create.stop_timeout, 10);
        assert!(o.sig_proxy);
        assert!(o.create.read_only_tmpfs);
        // Not given: the runtime's default (containers.conf, else ctrl-p,ctrl-q).
        assert_eq!(o.detach_keys, None);
        assert_eq!(o.create.pull.policy, None);
        assert_eq!(o.create.network, NetworkMode::Default);
        assert!(o.create.command.is_empty());
        assert_eq!(o.create.resources.pids_limit, None);
        assert_eq!(o.create.stop_signal, None);
    }

    #[test]
    fn flags_after_the_image_belong_to_the_command() {
        let o = run(&["img", "-l", "--rm", "-e", "X"]).unwrap();
        assert!(!o.create.remove);
        assert!(o.create.labels.is_empty());
        assert_eq!(o.create.command, ["-l", "--rm", "-e", "X"]);
    }

    #[test]
    fn entrypoint_forms() {
        assert_eq!(parse_entrypoint("/bin/sh").unwrap(), ["/bin/sh"]);
        assert_eq!(
            parse_entrypoint(r#"["/bin/sh","-c"]"#).unwrap(),
            ["/bin/sh", "-c"]
        );
        assert!(parse_entrypoint("").unwrap().is_empty());
        let e = parse_entrypoint("[1,2]").unwrap_err().to_string();
        assert!(e.contains("--entrypoint") && e.contains("JSON"), "{e}");
    }

    #[test]
    fn bad_values_name_their_flag() {
        for (args, flag) in [
            (&["--name", "-bad", "img"][..], "--name"),
            (&["--name", "a b", "img"][..], "--name"),
            (&["-h", "bad host", "img"][..], "--hostname"),
            (&["-w", "rel", "img"][..], "--workdir"),
            (&["-u", "a:b:c", "img"][..], "--user"),
            (&["-u", "", "img"][..], "--user"),
            (&["--cap-add", "FLY", "img"][..], "--cap-add"),
            (&["-m", "1x", "img"][..], "--memory"),
            (&["--cpus", "-2", "img"][..], "--cpus"),
            (&["--pids-limit", "-7", "img"][..], "--pids-limit"),
            (&["--stop-signal", "NOPE", "img"][..], "--stop-signal"),
            (&["--shm-size", "big", "img"][..], "--shm-size"),
            (&["--init-path", "/x", "img"][..], "--init-path"),
            (&["--pod", "p", "--network", "host", "img"][..], "--network"),
            (&["--pod", "p", "-p", "80", "img"][..], "--publish"),
            (&["-p", "x", "img"][..], "--publish"),
            (&["-v", "a:b", "img"][..], "--volume"),
            (&["-e", "=1", "img"][..], "--env"),
        ] {
            let e = run(args).unwrap_err().to_string();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
        // podman: -p with a network of no ports of its own is dropped with a warning.
        let o = run(&["--network", "none", "-p", "80", "img"]).unwrap();
        assert!(o.create.ports.is_empty());
        assert_eq!(o.create.warnings, [PORTS_DISCARDED_WARNING]);
    }

    #[test]
    fn names_follow_the_runtimes_rule() {
        assert!(check_container_name(&"a".repeat(253)).is_ok());
        let e = check_container_name(&"a".repeat(254))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--name") && e.contains("at most 253"), "{e}");
        let e = check_container_name("").unwrap_err().to_string();
        assert!(e.contains("--name") && e.contains("must match"), "{e}");
    }

    #[test]
    fn user_forms() {
        assert_eq!(
            parse_user("nobody").unwrap(),
            UserSpec {
                user: "nobody".into(),
                group: None
            }
        );
        assert_eq!(parse_user("0:0").unwrap().group.as_deref(), Some("0"));
    }
}

//! Settings of `run`/`create` that the container record keeps beside its config (in
//! `extra`, under [`RunSettings::KEY`]): the log driver and its options, the time zone,
//! pid files, a run timeout, namespace choices and a healthcheck. With the parsers of
//! their podman-compatible text forms (`--log-driver`, `--log-opt`, `--ipc`/`--uts`/
//! `--pid`/`--cgroupns`, `--health-*`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::devices::{DeviceRule, DeviceSpec, Tuning};
use super::InvalidValue;

/// Where conmon sends the container's output (`--log-driver`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogDriver {
    /// A k8s-file log (`berth logs` reads it); podman's default.
    #[default]
    K8sFile,
    /// `json-file`: podman writes a k8s-file log for it, and keeps the name it was given.
    JsonFile,
    /// No log: output goes only to an attached client; `logs` has nothing to read.
    None,
    /// The journal (needs a running journald).
    Journald,
    /// The container writes straight to the stdio of the process that initialises it
    /// (`run` in the foreground); nothing is logged, nothing to attach to.
    Passthrough,
}

impl LogDriver {
    /// podman's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Self::K8sFile => "k8s-file",
            Self::JsonFile => "json-file",
            Self::None => "none",
            Self::Journald => "journald",
            Self::Passthrough => "passthrough",
        }
    }

    /// True when conmon writes a k8s-file log (`k8s-file`, `json-file`).
    pub fn writes_file(self) -> bool {
        matches!(self, Self::K8sFile | Self::JsonFile)
    }
}

/// `--log-driver` with its `--log-opt`s.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    /// The driver.
    pub driver: LogDriver,
    /// `path=`: the k8s-file log's path instead of the container's directory.
    pub path: Option<PathBuf>,
    /// `max-size=`: the log is truncated beyond this many bytes.
    pub max_size: Option<i64>,
    /// `tag=`: a tag for the journal (kept; used by journald).
    pub tag: Option<String>,
}

/// The socket a running journald listens on.
pub const JOURNALD_SOCKET: &str = "/run/systemd/journal/socket";

/// Parses `--log-driver`: `k8s-file` (also `json-file`, which podman maps to it), `none`,
/// `journald` (refused when journald does not run, `journald_runs` tells), `passthrough`.
pub fn parse_log_driver(value: &str, journald_runs: bool) -> Result<LogDriver, InvalidValue> {
    match value {
        "" | "k8s-file" => Ok(LogDriver::K8sFile),
        "json-file" => Ok(LogDriver::JsonFile),
        "none" => Ok(LogDriver::None),
        "journald" if journald_runs => Ok(LogDriver::Journald),
        "journald" => Err(InvalidValue::new(
            "--log-driver",
            value,
            format!(
                "journald is not running on this machine ({JOURNALD_SOCKET} is absent); use k8s-file or none"
            ),
        )),
        "passthrough" => Ok(LogDriver::Passthrough),
        _ => Err(InvalidValue::new(
            "--log-driver",
            value,
            "unknown log driver; use k8s-file, json-file, none, passthrough or journald",
        )),
    }
}

/// Parses the `--log-opt`s (`path=PATH`, `max-size=SIZE`, `tag=TAG`) into `log`. `size`
/// turns a size such as `10mb` into bytes (the front end's size parser).
pub fn apply_log_opts(
    log: &mut LogConfig,
    opts: &[String],
    size: &dyn Fn(&str) -> Option<u64>,
) -> Result<(), InvalidValue> {
    for o in opts {
        let bad = |reason: &str| InvalidValue::new("--log-opt", o, reason);
        let (key, value) = o
            .split_once('=')
            .ok_or_else(|| bad("use path=PATH, max-size=SIZE or tag=TAG"))?;
        match key {
            "path" => {
                let p = PathBuf::from(value);
                if !p.is_absolute() {
                    return Err(bad("the log path must be absolute"));
                }
                if value.contains(':') {
                    return Err(bad("the log path must not contain ':'"));
                }
                log.path = Some(p);
            }
            "max-size" => {
                let bytes = if value == "-1" {
                    None
                } else {
                    Some(
                        size(value)
                            .and_then(|b| i64::try_from(b).ok())
                            .ok_or_else(|| bad("max-size is a size such as 10mb, or -1"))?,
                    )
                };
                log.max_size = bytes;
            }
            "tag" => log.tag = Some(value.to_owned()),
            _ => return Err(bad("unknown log option; use path, max-size or tag")),
        }
    }
    Ok(())
}

/// Where a namespace comes from (`--ipc`, `--uts`, `--pid`, `--cgroupns`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NamespaceChoice {
    /// The default: the container's own (or the pod's, in a pod).
    #[default]
    Private,
    /// The host's.
    Host,
    /// Another container's (`container:NAME`): it becomes a dependency, as a pod's infra
    /// container is; resolved to its id at create.
    Container(String),
    /// The namespace file at this path (`ns:PATH`).
    Path(PathBuf),
}

/// Parses `--ipc`/`--uts`/`--pid`/`--cgroupns`: `private` (also `shareable` for
/// `--ipc`), `host`, `container:NAME`, `ns:PATH`; `none` is refused as not supported yet.
pub fn parse_namespace(flag: &str, value: &str) -> Result<NamespaceChoice, InvalidValue> {
    match value {
        "" | "private" => Ok(NamespaceChoice::Private),
        "shareable" if flag == "--ipc" => Ok(NamespaceChoice::Private),
        "host" => Ok(NamespaceChoice::Host),
        v if v.starts_with("container:") => match &v["container:".len()..] {
            "" => Err(InvalidValue::new(
                flag,
                value,
                "name the container: container:NAME",
            )),
            c => Ok(NamespaceChoice::Container(c.to_owned())),
        },
        v if v.starts_with("ns:") => match &v["ns:".len()..] {
            p if p.starts_with('/') => Ok(NamespaceChoice::Path(PathBuf::from(p))),
            _ => Err(InvalidValue::new(
                flag,
                value,
                "ns:PATH needs an absolute path",
            )),
        },
        "none" => Err(InvalidValue::new(
            flag,
            value,
            format!("{flag} none is not supported yet; use private or host"),
        )),
        _ => Err(InvalidValue::new(
            flag,
            value,
            "use private, host, container:NAME or ns:PATH",
        )),
    }
}

/// The namespaces a container asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceOptions {
    /// `--ipc`.
    pub ipc: NamespaceChoice,
    /// `--uts`.
    pub uts: NamespaceChoice,
    /// `--pid`.
    pub pid: NamespaceChoice,
    /// `--cgroupns`.
    pub cgroup: NamespaceChoice,
}

/// A healthcheck (`--health-*`): kept with the container; running it belongs to the
/// healthcheck commands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healthcheck {
    /// The command, as podman stores it (`["CMD-SHELL", "..."]` or `["CMD", ...]`).
    pub test: Vec<String>,
    /// Seconds between checks; 0 = no timer (`disable`).
    pub interval_secs: u64,
    /// Seconds one check may take.
    pub timeout_secs: u64,
    /// Seconds after start during which failures do not count.
    pub start_period_secs: u64,
    /// Failures in a row before the container is unhealthy.
    pub retries: u32,
    /// What to do then: `none`, `kill`, `restart`, `stop`.
    pub on_failure: String,
}

/// Parses `--health-cmd`: a JSON array (`["CMD","x"]`, `["CMD-SHELL","x"]`), `none`
/// (`None`: no healthcheck), or a shell command (`CMD-SHELL`).
pub fn parse_health_cmd(value: &str) -> Result<Option<Vec<String>>, InvalidValue> {
    let bad = |reason: &str| InvalidValue::new("--health-cmd", value, reason);
    let t = value.trim();
    if t.is_empty() {
        return Err(bad("the healthcheck command is empty"));
    }
    if t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    if t.starts_with('[') {
        let v: Vec<String> = serde_json::from_str(t)
            .map_err(|e| bad(&format!("not a JSON array of strings: {e}")))?;
        return match v.first().map(String::as_str) {
            Some("CMD" | "CMD-SHELL") if v.len() > 1 => Ok(Some(v)),
            Some("NONE") => Ok(None),
            Some("CMD" | "CMD-SHELL") | None => Err(bad("the healthcheck command is empty")),
            // One word is a shell command, more are argv (podman's reading).
            Some(_) if v.len() == 1 => Ok(Some(vec!["CMD-SHELL".to_owned(), v[0].clone()])),
            Some(_) => Ok(Some([vec!["CMD".to_owned()], v].concat())),
        };
    }
    // podman's compatibility forms: `CMD a b` (split into words), `CMD-SHELL cmd`, `NONE`.
    let (first, rest) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
    let rest = rest.trim();
    match first.to_ascii_uppercase().as_str() {
        "NONE" => return Ok(None),
        "CMD" | "CMD-SHELL" if rest.is_empty() => {
            return Err(bad("the healthcheck command is empty"))
        }
        "CMD" => {
            let words = rest.split_whitespace().map(str::to_owned);
            return Ok(Some(
                std::iter::once("CMD".to_owned()).chain(words).collect(),
            ));
        }
        "CMD-SHELL" => return Ok(Some(vec!["CMD-SHELL".to_owned(), rest.to_owned()])),
        _ => {}
    }
    Ok(Some(vec!["CMD-SHELL".to_owned(), t.to_owned()]))
}

/// Parses `--health-on-failure`.
pub fn parse_health_on_failure(value: &str) -> Result<String, InvalidValue> {
    match value {
        "none" | "kill" | "restart" | "stop" => Ok(value.to_owned()),
        _ => Err(InvalidValue::new(
            "--health-on-failure",
            value,
            "use none, kill, restart or stop",
        )),
    }
}

/// Expands `$NAME`, `${NAME}` and `${NAME:-DEFAULT}` in `word` from `env` (`KEY=VALUE`
/// entries; a missing name is empty), as `--env-merge` does with the image's environment.
pub fn expand_env(word: &str, env: &[String]) -> String {
    let lookup = |name: &str| {
        env.iter()
            .rev()
            .find_map(|e| e.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
            .map(str::to_owned)
    };
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            if let Some(end) = braced.find('}') {
                let inner = &braced[..end];
                let value = match inner.split_once(":-") {
                    Some((name, default)) => lookup(name)
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| default.to_owned()),
                    None => lookup(inner).unwrap_or_default(),
                };
                out.push_str(&value);
                rest = &braced[end + 1..];
                continue;
            }
            out.push('$');
            rest = after;
            continue;
        }
        let len = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
        if len == 0 {
            out.push('$');
        } else {
            out.push_str(&lookup(&after[..len]).unwrap_or_default());
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// What the record keeps of `run`/`create`'s settings beyond its config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunSettings {
    /// `--log-driver`, `--log-opt`.
    pub log: LogConfig,
    /// `--tz`: the host's zoneinfo file bind-mounted at `/etc/localtime`.
    pub localtime: Option<PathBuf>,
    /// `--tz` as given.
    pub timezone: Option<String>,
    /// `--conmon-pidfile`: written with conmon's pid at each init.
    pub conmon_pidfile: Option<PathBuf>,
    /// `--pidfile`: written with the container's pid at each init.
    pub pidfile: Option<PathBuf>,
    /// `--timeout`: conmon kills the container after this many seconds.
    pub timeout: Option<u32>,
    /// `--ipc`, `--uts`, `--pid`, `--cgroupns`.
    pub namespaces: NamespaceOptions,
    /// `--health-*`.
    pub healthcheck: Option<Healthcheck>,
    /// `--preserve-fds`: the creating process's fds 3..3+N go into the container.
    pub preserve_fds: u32,
    /// `--device`.
    pub devices: Vec<DeviceSpec>,
    /// `--device-cgroup-rule`.
    pub device_rules: Vec<DeviceRule>,
    /// Limits and process settings the record's `resources` do not hold.
    pub tuning: Tuning,
    /// `--no-hosts`: the image's `/etc/hosts` stays.
    pub no_hosts: bool,
    /// `--restart`; `None` = `no`.
    pub restart: Option<RestartPolicy>,
    /// `--hostuser`: the host's `/etc/passwd` lines added to the container's.
    pub passwd_lines: Vec<String>,
    /// `--unsetenv`: also drops these of the engine's default variables.
    pub unset_env: Vec<String>,
    /// `--unsetenv-all`: no default variables either.
    pub unset_env_all: bool,
    /// `--workdir` named a directory other than the image's: it must exist at start.
    pub workdir_must_exist: bool,
    /// The OCI runtime as it was named at create (`runc`, or the path `--runtime` gave):
    /// inspect's `OCIRuntime`.
    pub oci_runtime: Option<String>,
    /// The manifest digest of the image at create: inspect's `ImageDigest`.
    pub image_digest: Option<String>,
    /// `--secret`: the copies made at create and where they go.
    pub secrets: Vec<crate::secret::ContainerSecret>,
}

/// The host's `/etc/passwd` line of `user` (a name or a UID), for `--hostuser`.
pub fn host_passwd_line(user: &str, host_passwd: &std::path::Path) -> Result<String, InvalidValue> {
    let text = std::fs::read_to_string(host_passwd).map_err(|e| {
        InvalidValue::new(
            "--hostuser",
            user,
            format!("reading {}: {e}", host_passwd.display()),
        )
    })?;
    text.lines()
        .find(|l| {
            let mut f = l.split(':');
            let name = f.next();
            let uid = f.nth(1);
            name == Some(user) || uid == Some(user)
        })
        .map(str::to_owned)
        .ok_or_else(|| {
            InvalidValue::new(
                "--hostuser",
                user,
                format!("no such user in {}", host_passwd.display()),
            )
        })
}

/// `--restart`: what conmon's exit command does when the container exits on its own (not
/// through `stop`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RestartPolicy {
    /// Start it again, whatever its exit code.
    Always,
    /// Start it again after a non-zero exit, at most this many times (0 = no limit).
    OnFailure(u32),
    /// As `Always` (the difference is at boot, which berth does not handle).
    UnlessStopped,
}

impl RestartPolicy {
    /// The policy's name in `restart-policy=` filters (no retry count).
    pub fn filter_name(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::OnFailure(_) => "on-failure",
            Self::UnlessStopped => "unless-stopped",
        }
    }
}

/// Parses `--restart`: `no` (`None`), `always`, `on-failure[:N]`, `unless-stopped`.
pub fn parse_restart(value: &str) -> Result<Option<RestartPolicy>, InvalidValue> {
    let bad = |reason: &str| InvalidValue::new("--restart", value, reason);
    match value {
        "" | "no" => Ok(None),
        "always" => Ok(Some(RestartPolicy::Always)),
        "unless-stopped" => Ok(Some(RestartPolicy::UnlessStopped)),
        "on-failure" => Ok(Some(RestartPolicy::OnFailure(0))),
        v => match v.strip_prefix("on-failure:") {
            Some(n) => n
                .parse::<u32>()
                .map(|n| Some(RestartPolicy::OnFailure(n)))
                .map_err(|_| bad("the retry count must be a number")),
            None => Err(bad("use no, always, on-failure[:N] or unless-stopped")),
        },
    }
}

impl RunSettings {
    /// The key of the record's `extra` map that holds them.
    pub const KEY: &'static str = "berth.run";

    /// The settings of a record (defaults for records without them).
    pub fn from_extra(extra: &std::collections::BTreeMap<String, serde_json::Value>) -> Self {
        extra
            .get(Self::KEY)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
}

/// The host's zoneinfo file for `--tz`: `local` is the host's `/etc/localtime`; a zone
/// name must exist under `zoneinfo_dir`.
pub fn resolve_timezone(
    value: &str,
    zoneinfo_dir: &std::path::Path,
    host_localtime: &std::path::Path,
) -> Result<PathBuf, InvalidValue> {
    let bad = |reason: String| InvalidValue::new("--tz", value, reason);
    if value == "local" {
        return std::fs::canonicalize(host_localtime)
            .map_err(|e| bad(format!("reading {}: {e}", host_localtime.display())));
    }
    let ok = !value.is_empty()
        && !value.starts_with('/')
        && value
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..");
    if !ok {
        return Err(bad(
            "use local or a zone name such as America/New_York".into()
        ));
    }
    let path = zoneinfo_dir.join(value);
    if !path.is_file() {
        return Err(bad(format!(
            "unknown time zone: {} does not exist",
            path.display()
        )));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(v: &str) -> Option<u64> {
        v.strip_suffix("mb")
            .and_then(|n| n.parse::<u64>().ok())
            .map(|n| n << 20)
    }

    #[test]
    fn log_drivers_and_options() {
        assert_eq!(
            parse_log_driver("k8s-file", false).unwrap(),
            LogDriver::K8sFile
        );
        assert_eq!(
            parse_log_driver("json-file", false).unwrap(),
            LogDriver::JsonFile
        );
        assert_eq!(parse_log_driver("none", false).unwrap(), LogDriver::None);
        assert_eq!(
            parse_log_driver("journald", true).unwrap(),
            LogDriver::Journald
        );
        let e = parse_log_driver("journald", false).unwrap_err().to_string();
        assert!(e.contains("journald is not running"), "{e}");
        assert_eq!(
            parse_log_driver("passthrough", false).unwrap(),
            LogDriver::Passthrough
        );
        assert!(parse_log_driver("syslog", true).is_err());
        let mut l = LogConfig::default();
        apply_log_opts(
            &mut l,
            &[
                "path=/tmp/x.log".into(),
                "max-size=2mb".into(),
                "tag=t".into(),
            ],
            &size,
        )
        .unwrap();
        assert_eq!(l.path.as_deref(), Some(std::path::Path::new("/tmp/x.log")));
        assert_eq!(l.max_size, Some(2 << 20));
        assert_eq!(l.tag.as_deref(), Some("t"));
        for bad in ["path=rel", "path=/a:b", "max-size=big", "color=red", "path"] {
            let e = apply_log_opts(&mut l, &[bad.into()], &size).unwrap_err();
            assert_eq!(e.flag, "--log-opt", "{bad}");
        }
    }

    #[test]
    fn env_merge_expansion() {
        let env = vec!["PATH=/bin".to_owned(), "hello=world".to_owned()];
        assert_eq!(expand_env("${hello}-some", &env), "world-some");
        assert_eq!(expand_env("/x:$PATH", &env), "/x:/bin");
        assert_eq!(expand_env("${nope:-dflt}", &env), "dflt");
        assert_eq!(expand_env("$nope.", &env), ".");
        assert_eq!(
            expand_env("cost $ 5 ${unclosed", &env),
            "cost $ 5 ${unclosed"
        );
    }

    #[test]
    fn restart_policies() {
        assert_eq!(parse_restart("no").unwrap(), None);
        assert_eq!(
            parse_restart("always").unwrap(),
            Some(RestartPolicy::Always)
        );
        assert_eq!(
            parse_restart("on-failure:3").unwrap(),
            Some(RestartPolicy::OnFailure(3))
        );
        assert_eq!(
            parse_restart("on-failure").unwrap(),
            Some(RestartPolicy::OnFailure(0))
        );
        for bad in ["sometimes", "on-failure:x", "always:2", "on-failure:-1"] {
            assert_eq!(parse_restart(bad).unwrap_err().flag, "--restart", "{bad}");
        }
    }

    #[test]
    fn namespaces() {
        assert_eq!(
            parse_namespace("--ipc", "host").unwrap(),
            NamespaceChoice::Host
        );
        assert_eq!(
            parse_namespace("--uts", "private").unwrap(),
            NamespaceChoice::Private
        );
        assert_eq!(
            parse_namespace("--ipc", "shareable").unwrap(),
            NamespaceChoice::Private
        );
        assert_eq!(
            parse_namespace("--pid", "container:x").unwrap(),
            NamespaceChoice::Container("x".into())
        );
        assert_eq!(
            parse_namespace("--uts", "ns:/proc/1/ns/uts").unwrap(),
            NamespaceChoice::Path("/proc/1/ns/uts".into())
        );
        for bad in ["container:", "ns:rel", "none"] {
            assert_eq!(parse_namespace("--pid", bad).unwrap_err().flag, "--pid");
        }
        assert!(parse_namespace("--uts", "shareable").is_err());
        assert!(parse_namespace("--cgroupns", "bogus").is_err());
    }

    #[test]
    fn health_commands() {
        assert_eq!(
            parse_health_cmd("curl -f x").unwrap().unwrap(),
            ["CMD-SHELL", "curl -f x"]
        );
        assert_eq!(
            parse_health_cmd(r#"["CMD","true"]"#).unwrap().unwrap(),
            ["CMD", "true"]
        );
        assert_eq!(parse_health_cmd("none").unwrap(), None);
        assert_eq!(parse_health_cmd("NONE x").unwrap(), None);
        assert_eq!(
            parse_health_cmd("CMD ls  -l").unwrap().unwrap(),
            ["CMD", "ls", "-l"]
        );
        assert_eq!(
            parse_health_cmd("CMD-SHELL echo a b").unwrap().unwrap(),
            ["CMD-SHELL", "echo a b"]
        );
        assert_eq!(
            parse_health_cmd(r#"["true"]"#).unwrap().unwrap(),
            ["CMD-SHELL", "true"]
        );
        assert!(parse_health_cmd("CMD").is_err());
        assert!(parse_health_cmd(r#"["CMD"]"#).is_err());
        assert!(parse_health_cmd("").is_err());
        assert!(parse_health_cmd("[1]").is_err());
        assert!(parse_health_on_failure("explode").is_err());
    }

    #[test]
    fn time_zones() {
        let dir = std::env::temp_dir().join(format!("berth-tz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("Europe")).unwrap();
        std::fs::write(dir.join("Europe/Paris"), b"TZif").unwrap();
        let p = resolve_timezone("Europe/Paris", &dir, &dir.join("none")).unwrap();
        assert_eq!(p, dir.join("Europe/Paris"));
        for bad in ["Mars/Olympus", "../etc/passwd", "/etc/passwd", ""] {
            let e = resolve_timezone(bad, &dir, &dir.join("none")).unwrap_err();
            assert_eq!(e.flag, "--tz");
        }
        assert!(resolve_timezone("local", &dir, &dir.join("none")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

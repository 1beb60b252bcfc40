//! Spec generation: [`ContainerSpec`] → OCI runtime `config.json`, with podman's defaults.
//!
//! [`generate_spec`] is pure apart from reading the rootfs's passwd/group files, the seccomp
//! profile and the engine's rlimits; [`write_bundle`] also writes `config.json`, `hosts`,
//! `resolv.conf` and `hostname` into the bundle directory (atomically).

pub mod caps;
mod etc_files;
mod in_root;
mod mounts;
mod podman_compat;
mod resources;
pub mod rlimits;
pub mod seccomp;
pub mod user;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use oci_spec::runtime::{
    LinuxBuilder, LinuxNamespace, LinuxNamespaceBuilder, LinuxNamespaceType, ProcessBuilder,
    RootBuilder, Spec, SpecBuilder, UserBuilder,
};

use crate::container_spec::{CgroupManager, ContainerSpec, NamespaceMode, SeccompChoice};
use crate::error::{Error, Result};
use crate::hooks::HookSet;

pub use etc_files::{hosts_file, resolv_conf};
use podman_compat::check_workdir;
pub use podman_compat::{containerenv, CONTAINERENV};
pub use resources::resource_limits;
pub use seccomp::SeccompHost;

/// Default `PATH` in containers.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Masked paths: podman 4.3.1's list plus `/sys/devices/virtual/powercap` (RAPL energy
/// counters, a power side channel; masked by later podman versions).
pub const MASKED_PATHS: [&str; 12] = [
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/fs/selinux",
    "/sys/dev/block",
    "/sys/devices/virtual/powercap",
];

/// podman's read-only paths.
pub const READONLY_PATHS: [&str; 6] = [
    "/proc/asound",
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// Where tmpfs goes on a `--read-only` container (podman's `read_only_tmpfs`).
pub(crate) const READ_ONLY_TMPFS: [&str; 3] = ["/run", "/tmp", "/var/tmp"];

/// Host settings that shape generation; [`SpecOptions::default`] describes this machine.
#[derive(Debug, Clone)]
pub struct SpecOptions {
    /// cgroup manager (decides `cgroupsPath`).
    pub cgroup_manager: CgroupManager,
    /// The default seccomp profiles, most preferred first: the first that exists is used
    /// for [`SeccompChoice::Default`]. Defaults to `berth_config::seccomp_profile_candidates`
    /// (`/etc/crio/seccomp.json`, then `/usr/share/containers/seccomp.json`).
    pub seccomp_profiles: Vec<PathBuf>,
    /// Host facts for seccomp conversion.
    pub seccomp_host: SeccompHost,
    /// The host's resolv.conf, source of unset DNS settings (`/etc/resolv.conf`).
    pub host_resolv_conf: PathBuf,
    /// Whether systemd runs here; `None` = detect (`/run/systemd/system` exists).
    pub systemd_running: Option<bool>,
    /// How to read the engine's own rlimits.
    pub limits: rlimits::Limits,
    /// OCI hooks to inject (see [`crate::hooks`]).
    pub hooks: HookSet,
}

impl Default for SpecOptions {
    fn default() -> Self {
        Self {
            cgroup_manager: CgroupManager::Cgroupfs,
            seccomp_profiles: berth_config::seccomp_profile_candidates(),
            seccomp_host: SeccompHost::detect(),
            host_resolv_conf: "/etc/resolv.conf".into(),
            systemd_running: None,
            limits: rlimits::own_limits,
            hooks: HookSet::default(),
        }
    }
}

/// The error of [`SeccompChoice::Default`] when none of `candidates` exists.
fn no_default_seccomp_profile(candidates: &[PathBuf]) -> Error {
    let names: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    let missing = match names.as_slice() {
        [] => "none is configured".to_owned(),
        [one] => format!("{one} does not exist"),
        all => format!("neither {} exists", all.join(" nor ")),
    };
    Error::Seccomp {
        path: candidates.last().cloned().unwrap_or_default(),
        reason: format!("no default profile: {missing} (install one or use seccomp=unconfined)"),
    }
}

pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidSpec {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The hostname the container gets.
pub fn hostname_of(spec: &ContainerSpec) -> String {
    spec.hostname
        .clone()
        .unwrap_or_else(|| spec.id.chars().take(12).collect())
}

/// Process args by podman's rules: the user's entrypoint (if given) replaces the image's and
/// then drops the image's Cmd; the user's command replaces the image's Cmd.
pub fn process_args(spec: &ContainerSpec) -> Result<Vec<String>> {
    let (entrypoint, image_cmd) = match &spec.entrypoint {
        Some(ep) => (ep.clone(), Vec::new()),
        None => (spec.image.entrypoint.clone(), spec.image.cmd.clone()),
    };
    let cmd = if spec.command.is_empty() {
        image_cmd
    } else {
        spec.command.clone()
    };
    let args: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
    if args.is_empty() {
        return Err(invalid(
            "command",
            "no command or entrypoint provided, and no CMD or ENTRYPOINT from image",
        ));
    }
    Ok(args)
}

fn env_key(kv: &str) -> &str {
    kv.split_once('=').map_or(kv, |(k, _)| k)
}

/// Environment: the defaults podman gives every container (`PATH`, `TERM=xterm`,
/// `container=podman`, less those `unset_env`/`unset_env_all` drop), image env, user env,
/// HOSTNAME, HOME from passwd. Later values replace earlier ones; a user entry without `=`
/// takes the engine's own value of that variable (skipped when unset).
///
/// `container=podman` is podman's value on purpose: programs inside test it to learn they run
/// in a podman-like container, and podman's own tests check it.
pub fn process_env(spec: &ContainerSpec, hostname: &str, home: &str) -> Result<Vec<String>> {
    let mut env: Vec<String> = if spec.unset_env_all {
        Vec::new()
    } else {
        [
            format!("PATH={DEFAULT_PATH}"),
            "TERM=xterm".into(),
            "container=podman".into(),
        ]
        .into_iter()
        .filter(|kv| !spec.unset_env.iter().any(|u| u == env_key(kv)))
        .collect()
    };
    let set = |kv: String, env: &mut Vec<String>| {
        let key = env_key(&kv).to_owned();
        env.retain(|e| env_key(e) != key);
        env.push(kv);
    };
    for kv in &spec.image.env {
        if env_key(kv).is_empty() {
            return Err(invalid("image env", format!("{kv:?}: empty variable name")));
        }
        set(kv.clone(), &mut env);
    }
    for kv in &spec.env {
        if env_key(kv).is_empty() {
            return Err(invalid("env", format!("{kv:?}: empty variable name")));
        }
        if kv.contains('=') {
            set(kv.clone(), &mut env);
        } else if let Ok(v) = std::env::var(kv) {
            set(format!("{kv}={v}"), &mut env);
        }
    }
    if !env.iter().any(|e| env_key(e) == "HOSTNAME") {
        env.push(format!("HOSTNAME={hostname}"));
    }
    if !env.iter().any(|e| env_key(e) == "HOME") {
        env.push(format!("HOME={home}"));
    }
    Ok(env)
}

fn namespaces(spec: &ContainerSpec) -> Result<Vec<LinuxNamespace>> {
    let ns = &spec.namespaces;
    let mut list = vec![
        (LinuxNamespaceType::Pid, &ns.pid),
        (LinuxNamespaceType::Network, &ns.network),
        (LinuxNamespaceType::Ipc, &ns.ipc),
        (LinuxNamespaceType::Uts, &ns.uts),
    ];
    let private = NamespaceMode::Private;
    list.push((LinuxNamespaceType::Mount, &private));
    if let Some(c) = &ns.cgroup {
        list.push((LinuxNamespaceType::Cgroup, c));
    }
    let mut out = Vec::new();
    for (typ, mode) in list {
        match mode {
            NamespaceMode::Host => {}
            NamespaceMode::Private => out.push(LinuxNamespaceBuilder::default().typ(typ).build()?),
            NamespaceMode::Path(p) => {
                if !p.is_absolute() {
                    return Err(invalid(
                        "namespaces",
                        format!("{typ:?} namespace path {} must be absolute", p.display()),
                    ));
                }
                out.push(
                    LinuxNamespaceBuilder::default()
                        .typ(typ)
                        .path(p.clone())
                        .build()?,
                );
            }
        }
    }
    Ok(out)
}

fn systemd_running(opts: &SpecOptions) -> bool {
    opts.systemd_running
        .unwrap_or_else(|| Path::new("/run/systemd/system").is_dir())
}

/// `cgroupsPath`: `/berth/ID` (cgroupfs) or `berth.slice:berth:ID` (systemd).
pub fn cgroups_path(spec: &ContainerSpec, opts: &SpecOptions) -> Result<String> {
    match opts.cgroup_manager {
        CgroupManager::Cgroupfs => {
            let parent = spec
                .cgroup_parent
                .as_deref()
                .unwrap_or("berth")
                .trim_matches('/');
            Ok(format!("/{parent}/{}", spec.id))
        }
        CgroupManager::Systemd => {
            if !systemd_running(opts) {
                return Err(Error::SystemdNotRunning);
            }
            let parent = spec.cgroup_parent.as_deref().unwrap_or("berth.slice");
            if Path::new(parent).extension().is_none_or(|e| e != "slice") || parent.contains('/') {
                return Err(invalid("cgroup_parent", format!("{parent:?}: with the systemd cgroup manager it must be a slice name like berth.slice")));
            }
            Ok(format!("{parent}:berth:{}", spec.id))
        }
    }
}

/// Checks that each sysctl is namespaced and its namespace is the container's own.
fn check_sysctls(spec: &ContainerSpec) -> Result<()> {
    let ns = &spec.namespaces;
    for key in spec.sysctls.keys() {
        let (ok, which) = if key.starts_with("net.") {
            (ns.network != NamespaceMode::Host, "network")
        } else if key.starts_with("fs.mqueue.")
            || key.starts_with("kernel.shm")
            || key.starts_with("kernel.msg")
            || key == "kernel.sem"
        {
            (ns.ipc != NamespaceMode::Host, "ipc")
        } else if key == "kernel.hostname" || key == "kernel.domainname" {
            (ns.uts != NamespaceMode::Host, "uts")
        } else {
            return Err(invalid(
                "sysctls",
                format!("sysctl {key:?} is not namespaced and cannot be set per container"),
            ));
        };
        if !ok {
            return Err(invalid(
                "sysctls",
                format!("sysctl {key:?} cannot be set when the {which} namespace is the host's"),
            ));
        }
    }
    Ok(())
}

/// podman's `default_sysctls`: root's group may open ICMP echo sockets, so `ping` works in a
/// private network namespace without `NET_RAW`.
const DEFAULT_SYSCTLS: [(&str, &str); 1] = [("net.ipv4.ping_group_range", "0 0")];

/// The user's sysctls over the defaults; the network defaults unless the network namespace
/// is the host's (a CNI-made namespace comes as a path).
fn sysctls(spec: &ContainerSpec) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if spec.namespaces.network != NamespaceMode::Host {
        for (k, v) in DEFAULT_SYSCTLS {
            out.insert(k.to_owned(), v.to_owned());
        }
    }
    out.extend(spec.sysctls.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// Builds the OCI spec for `spec` (without writing anything).
pub fn generate_spec(spec: &ContainerSpec, opts: &SpecOptions) -> Result<Spec> {
    if spec.id.is_empty() {
        return Err(invalid("id", "must not be empty"));
    }
    if !spec.rootfs.is_absolute() {
        return Err(invalid(
            "rootfs",
            format!("{} must be an absolute path", spec.rootfs.display()),
        ));
    }
    let hostname = hostname_of(spec);
    let user_str = spec
        .user
        .clone()
        .or_else(|| spec.image.user.clone())
        .unwrap_or_default();
    let user = user::resolve_user(&spec.rootfs, &user_str, &spec.groups)?;
    let args = process_args(spec)?;
    let env = process_env(spec, &hostname, &user.home)?;
    let cwd = spec
        .workdir
        .clone()
        .or_else(|| spec.image.workdir.clone())
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "/".into());
    if !cwd.starts_with('/') {
        return Err(invalid(
            "workdir",
            format!("{cwd:?} must be an absolute path"),
        ));
    }
    if spec.workdir_must_exist {
        check_workdir(spec, &cwd)?;
    }
    let cap_set = caps::capability_set(&spec.cap_add, &spec.cap_drop, spec.privileged)?;
    let capabilities = caps::linux_capabilities(&cap_set, &spec.cap_add, user.uid)?;

    let mut oci_user = UserBuilder::default()
        .uid(user.uid)
        .gid(user.gid)
        .umask(spec.umask.unwrap_or(0o022));
    if !user.additional_gids.is_empty() {
        oci_user = oci_user.additional_gids(user.additional_gids.clone());
    }
    if let Some(adj) = spec.oom_score_adj {
        if !(-1000..=1000).contains(&adj) {
            return Err(invalid(
                "oom_score_adj",
                format!("{adj}: must be between -1000 and 1000"),
            ));
        }
    }
    if spec.umask.is_some_and(|m| m > 0o777) {
        return Err(invalid("umask", "must be at most 0777"));
    }
    let mut process = ProcessBuilder::default()
        .terminal(spec.tty)
        .user(oci_user.build()?)
        .args(args)
        .env(env)
        .cwd(cwd)
        .capabilities(capabilities)
        .rlimits(rlimits::rlimits(&spec.ulimits, opts.limits)?)
        .no_new_privileges(spec.no_new_privileges)
        .build()?;
    process.set_oom_score_adj(spec.oom_score_adj);

    check_sysctls(spec)?;
    let (devices, device_rules) = resources::host_devices(spec)?;
    let mut linux = LinuxBuilder::default()
        .namespaces(namespaces(spec)?)
        .resources(resources::resources(spec, device_rules)?)
        .cgroups_path(PathBuf::from(cgroups_path(spec, opts)?))
        .sysctl(sysctls(spec));
    if !spec.privileged {
        linux = linux
            .masked_paths(
                MASKED_PATHS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
            )
            .readonly_paths(
                READONLY_PATHS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect::<Vec<_>>(),
            );
        let profile = match &spec.seccomp {
            SeccompChoice::Unconfined => None,
            SeccompChoice::Profile(p) => Some(p.clone()),
            SeccompChoice::Default => match opts.seccomp_profiles.iter().find(|p| p.exists()) {
                Some(p) => Some(p.clone()),
                None => return Err(no_default_seccomp_profile(&opts.seccomp_profiles)),
            },
        };
        if let Some(path) = profile {
            linux = linux.seccomp(seccomp::load_profile(&path, &cap_set, &opts.seccomp_host)?);
        }
    }

    let mut linux = linux.build()?;
    linux.set_devices((!devices.is_empty()).then_some(devices));
    if spec.privileged {
        // The builder starts from runc's defaults, which mask paths.
        linux.set_masked_paths(None);
        linux.set_readonly_paths(None);
    }

    let mut annotations: HashMap<String, String> = spec
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    annotations
        .entry("io.container.manager".into())
        .or_insert_with(|| "berth".into());

    let mut builder = SpecBuilder::default()
        .version("1.0.2-dev")
        .root(
            RootBuilder::default()
                .path(spec.rootfs.clone())
                .readonly(spec.read_only)
                .build()?,
        )
        .mounts(mounts::all_mounts(spec)?)
        .process(process)
        .linux(linux)
        .annotations(annotations);
    // Only a private UTS namespace gets a hostname: joining another's must not rename it.
    if spec.namespaces.uts == NamespaceMode::Private {
        builder = builder.hostname(hostname);
    }
    let mut out = builder.build()?;
    if spec.namespaces.uts != NamespaceMode::Private {
        // The builder starts from a default spec that names a hostname.
        out.set_hostname(None);
    }
    opts.hooks.inject(&mut out, spec)?;
    Ok(out)
}

/// The spec as JSON with every set-valued array sorted, so the output is byte-for-byte stable.
pub fn canonical_json(spec: &Spec) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(spec).map_err(|e| Error::Json {
        what: "the generated spec".into(),
        source: e,
    })?;
    if let Some(caps) = v
        .pointer_mut("/process/capabilities")
        .and_then(serde_json::Value::as_object_mut)
    {
        for set in caps.values_mut() {
            if let Some(a) = set.as_array_mut() {
                a.sort_by(|x, y| x.as_str().cmp(&y.as_str()));
            }
        }
    }
    Ok(v)
}

/// Mode of bundle files that may hold secrets (`config.json` and the exec process spec carry
/// the environment; logs carry whatever the container prints).
pub(crate) const PRIVATE_MODE: u32 = 0o600;

/// Mode of the files bind-mounted into the container (`hosts`, `resolv.conf`, `hostname`):
/// every user in the container reads them.
pub(crate) const SHARED_MODE: u32 = 0o644;

/// Creates (or truncates) `path` with exactly `mode`, whatever the umask or an earlier file's
/// mode was.
pub(crate) fn create_with_mode(path: &Path, mode: u32) -> Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io("set the mode of", path, e))?;
    Ok(f)
}

/// Writes `path` atomically with `mode` (temp file in the same dir, rename): readers see the
/// old file or the new one. No fsync: bundles live in the per-boot tmp dir and are written
/// again at every start, so surviving a power cut buys nothing and each fsync costs a start
/// ~1 ms.
pub(crate) fn write_atomic(path: &Path, data: &[u8], mode: u32) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    let mut f = create_with_mode(&tmp, mode)?;
    f.write_all(data).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io("rename into place", path, e))
}

/// Generates the spec and writes the bundle: `config.json`, and unless `no_etc_files`
/// `hosts`, `resolv.conf`, `hostname`. Returns the spec.
pub fn write_bundle(spec: &ContainerSpec, opts: &SpecOptions) -> Result<Spec> {
    let oci = generate_spec(spec, opts)?;
    let dir = &spec.bundle_dir;
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create bundle dir", dir, e))?;
    if !spec.no_etc_files {
        let hostname = hostname_of(spec);
        write_atomic(
            &dir.join("hostname"),
            format!("{hostname}\n").as_bytes(),
            SHARED_MODE,
        )?;
        write_atomic(
            &dir.join("hosts"),
            hosts_file(&hostname, &spec.name, &spec.hosts).as_bytes(),
            SHARED_MODE,
        )?;
        let host_text = match std::fs::read_to_string(&opts.host_resolv_conf) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io("read", &opts.host_resolv_conf, e)),
        };
        let resolv = resolv_conf(
            &spec.dns,
            &host_text,
            spec.namespaces.network == NamespaceMode::Host,
        );
        write_atomic(&dir.join("resolv.conf"), resolv.as_bytes(), SHARED_MODE)?;
    }
    write_atomic(
        &dir.join(CONTAINERENV),
        containerenv(spec).as_bytes(),
        SHARED_MODE,
    )?;
    let json = serde_json::to_vec_pretty(&canonical_json(&oci)?).map_err(|e| Error::Json {
        what: "the generated spec".into(),
        source: e,
    })?;
    write_atomic(&dir.join("config.json"), &json, PRIVATE_MODE)?;
    Ok(oci)
}

#[cfg(test)]
mod tests;

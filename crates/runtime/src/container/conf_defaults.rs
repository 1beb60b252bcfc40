//! containers.conf's per-container defaults (`[containers]`, `engine.stop_timeout`),
//! applied beneath what `create` is asked for, as podman applies them.
//!
//! A flag always wins over the file. Where the options cannot tell "not given" from
//! the default value (`--log-driver k8s-file`, `--shm-size 64m`, `--umask 0022`, `--stop-timeout 10`, `--ipc/--uts/--pid/--cgroupns private`, `--read-only=false`, `--no-hosts=false`,
//! `--ulimit host`), the file's value is used.

use std::collections::BTreeSet;

use berth_config::ContainersConf;

use super::ContainerCreateOptions;
use crate::options::{
    parse_device, parse_namespace, ContainerMount, LogDriver, NamespaceChoice, Seccomp,
};
use crate::NetworkMode;

/// podman's `/dev/shm` size when neither `--shm-size` nor the file gives one.
const DEFAULT_SHM_SIZE: u64 = 64 << 20;

/// `opts` with `conf`'s defaults filled in where `opts` sets nothing.
pub(crate) fn with_conf_defaults(
    conf: &ContainersConf,
    opts: &ContainerCreateOptions,
) -> ContainerCreateOptions {
    let mut o = opts.clone();
    if o.pod.is_none() {
        let ns = &mut o.namespaces;
        for (key, flag, slot) in [
            ("containers.ipcns", "--ipc", &mut ns.ipc),
            ("containers.utsns", "--uts", &mut ns.uts),
            ("containers.pidns", "--pid", &mut ns.pid),
            ("containers.cgroupns", "--cgroupns", &mut ns.cgroup),
        ] {
            if *slot == NamespaceChoice::Private {
                if let Some(Ok(choice)) = conf.string(key).map(|v| parse_namespace(flag, v)) {
                    *slot = choice;
                }
            }
        }
    }
    // `netns`: the network mode when `--network` gives none (bridge and private are the
    // default network already).
    if o.pod.is_none() && o.network.is_none() {
        match conf.string("containers.netns") {
            Some("host") => o.network = Some(NetworkMode::Host),
            Some("none") => o.network = Some(NetworkMode::None),
            _ => {}
        }
    }
    for a in conf.strings("containers.annotations") {
        if let Some((k, v)) = a.split_once('=') {
            o.annotations
                .entry(k.to_owned())
                .or_insert_with(|| v.to_owned());
        }
    }
    // podman's rule: network sysctls only where the container has a netns of its own,
    // IPC ones only where it has its own IPC namespace.
    let shared_net = o.pod.is_some()
        || matches!(
            o.network,
            Some(NetworkMode::Host | NetworkMode::Container(_))
        );
    let shared_ipc = o.pod.is_some() || o.namespaces.ipc != NamespaceChoice::Private;
    for s in conf.strings("containers.default_sysctls") {
        if let Some((k, v)) = s.split_once('=') {
            let ipc = k.starts_with("kernel.msg")
                || k.starts_with("kernel.sem")
                || k.starts_with("kernel.shm")
                || k.starts_with("fs.mqueue.");
            if (shared_net && k.starts_with("net.")) || (shared_ipc && ipc) {
                continue;
            }
            o.sysctls
                .entry(k.to_owned())
                .or_insert_with(|| v.to_owned());
        }
    }
    for u in conf.strings("containers.default_ulimits") {
        let Some((name, limits)) = u.split_once('=') else {
            continue;
        };
        let oci = format!("RLIMIT_{}", name.to_ascii_uppercase());
        if o.resources.ulimits.iter().any(|(n, _, _)| *n == oci) {
            continue;
        }
        let number = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
        let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
        o.resources.ulimits.push((oci, number(soft), number(hard)));
    }
    if o.pod.is_none() {
        let fill = |own: &mut Vec<String>, key: &str| {
            if own.is_empty() {
                own.extend(conf.strings(key).iter().cloned());
            }
        };
        fill(&mut o.dns_servers, "containers.dns_servers");
        fill(&mut o.dns_search, "containers.dns_searches");
        fill(&mut o.dns_options, "containers.dns_options");
    }
    let configured = conf.strings("containers.default_capabilities");
    if conf.get("containers.default_capabilities").is_some() {
        let bare = |c: &String| c.strip_prefix("CAP_").unwrap_or(c).to_owned();
        let wanted: BTreeSet<String> = configured.iter().map(bare).collect();
        let builtin: BTreeSet<String> = berth_oci::generate::caps::DEFAULT_CAPS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let dropped_by_user: BTreeSet<String> = o.cap_drop.iter().map(bare).collect();
        for extra in wanted.difference(&builtin) {
            if !dropped_by_user.contains(extra) && !o.cap_add.iter().any(|c| bare(c) == *extra) {
                o.cap_add.push(extra.clone());
            }
        }
        for missing in builtin.difference(&wanted) {
            if !o.cap_drop.iter().any(|c| bare(c) == *missing) {
                o.cap_drop.push(missing.clone());
            }
        }
    }
    if o.log.driver == LogDriver::K8sFile {
        match conf.string("containers.log_driver") {
            Some("journald") => o.log.driver = LogDriver::Journald,
            Some("none") => o.log.driver = LogDriver::None,
            Some("passthrough") if !o.tty => o.log.driver = LogDriver::Passthrough,
            _ => {}
        }
    }
    if o.log.tag.is_none() {
        o.log.tag = conf.string("containers.log_tag").map(str::to_owned);
    }
    // The CLI always sends a size, podman's 64 MiB default when --shm-size is not given.
    if o.resources.shm_size.is_none() || o.resources.shm_size == Some(DEFAULT_SHM_SIZE) {
        if let Some(size) = conf.shm_size() {
            o.resources.shm_size = Some(size);
        }
    }
    if o.timezone.is_none() {
        o.timezone = conf.string("containers.tz").map(str::to_owned);
    }
    // Likewise `--umask`'s default, 0022.
    if o.tuning.umask.is_none() || o.tuning.umask == Some(0o022) {
        if let Some(mask) = conf.umask() {
            o.tuning.umask = Some(mask);
        }
    }
    add_mounts(conf, &mut o.mounts);
    for d in conf.strings("containers.devices") {
        let Ok(d) = parse_device(d) else {
            continue;
        };
        let at = |x: &crate::options::DeviceSpec| {
            x.container_path
                .clone()
                .unwrap_or_else(|| x.host_path.display().to_string())
        };
        if !o.devices.iter().any(|x| at(x) == at(&d)) {
            o.devices.push(d);
        }
    }
    if o.seccomp == Seccomp::Default && !o.privileged {
        match conf.string("containers.seccomp_profile") {
            Some("unconfined") => o.seccomp = Seccomp::Unconfined,
            Some(p) if !p.is_empty() => o.seccomp = Seccomp::Profile(p.into()),
            _ => {}
        }
    }
    o.read_only |= conf.bool("containers.read_only").unwrap_or(false);
    o.no_hosts |= conf.bool("containers.no_hosts").unwrap_or(false);
    // And `--stop-timeout`'s, 10.
    if o.stop_timeout.is_none() || o.stop_timeout == Some(10) {
        if let Some(t) = conf
            .int("engine.stop_timeout")
            .and_then(|n| u32::try_from(n).ok())
        {
            o.stop_timeout = Some(t);
        }
    }
    o
}

/// `containers.volumes`, then mounts.conf's mounts (read-only binds of the host paths
/// that exist), each unless a mount of the container already takes its destination.
fn add_mounts(conf: &ContainersConf, mounts: &mut Vec<ContainerMount>) {
    let mut wanted = Vec::new();
    for v in conf.strings("containers.volumes") {
        let mut parts = v.splitn(3, ':');
        let (Some(src), Some(dst)) = (parts.next(), parts.next()) else {
            continue;
        };
        let opts: Vec<String> = parts
            .next()
            .map(|o| o.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        let read_only = opts.iter().any(|o| o == "ro");
        let options: Vec<String> = opts
            .into_iter()
            .filter(|o| o != "ro" && o != "rw")
            .collect();
        wanted.push(if src.starts_with('/') {
            ContainerMount::Bind {
                source: src.into(),
                destination: dst.into(),
                read_only,
                options,
            }
        } else {
            ContainerMount::Volume {
                name: Some(src.to_owned()),
                destination: dst.into(),
                read_only,
                options,
            }
        });
    }
    for m in conf.default_mounts() {
        if m.source.exists() {
            wanted.push(ContainerMount::Bind {
                source: m.source.clone(),
                destination: m.destination.clone(),
                read_only: true,
                options: Vec::new(),
            });
        } else {
            tracing::debug!(source = %m.source.display(), "mounts.conf path missing on the host; skipped");
        }
    }
    for m in wanted {
        if !mounts.iter().any(|x| x.destination() == m.destination()) {
            mounts.push(m);
        }
    }
}

/// The environment beneath the image's: the host's (`env_host`), then `containers.env`.
pub(crate) fn base_env(conf: &ContainersConf) -> Vec<String> {
    let mut env: Vec<String> = Vec::new();
    if conf.bool("containers.env_host") == Some(true) {
        env.extend(std::env::vars().map(|(k, v)| format!("{k}={v}")));
    }
    for e in conf.strings("containers.env") {
        let key = e.split('=').next().unwrap_or_default();
        env.retain(|x| x.split('=').next() != Some(key));
        env.push(e.clone());
    }
    env
}

/// `image` over `base`, key by key.
pub(crate) fn under(base: Vec<String>, image: &[String]) -> Vec<String> {
    let mut env = base;
    for e in image {
        let key = e.split('=').next().unwrap_or_default();
        env.retain(|x| x.split('=').next() != Some(key));
        env.push(e.clone());
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_config::Setting;

    fn conf(entries: &[(&'static str, Setting)]) -> ContainersConf {
        let mut c = ContainersConf::default();
        for (k, v) in entries {
            c.set(k, v.clone(), "/c.conf");
        }
        c
    }

    fn strs(v: &[&str]) -> Setting {
        Setting::Strs(v.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn flags_win_and_gaps_are_filled() {
        let c = conf(&[
            (
                "containers.default_ulimits",
                strs(&["nofile=100:200", "nproc=-1"]),
            ),
            (
                "containers.default_sysctls",
                strs(&["net.ipv4.ip_forward=1", "kernel.msgmax=8192"]),
            ),
            ("containers.dns_servers", strs(&["1.1.1.1"])),
            ("containers.tz", Setting::Str("UTC".into())),
            ("containers.shm_size", Setting::Str("1m".into())),
            ("containers.umask", Setting::Str("0077".into())),
            ("containers.log_driver", Setting::Str("none".into())),
            ("engine.stop_timeout", Setting::Int(3)),
            ("containers.ipcns", Setting::Str("host".into())),
            ("containers.devices", strs(&["/dev/null:/dev/conf-null:r"])),
            (
                "containers.seccomp_profile",
                Setting::Str("unconfined".into()),
            ),
            ("containers.utsns", Setting::Str("private".into())),
            ("containers.netns", Setting::Str("none".into())),
        ]);
        let mut opts = ContainerCreateOptions::new("img", &[]);
        opts.resources.ulimits = vec![("RLIMIT_NOFILE".into(), 5, 5)];
        opts.sysctls.insert("kernel.msgmax".into(), "1".into());
        opts.network = Some(NetworkMode::Host);
        let o = with_conf_defaults(&c, &opts);
        assert_eq!(
            o.resources.ulimits,
            [
                ("RLIMIT_NOFILE".into(), 5, 5),
                ("RLIMIT_NPROC".into(), u64::MAX, u64::MAX)
            ]
        );
        assert_eq!(o.sysctls.len(), 1, "net.* skipped on the host network");
        assert_eq!(o.sysctls["kernel.msgmax"], "1");
        assert_eq!(o.dns_servers, ["1.1.1.1"]);
        assert_eq!(o.timezone.as_deref(), Some("UTC"));
        assert_eq!(o.resources.shm_size, Some(1 << 20));
        assert_eq!(o.tuning.umask, Some(0o77));
        assert_eq!(o.log.driver, LogDriver::None);
        assert_eq!(o.stop_timeout, Some(3));
        assert_eq!(o.namespaces.ipc, NamespaceChoice::Host);
        assert_eq!(o.namespaces.uts, NamespaceChoice::Private);
        assert_eq!(
            o.devices[0].container_path.as_deref(),
            Some("/dev/conf-null")
        );
        assert_eq!(o.seccomp, Seccomp::Unconfined);
        assert_eq!(
            o.network,
            Some(NetworkMode::Host),
            "--network wins over netns"
        );
        let o = with_conf_defaults(&c, &ContainerCreateOptions::new("img", &[]));
        assert_eq!(o.network, Some(NetworkMode::None));
    }

    #[test]
    fn sysctls_of_shared_namespaces_are_left_out() {
        let c = conf(&[
            ("containers.ipcns", Setting::Str("host".into())),
            (
                "containers.default_sysctls",
                strs(&["kernel.shmmax=1", "net.ipv4.ip_forward=1"]),
            ),
        ]);
        let o = with_conf_defaults(&c, &ContainerCreateOptions::new("img", &[]));
        assert_eq!(
            o.sysctls.keys().collect::<Vec<_>>(),
            ["net.ipv4.ip_forward"]
        );
        let mut in_pod = ContainerCreateOptions::new("img", &[]);
        in_pod.pod = Some("p".into());
        assert!(with_conf_defaults(&c, &in_pod).sysctls.is_empty());
    }

    #[test]
    fn default_capabilities_become_adds_and_drops() {
        let c = conf(&[(
            "containers.default_capabilities",
            strs(&["CHOWN", "CAP_NET_RAW", "SYS_ADMIN"]),
        )]);
        let mut opts = ContainerCreateOptions::new("img", &[]);
        opts.cap_drop = vec!["SYS_ADMIN".into()];
        opts.cap_add = vec!["KILL".into()];
        let o = with_conf_defaults(&c, &opts);
        let set =
            berth_oci::generate::caps::capability_set(&o.cap_add, &o.cap_drop, false).unwrap();
        let set: Vec<&str> = set.iter().map(String::as_str).collect();
        assert_eq!(set, ["CHOWN", "KILL", "NET_RAW"]);
    }

    #[test]
    fn env_layers() {
        let c = conf(&[("containers.env", strs(&["A=conf", "B=conf"]))]);
        let env = under(base_env(&c), &["B=image".to_owned()]);
        assert_eq!(env, ["A=conf", "B=image"]);
        // env_host: the host's variables go beneath containers.env.
        let c = conf(&[
            ("containers.env_host", Setting::Bool(true)),
            ("containers.env", strs(&["PATH=/conf"])),
        ]);
        let env = base_env(&c);
        assert!(env.len() > 1, "{env:?}");
        assert_eq!(env.iter().filter(|e| e.starts_with("PATH=")).count(), 1);
        assert!(env.contains(&"PATH=/conf".to_owned()));
    }
}

//! The CLI's typed options → berth-runtime's option structs.

use crate::opts::{
    CreateOptions, DnsServers, NetworkMode, PidsLimit, PodCreateOptions, Ulimits, UserSpec,
};
use berth_runtime::{ContainerCreateOptions, PodSharedNamespaces};
use std::path::PathBuf;

/// `--network` → the runtime's mode (`None` = the default network).
pub fn network(mode: &NetworkMode) -> Option<berth_runtime::NetworkMode> {
    match mode {
        NetworkMode::Default | NetworkMode::Bridge => None,
        NetworkMode::None => Some(berth_runtime::NetworkMode::None),
        NetworkMode::Host => Some(berth_runtime::NetworkMode::Host),
        NetworkMode::Container(c) => Some(berth_runtime::NetworkMode::Container(PathBuf::from(c))),
        NetworkMode::Path(p) => Some(berth_runtime::NetworkMode::Container(p.clone())),
        NetworkMode::Networks(n) => Some(berth_runtime::NetworkMode::Networks(
            n.iter().map(|a| a.name.clone()).collect(),
        )),
    }
}

fn user(u: &UserSpec) -> String {
    match &u.group {
        Some(g) => format!("{}:{g}", u.user),
        None => u.user.clone(),
    }
}

fn dns(d: &DnsServers) -> Vec<String> {
    match d {
        DnsServers::Default => Vec::new(),
        DnsServers::None => vec!["none".into()],
        DnsServers::Servers(s) => s.iter().map(ToString::to_string).collect(),
    }
}

/// `run`/`create` options → the runtime's.
pub fn create(o: &CreateOptions) -> anyhow::Result<ContainerCreateOptions> {
    let mut c = ContainerCreateOptions {
        image: o.image.clone(),
        name: o.name.clone(),
        command: o.command.clone(),
        entrypoint: o.entrypoint.clone(),
        env: o.env.to_strings(),
        workdir: o.workdir.as_ref().map(|w| w.to_string_lossy().into_owned()),
        user: o.user.as_ref().map(user),
        labels: o.labels.clone(),
        annotations: o.annotations.clone(),
        tty: o.tty,
        stdin: o.interactive,
        auto_remove: o.remove,
        pod: o.pod.clone(),
        // `--network bridge` given is the default network even where containers.conf's
        // `netns` names another mode; not given (`None`) lets the runtime apply `netns`.
        network: match &o.network {
            NetworkMode::Bridge => Some(berth_runtime::NetworkMode::Networks(Vec::new())),
            m => network(m),
        },
        network_options: o.network_options.clone(),
        ports: o.ports.clone(),
        publish_all: o.publish_all,
        replace: o.replace,
        hostname: o.hostname.clone(),
        cap_add: o.cap_add.clone(),
        cap_drop: o.cap_drop.clone(),
        privileged: o.privileged,
        no_new_privileges: o.security.no_new_privileges,
        seccomp: o.security.seccomp.clone(),
        read_only: o.read_only,
        stop_signal: o.stop_signal.map(|s| s.0.unsigned_abs()),
        stop_timeout: u32::try_from(o.stop_timeout).ok(),
        sysctls: o.sysctls.clone(),
        dns_servers: dns(&o.dns),
        dns_search: o.dns_search.clone(),
        dns_options: o.dns_options.clone(),
        add_hosts: o.add_hosts.clone(),
        mounts: o.mounts.clone(),
        groups: o.more.group_add.clone(),
        cgroup_parent: o.more.cgroup_parent.clone(),
        log: o.more.log.clone(),
        timezone: o.more.timezone.clone(),
        conmon_pidfile: o.more.conmon_pidfile.clone(),
        pidfile: o.more.pidfile.clone(),
        timeout: o.more.timeout,
        namespaces: o.more.namespaces.clone(),
        healthcheck: o.more.healthcheck.clone(),
        unset_env: o.more.unset_env.clone(),
        unset_env_all: o.more.unset_env_all,
        preserve_fds: o.more.preserve_fds,
        devices: o.more.devices.clone(),
        tuning: o.more.tuning.clone(),
        env_merge: o.more.env_merge.clone(),
        volumes_from: o.more.volumes_from.clone(),
        no_hosts: o.more.no_hosts,
        restart: o.more.restart,
        host_users: o.more.host_users.clone(),
        device_rules: o.more.device_rules.clone(),
        secrets: o.more.secrets.clone(),
        ..ContainerCreateOptions::default()
    };
    let r = &o.resources;
    c.resources.memory = r.memory.and_then(|m| i64::try_from(m).ok());
    if let Some(cpu) = r.cpus {
        c.resources.cpu_quota = Some(cpu.quota_us);
        c.resources.cpu_period = Some(cpu.period_us);
    }
    let more = &o.more;
    c.resources.cpu_quota = c.resources.cpu_quota.or(more.cpu_quota);
    c.resources.cpu_period = c.resources.cpu_period.or(more.cpu_period);
    c.resources.cpu_shares = more.cpu_shares;
    c.resources.cpuset_cpus.clone_from(&more.cpuset_cpus);
    c.resources.memory_swap = more.memory_swap;
    c.resources.pids_limit = match r.pids_limit {
        Some(PidsLimit::Limit(n)) => i64::try_from(n).ok(),
        Some(PidsLimit::Unlimited) => Some(-1),
        None => None,
    };
    if let Ulimits::Set(l) = &r.ulimits {
        c.resources.ulimits = l.iter().map(|u| (u.oci_name(), u.soft, u.hard)).collect();
    }
    c.resources.shm_size = Some(r.shm_size);
    Ok(c)
}

/// `pod create` options → the runtime's.
pub fn pod(o: &PodCreateOptions) -> anyhow::Result<berth_runtime::PodCreateOptions> {
    use crate::opts::Namespace as N;
    let mut share = PodSharedNamespaces {
        net: false,
        ipc: false,
        pid: false,
        uts: false,
        user: false,
        cgroup: false,
    };
    for n in &o.share {
        match n {
            N::Net => share.net = true,
            N::Ipc => share.ipc = true,
            N::Pid => share.pid = true,
            N::Uts => share.uts = true,
            N::User => share.user = true,
            N::Cgroup => share.cgroup = true,
        }
    }
    Ok(berth_runtime::PodCreateOptions {
        name: o.name.clone(),
        labels: o.labels.clone(),
        share,
        ports: o.ports.clone(),
        network: network(&o.network),
        hostname: o.hostname.clone(),
        replace: o.replace,
        infra: o.infra.then(|| berth_runtime::PodInfraOptions {
            name: o.infra_name.clone(),
            image: o.infra_image.clone(),
            command: o.infra_command.clone(),
            dns_servers: dns(&o.dns),
            dns_search: o.dns_search.clone(),
            dns_options: o.dns_options.clone(),
            add_hosts: o.add_hosts.clone(),
            sysctls: o.sysctls.clone(),
        }),
        exit_policy: o.exit_policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_modes() {
        assert_eq!(network(&NetworkMode::Default), None);
        assert_eq!(network(&NetworkMode::Bridge), None);
        assert_eq!(
            network(&NetworkMode::None),
            Some(berth_runtime::NetworkMode::None)
        );
        assert_eq!(
            network(&NetworkMode::Host),
            Some(berth_runtime::NetworkMode::Host)
        );
    }
}

//! The CLI's typed options → berth-runtime's option structs.

use crate::opts::{
    CreateOptions, DnsServers, NetworkMode, PidsLimit, PodCreateOptions, PortMapping, Protocol,
    Ulimits, UserSpec,
};
use berth_runtime::{ContainerCreateOptions, PodSharedNamespaces};
use std::path::PathBuf;

/// `-p` mappings, ranges expanded and a host port of 0 given a free port.
pub fn ports(ports: &[PortMapping]) -> anyhow::Result<Vec<berth_cni::PortMapping>> {
    let mut outp = Vec::new();
    for p in ports {
        for i in 0..p.range.max(1) {
            let host_port = if p.host_port == 0 {
                free_port(p.protocol)?
            } else {
                p.host_port + i
            };
            outp.push(berth_cni::PortMapping {
                host_port,
                container_port: p.container_port + i,
                protocol: match p.protocol {
                    Protocol::Tcp => berth_cni::Protocol::Tcp,
                    Protocol::Udp => berth_cni::Protocol::Udp,
                    Protocol::Sctp => berth_cni::Protocol::Sctp,
                },
                host_ip: p.host_ip.map(|ip| ip.to_string()).unwrap_or_default(),
            });
        }
    }
    Ok(outp)
}

/// A free host port, asked of the kernel.
fn free_port(proto: Protocol) -> anyhow::Result<u16> {
    let port = if proto == Protocol::Udp {
        std::net::UdpSocket::bind("0.0.0.0:0")?.local_addr()?.port()
    } else {
        std::net::TcpListener::bind("0.0.0.0:0")?
            .local_addr()?
            .port()
    };
    Ok(port)
}

/// `--network` → the runtime's mode (`None` = the default network).
pub fn network(mode: &NetworkMode) -> Option<berth_cni::NetworkMode> {
    match mode {
        NetworkMode::Default | NetworkMode::Bridge => None,
        NetworkMode::None => Some(berth_cni::NetworkMode::None),
        NetworkMode::Host => Some(berth_cni::NetworkMode::Host),
        NetworkMode::Container(c) => Some(berth_cni::NetworkMode::Container(PathBuf::from(c))),
        NetworkMode::Path(p) => Some(berth_cni::NetworkMode::Container(p.clone())),
        NetworkMode::Networks(n) => Some(berth_cni::NetworkMode::Networks(
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
        network: network(&o.network),
        ports: ports(&o.ports)?,
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
        ..ContainerCreateOptions::default()
    };
    let r = &o.resources;
    c.resources.memory = r.memory.and_then(|m| i64::try_from(m).ok());
    if let Some(cpu) = r.cpus {
        c.resources.cpu_quota = Some(cpu.quota_us);
        c.resources.cpu_period = Some(cpu.period_us);
    }
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
        ports: ports(&o.ports)?,
        network: network(&o.network),
        hostname: o.hostname.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opts::ports::parse_publish;

    #[test]
    fn port_ranges_expand_and_zero_gets_a_free_port() {
        let p = parse_publish(&["127.0.0.1:8000-8001:80-81/udp".into(), "90".into()]).unwrap();
        let out = ports(&p).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!((out[0].host_port, out[0].container_port), (8000, 80));
        assert_eq!((out[1].host_port, out[1].container_port), (8001, 81));
        assert_eq!(out[0].host_ip, "127.0.0.1");
        assert_eq!(out[0].protocol, berth_cni::Protocol::Udp);
        assert_ne!(out[2].host_port, 0);
        assert_eq!(out[2].container_port, 90);
    }

    #[test]
    fn network_modes() {
        assert_eq!(network(&NetworkMode::Default), None);
        assert_eq!(network(&NetworkMode::Bridge), None);
        assert_eq!(
            network(&NetworkMode::None),
            Some(berth_cni::NetworkMode::None)
        );
        assert_eq!(
            network(&NetworkMode::Host),
            Some(berth_cni::NetworkMode::Host)
        );
    }
}

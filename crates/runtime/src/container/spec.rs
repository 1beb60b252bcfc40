//! From a container record to the OCI layer's plain [`ContainerSpec`].

use std::path::{Path, PathBuf};

use berth_oci::{
    BindMount, CgroupManager, ContainerSpec, DnsConfig, HostEntry, NamespaceMode, Namespaces,
    Resources, SeccompChoice, TmpfsMount, Ulimit,
};
use berth_state::ContainerRecord;

use crate::error::{Error, Result};
use crate::options::Seccomp;
use crate::runtime::Runtime;

/// Where the container's namespaces come from, decided by `init`.
#[derive(Debug, Clone, Default)]
pub(crate) struct NamespacePlan {
    pub network: NamespaceMode,
    pub ipc: NamespaceMode,
    pub uts: NamespaceMode,
    pub pid: NamespaceMode,
    pub cgroup: Option<NamespaceMode>,
}

impl Runtime {
    pub(crate) fn build_spec(
        &self,
        rec: &ContainerRecord,
        rootfs: &Path,
        ns: NamespacePlan,
    ) -> Result<ContainerSpec> {
        let c = &rec.config;
        let mut spec = ContainerSpec::new(&c.id, rootfs, self.bundle_dir(&c.id));
        spec.name.clone_from(&c.name);
        spec.entrypoint = Some(c.entrypoint.clone());
        spec.command.clone_from(&c.command);
        spec.env.clone_from(&c.env);
        spec.workdir = (!c.working_dir.is_empty()).then(|| c.working_dir.clone());
        spec.user = (!c.user.is_empty()).then(|| c.user.clone());
        spec.groups.clone_from(&c.security.groups);
        spec.tty = c.tty;
        spec.stdin = c.stdin;
        spec.hostname = (!c.hostname.is_empty()).then(|| c.hostname.clone());
        spec.namespaces = Namespaces {
            pid: ns.pid,
            ipc: ns.ipc,
            uts: ns.uts,
            network: ns.network,
            cgroup: ns.cgroup,
        };
        for m in &c.mounts {
            let has = |o: &str| m.options.iter().any(|x| x == o);
            match m.kind.as_str() {
                "tmpfs" => spec.tmpfs.push(TmpfsMount {
                    destination: m.destination.clone(),
                    options: m.options.clone(),
                }),
                _ => spec.mounts.push(BindMount {
                    source: PathBuf::from(&m.source),
                    destination: m.destination.clone(),
                    read_only: has("ro"),
                    nosuid: has("nosuid"),
                    nodev: has("nodev"),
                    noexec: has("noexec"),
                    propagation: m
                        .options
                        .iter()
                        .find(|o| {
                            matches!(
                                o.as_str(),
                                "rprivate" | "private" | "rshared" | "shared" | "rslave" | "slave"
                            )
                        })
                        .cloned(),
                    non_recursive: has("bind"),
                }),
            }
        }
        let settings = crate::options::RunSettings::from_extra(&c.extra);
        spec.unset_env.clone_from(&settings.unset_env);
        spec.unset_env_all = settings.unset_env_all;
        spec.workdir_must_exist = settings.workdir_must_exist;
        spec.image_name.clone_from(&c.image_name);
        spec.image_id.clone_from(&c.image_id);
        spec.devices = settings
            .devices
            .iter()
            .map(|d| berth_oci::DeviceMapping {
                host_path: d.host_path.clone(),
                container_path: d.container_path.clone(),
                permissions: d.permissions.clone(),
            })
            .collect();
        spec.device_cgroup_rules = settings
            .device_rules
            .iter()
            .map(|r| berth_oci::DeviceCgroupRule {
                kind: r.kind,
                major: r.major,
                minor: r.minor,
                access: r.access.clone(),
            })
            .collect();
        if !settings.passwd_lines.is_empty() {
            spec.mounts
                .push(self.passwd_with(rec, rootfs, &settings.passwd_lines)?);
        }
        // `--secret`: the copy made at create, bound read-only, or read into the environment.
        for secret in &settings.secrets {
            if secret.env {
                let data = std::fs::read(&secret.source)
                    .map_err(|e| Error::io("read secret", &secret.source, e))?;
                let value = String::from_utf8_lossy(&data);
                spec.env
                    .retain(|e| e.split('=').next() != Some(secret.target.as_str()));
                spec.env.push(format!("{}={value}", secret.target));
            } else {
                spec.mounts.push(BindMount {
                    source: secret.source.clone(),
                    destination: secret.target.clone(),
                    read_only: true,
                    ..BindMount::default()
                });
            }
        }
        if let Some(tz) = settings.localtime {
            spec.mounts.push(BindMount {
                source: tz,
                destination: "/etc/localtime".into(),
                read_only: true,
                ..BindMount::default()
            });
        }
        for v in &c.named_volumes {
            let read_only = v.options.iter().any(|o| o == "ro");
            // A volume with mount options (`type=tmpfs|bind|FS`, `device=`, `o=`) is mounted
            // at its directory by init (`mount_container_volumes`), so the directory is
            // what the container gets in every case.
            let source = self.volume_data_dir(&v.name);
            spec.mounts.push(BindMount {
                source,
                destination: v.destination.clone(),
                read_only,
                ..BindMount::default()
            });
        }
        spec.cap_add.clone_from(&c.security.cap_add);
        spec.cap_drop.clone_from(&c.security.cap_drop);
        spec.privileged = c.security.privileged;
        spec.no_new_privileges = c.security.no_new_privileges;
        spec.seccomp = match Seccomp::from_record(c.security.seccomp_profile.as_deref()) {
            Seccomp::Default => SeccompChoice::Default,
            Seccomp::Unconfined => SeccompChoice::Unconfined,
            Seccomp::Profile(p) => SeccompChoice::Profile(p),
        };
        spec.read_only = c.security.read_only_rootfs;
        let r = &c.resources;
        spec.resources = Resources {
            memory: r.memory,
            memory_swap: r.memory_swap,
            cpu_quota: r.cpu_quota,
            cpu_period: r.cpu_period,
            cpu_shares: r.cpu_shares,
            cpuset_cpus: r.cpuset_cpus.clone(),
            pids_limit: r.pids_limit,
            ..Resources::default()
        };
        let t = &settings.tuning;
        spec.resources.memory_reservation = t.memory_reservation;
        spec.resources.memory_swappiness = t.memory_swappiness;
        spec.resources.oom_kill_disable = t.oom_kill_disable;
        spec.resources.cpuset_mems.clone_from(&t.cpuset_mems);
        spec.resources.throttles = oci_throttles(&t.throttles)?;
        spec.umask = t.umask;
        spec.no_hosts = settings.no_hosts;
        spec.oom_score_adj = t.oom_score_adj;
        spec.ulimits = r
            .ulimits
            .iter()
            .map(|(name, soft, hard)| Ulimit {
                name: name.clone(),
                soft: *soft,
                hard: *hard,
            })
            .collect();
        spec.shm_size = r.shm_size;
        spec.sysctls.clone_from(&c.sysctls);
        spec.annotations.clone_from(&c.annotations);
        spec.dns = DnsConfig {
            servers: c.dns_servers.clone(),
            search: c.dns_search.clone(),
            options: c.dns_options.clone(),
        };
        spec.hosts = c
            .hosts_add
            .iter()
            .map(|h| parse_host(h))
            .collect::<Result<_>>()?;
        spec.stop_signal = i32::try_from(c.stop_signal).ok();
        spec.cgroup_parent.clone_from(&c.cgroup_parent);
        Ok(spec)
    }

    /// `--hostuser`: the image's `/etc/passwd` plus `lines` (users it already has are not
    /// repeated), written to the bundle and bound over the image's.
    fn passwd_with(
        &self,
        rec: &ContainerRecord,
        rootfs: &Path,
        lines: &[String],
    ) -> Result<BindMount> {
        let image = rootfs.join("etc/passwd");
        let mut text = match std::fs::read_to_string(&image) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io("read", &image, e)),
        };
        let name = |l: &str| l.split(':').next().unwrap_or_default().to_owned();
        let have: Vec<String> = text.lines().map(name).collect();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for l in lines {
            if !have.contains(&name(l)) {
                text.push_str(l);
                text.push('\n');
            }
        }
        let dir = self.bundle_dir(&rec.config.id);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create bundle dir", &dir, e))?;
        let path = dir.join("passwd");
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        Ok(BindMount {
            source: path,
            destination: "/etc/passwd".into(),
            ..BindMount::default()
        })
    }

    /// Host settings for spec generation.
    pub(crate) fn spec_options(&self) -> berth_oci::generate::SpecOptions {
        berth_oci::generate::SpecOptions {
            cgroup_manager: match self.config.cgroup_manager {
                berth_config::CgroupManager::Systemd => CgroupManager::Systemd,
                berth_config::CgroupManager::Cgroupfs => CgroupManager::Cgroupfs,
            },
            seccomp_profiles: self.engine.seccomp_profiles.clone(),
            host_resolv_conf: self.engine.host_resolv_conf.clone(),
            hooks: self.hooks.clone(),
            ..berth_oci::generate::SpecOptions::default()
        }
    }
}

/// `name:ip` (podman's `--add-host`) to a hosts entry.
fn parse_host(s: &str) -> Result<HostEntry> {
    let (name, ip) = s
        .split_once(':')
        .ok_or_else(|| Error::invalid("extra host", s, "use NAME:IP"))?;
    if name.is_empty() || ip.parse::<std::net::IpAddr>().is_err() {
        return Err(Error::invalid(
            "extra host",
            s,
            "use NAME:IP with a valid IP",
        ));
    }
    Ok(HostEntry {
        ip: ip.to_string(),
        names: vec![name.to_string()],
    })
}

/// Block IO throttles as the OCI layer takes them.
pub(crate) fn oci_throttles(
    throttles: &[crate::Throttle],
) -> Result<Vec<berth_oci::BlkioThrottle>> {
    throttles
        .iter()
        .map(|x| {
            let kind = match x.kind.as_str() {
                "read-bps" => berth_oci::ThrottleKind::ReadBps,
                "write-bps" => berth_oci::ThrottleKind::WriteBps,
                "read-iops" => berth_oci::ThrottleKind::ReadIops,
                "write-iops" => berth_oci::ThrottleKind::WriteIops,
                other => {
                    return Err(Error::invalid(
                        "block IO throttle",
                        other,
                        "use read-bps, write-bps, read-iops or write-iops",
                    ))
                }
            };
            Ok(berth_oci::BlkioThrottle {
                kind,
                device: x.device.clone(),
                rate: x.rate,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_host;

    #[test]
    fn extra_hosts_parse_and_bad_ones_are_named() {
        let h = parse_host("db:10.0.0.2").unwrap();
        assert_eq!(h.ip, "10.0.0.2");
        assert_eq!(h.names, vec!["db"]);
        for bad in ["db", ":1.2.3.4", "db:nope"] {
            assert!(parse_host(bad).unwrap_err().to_string().contains(bad));
        }
    }
}

//! inspect (podman's JSON shape for the fields berth has), port, mount, unmount.

use std::collections::BTreeMap;

use berth_state::{ContainerRecord, ContainerStatus};
use serde::Serialize;

use super::{invalid_status, network_mode, NetworkMode};
use crate::error::Result;
use crate::runtime::Runtime;

/// `State` of `podman inspect`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectState {
    pub oci_version: String,
    pub status: String,
    pub running: bool,
    pub paused: bool,
    pub restarting: bool,
    #[serde(rename = "OOMKilled")]
    pub oom_killed: bool,
    pub dead: bool,
    pub pid: u32,
    pub conmon_pid: u32,
    pub exit_code: i32,
    pub error: String,
    pub started_at: String,
    pub finished_at: String,
    /// The healthcheck's results (empty without one).
    pub health: crate::HealthCheckResults,
}

/// `Config` of `podman inspect`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectConfig {
    pub hostname: String,
    pub user: String,
    pub env: Vec<String>,
    pub cmd: Vec<String>,
    pub image: String,
    pub working_dir: String,
    pub entrypoint: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub stop_signal: u32,
    pub stop_timeout: u32,
    pub tty: bool,
    pub open_stdin: bool,
    /// The healthcheck (the image's or `--health-*`), in the image config's shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<berth_storage::HealthConfig>,
    /// `--health-on-failure`.
    pub healthcheck_on_failure_action: String,
    /// The command line that created it (podman's `CreateCommand`; left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub create_command: Vec<String>,
}

/// One `HostPort` entry of `PortBindings` / `Ports`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

/// `HostConfig` of `podman inspect`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectHostConfig {
    pub auto_remove: bool,
    pub network_mode: String,
    pub port_bindings: BTreeMap<String, Vec<PortBinding>>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub readonly_rootfs: bool,
    pub memory: i64,
    pub memory_swap: i64,
    pub cpu_shares: u64,
    pub cpu_period: u64,
    pub cpu_quota: i64,
    pub cpuset_cpus: String,
    pub pids_limit: i64,
    pub cgroup_parent: String,
    pub log_config: InspectLogConfig,
}

/// `HostConfig.LogConfig` of `podman inspect`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectLogConfig {
    /// The driver as given (`k8s-file`, `json-file`, `none`, `journald`, `passthrough`).
    #[serde(rename = "Type")]
    pub kind: String,
    /// The log file; empty when the driver writes none.
    pub path: String,
    pub tag: String,
    /// `max-size` in go-units' words (`0B` when unlimited, `3.047MB`).
    pub size: String,
}

/// go-units' `HumanSize`: decimal units, four significant digits, no space (`3.047MB`).
fn go_human_size(bytes: i64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes.max(0) as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    let whole = if size < 1.0 {
        1
    } else {
        size.log10().floor() as usize + 1
    };
    let decimals = 4usize.saturating_sub(whole);
    let mut text = format!("{size:.decimals$}");
    if text.contains('.') {
        text = text.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    format!("{text}{}", UNITS[unit])
}

/// `NetworkSettings` of `podman inspect`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectNetworkSettings {
    pub sandbox_key: String,
    #[serde(rename = "IPAddress")]
    pub ip_address: String,
    pub gateway: String,
    pub mac_address: String,
    pub ports: BTreeMap<String, Vec<PortBinding>>,
    pub networks: BTreeMap<String, serde_json::Value>,
}

/// One entry of `Mounts`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectMount {
    #[serde(rename = "Type")]
    pub kind: String,
    pub name: String,
    pub source: String,
    pub destination: String,
    pub options: Vec<String>,
    #[serde(rename = "RW")]
    pub rw: bool,
}

/// `podman container inspect` for one container.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
#[allow(missing_docs)]
pub struct InspectContainer {
    pub id: String,
    pub created: String,
    pub path: String,
    pub args: Vec<String>,
    pub state: InspectState,
    pub image: String,
    pub image_digest: String,
    pub image_name: String,
    pub rootfs: String,
    pub pod: String,
    pub resolv_conf_path: String,
    pub hostname_path: String,
    pub hosts_path: String,
    pub log_path: String,
    pub namespace: String,
    pub name: String,
    pub restart_count: u64,
    pub driver: String,
    pub mount_label: String,
    pub process_label: String,
    pub bundle: String,
    pub is_infra: bool,
    #[serde(rename = "OCIRuntime")]
    pub oci_runtime: String,
    pub mounts: Vec<InspectMount>,
    pub config: InspectConfig,
    pub host_config: InspectHostConfig,
    pub network_settings: InspectNetworkSettings,
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(
        || "0001-01-01T00:00:00Z".to_string(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
    )
}

fn port_map(rec: &ContainerRecord) -> BTreeMap<String, Vec<PortBinding>> {
    let mut m: BTreeMap<String, Vec<PortBinding>> = BTreeMap::new();
    for p in &rec.config.port_mappings {
        m.entry(format!("{}/{}", p.container_port, p.protocol))
            .or_default()
            .push(PortBinding {
                host_ip: p.host_ip.map(|ip| ip.to_string()).unwrap_or_default(),
                host_port: p.host_port.to_string(),
            });
    }
    m
}

impl Runtime {
    /// `podman inspect` data for a container.
    pub fn inspect_container(&self, id_or_name: &str) -> Result<InspectContainer> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        let c = &rec.config;
        let s = &rec.state;
        let bundle = self.bundle_dir(&c.id);
        let file = |n: &str| bundle.join(n).to_string_lossy().into_owned();
        let args: Vec<String> = c.entrypoint.iter().chain(&c.command).cloned().collect();
        let attachments = super::network_attachments(&rec)?;
        let mut networks = BTreeMap::new();
        let (mut ip, mut gw, mut mac) = (String::new(), String::new(), String::new());
        for a in &attachments {
            let first_ip = a.result.ips.first();
            let addr = first_ip.map(|i| i.address.clone()).unwrap_or_default();
            let (addr_only, prefix) = addr.split_once('/').unwrap_or((&addr, ""));
            let gateway = first_ip.and_then(|i| i.gateway.clone()).unwrap_or_default();
            let m = a
                .result
                .interfaces
                .iter()
                .find(|i| i.sandbox.is_some())
                .map(|i| i.mac.clone())
                .unwrap_or_default();
            if ip.is_empty() {
                addr_only.clone_into(&mut ip);
                gw.clone_from(&gateway);
                mac.clone_from(&m);
            }
            networks.insert(
                a.network.clone(),
                serde_json::json!({
                    "IPAddress": addr_only,
                    "IPPrefixLen": prefix.parse::<u32>().unwrap_or(0),
                    "Gateway": gateway,
                    "MacAddress": m,
                    "InterfaceName": a.interface,
                }),
            );
        }
        // Networks joined but not attached now (not running): named, without addresses.
        for j in crate::network::connect::joined_networks(&rec) {
            let entry = networks.entry(j.name).or_insert_with(|| {
                serde_json::json!({
                    "IPAddress": "", "IPPrefixLen": 0, "Gateway": "", "MacAddress": "",
                    "InterfaceName": "",
                })
            });
            if !j.options.aliases.is_empty() {
                entry["Aliases"] = serde_json::json!(j.options.aliases);
            }
        }
        let mode = match network_mode(&rec) {
            _ if c.shared_namespaces.net.is_some() => {
                format!(
                    "container:{}",
                    c.shared_namespaces.net.as_deref().unwrap_or("")
                )
            }
            NetworkMode::Host => "host".into(),
            NetworkMode::None => "none".into(),
            NetworkMode::Container(p) => format!("ns:{}", p.display()),
            NetworkMode::Networks(_) => "bridge".into(),
        };
        let mut mounts: Vec<InspectMount> = c
            .mounts
            .iter()
            .map(|m| InspectMount {
                kind: m.kind.clone(),
                name: String::new(),
                source: m.source.clone(),
                destination: m.destination.clone(),
                options: m.options.clone(),
                rw: !m.options.iter().any(|o| o == "ro"),
            })
            .collect();
        mounts.extend(c.named_volumes.iter().map(|v| InspectMount {
            kind: "volume".into(),
            name: v.name.clone(),
            source: self.volume_data_dir(&v.name).to_string_lossy().into_owned(),
            destination: v.destination.clone(),
            options: v.options.clone(),
            rw: !v.options.iter().any(|o| o == "ro"),
        }));
        let ports = port_map(&rec);
        let settings = crate::options::RunSettings::from_extra(&c.extra);
        let log_config = InspectLogConfig {
            kind: settings.log.driver.name().to_owned(),
            path: if settings.log.driver.writes_file() {
                c.log_path.clone()
            } else {
                String::new()
            },
            tag: settings.log.tag.clone().unwrap_or_default(),
            size: go_human_size(settings.log.max_size.unwrap_or(0)),
        };
        Ok(InspectContainer {
            id: c.id.clone(),
            created: c
                .created
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            path: args.first().cloned().unwrap_or_default(),
            args: args.iter().skip(1).cloned().collect(),
            state: InspectState {
                oci_version: "1.0.2-dev".into(),
                status: s.status.to_string(),
                running: s.status == ContainerStatus::Running,
                paused: s.status == ContainerStatus::Paused,
                restarting: false,
                oom_killed: s.oom_killed,
                dead: false,
                pid: s.pid,
                conmon_pid: s.conmon_pid,
                exit_code: s.exit_code.unwrap_or(0),
                error: String::new(),
                started_at: time(s.started_at),
                finished_at: time(s.finished_at),
                health: self.container_health(&rec).unwrap_or_default(),
            },
            image: c.image_id.clone(),
            image_digest: settings.image_digest.clone().unwrap_or_default(),
            image_name: c.image_name.clone(),
            rootfs: String::new(),
            pod: c.pod_id.clone().unwrap_or_default(),
            resolv_conf_path: file("resolv.conf"),
            hostname_path: file("hostname"),
            hosts_path: file("hosts"),
            log_path: c.log_path.clone(),
            namespace: c.namespace.clone(),
            name: c.name.clone(),
            restart_count: s.restart_count.saturating_sub(1),
            driver: "overlay".into(),
            mount_label: String::new(),
            process_label: String::new(),
            bundle: bundle.to_string_lossy().into_owned(),
            is_infra: super::is_infra(&rec),
            oci_runtime: settings
                .oci_runtime
                .clone()
                .unwrap_or_else(|| self.oci_runtime_name()),
            mounts,
            config: InspectConfig {
                hostname: if c.hostname.is_empty() {
                    c.id.chars().take(12).collect()
                } else {
                    c.hostname.clone()
                },
                user: c.user.clone(),
                env: c.env.clone(),
                cmd: c.command.clone(),
                image: c.image_name.clone(),
                working_dir: if c.working_dir.is_empty() {
                    "/".into()
                } else {
                    c.working_dir.clone()
                },
                entrypoint: c.entrypoint.clone(),
                labels: c.labels.clone(),
                annotations: c.annotations.clone(),
                stop_signal: c.stop_signal,
                stop_timeout: c.stop_timeout,
                tty: c.tty,
                open_stdin: c.stdin,
                healthcheck: crate::configured_healthcheck(&rec).map(|h| h.to_config()),
                healthcheck_on_failure_action: crate::configured_healthcheck(&rec)
                    .map_or_else(|| "none".to_owned(), |h| h.on_failure),
                create_command: c.create_command.clone(),
            },
            host_config: InspectHostConfig {
                auto_remove: c.auto_remove,
                network_mode: mode,
                port_bindings: ports.clone(),
                privileged: c.security.privileged,
                cap_add: c.security.cap_add.clone(),
                cap_drop: c.security.cap_drop.clone(),
                readonly_rootfs: c.security.read_only_rootfs,
                memory: c.resources.memory.unwrap_or(0),
                memory_swap: c.resources.memory_swap.unwrap_or(0),
                cpu_shares: c.resources.cpu_shares.unwrap_or(0),
                cpu_period: c.resources.cpu_period.unwrap_or(0),
                cpu_quota: c.resources.cpu_quota.unwrap_or(0),
                cpuset_cpus: c.resources.cpuset_cpus.clone().unwrap_or_default(),
                pids_limit: c.resources.pids_limit.unwrap_or(0).max(0),
                cgroup_parent: c.cgroup_parent.clone().unwrap_or_default(),
                log_config,
            },
            network_settings: InspectNetworkSettings {
                sandbox_key: s.netns_path.clone(),
                ip_address: ip,
                gateway: gw,
                mac_address: mac,
                ports,
                networks,
            },
        })
    }

    /// The container's published ports (for a pod member: the pod's, held by its infra
    /// container).
    pub fn container_ports(&self, id_or_name: &str) -> Result<Vec<crate::PortMapping>> {
        self.check()?;
        let rec = self.state.lookup_container(id_or_name)?;
        if let Some(infra) = &rec.config.shared_namespaces.net {
            return Ok(self.state.container(infra)?.config.port_mappings);
        }
        Ok(rec.config.port_mappings)
    }

    /// Mounts the container's root filesystem (reference counted) and returns its path.
    pub fn mount_container(&self, id_or_name: &str) -> Result<std::path::PathBuf> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        let path = self
            .storage
            .mount_container(&rec.config.rootfs_storage_id)?;
        rec.state.mount_point = path.to_string_lossy().into_owned();
        if let Err(e) = self.state.save_container_state(&id, &rec.state) {
            let undo = self
                .storage
                .unmount_container(&rec.config.rootfs_storage_id, false)
                .err()
                .map(Into::into)
                .into_iter()
                .collect();
            return Err(crate::Error::from(e).with_undo(undo));
        }
        self.container_event(&rec, crate::EventStatus::Mount);
        Ok(path)
    }

    /// Drops one mount reference of the root filesystem. While the container runs only a
    /// reference someone added with [`Self::mount_container`] can go (its own must stay,
    /// as in podman), unless `force`.
    pub fn unmount_container(&self, id_or_name: &str, force: bool) -> Result<()> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        if rec.state.status.is_active() && !force {
            let sid = &rec.config.rootfs_storage_id;
            if self.storage.mount_references(sid)? <= 1 {
                return Err(invalid_status(
                    &rec,
                    "unmount its root filesystem, which it uses",
                ));
            }
            self.storage.unmount_container(sid, false)?;
            self.container_event(&rec, crate::EventStatus::Unmount);
            return Ok(());
        }
        let still = self
            .storage
            .unmount_container(&rec.config.rootfs_storage_id, force)?;
        if !still {
            rec.state.mount_point.clear();
            self.state.save_container_state(&id, &rec.state)?;
        }
        self.container_event(&rec, crate::EventStatus::Unmount);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::go_human_size;

    #[test]
    fn log_sizes_read_as_go_units_prints_them() {
        assert_eq!(go_human_size(0), "0B");
        assert_eq!(go_human_size(3_047_000), "3.047MB");
        assert_eq!(go_human_size(1_010_000), "1.01MB");
        assert_eq!(go_human_size(901_000), "901kB");
        assert_eq!(go_human_size(-1), "0B");
    }
}

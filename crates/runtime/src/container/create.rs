//! `create`: resolve the image, pick an id and a name, allocate the root filesystem and write
//! the record (status `configured`). Nothing runs yet.

use berth_state::{
    ContainerConfig, ContainerState, ContainerStatus, Mount, NamedVolume, SharedNamespaces,
};
use tracing::instrument;

use super::{record_network_mode, ContainerCreateOptions, NetworkMode};
use crate::error::{Error, Result};
use crate::names;
use crate::options::{ContainerMount, HostEntry, RunSettings};
use crate::runtime::Runtime;
use crate::undo::Undo;

/// How many generated names are tried before giving up (the seed loops forever).
const NAME_ATTEMPTS: usize = 64;

impl Runtime {
    /// Creates a container from a local image. Returns its record (status `configured`).
    ///
    /// Steps, each undone when a later one fails: the container dir is made, the record is
    /// written (retrying generated names on collision), storage allocates the root
    /// filesystem under the id the record names.
    #[instrument(skip_all, fields(image = %opts.image))]
    pub fn create_container(
        &self,
        opts: &ContainerCreateOptions,
    ) -> Result<berth_state::ContainerRecord> {
        self.check()?;
        if opts.replace {
            let Some(name) = &opts.name else {
                return Err(Error::invalid(
                    "replace",
                    "true",
                    "cannot replace container without a name being set",
                ));
            };
            names::validate_name(name)?;
            self.remove_container_named(name)?;
        }
        let rec = self.create_container_inner(opts, None)?;
        self.container_event(&rec, crate::EventStatus::Create);
        Ok(rec)
    }

    /// Removes the container called exactly `name` (not one whose id starts with it),
    /// forced; none is fine.
    fn remove_container_named(&self, name: &str) -> Result<()> {
        let id = match self.state.lookup_container(name) {
            Ok(r) if r.config.name == name => r.config.id,
            Ok(_) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        match self.remove_container(&id, true, false) {
            // Removed by another process meanwhile.
            Err(e) if e.is_not_found() => Ok(()),
            r => r,
        }
    }

    pub(crate) fn create_container_inner(
        &self,
        opts: &ContainerCreateOptions,
        infra: Option<(&str, &str)>,
    ) -> Result<berth_state::ContainerRecord> {
        let conf = &self.config.containers_conf;
        let opts = &super::conf_defaults::with_conf_defaults(conf, opts);
        if let Some(name) = &opts.name {
            names::validate_name(name)?;
        }
        for e in &opts.env {
            if !e.contains('=') || e.starts_with('=') {
                return Err(Error::invalid("environment variable", e, "use KEY=VALUE"));
            }
        }
        for m in &opts.mounts {
            if !m.destination().is_absolute() {
                return Err(Error::invalid(
                    "mount destination",
                    m.destination().to_string_lossy(),
                    "must be an absolute path",
                ));
            }
        }
        let (mut mounts, mut volumes) = record_mounts(&opts.mounts);
        self.add_volumes_from(&opts.volumes_from, &mut mounts, &mut volumes)?;
        let image = self.storage.resolve_image(&opts.image)?;

        // Pod membership: share the infra container's namespaces.
        let mut shared = SharedNamespaces::default();
        let mut pod_id = None;
        if let Some(p) = &opts.pod {
            let pod = self.state.lookup_pod(p)?;
            if !opts.ports.is_empty() {
                return Err(Error::invalid(
                    "ports",
                    format!("{:?}", opts.ports),
                    "a container in a pod cannot publish ports; publish them on the pod",
                ));
            }
            if let Some(infra) = &pod.config.infra_container_id {
                let ns = &pod.config.shared_namespaces;
                let id = || Some(infra.clone());
                shared.net = if ns.net { id() } else { None };
                shared.ipc = if ns.ipc { id() } else { None };
                shared.uts = if ns.uts { id() } else { None };
                shared.pid = if ns.pid { id() } else { None };
                shared.cgroup = if ns.cgroup { id() } else { None };
            }
            pod_id = Some(pod.config.id);
        }

        // `--network container:NAME` (a name or ID, not a namespace path): that container's
        // network namespace, shared as a pod's infra container's is (it becomes a dependency).
        if let Some(NetworkMode::Container(target)) = &opts.network {
            if !target.is_absolute() {
                let name = target.to_string_lossy();
                shared.net = Some(self.state.lookup_container(&name)?.config.id);
            }
        }

        // A member sharing the pod's network namespace takes the pod's DNS settings and
        // extra hosts (kept on the infra container) where it sets none of its own.
        let pod_net = match &shared.net {
            Some(infra) => Some(self.state.lookup_container(infra)?.config),
            None => None,
        };
        let inherit = |own: &Vec<String>, pod: fn(&ContainerConfig) -> &Vec<String>| match &pod_net
        {
            Some(c) if own.is_empty() => pod(c).clone(),
            _ => own.clone(),
        };
        let dns_servers = inherit(&opts.dns_servers, |c| &c.dns_servers);
        let dns_search = inherit(&opts.dns_search, |c| &c.dns_search);
        let dns_options = inherit(&opts.dns_options, |c| &c.dns_options);
        let mut hosts_add: Vec<_> = pod_net
            .as_ref()
            .map(|c| c.hosts_add.clone())
            .unwrap_or_default();
        hosts_add.extend(opts.add_hosts.iter().map(HostEntry::to_record));

        // `--ipc`/`--uts`/`--pid`/`--cgroupns container:NAME`: that container's namespace,
        // shared as a pod's infra container's is (it becomes a dependency).
        {
            use crate::options::NamespaceChoice as C;
            let n = &opts.namespaces;
            for (choice, slot) in [
                (&n.ipc, &mut shared.ipc),
                (&n.uts, &mut shared.uts),
                (&n.pid, &mut shared.pid),
                (&n.cgroup, &mut shared.cgroup),
            ] {
                if let C::Container(c) = choice {
                    *slot = Some(self.state.lookup_container(c)?.config.id);
                }
            }
        }
        let mode = if shared.net.is_some() {
            NetworkMode::Networks(Vec::new())
        } else {
            match opts.network.clone() {
                None => NetworkMode::Networks(vec![self.network.default_network().to_string()]),
                Some(NetworkMode::Networks(n)) if n.is_empty() => {
                    NetworkMode::Networks(vec![self.network.default_network().to_string()])
                }
                Some(m) => m,
            }
        };
        if !opts.ports.is_empty() && !matches!(mode, NetworkMode::Networks(_)) {
            return Err(Error::invalid(
                "ports",
                format!("{:?}", opts.ports),
                "ports can only be published with a bridge network",
            ));
        }
        // `-P`: the image's exposed ports, each on a host port chosen below, for a container
        // on a bridge network; without one there is nothing to publish (podman's too), and a
        // pod member's ports are the pod's.
        let mut ports = opts.ports.clone();
        if opts.publish_all {
            let exposed = berth_cni::exposed_port_mappings(&image.config.exposed_ports, &ports)
                .map_err(Error::from)?;
            if opts.pod.is_some() && !exposed.is_empty() {
                return Err(Error::invalid(
                    "ports",
                    format!("{exposed:?}"),
                    "a container in a pod cannot publish ports; publish them on the pod",
                ));
            }
            if matches!(mode, NetworkMode::Networks(_)) && shared.net.is_none() {
                ports.extend(exposed);
            }
        }
        // Host ports are decided before anything is written: chosen where asked for, and
        // (a container of its own) refused when taken. The chosen ones stay held until the
        // record names them.
        let decided = self.decide_ports(&ports, infra.is_none())?;
        let port_mappings = decided.mappings.clone();
        let networks = match (&mode, shared.net.is_some()) {
            (NetworkMode::Networks(n), false) => n.clone(),
            _ => Vec::new(),
        };
        let joined = crate::network::connect::joined_at_create(&networks, &opts.network_options)?;

        // Effective process settings: the image's, overridden by the options.
        let ic = &image.config;
        let entrypoint = opts
            .entrypoint
            .clone()
            .unwrap_or_else(|| ic.entrypoint.clone().unwrap_or_default());
        let command = if !opts.command.is_empty() {
            opts.command.clone()
        } else if opts.entrypoint.is_some() {
            Vec::new()
        } else {
            ic.cmd.clone().unwrap_or_default()
        };
        if entrypoint.is_empty() && command.is_empty() {
            return Err(Error::invalid(
                "command",
                "",
                format!(
                    "no command specified and image {} has neither Cmd nor Entrypoint",
                    opts.image
                ),
            ));
        }
        let mut env = if opts.unset_env_all {
            Vec::new()
        } else {
            super::conf_defaults::under(super::conf_defaults::base_env(conf), &ic.env)
        };
        env.retain(|x| {
            let key = x.split('=').next().unwrap_or_default();
            !opts.unset_env.iter().any(|u| u == key)
        });
        for m in &opts.env_merge {
            let Some((key, value)) = m.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(Error::invalid("--env-merge", m, "use KEY=VALUE"));
            };
            // Names are looked up in the environment the process would get: the default
            // PATH when the image sets none.
            let mut seen = vec![format!("PATH={}", berth_oci::generate::DEFAULT_PATH)];
            seen.extend(env.iter().cloned());
            let merged = format!("{key}={}", crate::options::expand_env(value, &seen));
            env.retain(|x| x.split('=').next() != Some(key));
            env.push(merged);
        }
        for e in &opts.env {
            let key = e.split('=').next().unwrap_or_default();
            env.retain(|x| x.split('=').next() != Some(key));
            env.push(e.clone());
        }
        let stop_signal = match opts.stop_signal {
            Some(s) => s,
            None => ic
                .stop_signal
                .as_deref()
                .and_then(|s| s.parse::<berth_oci::Signal>().ok())
                .unwrap_or(berth_oci::Signal::TERM)
                .0
                .unsigned_abs(),
        };

        let mut settings = run_settings(opts)?;
        if settings.healthcheck.is_none() {
            settings.healthcheck = ic.healthcheck.as_ref().map(crate::Healthcheck::from_image);
        }
        settings.workdir_must_exist = opts
            .workdir
            .as_ref()
            .is_some_and(|w| !w.is_empty() && Some(w) != ic.working_dir.as_ref());
        // Recorded when named (`--runtime`); inspect shows the default otherwise.
        settings
            .oci_runtime
            .clone_from(&self.engine.oci_runtime_name);
        settings.image_digest =
            Some(crate::images::image_digest(&image).to_owned()).filter(|d| !d.is_empty());
        if settings.restart.is_some() && opts.auto_remove {
            return Err(Error::invalid(
                "--restart",
                "",
                "a container removed when it exits (--rm) cannot be restarted",
            ));
        }

        let id = infra.map_or_else(names::new_id, |(_, id)| id.to_string());
        if let Some((pod, _)) = infra {
            pod_id = Some(pod.to_string());
        }
        let mut undo = Undo::new();

        for v in &volumes {
            if let Err(e) = self.ensure_volume(&v.name) {
                return Err(undo.fail(e));
            }
        }

        // The root filesystem's id is chosen here, so the record names it before it exists.
        let storage_id = names::new_id();

        let dir = self.static_container_dir(&id);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return Err(undo.fail(Error::io("create container dir", &dir, e)));
        }
        {
            let dir = dir.clone();
            undo.push("remove container dir", move || {
                std::fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", &dir, e))
            });
        }
        match self.copy_secrets(&dir, &opts.secrets) {
            Ok(secrets) => settings.secrets = secrets,
            Err(e) => return Err(undo.fail(e)),
        }

        // cgroupfs: the engine's parent unless one was asked for (systemd picks its slice).
        let cgroup_parent = opts.cgroup_parent.clone().or_else(|| {
            (self.config.cgroup_manager == berth_config::CgroupManager::Cgroupfs)
                .then(|| self.engine.cgroup_parent.clone())
        });
        let mut config = ContainerConfig {
            id: id.clone(),
            name: String::new(),
            namespace: self.config.namespace.clone(),
            image_name: crate::images::recorded_image_name(&opts.image, &image.names),
            image_id: image.id.clone(),
            command,
            entrypoint,
            env,
            working_dir: opts
                .workdir
                .clone()
                .or_else(|| ic.working_dir.clone())
                .unwrap_or_default(),
            user: opts
                .user
                .clone()
                .or_else(|| ic.user.clone())
                .unwrap_or_default(),
            labels: {
                let mut l = ic.labels.clone();
                l.extend(opts.labels.clone());
                l
            },
            annotations: opts.annotations.clone(),
            pod_id,
            networks,
            port_mappings,
            mounts,
            named_volumes: volumes,
            shared_namespaces: shared,
            rootfs_storage_id: storage_id,
            resources: berth_state::ResourceLimits {
                pids_limit: opts
                    .resources
                    .pids_limit
                    .or_else(|| self.default_pids_limit()),
                ..opts.resources.clone()
            },
            security: berth_state::SecurityOptions {
                privileged: opts.privileged,
                cap_add: opts.cap_add.clone(),
                cap_drop: opts.cap_drop.clone(),
                seccomp_profile: opts.seccomp.to_record(),
                no_new_privileges: opts.no_new_privileges,
                read_only_rootfs: opts.read_only,
                groups: opts.groups.clone(),
                ..Default::default()
            },
            stop_signal,
            stop_timeout: opts.stop_timeout.unwrap_or(10),
            auto_remove: opts.auto_remove,
            created: chrono::Utc::now(),
            tty: opts.tty,
            stdin: opts.stdin,
            hostname: opts.hostname.clone().unwrap_or_default(),
            dns_servers,
            dns_search,
            dns_options,
            hosts_add,
            log_path: settings
                .log
                .path
                .clone()
                .unwrap_or_else(|| dir.join("ctr.log"))
                .to_string_lossy()
                .into_owned(),
            network_mode: Some(record_network_mode(&mode)),
            sysctls: opts.sysctls.clone(),
            cgroup_parent,
            infra_pod: infra.map(|(pod, _)| pod.to_string()),
            create_command: opts.create_command.clone(),
            extra: std::collections::BTreeMap::new(),
        };
        if settings != RunSettings::default() {
            config.extra.insert(
                RunSettings::KEY.to_owned(),
                serde_json::to_value(&settings).map_err(|e| {
                    Error::invalid("run settings", "", format!("cannot be stored: {e}"))
                })?,
            );
        }

        let mut state = ContainerState::with_status(ContainerStatus::Configured);
        if let Some(j) = &joined {
            state.extra.insert(
                crate::network::connect::NETWORKS_KEY.into(),
                crate::network::connect::joined_value(j),
            );
        }
        // The record goes first, then the root filesystem: a crash in between leaves a
        // record (`ps -a` shows it, `rm` removes it) rather than a root filesystem nobody
        // sees that keeps its image in use. The lock keeps a racing `rm` out until both exist.
        let lock = match self.lock_container(&id) {
            Ok(l) => l,
            Err(e) => return Err(undo.fail(e)),
        };
        {
            let lock_file = self.lock_dir.join(format!("{id}.lock"));
            undo.push("remove lock file", move || {
                std::fs::remove_file(&lock_file).map_err(|e| Error::io("remove", &lock_file, e))
            });
        }
        // A concurrent `volume rm` either sees this record or removed the volume first.
        let volumes: Vec<String> = config
            .named_volumes
            .iter()
            .map(|v| v.name.clone())
            .collect();
        let volumes: Vec<&str> = volumes.iter().map(String::as_str).collect();
        let result = self.with_volumes_held(&volumes, || match &opts.name {
            Some(name) => {
                config.name.clone_from(name);
                self.state
                    .add_container(&config, &state)
                    .map_err(Error::from)
            }
            None => self.add_with_generated_name(&mut config, &state),
        });
        if let Err(e) = result {
            return Err(undo.fail(e));
        }
        {
            let (state, cid) = (&self.state, id.clone());
            undo.push("remove record", move || {
                state.remove_container(&cid).map_err(Into::into)
            });
        }
        if let Err(e) = self
            .storage
            .create_container_as(&config.rootfs_storage_id, &id, &image.id)
        {
            return Err(undo.fail(e.into()));
        }
        undo.commit();
        drop(lock);
        drop(decided);
        tracing::debug!(id, name = %config.name, "container created");
        Ok(berth_state::ContainerRecord { config, state })
    }

    /// Writes the record under a generated name, retrying when the name is taken by a
    /// container or a pod (the seed's generateName).
    fn add_with_generated_name(
        &self,
        config: &mut ContainerConfig,
        state: &ContainerState,
    ) -> Result<()> {
        for _ in 0..NAME_ATTEMPTS {
            config.name = self.free_name()?;
            match self.state.add_container(config, state) {
                Ok(()) => return Ok(()),
                Err(e) if e.is_name_in_use() => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::invalid(
            "name",
            &config.name,
            format!("no free generated name after {NAME_ATTEMPTS} attempts; give a name"),
        ))
    }

    /// A generated name no container or pod of any namespace uses (checked, not reserved).
    pub(crate) fn free_name(&self) -> Result<String> {
        for _ in 0..NAME_ATTEMPTS {
            let name = names::generate_name();
            match self.state.lookup_container(&name) {
                Ok(_) => continue,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
            match self.state.lookup_pod(&name) {
                Ok(_) => continue,
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
            return Ok(name);
        }
        Err(Error::invalid(
            "name",
            "",
            format!("no free generated name after {NAME_ATTEMPTS} attempts; give a name"),
        ))
    }
}

/// What the record keeps of the options beyond its config; `--tz` is resolved against
/// the host's zoneinfo here.
fn run_settings(opts: &ContainerCreateOptions) -> Result<RunSettings> {
    let localtime = opts
        .timezone
        .as_deref()
        .map(|tz| {
            crate::options::resolve_timezone(
                tz,
                std::path::Path::new("/usr/share/zoneinfo"),
                std::path::Path::new("/etc/localtime"),
            )
        })
        .transpose()
        .map_err(|e| Error::invalid("--tz", e.value, e.reason))?;
    Ok(RunSettings {
        log: opts.log.clone(),
        localtime,
        timezone: opts.timezone.clone(),
        conmon_pidfile: opts.conmon_pidfile.clone(),
        pidfile: opts.pidfile.clone(),
        timeout: opts.timeout,
        namespaces: opts.namespaces.clone(),
        healthcheck: opts.healthcheck.clone(),
        preserve_fds: opts.preserve_fds,
        devices: opts.devices.clone(),
        device_rules: opts.device_rules.clone(),
        tuning: opts.tuning.clone(),
        no_hosts: opts.no_hosts,
        restart: opts.restart,
        unset_env: opts.unset_env.clone(),
        unset_env_all: opts.unset_env_all,
        // Set by the caller, which knows the image's workdir, runtime and image.
        workdir_must_exist: false,
        oci_runtime: None,
        image_digest: None,
        // Copied once the container's directory exists.
        secrets: Vec::new(),
        passwd_lines: opts
            .host_users
            .iter()
            .map(|u| {
                crate::options::host_passwd_line(u, std::path::Path::new("/etc/passwd"))
                    .map_err(|e| Error::invalid("--hostuser", e.value, e.reason))
            })
            .collect::<Result<_>>()?,
    })
}

/// The record's bind and tmpfs mounts and its named volumes, in the order given; an anonymous
/// volume gets a random 64-hex name here.
fn record_mounts(mounts: &[ContainerMount]) -> (Vec<Mount>, Vec<NamedVolume>) {
    let (mut out, mut volumes) = (Vec::new(), Vec::new());
    for m in mounts {
        let destination = m.destination().to_string_lossy().into_owned();
        let options = m.record_options();
        match m {
            ContainerMount::Bind { source, .. } => out.push(Mount {
                destination,
                source: source.to_string_lossy().into_owned(),
                kind: "bind".into(),
                options,
            }),
            ContainerMount::Tmpfs { .. } => out.push(Mount {
                destination,
                source: "tmpfs".into(),
                kind: "tmpfs".into(),
                options,
            }),
            ContainerMount::Volume { name, .. } => volumes.push(NamedVolume {
                name: name.clone().unwrap_or_else(names::new_id),
                destination,
                options,
            }),
        }
    }
    (out, volumes)
}

impl Runtime {
    /// `--volumes-from`: each container's binds and named volumes whose destination is
    /// still free, `ro`/`rw` replaced when given.
    fn add_volumes_from(
        &self,
        from: &[String],
        mounts: &mut Vec<Mount>,
        volumes: &mut Vec<NamedVolume>,
    ) -> Result<()> {
        for spec in from {
            let (ctr, mode) = match spec.split_once(':') {
                Some((c, m)) => (c, Some(m)),
                None => (spec.as_str(), None),
            };
            let mode = match mode {
                None | Some("z" | "Z") => None,
                Some(m @ ("ro" | "rw")) => Some(m),
                Some(_) => {
                    return Err(Error::invalid(
                        "--volumes-from",
                        spec,
                        "use CONTAINER[:ro|rw]",
                    ))
                }
            };
            let rec = self.state.lookup_container(ctr)?;
            let set_mode = |options: &[String]| -> Vec<String> {
                let mut o: Vec<String> = options
                    .iter()
                    .filter(|x| mode.is_none() || !matches!(x.as_str(), "ro" | "rw"))
                    .cloned()
                    .collect();
                if let Some(m) = mode {
                    o.push(m.to_owned());
                }
                o
            };
            let taken = |d: &str, m: &[Mount], v: &[NamedVolume]| {
                m.iter().any(|x| x.destination == d) || v.iter().any(|x| x.destination == d)
            };
            for m in rec.config.mounts.iter().filter(|m| m.kind == "bind") {
                if !taken(&m.destination, mounts, volumes) {
                    mounts.push(Mount {
                        options: set_mode(&m.options),
                        ..m.clone()
                    });
                }
            }
            for v in &rec.config.named_volumes {
                if !taken(&v.destination, mounts, volumes) {
                    volumes.push(NamedVolume {
                        options: set_mode(&v.options),
                        ..v.clone()
                    });
                }
            }
        }
        Ok(())
    }

    /// podman's rule: without `--pids-limit` a container gets the configured `pids_limit`
    /// (2048), unless that is 0 or -1, or a rootless engine on cgroup v1 cannot set limits.
    fn default_pids_limit(&self) -> Option<i64> {
        let can_limit = nix::unistd::geteuid().is_root()
            || std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
        (can_limit && self.config.pids_limit > 0).then_some(self.config.pids_limit)
    }
}

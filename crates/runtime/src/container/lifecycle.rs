//! init, start, stop, kill, restart, pause, unpause, wait.

use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use berth_oci::{CreateRequest, ExitCommand, NamespaceMode};
use berth_state::{ContainerRecord, ContainerStatus};
use tracing::instrument;

use super::spec::NamespacePlan;
use super::{invalid_status, network_mode, NetworkMode};
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::undo::Undo;

/// What `wait` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitCondition {
    /// The container's process has ended (stopped or exited); the default.
    #[default]
    Exited,
    /// It runs.
    Running,
    /// It is paused.
    Paused,
    /// It was created by the OCI runtime.
    Created,
}

impl WaitCondition {
    fn reached(self, s: ContainerStatus) -> bool {
        match self {
            WaitCondition::Exited => matches!(
                s,
                ContainerStatus::Stopped | ContainerStatus::Exited | ContainerStatus::Configured
            ),
            WaitCondition::Running => s == ContainerStatus::Running,
            WaitCondition::Paused => s == ContainerStatus::Paused,
            WaitCondition::Created => s == ContainerStatus::Created,
        }
    }
}

impl Runtime {
    /// Prepares a container to run without starting it: mounts the rootfs, sets up its
    /// network, writes the bundle and has the OCI runtime create it (status `created`).
    #[instrument(skip(self))]
    pub fn init_container(&self, id_or_name: &str) -> Result<ContainerRecord> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        self.start_dependencies(&id)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        match rec.state.status {
            ContainerStatus::Configured => {}
            ContainerStatus::Stopped | ContainerStatus::Exited => {
                self.cleanup_resources(&mut rec)?;
            }
            _ => return Err(invalid_status(&rec, "init")),
        }
        self.init_locked(&mut rec)?;
        Ok(rec)
    }

    /// Starts a container (creating it in the OCI runtime first when needed), after the
    /// containers whose namespaces it shares. Starting a running container does nothing.
    #[instrument(skip(self))]
    pub fn start_container(&self, id_or_name: &str) -> Result<ContainerRecord> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        self.start_by_id(&id)
    }

    pub(crate) fn start_by_id(&self, id: &str) -> Result<ContainerRecord> {
        self.start_dependencies(id)?;
        let _lock = self.lock_container(id)?;
        let mut rec = self.locked_record(id)?;
        match rec.state.status {
            ContainerStatus::Running => return Ok(rec),
            ContainerStatus::Paused => return Err(invalid_status(&rec, "start")),
            ContainerStatus::Created => {
                self.oci_start(&mut rec)?;
                return Ok(rec);
            }
            ContainerStatus::Stopped | ContainerStatus::Exited => {
                self.cleanup_resources(&mut rec)?;
            }
            ContainerStatus::Configured => {}
        }
        let before = rec.state.clone();
        self.init_locked(&mut rec)?;
        if let Err(e) = self.oci_start(&mut rec) {
            // Undo the init this call did: leave the container as it was found.
            let undo = self.release_init(&mut rec, before);
            return Err(e.with_undo(undo));
        }
        Ok(rec)
    }

    fn start_dependencies(&self, id: &str) -> Result<()> {
        let rec = self.state.container(id)?;
        for dep in rec.config.dependencies() {
            let mut d = self.state.container(dep)?;
            self.sync_status(&mut d)?;
            if d.state.status != ContainerStatus::Running {
                self.start_by_id(dep)?;
            }
        }
        Ok(())
    }

    /// `runtime start`, then the record says running.
    fn oci_start(&self, rec: &mut ContainerRecord) -> Result<()> {
        self.oci.start(&rec.config.id)?;
        super::mark_started(&mut rec.state);
        if let Err(e) = self.state.save_container_state(&rec.config.id, &rec.state) {
            // The process runs but the record does not say so: stop it again.
            let mut undo = Vec::new();
            if let Err(k) = self.oci.kill(&rec.config.id, libc::SIGKILL, true) {
                undo.push(k.into());
            }
            return Err(Error::from(e).with_undo(undo));
        }
        self.health_on_start(rec);
        self.container_event(rec, crate::EventStatus::Start);
        let attached = self
            .pending_attach
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&rec.config.id);
        if attached {
            self.container_event(rec, crate::EventStatus::Attach);
        }
        Ok(())
    }

    /// From `configured` to `created`; every step is undone if a later one fails.
    fn init_locked(&self, rec: &mut ContainerRecord) -> Result<()> {
        let id = rec.config.id.clone();
        let sid = rec.config.rootfs_storage_id.clone();
        let before = rec.state.clone();
        let mut undo = Undo::new();

        let settings = crate::options::RunSettings::from_extra(&rec.config.extra);
        let mut plan = NamespacePlan::default();
        {
            // `container:` choices are shared namespaces (below), resolved at create.
            use crate::options::NamespaceChoice as C;
            let n = &settings.namespaces;
            let mode = |c: &C| match c {
                C::Host => Some(NamespaceMode::Host),
                C::Path(p) => Some(NamespaceMode::Path(p.clone())),
                C::Private | C::Container(_) => None,
            };
            plan.ipc = mode(&n.ipc).unwrap_or_default();
            plan.uts = mode(&n.uts).unwrap_or_default();
            plan.pid = mode(&n.pid).unwrap_or_default();
            plan.cgroup = mode(&n.cgroup);
        }
        let shared = rec.config.shared_namespaces.clone();
        for (dep, slot, kind) in [
            (&shared.ipc, &mut plan.ipc, "ipc"),
            (&shared.uts, &mut plan.uts, "uts"),
            (&shared.pid, &mut plan.pid, "pid"),
        ] {
            if let Some(dep) = dep {
                *slot = NamespaceMode::Path(self.dependency_ns(dep, kind)?);
            }
        }
        if let Some(dep) = &shared.cgroup {
            plan.cgroup = Some(NamespaceMode::Path(self.dependency_ns(dep, "cgroup")?));
        }

        // 1. The root filesystem.
        let rootfs = match self.storage.mount_container(&sid) {
            Ok(p) => p,
            Err(e) => return Err(undo.fail(e.into())),
        };
        {
            let storage = &self.storage;
            let sid = sid.clone();
            undo.push("unmount rootfs", move || {
                storage
                    .unmount_container(&sid, false)
                    .map(|_| ())
                    .map_err(Into::into)
            });
        }
        rec.state.mount_point = rootfs.to_string_lossy().into_owned();
        // The volumes' mounts (options through mount(8)) and podman's copy-up.
        if let Err(e) = self.mount_container_volumes(rec, &rootfs) {
            return Err(undo.fail(e));
        }
        if !rec.config.named_volumes.is_empty() {
            let held = rec.clone();
            undo.push("unmount volumes", move || {
                let mut held = held;
                self.unmount_container_volumes(&mut held)
                    .into_iter()
                    .next()
                    .map_or(Ok(()), Err)
            });
        }

        // 2. The network, and the published host ports conmon will hold.
        let mut held_fds = berth_oci::HeldFds::default();
        if let Some(dep) = &shared.net {
            match self.dependency_ns(dep, "net") {
                Ok(p) => plan.network = NamespaceMode::Path(p),
                Err(e) => return Err(undo.fail(e)),
            }
        } else {
            match network_mode(rec) {
                NetworkMode::Host => plan.network = NamespaceMode::Host,
                NetworkMode::Container(p) => plan.network = NamespaceMode::Path(p),
                // A namespace of its own with only loopback, which the OCI runtime makes and
                // brings up: no netns file, no CNI plugin to run or tear down (podman's too).
                NetworkMode::None => plan.network = NamespaceMode::Private,
                NetworkMode::Networks(networks) => {
                    let ports = rec.config.port_mappings.clone();
                    held_fds = match self.network.reserve_ports(&ports) {
                        Ok(fds) => {
                            berth_oci::HeldFds(fds.into_iter().map(std::sync::Arc::new).collect())
                        }
                        Err(e) => return Err(undo.fail(e.into())),
                    };
                    // The netns path and the attachments as planned (networks, interfaces,
                    // config lists, ports) go into the record before the netns is made and
                    // before any ADD: a crash in between leaves a record that cleanup and
                    // `system check` follow.
                    let mut planned = match self.network.plan(&id, &networks, &ports) {
                        Ok(p) => p,
                        Err(e) => return Err(undo.fail(e.into())),
                    };
                    let joined = crate::network::connect::joined_networks(rec);
                    for a in &mut planned {
                        crate::network::connect::apply_static(a, &joined);
                    }
                    let netns = self.network.netns_path(&id);
                    let planned_value = match super::encode_network_attachments(&id, &planned) {
                        Ok(v) => v,
                        Err(e) => return Err(undo.fail(e)),
                    };
                    rec.state.netns_path = netns.to_string_lossy().into_owned();
                    rec.state.network_results = Some(planned_value);
                    if let Err(e) = self.state.save_container_state(&id, &rec.state) {
                        rec.state = before;
                        return Err(undo.fail(e.into()));
                    }
                    // Restores the record only when the network is gone: after a failed DEL
                    // the planned attachments stay recorded for a later cleanup.
                    let net_released = Rc::new(Cell::new(true));
                    {
                        let state = &self.state;
                        let (cid, b) = (id.clone(), before.clone());
                        let released = Rc::clone(&net_released);
                        let kept = rec.state.clone();
                        undo.push("restore state", move || {
                            let s = if released.get() { &b } else { &kept };
                            state.save_container_state(&cid, s).map_err(Into::into)
                        });
                    }
                    if let Err(e) = self.network.create_netns(&id) {
                        rec.state = before;
                        return Err(undo.fail(e.into()));
                    }
                    {
                        let net = &self.network;
                        let p = netns.clone();
                        undo.push("remove netns", move || {
                            net.remove_netns(&p).map_err(Into::into)
                        });
                    }
                    {
                        let net = &self.network;
                        let (p, a, cid) = (netns.clone(), planned.clone(), id.clone());
                        let released = Rc::clone(&net_released);
                        undo.push("tear network down", move || {
                            let res = net.teardown(&cid, &p, &a).map_err(Into::into);
                            released.set(res.is_ok());
                            res
                        });
                    }
                    let attachments = match self.network.setup_planned(&id, &netns, &planned) {
                        Ok(a) => a,
                        Err(e) => {
                            rec.state = before;
                            return Err(undo.fail(e.into()));
                        }
                    };
                    // Results that cannot be stored fail the start; the undo tears the
                    // network down from the plan.
                    match super::encode_network_attachments(&id, &attachments) {
                        Ok(v) => rec.state.network_results = Some(v),
                        Err(e) => {
                            rec.state = before;
                            return Err(undo.fail(e));
                        }
                    }
                    plan.network = NamespaceMode::Path(netns);
                }
            }
        }

        // Record what is held now, so a crash before `created` leaves a trail cleanup follows.
        if let Err(e) = self.state.save_container_state(&id, &rec.state) {
            rec.state = before;
            return Err(undo.fail(e.into()));
        }
        {
            let state = &self.state;
            let (cid, b) = (id.clone(), before.clone());
            undo.push("restore state", move || {
                state.save_container_state(&cid, &b).map_err(Into::into)
            });
        }

        // 3. The bundle.
        let bundle = self.bundle_dir(&id);
        let spec = match self.build_spec(rec, &rootfs, plan) {
            Ok(s) => s,
            Err(e) => {
                rec.state = before;
                return Err(undo.fail(e));
            }
        };
        if let Err(e) = berth_oci::generate::write_bundle(&spec, &self.spec_options()) {
            rec.state = before;
            return Err(undo.fail(e.into()));
        }
        // 4. The OCI container (conmon + runtime create), handed the held host ports.
        let req = CreateRequest {
            id: id.clone(),
            name: rec.config.name.clone(),
            bundle,
            log_path: (!rec.config.log_path.is_empty())
                .then(|| PathBuf::from(&rec.config.log_path)),
            tty: rec.config.tty,
            stdin: rec.config.stdin,
            exit_command: self.exit_command(&id),
            held_fds,
            log_driver: match settings.log.driver {
                crate::options::LogDriver::K8sFile | crate::options::LogDriver::JsonFile => {
                    berth_oci::LogDriver::K8sFile
                }
                crate::options::LogDriver::None => berth_oci::LogDriver::None,
                crate::options::LogDriver::Journald => berth_oci::LogDriver::Journald,
                crate::options::LogDriver::Passthrough => berth_oci::LogDriver::Passthrough,
            },
            log_size_max: settings.log.max_size,
            timeout: settings.timeout,
            preserve_fds: settings.preserve_fds,
        };
        let created = match self.oci.create(&req) {
            Ok(c) => c,
            Err(e) => {
                rec.state = before;
                return Err(undo.fail(e.into()));
            }
        };
        {
            let oci = &self.oci;
            let cid = id.clone();
            undo.push("delete OCI container", move || {
                oci.delete(&cid, true).map_err(Into::into)
            });
        }

        // The pid files asked for (`--conmon-pidfile`, `--pidfile`).
        for (file, pid) in [
            (&settings.conmon_pidfile, created.conmon_pid),
            (&settings.pidfile, created.pid),
        ] {
            if let Some(f) = file {
                if let Err(e) = std::fs::write(f, pid.to_string()) {
                    rec.state = before;
                    return Err(undo.fail(Error::io("write pid file", f, e)));
                }
            }
        }

        // 5. The record says created.
        rec.state.status = ContainerStatus::Created;
        rec.state.pid = created.pid as u32;
        rec.state.conmon_pid = created.conmon_pid as u32;
        // Both live now (the container waits in `runc init`, conmon watches it).
        let probe = &self.engine.probe;
        rec.state.pid_start_time = probe.start_time(rec.state.pid).unwrap_or(0);
        rec.state.conmon_start_time = probe.start_time(rec.state.conmon_pid).unwrap_or(0);
        rec.state.exit_code = None;
        if let Err(e) = self.state.save_container_state(&id, &rec.state) {
            rec.state = before;
            return Err(undo.fail(e.into()));
        }
        undo.commit();
        self.container_event(rec, crate::EventStatus::Init);
        Ok(())
    }

    /// Reverses a successful `init_locked` (start failed afterwards): OCI delete, network
    /// teardown, netns removal, unmount; the record goes back to `before`.
    fn release_init(
        &self,
        rec: &mut ContainerRecord,
        before: berth_state::ContainerState,
    ) -> Vec<Error> {
        let mut errors = Vec::new();
        if let Err(e) = self.oci.delete(&rec.config.id, true) {
            errors.push(e.into());
        }
        errors.extend(self.release_network(rec));
        errors.extend(self.unmount_container_volumes(rec));
        if let Err(e) = self
            .storage
            .unmount_container(&rec.config.rootfs_storage_id, false)
        {
            errors.push(e.into());
        }
        rec.state = before;
        if let Err(e) = self.state.save_container_state(&rec.config.id, &rec.state) {
            errors.push(e.into());
        }
        errors
    }

    /// `/proc/PID/ns/KIND` of a running dependency.
    fn dependency_ns(&self, dep: &str, kind: &str) -> Result<PathBuf> {
        let mut d = self.state.container(dep)?;
        self.sync_status(&mut d)?;
        if d.state.status != ContainerStatus::Running || d.state.pid == 0 {
            return Err(Error::InvalidStatus {
                id: dep.to_string(),
                status: d.state.status.to_string(),
                operation: "share its namespaces (it must be running)",
            });
        }
        Ok(PathBuf::from(format!("/proc/{}/ns/{kind}", d.state.pid)))
    }

    fn exit_command(&self, id: &str) -> Option<ExitCommand> {
        let argv = self.engine.exit_command.as_ref()?;
        let (path, rest) = argv.split_first()?;
        let mut args = rest.to_vec();
        args.push(id.to_string());
        Some(ExitCommand {
            path: PathBuf::from(path),
            args,
            delay: None,
        })
    }

    /// Stops a container: its stop signal, up to `timeout` (default: the container's stop
    /// timeout), then SIGKILL; then cleans up (unmount, network teardown) and, for an
    /// auto-remove container, removes it. Returns the exit code. Stopping a container that
    /// is not running only cleans up.
    #[instrument(skip(self))]
    pub fn stop_container(&self, id_or_name: &str, timeout: Option<Duration>) -> Result<i32> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        self.stop_inner(&id, timeout)
    }

    pub(crate) fn stop_inner(&self, id: &str, timeout: Option<Duration>) -> Result<i32> {
        let lock = self.lock_container(id)?;
        let mut rec = self.locked_record(id)?;
        let code = match rec.state.status {
            ContainerStatus::Running | ContainerStatus::Paused => {
                if rec.state.status == ContainerStatus::Paused {
                    self.oci.resume(id)?;
                }
                let t = timeout.unwrap_or(Duration::from_secs(rec.config.stop_timeout.into()));
                rec.state
                    .extra
                    .insert(super::STOPPED_BY_USER.into(), serde_json::Value::Bool(true));
                self.state.save_container_state(id, &rec.state)?;
                let code = self.stop_process(&rec, t)?;
                rec.state.status = ContainerStatus::Stopped;
                rec.state.exit_code = Some(code);
                rec.state.clear_pids();
                rec.state.finished_at = Some(chrono::Utc::now());
                self.state.save_container_state(id, &rec.state)?;
                self.died_event(&rec, code);
                self.container_event(&rec, crate::EventStatus::Stop);
                code
            }
            _ => rec.state.exit_code.unwrap_or(0),
        };
        self.cleanup_recorded(&mut rec)?;
        drop(lock);
        if rec.config.auto_remove {
            self.remove_by_id(id, true, false)?;
        }
        Ok(code)
    }

    /// Sends `signal` to the container's init process.
    #[instrument(skip(self))]
    pub fn kill_container(&self, id_or_name: &str, signal: i32) -> Result<()> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let _lock = self.lock_container(&id)?;
        let rec = self.locked_record(&id)?;
        if !rec.state.status.can_kill() {
            return Err(invalid_status(&rec, "kill"));
        }
        self.oci.kill(&id, signal, false)?;
        self.container_event(&rec, crate::EventStatus::Kill);
        Ok(())
    }

    /// Stops (if running) and starts the container again.
    pub fn restart_container(
        &self,
        id_or_name: &str,
        timeout: Option<Duration>,
    ) -> Result<ContainerRecord> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let rec = self.container(&id)?;
        self.container_event(&rec, crate::EventStatus::Restart);
        if rec.state.status.is_active() {
            self.stop_without_autoremove(&id, timeout)?;
        }
        self.start_by_id(&id)
    }

    fn stop_without_autoremove(&self, id: &str, timeout: Option<Duration>) -> Result<()> {
        let _lock = self.lock_container(id)?;
        let mut rec = self.locked_record(id)?;
        if rec.state.status.can_stop() {
            if rec.state.status == ContainerStatus::Paused {
                self.oci.resume(id)?;
            }
            let t = timeout.unwrap_or(Duration::from_secs(rec.config.stop_timeout.into()));
            rec.state
                .extra
                .insert(super::STOPPED_BY_USER.into(), serde_json::Value::Bool(true));
            self.state.save_container_state(id, &rec.state)?;
            let code = self.stop_process(&rec, t)?;
            rec.state.status = ContainerStatus::Stopped;
            rec.state.exit_code = Some(code);
            rec.state.finished_at = Some(chrono::Utc::now());
            self.state.save_container_state(id, &rec.state)?;
            self.died_event(&rec, code);
            self.container_event(&rec, crate::EventStatus::Stop);
        }
        self.cleanup_recorded(&mut rec)
    }

    /// Freezes a running container.
    pub fn pause_container(&self, id_or_name: &str) -> Result<()> {
        self.set_paused(id_or_name, true)
    }

    /// Thaws a paused container.
    pub fn unpause_container(&self, id_or_name: &str) -> Result<()> {
        self.set_paused(id_or_name, false)
    }

    fn set_paused(&self, id_or_name: &str, pause: bool) -> Result<()> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let _lock = self.lock_container(&id)?;
        let mut rec = self.locked_record(&id)?;
        if pause {
            if !rec.state.status.can_pause() {
                return Err(invalid_status(&rec, "pause"));
            }
            self.oci.pause(&id)?;
            rec.state.status = ContainerStatus::Paused;
        } else {
            if !rec.state.status.can_unpause() {
                return Err(invalid_status(&rec, "unpause"));
            }
            self.oci.resume(&id)?;
            rec.state.status = ContainerStatus::Running;
        }
        if let Err(e) = self.state.save_container_state(&id, &rec.state) {
            // Put the process back the way the record says it is.
            let back = if pause {
                self.oci.resume(&id)
            } else {
                self.oci.pause(&id)
            };
            let undo = back.err().map(Error::from).into_iter().collect();
            return Err(Error::from(e).with_undo(undo));
        }
        let status = if pause {
            crate::EventStatus::Pause
        } else {
            crate::EventStatus::Unpause
        };
        self.container_event(&rec, status);
        Ok(())
    }

    /// Waits until the container reaches `condition` (polling cheap signals); returns its exit
    /// code (`-1` when unknown) for [`WaitCondition::Exited`], else 0.
    pub fn wait_container(
        &self,
        id_or_name: &str,
        condition: WaitCondition,
        timeout: Option<Duration>,
    ) -> Result<i32> {
        self.check()?;
        let id = match self.resolve_container_id(id_or_name) {
            Ok(id) => id,
            // Auto-removed before we looked: its exit code was kept under its full id.
            Err(e)
                if e.is_not_found()
                    && condition == WaitCondition::Exited
                    && berth_state::is_valid_id(id_or_name) =>
            {
                return self.removed_exit_code(id_or_name).ok_or(e);
            }
            Err(e) => return Err(e),
        };
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut delay = Duration::from_millis(10);
        let mut quick_looks = 50;
        loop {
            let rec = match self
                .state
                .container(&id)
                .map_err(Error::from)
                .and_then(|mut r| {
                    self.sync_status(&mut r)?;
                    Ok(r)
                }) {
                Ok(r) => r,
                // Removed meanwhile (auto-remove, by conmon's cleanup even while we looked):
                // it has exited; its code was kept.
                Err(e) if e.is_not_found() && condition == WaitCondition::Exited => {
                    return Ok(self.removed_exit_code(&id).unwrap_or(-1));
                }
                Err(e) => return Err(e),
            };
            if condition.reached(rec.state.status) {
                return Ok(if condition == WaitCondition::Exited {
                    rec.state.exit_code.unwrap_or(-1)
                } else {
                    0
                });
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Error::Timeout {
                    what: format!("container {id} to be {condition:?}"),
                    seconds: timeout.unwrap_or_default().as_secs(),
                });
            }
            let (pid, start) = (rec.state.pid, rec.state.pid_start_time);
            if rec.state.status == ContainerStatus::Running && pid != 0 {
                if self.engine.probe.is_alive(pid, start) {
                    // Wakes the moment the process ends.
                    self.engine.probe.wait_exit(pid, start, delay);
                } else if quick_looks > 0 {
                    // Ended; conmon is about to write the exit file.
                    quick_looks -= 1;
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                } else {
                    std::thread::sleep(delay);
                }
            } else {
                std::thread::sleep(delay);
            }
            delay = (delay * 2).min(Duration::from_millis(100));
        }
    }
}

//! The healthcheck scheduler, berth's stand-in for podman's systemd timers: one small
//! process per running container with a healthcheck and an interval. `start` spawns it
//! (`EngineOptions::healthcheck_command` + the id, in its own session, stdio on
//! `/dev/null`) once the container runs and records it in `TMP/containers/ID/healthcheck.pid`
//! (`PID START_TIME`). It waits an interval (on a pidfd of the container's process, so it
//! wakes the moment the container exits), runs the check, and goes on until the container
//! is no longer running, its record is gone, or the pid file names another process. Every
//! cleanup (stop, kill, rm -f, and conmon's exit command after a crash) kills it first;
//! a start kills a leftover one before spawning the next.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use berth_state::{ContainerRecord, ContainerStatus};

use super::active_healthcheck;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// The scheduler's pid file, in the container's run dir.
pub const SCHEDULER_PID_FILE: &str = "healthcheck.pid";

impl Runtime {
    fn scheduler_pid_file(&self, id: &str) -> PathBuf {
        self.bundle_dir(id).join(SCHEDULER_PID_FILE)
    }

    /// The live scheduler the pid file names: `(pid, start time)`.
    fn scheduler_process(&self, id: &str) -> Option<(u32, u64)> {
        let text = std::fs::read_to_string(self.scheduler_pid_file(id)).ok()?;
        let mut words = text.split_whitespace();
        let pid: u32 = words.next()?.parse().ok()?;
        let start: u64 = words.next()?.parse().ok()?;
        self.engine
            .probe
            .is_alive(pid, start)
            .then_some((pid, start))
    }

    /// After the container started: health status `starting`, and a scheduler when the
    /// healthcheck has an interval. Failures are logged, never fail the start.
    pub(crate) fn health_on_start(&self, rec: &ContainerRecord) {
        let Some(hc) = active_healthcheck(rec) else {
            return;
        };
        let id = &rec.config.id;
        if let Err(e) = self.reset_health(id) {
            tracing::warn!(id, error = %e, "resetting the health status");
        }
        self.stop_health_scheduler(id);
        if hc.interval_secs == 0 {
            return;
        }
        if let Err(e) = self.spawn_scheduler(id) {
            tracing::warn!(id, error = %e, "starting the healthcheck scheduler");
        }
    }

    fn spawn_scheduler(&self, id: &str) -> Result<()> {
        let Some((path, args)) = self
            .engine
            .healthcheck_command
            .as_ref()
            .and_then(|a| a.split_first())
        else {
            return Ok(());
        };
        let mut cmd = Command::new(path);
        cmd.args(args)
            .arg(id)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: a signal to `berth run`'s group (^C) does not reach it.
            .process_group(0);
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::io("spawn the healthcheck scheduler", path, e))?;
        let pid = child.id();
        let start = self.engine.probe.start_time(pid).unwrap_or(0);
        let file = self.scheduler_pid_file(id);
        if let Err(e) = std::fs::write(&file, format!("{pid} {start}\n")) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::io("write", file, e));
        }
        // Reaped by this thread in a long-lived caller; a CLI exits first and the
        // scheduler is inherited by init.
        std::thread::spawn(move || child.wait());
        Ok(())
    }

    /// Kills the container's scheduler (not the caller itself, when the scheduler's own
    /// `--health-on-failure` stops the container) and removes its pid file.
    pub(crate) fn stop_health_scheduler(&self, id: &str) {
        let file = self.scheduler_pid_file(id);
        if let Some((pid, _)) = self.scheduler_process(id) {
            if pid == std::process::id() {
                return;
            }
            // The process the pid file names, checked alive with the start time it was
            // recorded with.
            kill(pid);
        }
        let _ = std::fs::remove_file(file);
    }

    /// When the calling process is the container's scheduler: removes its pid file, so no
    /// cleanup kills it and its loop ends.
    pub(super) fn release_scheduler_if_me(&self, id: &str) {
        if self.scheduler_process(id).map(|(pid, _)| pid) == Some(std::process::id()) {
            let _ = std::fs::remove_file(self.scheduler_pid_file(id));
        }
    }

    /// Whether a scheduler process runs for the container now.
    pub fn health_scheduler_pid(&self, id_or_name: &str) -> Result<Option<u32>> {
        let id = self.resolve_container_id(id_or_name)?;
        Ok(self.scheduler_process(&id).map(|(pid, _)| pid))
    }

    /// The scheduler's loop (the hidden command the spawn runs): every interval, the
    /// check, until the container stops running or another scheduler took over.
    pub fn run_health_scheduler(&self, id_or_name: &str) -> Result<()> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let me = std::process::id();
        loop {
            let Ok(rec) = self.container(&id) else {
                return Ok(());
            };
            let Some(hc) = active_healthcheck(&rec) else {
                return Ok(());
            };
            if hc.interval_secs == 0 || !is_up(&rec) {
                return Ok(());
            }
            self.engine.probe.wait_exit(
                rec.state.pid,
                rec.state.pid_start_time,
                Duration::from_secs(hc.interval_secs),
            );
            if self.scheduler_process(&id).map(|(pid, _)| pid) != Some(me) {
                return Ok(());
            }
            let Ok(now) = self.container(&id) else {
                return Ok(());
            };
            let alive = self
                .engine
                .probe
                .is_alive(now.state.pid, now.state.pid_start_time);
            if alive
                && now.state.status == ContainerStatus::Running
                && now.state.started_at == rec.state.started_at
            {
                if let Err(e) = self.run_healthcheck(&id) {
                    tracing::debug!(id, error = %e, "healthcheck");
                }
            }
        }
    }
}

/// SIGKILL.
pub(super) fn kill(pid: u32) {
    if let Ok(pid) = i32::try_from(pid) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

fn is_up(rec: &ContainerRecord) -> bool {
    matches!(
        rec.state.status,
        ContainerStatus::Running | ContainerStatus::Paused
    )
}

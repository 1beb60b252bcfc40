//! Stopping a container's process, with its conmon or without it.
//!
//! conmon writes the exit file the OCI layer's stop waits for. When conmon was killed
//! (the container's process lives on, reparented), nobody will write it: the stop then
//! signals through the OCI runtime and watches the process itself (pid and start time),
//! and the exit is recorded as the signal that ended it (podman gives up on the exit file
//! after 5 s and records an unknown code; berth does not wait for what cannot come).

use std::time::{Duration, Instant};

use berth_state::ContainerRecord;

use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// How long the process gets to die after SIGKILL.
const KILL_GRACE: Duration = Duration::from_secs(5);

impl Runtime {
    /// Stops a running container's process: its stop signal, up to `timeout`, then SIGKILL
    /// to every process. Returns the exit code (conmon's when it recorded one).
    pub(crate) fn stop_process(&self, rec: &ContainerRecord, timeout: Duration) -> Result<i32> {
        let id = &rec.config.id;
        let signal = rec.config.stop_signal as i32;
        if self.conmon_alive(rec) {
            match self.oci.stop(id, signal, timeout) {
                Ok(code) => return Ok(code),
                // conmon died while the stop waited for its exit file.
                Err(
                    berth_oci::Error::Timeout { .. } | berth_oci::Error::ExitCodeUnknown { .. },
                ) if !self.conmon_alive(rec) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.stop_without_conmon(rec, signal, timeout)
    }

    /// Whether the container's conmon still runs (a record without conmon's pid: assume so).
    pub(super) fn conmon_alive(&self, rec: &ContainerRecord) -> bool {
        let s = &rec.state;
        s.conmon_pid == 0
            || self
                .engine
                .probe
                .is_alive(s.conmon_pid, s.conmon_start_time)
    }

    fn stop_without_conmon(
        &self,
        rec: &ContainerRecord,
        signal: i32,
        timeout: Duration,
    ) -> Result<i32> {
        let id = &rec.config.id;
        tracing::info!(id, "conmon is gone; stopping the container by its process");
        let mut sent = None;
        for (sig, all, wait) in [(signal, false, timeout), (libc::SIGKILL, true, KILL_GRACE)] {
            match self.process_end(rec, Duration::ZERO)? {
                ProcessEnd::Code(code) => return Ok(code),
                ProcessEnd::Gone => break,
                ProcessEnd::Alive => {}
            }
            if let Err(e) = self.oci.kill(id, sig, all) {
                if self.process_end(rec, Duration::ZERO)? == ProcessEnd::Alive {
                    return Err(e.into());
                }
            }
            sent = Some(sig);
            match self.process_end(rec, wait)? {
                ProcessEnd::Code(code) => return Ok(code),
                ProcessEnd::Gone => break,
                ProcessEnd::Alive => {}
            }
        }
        if self.process_end(rec, Duration::ZERO)? == ProcessEnd::Alive {
            return Err(Error::Timeout {
                what: format!("container {id} to exit after SIGKILL"),
                seconds: KILL_GRACE.as_secs(),
            });
        }
        // Ended by our signal as far as anyone can tell; -1 (podman's unknown) otherwise.
        Ok(sent.map_or(-1, |s| 128 + s))
    }

    /// Waits up to `wait` for the container's first process to end: an exit code when one
    /// was recorded after all, `Gone` when the process is gone without one.
    fn process_end(&self, rec: &ContainerRecord, wait: Duration) -> Result<ProcessEnd> {
        let (pid, start) = (rec.state.pid, rec.state.pid_start_time);
        let probe = &self.engine.probe;
        let deadline = Instant::now() + wait;
        loop {
            if let Some(code) = self.oci.exit_code(&rec.config.id)? {
                return Ok(ProcessEnd::Code(code));
            }
            if !probe.is_alive(pid, start) {
                return Ok(ProcessEnd::Gone);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(ProcessEnd::Alive);
            }
            probe.wait_exit(pid, start, (deadline - now).min(Duration::from_millis(50)));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProcessEnd {
    Code(i32),
    Gone,
    Alive,
}

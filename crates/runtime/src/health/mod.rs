//! Healthchecks: the image's `HEALTHCHECK` or `--health-*`, run in the container with
//! exec (`healthcheck run`), their results kept in a health log next to the container's
//! log (podman's `State.Health`), and the scheduler that runs them every interval
//! (`scheduler.rs`).

mod log;
mod scheduler;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use berth_oci::{AttachIo, ExecRequest};
use berth_state::{ContainerRecord, ContainerStatus};
use berth_storage::HealthConfig;

pub use log::{HealthCheckLogEntry, HealthCheckResults};
pub use scheduler::SCHEDULER_PID_FILE;

use crate::error::{Error, Result};
use crate::options::{Healthcheck, RunSettings};
use crate::runtime::Runtime;

/// `Status` of a container that has a healthcheck and has not passed or failed one yet.
pub const HEALTH_STARTING: &str = "starting";
/// `Status` after a passing check.
pub const HEALTH_HEALTHY: &str = "healthy";
/// `Status` after `retries` failing checks in a row.
pub const HEALTH_UNHEALTHY: &str = "unhealthy";

/// The most output of one check kept in the log (podman's limit).
const MAX_OUTPUT: usize = 500;
/// Defaults of an image healthcheck that leaves them out (Docker's and podman's).
const DEFAULT_SECS: u64 = 30;
const DEFAULT_RETRIES: u32 = 3;

/// What one `healthcheck run` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthCheckOutcome {
    /// The command exited 0.
    Healthy,
    /// It failed (or could not run).
    Unhealthy,
}

impl Healthcheck {
    /// podman's "disabled" healthcheck (`--no-healthcheck`, `--health-cmd none`): kept so
    /// the image's is not used, never run.
    pub fn disabled() -> Self {
        Self {
            test: vec!["NONE".to_owned()],
            interval_secs: 0,
            timeout_secs: 0,
            start_period_secs: 0,
            retries: 0,
            on_failure: "none".to_owned(),
        }
    }

    /// Whether there is a command to run (not `NONE`, not empty).
    pub fn is_enabled(&self) -> bool {
        self.command().is_some()
    }

    /// The argv exec runs: `CMD` as given, `CMD-SHELL` through `/bin/sh -c`.
    pub fn command(&self) -> Option<Vec<String>> {
        let argv = match self.test.first().map(String::as_str) {
            None | Some("" | "NONE") => return None,
            Some("CMD") => self.test[1..].to_vec(),
            Some("CMD-SHELL") => vec![
                "/bin/sh".to_owned(),
                "-c".to_owned(),
                self.test[1..].join(" "),
            ],
            Some(_) => self.test.clone(),
        };
        argv.first().filter(|a| !a.is_empty())?;
        Some(argv)
    }

    /// An image's `HEALTHCHECK`; unset times get podman's defaults (30 s), times are
    /// rounded up to whole seconds.
    pub fn from_image(h: &HealthConfig) -> Self {
        let secs = |ns: i64, default: u64| match u64::try_from(ns) {
            Ok(0) | Err(_) => default,
            Ok(ns) => ns.div_ceil(1_000_000_000),
        };
        Self {
            test: h.test.clone(),
            interval_secs: secs(h.interval, DEFAULT_SECS),
            timeout_secs: secs(h.timeout, DEFAULT_SECS),
            start_period_secs: secs(h.start_period, 0),
            retries: u32::try_from(h.retries)
                .ok()
                .filter(|r| *r > 0)
                .unwrap_or(DEFAULT_RETRIES),
            on_failure: "none".to_owned(),
        }
    }

    /// In the image config's shape (inspect's `Config.Healthcheck`: nanoseconds, zero
    /// fields left out).
    pub fn to_config(&self) -> HealthConfig {
        let ns = |s: u64| i64::try_from(s.saturating_mul(1_000_000_000)).unwrap_or(i64::MAX);
        HealthConfig {
            test: self.test.clone(),
            interval: ns(self.interval_secs),
            timeout: ns(self.timeout_secs),
            start_period: ns(self.start_period_secs),
            retries: self.retries.into(),
        }
    }
}

/// The container's healthcheck as recorded (enabled or not).
pub fn configured_healthcheck(rec: &ContainerRecord) -> Option<Healthcheck> {
    RunSettings::from_extra(&rec.config.extra).healthcheck
}

/// The healthcheck that runs, if any.
fn active_healthcheck(rec: &ContainerRecord) -> Option<Healthcheck> {
    configured_healthcheck(rec).filter(Healthcheck::is_enabled)
}

/// `health=` of `ps --filter`: the container's status word, `none` without a healthcheck.
pub(crate) fn health_filter_ok(
    static_dir: &std::path::Path,
    rec: &ContainerRecord,
    wanted: &[String],
) -> bool {
    if wanted.is_empty() {
        return true;
    }
    let word = if active_healthcheck(rec).is_some() {
        log::read_log(static_dir, &rec.config.id)
            .map(|h| h.status)
            .unwrap_or_default()
    } else {
        "none".to_owned()
    };
    wanted.contains(&word)
}

impl Runtime {
    /// `healthcheck run`: runs the container's healthcheck once with exec, records the
    /// result in its health log and applies `--health-on-failure` when it turns unhealthy.
    /// Errors (podman's): no such container, not running, no healthcheck, and a check that
    /// outlived its timeout (recorded as exit code -1 first).
    pub fn run_healthcheck(&self, id_or_name: &str) -> Result<HealthCheckOutcome> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        let id = rec.config.id.clone();
        if rec.state.status != ContainerStatus::Running {
            return Err(Error::Healthcheck {
                message: format!("container {id} is not running"),
                id,
            });
        }
        let Some(hc) = active_healthcheck(&rec) else {
            return Err(Error::Healthcheck {
                message: format!("container {id} has no defined healthcheck"),
                id,
            });
        };
        let argv = hc.command().unwrap_or_default();
        let timeout = Duration::from_secs(hc.timeout_secs.max(1));
        let start = chrono::Utc::now();
        let started = Instant::now();
        let ran = self.exec_with_timeout(&rec, argv, timeout);
        let end = chrono::Utc::now();
        let (exit_code, output, timed_out) = match ran {
            Ok(r) => (i32::from(r.code != 0), r.output, r.timed_out),
            // The exec could not start (no such binary, ...): a failed check.
            Err(e) => (1, e.to_string(), false),
        };
        let timed_out = timed_out || started.elapsed() > timeout;
        let in_start_period = hc.start_period_secs > 0
            && rec.state.started_at.is_some_and(|s| {
                start < s + chrono::Duration::seconds(hc.start_period_secs as i64)
            });
        let entry = HealthCheckLogEntry {
            start: log::timestamp(start),
            end: log::timestamp(end),
            exit_code: if timed_out { -1 } else { exit_code },
            output: truncate(&output),
        };
        let status = self.record_health(&rec, &hc, entry, in_start_period)?;
        self.health_event(&rec, &status);
        if status == HEALTH_UNHEALTHY {
            self.on_unhealthy(&id, &hc)?;
        }
        if timed_out {
            return Err(Error::Healthcheck {
                message: format!(
                    "healthcheck command exceeded timeout of {}s",
                    hc.timeout_secs
                ),
                id,
            });
        }
        Ok(if exit_code == 0 {
            HealthCheckOutcome::Healthy
        } else {
            HealthCheckOutcome::Unhealthy
        })
    }

    /// The container's health (inspect's `State.Health`): `None` when it has no
    /// healthcheck that runs; an empty status until it is started.
    pub fn container_health(&self, rec: &ContainerRecord) -> Option<HealthCheckResults> {
        active_healthcheck(rec)?;
        Some(self.read_health_log(&rec.config.id).unwrap_or_default())
    }

    /// `starting`, `healthy`, `unhealthy`, or `None` (no healthcheck, or never started):
    /// what `ps` shows after the status and `--filter health=` matches.
    pub fn health_status(&self, rec: &ContainerRecord) -> Option<String> {
        self.container_health(rec)
            .map(|h| h.status)
            .filter(|s| !s.is_empty())
    }

    /// podman's `health_status` event, written each time a check is recorded.
    fn health_event(&self, rec: &ContainerRecord, status: &str) {
        let mut e = crate::events::container_record_event(rec, crate::EventStatus::HealthStatus);
        status.clone_into(&mut e.health_status);
        self.write_event(&e);
    }

    /// `--health-on-failure`: kill, stop or restart a container that turned unhealthy.
    fn on_unhealthy(&self, id: &str, hc: &Healthcheck) -> Result<()> {
        if hc.on_failure != "none" {
            // The scheduler acting lets go of its pid file first: the cleanup of the stop
            // (conmon's exit command, in another process) must not kill it half-way
            // through a restart. It ends after this check; a restart starts a new one.
            self.release_scheduler_if_me(id);
        }
        match hc.on_failure.as_str() {
            "kill" => self.kill_container(id, libc::SIGKILL),
            "stop" => self.stop_container(id, None).map(drop),
            "restart" => self.restart_container(id, None).map(drop),
            _ => Ok(()),
        }
    }

    /// Runs `argv` in the container, its stdout and stderr together; kills it after
    /// `timeout`.
    fn exec_with_timeout(
        &self,
        rec: &ContainerRecord,
        argv: Vec<String>,
        timeout: Duration,
    ) -> Result<ExecRun> {
        let id = rec.config.id.clone();
        let bundle = self.bundle_dir(&id);
        let session_id = format!("healthcheck-{}", crate::names::new_id());
        let exec_pid = bundle.join(&session_id).join("exec_pid");
        let req = ExecRequest {
            bundle,
            session_id,
            id,
            args: argv,
            env: Vec::new(),
            cwd: None,
            user: None,
            tty: false,
            stdin: false,
            privileged: false,
            detach: false,
        };
        let buf = SharedBuf::default();
        let io = AttachIo {
            stdin: None,
            stdout: Box::new(buf.clone()),
            stderr: Box::new(buf.clone()),
            size: None,
        };
        let oci = Arc::clone(&self.oci);
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            let _ = tx.send(oci.exec(&req, Some(io)));
        });
        let mut timed_out = false;
        let result = if let Ok(r) = rx.recv_timeout(timeout) {
            r
        } else {
            timed_out = true;
            kill_exec(&exec_pid);
            rx.recv().map_err(|_| Error::Healthcheck {
                id: rec.config.id.clone(),
                message: "the healthcheck exec ended without a result".into(),
            })?
        };
        let _ = worker.join();
        let r = result?;
        Ok(ExecRun {
            code: r.exit_code.unwrap_or(-1),
            output: buf.text(),
            timed_out,
        })
    }
}

/// One exec of a check.
struct ExecRun {
    code: i32,
    output: String,
    timed_out: bool,
}

/// SIGKILL to the exec'd process named by conmon's pid file.
fn kill_exec(pid_file: &std::path::Path) {
    let pid = std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok())
        .filter(|p| *p > 0);
    if let Some(pid) = pid {
        scheduler::kill(pid);
    }
}

/// The output as podman keeps it: lines joined by `\n`, at most 500 bytes.
fn truncate(output: &str) -> String {
    let text = output.trim_end_matches('\n');
    if text.len() <= MAX_OUTPUT {
        return text.to_owned();
    }
    let mut end = MAX_OUTPUT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// stdout and stderr of the check, in one buffer.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    fn text(&self) -> String {
        let b = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        String::from_utf8_lossy(&b).into_owned()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_follow_podman() {
        let hc = |t: &[&str]| Healthcheck {
            test: t.iter().map(|s| (*s).to_owned()).collect(),
            ..Healthcheck::disabled()
        };
        assert_eq!(
            hc(&["CMD-SHELL", "echo hi"]).command().unwrap(),
            ["/bin/sh", "-c", "echo hi"]
        );
        assert_eq!(hc(&["CMD", "true", "x"]).command().unwrap(), ["true", "x"]);
        assert!(hc(&["NONE"]).command().is_none());
        assert!(hc(&["CMD"]).command().is_none());
        assert!(!Healthcheck::disabled().is_enabled());
    }

    #[test]
    fn image_healthchecks_get_defaults_and_whole_seconds() {
        let h = Healthcheck::from_image(&HealthConfig {
            test: vec!["CMD-SHELL".into(), "true".into()],
            interval: 1_500_000_000,
            ..HealthConfig::default()
        });
        assert_eq!(
            (
                h.interval_secs,
                h.timeout_secs,
                h.start_period_secs,
                h.retries
            ),
            (2, 30, 0, 3)
        );
        assert_eq!(h.to_config().interval, 2_000_000_000);
    }

    #[test]
    fn output_is_cut_at_500_bytes_on_a_char_boundary() {
        assert_eq!(truncate("a\nb\n"), "a\nb");
        let long = "é".repeat(400);
        let t = truncate(&long);
        assert!(t.len() <= 500 && t.chars().all(|c| c == 'é'));
    }
}

//! The health log: `STATIC/containers/ID/healthcheck.log`, podman's JSON
//! (`{"Status":..,"FailingStreak":..,"Log":[..]}`), the last five results, written whole
//! (temporary file + rename) under the container's lock.

use std::path::{Path, PathBuf};

use berth_state::ContainerRecord;
use serde::{Deserialize, Serialize};

use super::{HEALTH_HEALTHY, HEALTH_STARTING, HEALTH_UNHEALTHY};
use crate::error::{Error, Result};
use crate::options::Healthcheck;
use crate::runtime::Runtime;

/// Results kept (podman's number).
const MAX_RESULTS: usize = 5;
const FILE: &str = "healthcheck.log";

/// A container's health (podman's `State.Health`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthCheckResults {
    /// `starting`, `healthy`, `unhealthy`; empty before the first start.
    pub status: String,
    /// Failed checks in a row (outside the start period).
    pub failing_streak: u32,
    /// The last results, oldest first (`null` when none, as podman prints it).
    #[serde(
        serialize_with = "null_when_empty",
        deserialize_with = "empty_when_null"
    )]
    pub log: Vec<HealthCheckLogEntry>,
}

/// One check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HealthCheckLogEntry {
    /// When it began (RFC 3339, nanoseconds).
    pub start: String,
    /// When it ended.
    pub end: String,
    /// 0 passed, 1 failed, -1 timed out.
    pub exit_code: i32,
    /// Its stdout and stderr, at most 500 bytes.
    pub output: String,
}

fn null_when_empty<S: serde::Serializer>(
    v: &[HealthCheckLogEntry],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    if v.is_empty() {
        s.serialize_none()
    } else {
        v.serialize(s)
    }
}

fn empty_when_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<HealthCheckLogEntry>, D::Error> {
    Ok(Option::<Vec<HealthCheckLogEntry>>::deserialize(d)?.unwrap_or_default())
}

/// podman's time format in the log.
pub(super) fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// The log in the static dir `static_dir`, as stored; a missing file is an empty log.
pub(super) fn read_log(static_dir: &Path, id: &str) -> Result<HealthCheckResults> {
    let path = static_dir.join("containers").join(id).join(FILE);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Host {
            what: path.display().to_string(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HealthCheckResults::default()),
        Err(e) => Err(Error::io("read health log", path, e)),
    }
}

impl Runtime {
    fn health_log_path(&self, id: &str) -> PathBuf {
        self.static_container_dir(id).join(FILE)
    }

    pub(super) fn read_health_log(&self, id: &str) -> Result<HealthCheckResults> {
        read_log(&self.config.static_dir, id)
    }

    fn write_health_log(&self, id: &str, h: &HealthCheckResults) -> Result<()> {
        let path = self.health_log_path(id);
        let dir = self.static_container_dir(id);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        let tmp = path.with_extension("log.tmp");
        let data = serde_json::to_vec(h).map_err(|e| Error::Host {
            what: "the health log".into(),
            reason: e.to_string(),
        })?;
        std::fs::write(&tmp, data).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io("rename", &path, e))
    }

    /// Adds one result: a pass makes it healthy; a failure outside the start period adds to
    /// the streak, which at `retries` makes it unhealthy. Returns the new status.
    pub(super) fn record_health(
        &self,
        rec: &ContainerRecord,
        hc: &Healthcheck,
        entry: HealthCheckLogEntry,
        in_start_period: bool,
    ) -> Result<String> {
        let id = &rec.config.id;
        let _lock = self.lock_container(id)?;
        // Removed while the check ran: nothing to record.
        if self.state.lookup_container(id).is_err() {
            return Ok(String::new());
        }
        let mut h = self.read_health_log(id)?;
        if entry.exit_code == 0 {
            h.status = HEALTH_HEALTHY.into();
            h.failing_streak = 0;
        } else {
            if h.status.is_empty() {
                h.status = HEALTH_STARTING.into();
            }
            if !in_start_period {
                h.failing_streak += 1;
                if h.failing_streak >= hc.retries.max(1) {
                    h.status = HEALTH_UNHEALTHY.into();
                }
            }
        }
        h.log.push(entry);
        let excess = h.log.len().saturating_sub(MAX_RESULTS);
        h.log.drain(..excess);
        self.write_health_log(id, &h)?;
        Ok(h.status)
    }

    /// At each start: the status goes back to `starting` (the results stay, as podman
    /// keeps them). Called with the container's lock held.
    pub(super) fn reset_health(&self, id: &str) -> Result<()> {
        let mut h = self.read_health_log(id)?;
        h.status = HEALTH_STARTING.into();
        self.write_health_log(id, &h)
    }
}

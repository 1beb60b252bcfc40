//! Running the OCI runtime binary directly (start, kill, delete, state, pause, resume) and
//! reading its JSON error log (PROTOCOLS §8).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::{Error, ExitCodeClass, Result};
use crate::runtime::{ContainerState, ContainerStatus};

/// The runtime binary plus the global flags passed on every call.
#[derive(Debug, Clone)]
pub struct Runc {
    /// Binary.
    pub path: PathBuf,
    /// Global flags (`--root=DIR`, `--systemd-cgroup`).
    pub global_args: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RawState {
    id: String,
    pid: i32,
    status: String,
    bundle: PathBuf,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

fn is_missing(message: &str) -> bool {
    message.contains("does not exist") || message.contains("container not found")
}

impl Runc {
    /// Runs `RUNTIME [global] args...`; returns stdout, or a typed error from stderr.
    pub fn run(&self, op: &'static str, id: &str, args: &[&str]) -> Result<Vec<u8>> {
        let out = Command::new(&self.path)
            .args(&self.global_args)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Error::Command {
                command: format!("{} {op}", self.path.display()),
                source: e,
            })?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let message = last_error(&stderr).unwrap_or_else(|| stderr.trim().to_owned());
        if is_missing(&message) {
            return Err(Error::NoSuchContainer { id: id.to_owned() });
        }
        Err(Error::Runtime {
            op,
            id: id.to_owned(),
            class: ExitCodeClass::classify(&message),
            message,
        })
    }

    /// `state ID`.
    pub fn state(&self, id: &str) -> Result<ContainerState> {
        let out = self.run("state", id, &["state", id])?;
        let raw: RawState = serde_json::from_slice(&out).map_err(|e| Error::Json {
            what: format!("runc state {id}"),
            source: e,
        })?;
        let status = ContainerStatus::parse(&raw.status).ok_or_else(|| Error::Runtime {
            op: "state",
            id: id.to_owned(),
            message: format!("unknown status {:?}", raw.status),
            class: ExitCodeClass::Other,
        })?;
        Ok(ContainerState {
            id: raw.id,
            status,
            pid: (raw.pid > 0 && status != ContainerStatus::Stopped).then_some(raw.pid),
            bundle: raw.bundle,
            annotations: raw.annotations.unwrap_or_default(),
        })
    }
}

/// The message of the last `"level":"error"` line of runc's JSON log text, if any.
pub fn last_error(log: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Line {
        level: String,
        msg: String,
    }
    log.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<Line>(l.trim()).ok())
        .find(|l| l.level == "error")
        .map(|l| l.msg)
}

/// The runtime's error for a failed create: the last error line in `log_file`, else `fallback`.
pub fn create_error_message(log_file: &Path, fallback: Option<&str>) -> String {
    let from_log = std::fs::read_to_string(log_file)
        .ok()
        .and_then(|t| last_error(&t));
    from_log
        .or_else(|| fallback.map(|f| f.trim().to_owned()))
        .unwrap_or_else(|| "container create failed (no logs from conmon)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_error_line_wins() {
        let log = "{\"level\":\"warning\",\"msg\":\"w\",\"time\":\"t\"}\n{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n\
                   not json\n{\"level\":\"error\",\"msg\":\"second\",\"time\":\"t\"}\n";
        assert_eq!(last_error(log).as_deref(), Some("second"));
        assert_eq!(last_error("plain text"), None);
    }

    #[test]
    fn create_error_falls_back_to_sync_message_then_generic() {
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("oci-log");
        assert_eq!(create_error_message(&log, Some("from sync\n")), "from sync");
        assert!(create_error_message(&log, None).contains("no logs from conmon"));
        std::fs::write(
            &log,
            "{\"level\":\"error\",\"msg\":\"from log\",\"time\":\"t\"}\n",
        )
        .unwrap();
        assert_eq!(create_error_message(&log, Some("x")), "from log");
    }

    #[test]
    fn missing_binary_is_a_command_error() {
        let r = Runc {
            path: "/nonexistent/runc".into(),
            global_args: vec![],
        };
        let e = r.state("x").unwrap_err();
        assert!(e.to_string().contains("/nonexistent/runc"), "{e}");
    }
}

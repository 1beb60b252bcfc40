//! exec, attach, resize.

use berth_oci::{AttachHandle, AttachIo, ExecRequest, WinSize};
use berth_state::ContainerStatus;
use serde::{Deserialize, Serialize};

use super::invalid_status;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// A process to run in a running container (`berth exec`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecOptions {
    /// argv (required).
    pub command: Vec<String>,
    /// Extra environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// Working directory.
    pub workdir: Option<String>,
    /// User.
    pub user: Option<String>,
    /// Allocate a terminal.
    pub tty: bool,
    /// Keep stdin open.
    pub stdin: bool,
    /// All capabilities.
    pub privileged: bool,
    /// Return once started.
    pub detach: bool,
}

/// What an exec did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecOutput {
    /// The process's host pid.
    pub pid: i32,
    /// Its exit code (`None` when detached).
    pub exit_code: Option<i32>,
}

impl Runtime {
    /// Runs a process in a running container; `io` streams its stdio (`None`: discarded).
    pub fn exec_container(
        &self,
        id_or_name: &str,
        opts: &ExecOptions,
        io: Option<AttachIo>,
    ) -> Result<ExecOutput> {
        self.check()?;
        if opts.command.is_empty() {
            return Err(Error::invalid("exec command", "", "give a command to run"));
        }
        let rec = self.container(id_or_name)?;
        if rec.state.status != ContainerStatus::Running {
            return Err(invalid_status(&rec, "exec"));
        }
        let id = rec.config.id.clone();
        let req = ExecRequest {
            bundle: self.bundle_dir(&id),
            session_id: crate::names::new_id(),
            id,
            args: opts.command.clone(),
            env: opts.env.clone(),
            cwd: opts.workdir.clone(),
            user: opts.user.clone(),
            tty: opts.tty,
            stdin: opts.stdin,
            privileged: opts.privileged,
            detach: opts.detach,
        };
        self.container_event(&rec, crate::EventStatus::Exec);
        let r = self.oci.exec(&req, io)?;
        if let Some(code) = r.exit_code {
            self.exec_died_event(&rec, code);
        }
        Ok(ExecOutput {
            pid: r.pid,
            exit_code: r.exit_code,
        })
    }

    /// Attaches to a running (or created) container's stdio; the streams run in the
    /// background until it exits. The handle waits for the output to drain
    /// ([`AttachHandle::wait`]) or detaches, leaving the container running
    /// ([`AttachHandle::detach`]); dropping it lets the streaming go on by itself.
    pub fn attach_container(&self, id_or_name: &str, io: AttachIo) -> Result<AttachHandle> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        if !rec.state.status.is_active() {
            return Err(invalid_status(&rec, "attach"));
        }
        let handle = self
            .oci
            .attach(&rec.config.id, &self.bundle_dir(&rec.config.id), io)?;
        if rec.state.status == ContainerStatus::Created {
            // Attached before the start (`run`): podman records the attach after the start.
            self.pending_attach
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(rec.config.id.clone());
        } else {
            self.container_event(&rec, crate::EventStatus::Attach);
        }
        Ok(handle)
    }

    /// Resizes a tty container's terminal.
    pub fn resize_container(&self, id_or_name: &str, size: WinSize) -> Result<()> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        if !rec.state.status.is_active() {
            return Err(invalid_status(&rec, "resize"));
        }
        self.oci
            .resize(&rec.config.id, &self.bundle_dir(&rec.config.id), size)?;
        Ok(())
    }
}

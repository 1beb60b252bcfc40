//! `exec`: a command in a running container.

use super::select::latest;
use super::{attach_io, exec_error, exit_byte, out};
use crate::opts::ExecOptions;
use berth_runtime::Runtime;

/// Runs `exec`: detached (the process id printed) or attached (its exit code).
pub(super) fn exec(rt: &Runtime, o: &ExecOptions) -> anyhow::Result<u8> {
    let name = match &o.container {
        Some(c) => c.clone(),
        None => latest(rt)?,
    };
    let opts = berth_runtime::ExecOptions {
        command: o.command.clone(),
        env: o.env.to_strings(),
        workdir: o.workdir.as_ref().map(|w| w.to_string_lossy().into_owned()),
        user: o.user.as_ref().map(|u| match &u.group {
            Some(g) => format!("{}:{g}", u.user),
            None => u.user.clone(),
        }),
        tty: o.tty,
        stdin: o.interactive,
        privileged: o.privileged,
        detach: o.detach,
    };
    if o.detach {
        let r = rt.exec_container(&name, &opts, None).map_err(exec_error)?;
        out(&format!("{}\n", r.pid))?;
        return Ok(0);
    }
    let (io, _drained, _) = attach_io(o.interactive, o.tty, &[]);
    let raw = o.tty.then(crate::terminal::RawMode::enter);
    let r = rt.exec_container(&name, &opts, Some(io));
    drop(raw);
    let r = r.map_err(exec_error)?;
    Ok(exit_byte(r.exit_code.unwrap_or(0)))
}

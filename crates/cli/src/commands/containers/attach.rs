//! `attach`: the terminal to a running container until it exits or the user detaches.

use super::run::wait_or_detach;
use super::select::names;
use super::{attach_io, exit_byte, DRAIN};
use crate::cli::AttachArgs;
use crate::opts::keys::parse_detach_keys;
use crate::opts::targets::Selection;
use berth_runtime::Runtime;

/// `attach`, parsed.
#[derive(Debug)]
pub struct Attach {
    /// The container.
    pub sel: Selection,
    /// Not `--no-stdin`.
    pub stdin: bool,
    /// `--detach-keys`.
    pub detach_keys: Vec<u8>,
    /// `--sig-proxy`: signals berth receives go to the container's process
    /// (not with a terminal, which sends them itself).
    pub sig_proxy: bool,
}

/// Parses `attach`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &AttachArgs) -> anyhow::Result<Attach> {
    let sel = Selection::latest_or_named(a.latest, a.container.as_slice())?;
    Ok(Attach {
        sel,
        stdin: !a.no_stdin,
        detach_keys: parse_detach_keys(&a.detach_keys)?,
        sig_proxy: a.sig_proxy,
    })
}

/// Runs `attach`.
pub(super) fn run(rt: &Runtime, a: Attach) -> anyhow::Result<u8> {
    let names = names(rt, &a.sel)?;
    let rec = rt.container(&names[0])?;
    let (io, drained, detached) =
        attach_io(a.stdin && rec.config.stdin, rec.config.tty, &a.detach_keys);
    let _raw = rec.config.tty.then(crate::terminal::RawMode::enter);
    // `--sig-proxy`: what berth receives goes to the container's process, through a
    // pidfd (never to a process that reused its pid).
    let _forwarder = (a.sig_proxy && !rec.config.tty)
        .then(|| berth_runtime::ProcessHandle::of_container(&rec))
        .flatten()
        .and_then(|p| {
            crate::signals::SignalForwarder::start(crate::signals::FORWARDED, move |sig| {
                let _ = p.signal(sig);
            })
            .ok()
        });
    // The writers tell when the output has drained (with a time limit), so the
    // session handle is not needed.
    drop(rt.attach_container(&rec.config.id, io)?);
    match wait_or_detach(rt, &rec.config.id, &detached)? {
        Some(code) => {
            drained.wait(DRAIN);
            Ok(exit_byte(code))
        }
        None => Ok(0),
    }
}

//! `create` and `run` (detached and in the foreground).

use super::{attach_io, convert, exit_byte, out, run_error, DRAIN};
use crate::error::CliError;
use crate::opts::{CreateOptions, RunOptions};
use berth_runtime::{ContainerRecord, ContainerStatus, Runtime, WaitCondition};

pub(super) fn create(rt: &Runtime, o: &CreateOptions) -> anyhow::Result<ContainerRecord> {
    let mut opts = convert::create(o)?;
    if rt.default_http_proxy() {
        for e in &o.proxy_env {
            let key = e.split('=').next().unwrap_or_default();
            if !opts.env.iter().any(|x| x.split('=').next() == Some(key)) {
                opts.env.push(e.clone());
            }
        }
    }
    // Kept for `generate systemd --new` (podman's CreateCommand).
    opts.create_command = std::env::args().collect();
    for w in &o.warnings {
        eprintln!("{w}");
    }
    crate::commands::registry::ensure_image(rt, &o.image, &o.pull, o.quiet)?;
    // `--pod new:NAME`: the pod first, removed again when the container cannot be made.
    let new_pod = match (&o.pod, o.more.new_pod) {
        (Some(name), true) => Some(rt.create_pod(&berth_runtime::PodCreateOptions {
            name: Some(name.clone()),
            ..berth_runtime::PodCreateOptions::default()
        })?),
        _ => None,
    };
    // The runtime decides the host ports: a taken one is refused, named by the flag.
    let rec = rt.create_container(&opts).map_err(|e| {
        if let Some(p) = &new_pod {
            let _ = rt.remove_pod(&p.config.id, true);
        }
        if e.is_port_unavailable() {
            CliError::conflict("--publish", e.to_string()).into()
        } else {
            anyhow::Error::from(e)
        }
    })?;
    if let Some(f) = &o.cidfile {
        // Created anew: a file made since the flags were checked is not overwritten.
        let write = |f: &std::path::Path| {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(f)
                .and_then(|mut file| file.write_all(rec.config.id.as_bytes()))
        };
        write(f).map_err(|e| {
            anyhow::Error::new(e).context(format!("writing --cidfile {}", f.display()))
        })?;
    }
    Ok(rec)
}

pub(super) fn run_container(rt: &Runtime, o: &RunOptions) -> anyhow::Result<u8> {
    // With --rm, conmon's cleanup removes the container when it exits (so a
    // killed `berth run --rm` leaves nothing behind); the wait still gets the
    // exit code, which the runtime keeps for removed containers, and the
    // removal below is for a cleanup that did not run.
    // A published host port that is taken fails `run` with podman's 126 (podman finds it
    // when it starts the container; berth already when it makes it).
    let rec = create(rt, &o.create).map_err(|e| match e.downcast_ref::<CliError>() {
        Some(CliError::Conflict { flag, .. }) if flag == "--publish" => {
            crate::error::Coded::wrap(crate::error::EXIT_CANNOT_INVOKE, e)
        }
        _ => e,
    })?;
    let id = rec.config.id.clone();
    if o.detach {
        if let Err(e) = rt.start_container(&id) {
            if o.create.remove {
                let _ = rt.remove_container(&id, true, false);
            }
            return Err(run_error(e));
        }
        out(&format!("{id}\n"))?;
        return Ok(0);
    }
    let attach = o.create.more.attach;
    if attach.is_some_and(|a| !a.stdout && !a.stderr) {
        // podman prints the id when neither output stream is attached.
        out(&format!("{id}\n"))?;
    }
    let detach_keys = match &o.detach_keys {
        Some(k) => k.clone(),
        None => crate::opts::keys::parse_detach_keys(rt.default_detach_keys())?,
    };
    let code = foreground(
        rt,
        &rec,
        o.create.interactive,
        o.sig_proxy,
        &detach_keys,
        attach,
    );
    if matches!(code, Ok(None)) {
        // Detached: it runs on (and conmon's cleanup removes it with --rm).
        return Ok(0);
    }
    if o.create.remove {
        match rt.remove_container(&id, true, false) {
            Err(e) if !e.is_not_found() => eprintln!("Error: {e}"),
            _ => {}
        }
        if o.create.more.new_pod {
            if let Some(pod) = &rec.config.pod_id {
                if let Err(e) = rt.remove_pod(pod, true) {
                    eprintln!("Error: {e}");
                }
            }
        }
    }
    if o.rmi {
        // The image goes unless another container uses it.
        let rm = berth_runtime::ImageRemoveOptions {
            images: vec![rec.config.image_id.clone()],
            ..berth_runtime::ImageRemoveOptions::default()
        };
        match rt.remove_images(&rm) {
            Err(e) if e.kind() != berth_runtime::ErrorKind::InUse => eprintln!("Error: {e}"),
            _ => {}
        }
    }
    code.map(|c| c.unwrap_or(0))
}

/// Attach, start, forward signals (with `sig_proxy`), wait; the container's code, or `None`
/// when the user typed `detach_keys` (the container runs on). Without `sig_proxy` the
/// signals berth gets act on berth alone, as podman's `--sig-proxy=false`.
pub(super) fn foreground(
    rt: &Runtime,
    rec: &ContainerRecord,
    stdin: bool,
    sig_proxy: bool,
    detach_keys: &[u8],
    attach: Option<crate::opts::AttachStreams>,
) -> anyhow::Result<Option<u8>> {
    let id = rec.config.id.clone();
    let tty = rec.config.tty;
    if rec.state.status == ContainerStatus::Configured {
        rt.init_container(&id).map_err(run_error)?;
    }
    let stdin = stdin && attach.is_none_or(|a| a.stdin);
    let (mut io, drained, detached) = attach_io(stdin && rec.config.stdin, tty, detach_keys);
    if let Some(a) = attach {
        // `-a`: only the streams named reach the terminal.
        if !a.stdout {
            io.stdout = Box::new(std::io::sink());
        }
        if !a.stderr {
            io.stderr = Box::new(std::io::sink());
        }
    }
    // `--log-driver passthrough`: the container has berth's own stdio; nothing to attach.
    let passthrough = berth_runtime::RunSettings::from_extra(&rec.config.extra)
        .log
        .driver
        == berth_runtime::LogDriver::Passthrough;
    let raw = tty.then(crate::terminal::RawMode::enter);
    let attached = if !passthrough && rt.container(&id)?.state.status.is_active() {
        rt.attach_container(&id, io).map(|_session| Some(drained))
    } else {
        Ok(None)
    };
    let attached = match attached {
        Ok(a) => a,
        Err(e) => {
            drop(raw);
            return Err(e.into());
        }
    };
    // Forward from before the start, so a signal right after it is not lost (sent once the
    // process is known). Through a pidfd of the process the start reported: a signal never
    // reaches another process that got its pid after it ended.
    let target = std::sync::Arc::new(std::sync::Mutex::new(Forward::Pending(Vec::new())));
    let forwarder = if tty || !sig_proxy {
        None
    } else {
        let target = std::sync::Arc::clone(&target);
        crate::signals::SignalForwarder::start(crate::signals::FORWARDED, move |sig| {
            let mut t = target
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match &mut *t {
                Forward::Pending(sigs) => sigs.push(sig),
                Forward::To(Some(p)) => {
                    let _ = p.signal(sig);
                }
                Forward::To(None) => {}
            }
        })
        .ok()
    };
    match rt.start_container(&id) {
        Ok(r) => {
            let handle = berth_runtime::ProcessHandle::of_container(&r);
            let mut t = target
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let (Forward::Pending(sigs), Some(p)) = (&*t, &handle) {
                for &sig in sigs {
                    let _ = p.signal(sig);
                }
            }
            *t = Forward::To(handle);
        }
        Err(e) => {
            if let Some(f) = forwarder {
                f.stop();
            }
            drop(raw);
            return Err(run_error(e));
        }
    }
    let code = wait_or_detach(rt, &id, &detached);
    if let Some(f) = forwarder {
        f.stop();
    }
    if let (Some(d), Ok(Some(_))) = (attached, &code) {
        d.wait(DRAIN);
    }
    drop(raw);
    Ok(code?.map(exit_byte))
}

/// Waits for the container to exit, or for the user to detach (`None`).
pub(super) fn wait_or_detach(
    rt: &Runtime,
    id: &str,
    detached: &crate::commands::io::Detached,
) -> anyhow::Result<Option<i32>> {
    loop {
        match rt.wait_container(id, WaitCondition::Exited, Some(DETACH_POLL)) {
            Err(berth_runtime::Error::Timeout { .. }) if detached.is_set() => return Ok(None),
            Err(berth_runtime::Error::Timeout { .. }) => {}
            other => return Ok(Some(other?)),
        }
    }
}

/// How often a foreground wait looks whether the user detached.
const DETACH_POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// Where a foreground run's forwarded signals go.
enum Forward {
    /// The container has not started yet: the signals received so far, in order.
    Pending(Vec<i32>),
    /// Its process (`None`: it ended before it could be opened).
    To(Option<berth_runtime::ProcessHandle>),
}

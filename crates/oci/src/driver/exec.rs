//! exec through conmon (PROTOCOLS §7): a process spec run in a running container.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oci_spec::runtime::{Process, Spec, UserBuilder};

use super::conmon::{self, ConmonArgs};
use super::{attach, RuncConmon, SYNC_TIMEOUT};
use crate::error::{Error, ExitCodeClass, Result};
use crate::generate::{caps, user};
use crate::runtime::{AttachIo, ExecRequest, ExecResult};

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidSpec {
        field: "exec".into(),
        reason: reason.into(),
    }
}

/// The exec'd process: the container's process with the request's changes.
fn exec_process(req: &ExecRequest) -> Result<Process> {
    let config = req.bundle.join("config.json");
    let spec =
        Spec::load(&config).map_err(|e| invalid(format!("reading {}: {e}", config.display())))?;
    let mut p = spec
        .process()
        .clone()
        .ok_or_else(|| invalid(format!("{} has no process", config.display())))?;
    if req.args.is_empty() {
        return Err(invalid("no command given"));
    }
    p.set_args(Some(req.args.clone()));
    let mut env = p.env().clone().unwrap_or_default();
    for kv in &req.env {
        let key = kv.split_once('=').map_or(kv.as_str(), |(k, _)| k);
        if key.is_empty() {
            return Err(invalid(format!("env {kv:?}: empty variable name")));
        }
        env.retain(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) != key);
        env.push(kv.clone());
    }
    p.set_env(Some(env));
    if let Some(cwd) = &req.cwd {
        if !cwd.starts_with('/') {
            return Err(invalid(format!(
                "working directory {cwd:?} must be absolute"
            )));
        }
        p.set_cwd(PathBuf::from(cwd));
    }
    let container_uid = p.user().uid();
    let mut uid = container_uid;
    if let Some(u) = &req.user {
        let root = spec
            .root()
            .as_ref()
            .map_or_else(|| "rootfs".into(), |r| r.path().clone());
        let rootfs = if root.is_absolute() {
            root
        } else {
            req.bundle.join(root)
        };
        let r = user::resolve_user(&rootfs, u, &[])?;
        uid = r.uid;
        // podman: the exec user's home replaces HOME unless HOME was set on purpose (by the
        // exec's -e, or the container's env or image to something else than its user's home).
        let given = |k: &str| {
            req.env
                .iter()
                .any(|kv| kv.split_once('=').is_some_and(|(x, _)| x == k))
        };
        if !given("HOME") {
            let own_home = user::resolve_user(&rootfs, &container_uid.to_string(), &[])
                .map(|c| format!("HOME={}", c.home))
                .ok();
            let mut env = p.env().clone().unwrap_or_default();
            let current = env.iter().position(|e| e.starts_with("HOME="));
            if current.is_none_or(|i| Some(&env[i]) == own_home.as_ref()) {
                env.retain(|e| !e.starts_with("HOME="));
                env.push(format!("HOME={}", r.home));
                p.set_env(Some(env));
            }
        }
        let mut b = UserBuilder::default().uid(r.uid).gid(r.gid);
        if !r.additional_gids.is_empty() {
            b = b.additional_gids(r.additional_gids);
        }
        p.set_user(b.build()?);
    }
    let who = caps::ExecIdentity {
        uid,
        same_as_container: uid == container_uid,
        privileged: req.privileged,
    };
    p.set_capabilities(Some(caps::exec_capabilities(
        p.capabilities().as_ref(),
        who,
    )?));
    p.set_terminal(Some(req.tty));
    p.set_console_size(None);
    Ok(p)
}

fn wait_for_file(path: &Path, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(t) = std::fs::read_to_string(path) {
            return Some(t);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub(super) fn exec(rt: &RuncConmon, req: &ExecRequest, io: Option<AttachIo>) -> Result<ExecResult> {
    let id = &req.id;
    let sid = if req.session_id.is_empty() {
        format!(
            "exec-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        )
    } else {
        req.session_id.clone()
    };
    if sid.contains('/') || sid == "." || sid == ".." {
        return Err(invalid(format!("session id {sid:?} must be a plain name")));
    }
    let process = exec_process(req)?;
    let session = req.bundle.join(&sid);
    let exit_dir = session.join("exit");
    std::fs::create_dir_all(&exit_dir)
        .map_err(|e| Error::io("create exec session dir", &exit_dir, e))?;
    let spec_path = session.join("exec-process.json");
    let json = serde_json::to_vec(&process).map_err(|e| Error::Json {
        what: "exec process".into(),
        source: e,
    })?;
    crate::generate::write_atomic(&spec_path, &json, crate::generate::PRIVATE_MODE)?;
    let oci_log = session.join("oci-log");
    crate::generate::create_with_mode(&oci_log, crate::generate::PRIVATE_MODE)?;

    let args = ConmonArgs {
        cid: id.clone(),
        cuuid: sid.clone(),
        name: None,
        runtime: rt.config.runtime_path.clone(),
        runtime_args: rt.conmon_runtime_args(&oci_log),
        bundle: session.clone(),
        container_pidfile: session.join("exec_pid"),
        exit_dir: exit_dir.clone(),
        log_path: "none".into(),
        log_level: rt.config.conmon_log_level.clone(),
        log_size_max: None,
        systemd_cgroup: false,
        terminal: req.tty,
        stdin: req.stdin,
        conmon_pidfile: Some(session.join("conmon.pid")),
        no_pivot: false,
        exit_command: None,
        exec_process_spec: Some(spec_path),
        timeout: None,
        runtime_opts: Vec::new(),
    };
    let spawned = conmon::spawn(
        &rt.config.conmon_path,
        &args,
        &rt.config.conmon_env_vars,
        &session,
        &session.join("conmon.stderr"),
        true,
        conmon::Inherited::default(),
    )?;
    let attach_pipe = spawned.attach.as_ref().expect("exec spawns an attach pipe");
    let fail = |message: String| Error::Runtime {
        op: "exec",
        id: id.clone(),
        class: ExitCodeClass::classify(&message),
        message,
    };

    // conmon says it is ready for attach clients.
    if conmon::read_message(attach_pipe, SYNC_TIMEOUT)?.is_none() {
        let msg = conmon::read_message(&spawned.sync, Duration::from_secs(5))
            .ok()
            .flatten();
        let text = msg
            .and_then(|m| conmon::parse_sync(&m).ok())
            .and_then(|m| m.message);
        return Err(fail(super::runc::create_error_message(
            &oci_log,
            text.as_deref(),
        )));
    }
    let handle = match io {
        Some(io) => {
            if let (Some(size), true) = (io.size, req.tty) {
                attach::resize(&session, size)?;
            }
            let sock = attach::connect_socket(&session.join("attach"))?;
            Some(attach::stream(sock, io))
        }
        None => None,
    };
    conmon::release(&spawned.start);

    let first = conmon::read_message(&spawned.sync, SYNC_TIMEOUT)?
        .ok_or_else(|| fail(super::runc::create_error_message(&oci_log, None)))?;
    let first = conmon::parse_sync(&first)?;
    if first.data <= 0 {
        if let Some(h) = handle {
            let _ = h.wait();
        }
        return Err(fail(super::runc::create_error_message(
            &oci_log,
            first.message.as_deref(),
        )));
    }
    let pid = first.data as i32;
    if req.detach {
        return Ok(ExecResult {
            pid,
            exit_code: None,
        });
    }
    if let Some(h) = handle {
        h.wait()?;
    }
    // The exit file comes before the final sync message; wait for conmon to finish.
    let second = conmon::read_message(&spawned.sync, Duration::from_secs(365 * 24 * 3600))?;
    let exit_file = exit_dir.join(id);
    let code = match wait_for_file(&exit_file, Duration::from_secs(5)) {
        Some(t) => t.trim().parse::<i32>().ok(),
        None => None,
    }
    .or_else(|| {
        second
            .and_then(|m| conmon::parse_sync(&m).ok())
            .map(|m| m.data as i32)
    })
    .ok_or_else(|| Error::Conmon {
        id: id.clone(),
        message: format!("exec session {sid} ended without an exit code"),
    })?;
    let _ = std::fs::remove_dir_all(&session);
    Ok(ExecResult {
        pid,
        exit_code: Some(code),
    })
}

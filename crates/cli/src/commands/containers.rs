//! The container commands over berth-runtime.

#![allow(clippy::many_single_char_names)] // g/c/a/t/o: the command's parts, as everywhere here

use super::io::attach_io;
use super::{convert, exec_error, exit_byte, finish, out, render_objects, run_error};
use crate::cli::{ContainerCommand, GlobalOptions, PsArgs};
use crate::error::CliError;
use crate::opts::targets::{parse_wait_conditions, select};
use crate::opts::time::parse_time;
use crate::opts::{
    filter::parse_filters, signal::parse_signal, CopyLocation, CopyOptions, CreateOptions,
    ExecOptions, FilterTarget, ParseContext, RunOptions, Targets,
};
use crate::output::{
    parse_format, render_listing, rows::ps_listing, ContainerSummary, Matcher, StatusView,
};
use berth_runtime::{ContainerRecord, ContainerStatus, ListOptions, Runtime, WaitCondition};
use chrono::Utc;
use serde_json::Value;
use std::time::Duration;

/// How long foreground commands wait for the last output after the exit.
const DRAIN: Duration = Duration::from_secs(5);

/// Runs a container command.
pub fn run(g: &GlobalOptions, c: &ContainerCommand, ctx: &ParseContext<'_>) -> anyhow::Result<u8> {
    // Parse first: bad input never needs the runtime.
    let run_opts = match c {
        ContainerCommand::Run(a) => Some(RunOptions::from_args(a, ctx)?),
        _ => None,
    };
    let create_opts = match c {
        ContainerCommand::Create(a) => Some(CreateOptions::from_flags(
            &a.flags,
            a.image(),
            a.command(),
            ctx,
        )?),
        _ => None,
    };
    let exec_opts = match c {
        ContainerCommand::Exec(a) => Some(ExecOptions::from_args(a, ctx)?),
        _ => None,
    };
    let rt = crate::engine::runtime(g)?;
    let r = dispatch(g, &rt, c, run_opts, create_opts, exec_opts);
    let _ = rt.shutdown(false);
    r
}

fn dispatch(
    g: &GlobalOptions,
    rt: &Runtime,
    c: &ContainerCommand,
    run_opts: Option<RunOptions>,
    create_opts: Option<CreateOptions>,
    exec_opts: Option<ExecOptions>,
) -> anyhow::Result<u8> {
    match c {
        ContainerCommand::Run(_) => run_container(rt, &run_opts.unwrap_or_else(|| unreachable!())),
        ContainerCommand::Create(_) => {
            let o = create_opts.unwrap_or_else(|| unreachable!());
            let rec = create(rt, &o)?;
            out(&format!("{}\n", rec.config.id))?;
            Ok(0)
        }
        ContainerCommand::Exec(_) => exec(rt, &exec_opts.unwrap_or_else(|| unreachable!())),
        ContainerCommand::Start(a) => {
            let filters = parse_filters(FilterTarget::Containers, &a.filter)?;
            let t = select(
                a.all,
                a.latest,
                &a.containers,
                &[],
                "--cidfile",
                !a.filter.is_empty(),
            )?;
            let ids = targets(rt, &t, Some(&filters))?;
            if a.attach || a.interactive {
                let [id] = ids.as_slice() else {
                    return Err(CliError::conflict(
                        "--attach",
                        "you cannot start and attach multiple containers at once",
                    )
                    .into());
                };
                let rec = rt.container(id)?;
                return foreground(rt, &rec, a.interactive, false);
            }
            each(&ids, |id| {
                rt.start_container(id).map_err(run_error)?;
                out(&format!(
                    "{}\n",
                    name_or(a.containers.iter().find(|n| matches_id(rt, n, id)), id)
                ))
            })
        }
        ContainerCommand::Stop(a) => {
            let filters = parse_filters(FilterTarget::Containers, &a.filter)?;
            let t = select(
                a.all,
                a.latest,
                &a.containers,
                &a.cidfile,
                "--cidfile",
                !a.filter.is_empty(),
            )?;
            let ids = targets_ignoring(rt, &t, Some(&filters), a.ignore)?;
            let timeout = Duration::from_secs(a.time);
            each(&ids, |id| {
                rt.stop_container(id, Some(timeout))?;
                out(&format!("{}\n", given_name(&t, rt, id)))
            })
        }
        ContainerCommand::Restart(a) => {
            let filters = parse_filters(FilterTarget::Containers, &a.filter)?;
            let t = select(
                a.all,
                a.latest,
                &a.containers,
                &a.cidfile,
                "--cidfile",
                !a.filter.is_empty(),
            )?;
            let mut ids = targets(rt, &t, Some(&filters))?;
            if a.running {
                ids.retain(|id| {
                    rt.container(id)
                        .is_ok_and(|r| r.state.status == ContainerStatus::Running)
                });
            }
            each(&ids, |id| {
                rt.restart_container(id, Some(Duration::from_secs(a.time)))?;
                out(&format!("{}\n", given_name(&t, rt, id)))
            })
        }
        ContainerCommand::Kill(a) => {
            let sig = parse_signal("--signal", &a.signal)?;
            let t = select(
                a.all,
                a.latest,
                &a.containers,
                &a.cidfile,
                "--cidfile",
                false,
            )?;
            let ids = targets(rt, &t, None)?;
            each(&ids, |id| {
                rt.kill_container(id, sig.0)?;
                out(&format!("{}\n", given_name(&t, rt, id)))
            })
        }
        ContainerCommand::Pause(a) | ContainerCommand::Unpause(a) => {
            let pause = matches!(c, ContainerCommand::Pause(_));
            let filters = parse_filters(FilterTarget::Containers, &a.filter)?;
            let t = select(
                a.all,
                a.latest,
                &a.containers,
                &a.cidfile,
                "--cidfile",
                !a.filter.is_empty(),
            )?;
            let mut ids = targets(rt, &t, Some(&filters))?;
            if a.all {
                let want = if pause {
                    ContainerStatus::Running
                } else {
                    ContainerStatus::Paused
                };
                ids.retain(|id| rt.container(id).is_ok_and(|r| r.state.status == want));
            }
            each(&ids, |id| {
                if pause {
                    rt.pause_container(id)?;
                } else {
                    rt.unpause_container(id)?;
                }
                out(&format!("{id}\n"))
            })
        }
        ContainerCommand::Rm(a) => {
            let filters = parse_filters(FilterTarget::Containers, &a.filter)?;
            let t = select(
                a.all,
                a.latest,
                &a.containers,
                &a.cidfile,
                "--cidfile",
                !a.filter.is_empty(),
            )?;
            let mut ids = targets_ignoring(rt, &t, Some(&filters), a.ignore)?;
            if a.all {
                // Infra containers go with their pod (`pod rm`).
                ids.retain(|id| {
                    rt.container(id)
                        .is_ok_and(|r| !r.config.extra.contains_key("berth.infra"))
                });
            }
            each(&ids, |id| {
                let shown = given_name(&t, rt, id);
                match rt.remove_container(id, a.force, a.volumes) {
                    Err(e) if a.ignore && e.is_not_found() => return Ok(()),
                    r => r?,
                }
                out(&format!("{shown}\n"))
            })
        }
        ContainerCommand::List(a) => ps(g, rt, a),
        ContainerCommand::Inspect(a) => {
            let names = latest_or(rt, a.latest, &a.containers)?;
            inspect_containers(rt, &names, &a.format)
        }
        ContainerCommand::Logs(a) => {
            let names = latest_or(rt, a.latest, &a.containers)?;
            let now = Utc::now();
            let opts = berth_runtime::LogOptions {
                follow: a.follow,
                tail: usize::try_from(a.tail).ok(),
                since: a
                    .since
                    .as_deref()
                    .map(|s| parse_time("--since", s, now))
                    .transpose()?,
                until: a
                    .until
                    .as_deref()
                    .map(|s| parse_time("--until", s, now))
                    .transpose()?,
                timestamps: a.timestamps,
            };
            let mut stdout = std::io::stdout();
            each(&names, |n| Ok(rt.container_logs(n, &opts, &mut stdout)?))
        }
        ContainerCommand::Wait(a) => {
            let conds = parse_wait_conditions(&a.condition)?;
            let cond = match conds.first().map(String::as_str) {
                Some("running") => WaitCondition::Running,
                Some("paused") => WaitCondition::Paused,
                Some("created" | "configured") => WaitCondition::Created,
                _ => WaitCondition::Exited,
            };
            let names = latest_or(rt, a.latest, &a.containers)?;
            let mut last = 0;
            let mut errors = Vec::new();
            for n in &names {
                match rt.wait_container(n, cond, None) {
                    Ok(code) => {
                        out(&format!("{code}\n"))?;
                        last = code;
                    }
                    Err(e) => errors.push(e.into()),
                }
            }
            if errors.is_empty() {
                Ok(exit_byte(last))
            } else {
                finish(errors)
            }
        }
        ContainerCommand::Attach(a) => {
            let names = latest_or(rt, a.latest, a.container.as_slice())?;
            let rec = rt.container(&names[0])?;
            let (io, drained) = attach_io(!a.no_stdin && rec.config.stdin, rec.config.tty);
            let _raw = rec.config.tty.then(crate::terminal::RawMode::enter);
            rt.attach_container(&rec.config.id, io)?;
            let code = rt.wait_container(&rec.config.id, WaitCondition::Exited, None)?;
            drained.wait(DRAIN);
            Ok(exit_byte(code))
        }
        ContainerCommand::Top(a) => top(rt, a),
        ContainerCommand::Stats(a) => stats(rt, a),
        ContainerCommand::Port(a) => {
            let mut pairs = Vec::new();
            let recs: Vec<ContainerRecord> = if a.all {
                rt.list_containers(&ListOptions {
                    all: true,
                    pod: None,
                })?
            } else {
                let names = latest_or(rt, a.latest, a.container.as_slice())?;
                vec![rt.container(&names[0])?]
            };
            for r in &recs {
                let ports: Vec<crate::opts::PortMapping> = rt
                    .container_ports(&r.config.id)?
                    .iter()
                    .map(state_port)
                    .collect();
                pairs.push((r.config.id.clone(), ports));
            }
            if a.all {
                out(&crate::output::port::port_all(
                    pairs.iter().map(|(i, p)| (i.as_str(), p.as_slice())),
                ))?;
            } else {
                out(&crate::output::port::port_lines(
                    &pairs[0].1,
                    a.port.as_deref(),
                )?)?;
            }
            Ok(0)
        }
        ContainerCommand::Cp(a) => copy(rt, &CopyOptions::from_args(a)?),
        ContainerCommand::Mount(a) => {
            if a.containers.is_empty() && !a.all && !a.latest {
                for r in rt.list_containers(&ListOptions {
                    all: true,
                    pod: None,
                })? {
                    if !r.state.mount_point.is_empty() {
                        out(&format!(
                            "{}  {}\n",
                            &r.config.id[..12],
                            r.state.mount_point
                        ))?;
                    }
                }
                return Ok(0);
            }
            let names = all_latest_or(rt, a.all, a.latest, &a.containers)?;
            each(&names, |n| {
                let p = rt.mount_container(n)?;
                out(&format!("{}\n", p.display()))
            })
        }
        ContainerCommand::Unmount(a) => {
            let names = all_latest_or(rt, a.all, a.latest, &a.containers)?;
            each(&names, |n| {
                rt.unmount_container(n, a.force)?;
                out(&format!("{n}\n"))
            })
        }
        ContainerCommand::Exists(a) => Ok(u8::from(!rt.container_exists(&a.container)?)),
        ContainerCommand::Prune(a) => {
            let filters = parse_filters(FilterTarget::Prune, &a.filter)?;
            let now = Utc::now();
            let lookup = |_: &str| None;
            let matcher = Matcher::new(&filters, now, &lookup)?;
            for r in rt.list_containers(&ListOptions {
                all: true,
                pod: None,
            })? {
                let s = summary(rt, &r, None);
                if matches!(
                    r.state.status,
                    ContainerStatus::Exited
                        | ContainerStatus::Stopped
                        | ContainerStatus::Created
                        | ContainerStatus::Configured
                ) && matcher.container(&s)
                    && r.config.pod_id.is_none()
                {
                    rt.remove_container(&r.config.id, false, false)?;
                    out(&format!("{}\n", r.config.id))?;
                }
            }
            Ok(0)
        }
        ContainerCommand::Cleanup(a) => {
            let names = all_latest_or(rt, a.all, a.latest, &a.containers)?;
            each(&names, |n| {
                rt.cleanup_container(n)?;
                if a.rm {
                    match rt.remove_container(n, true, false) {
                        Err(e) if e.is_not_found() => {}
                        r => r?,
                    }
                }
                Ok(())
            })
        }
    }
}

/// Runs `f` for each target, printing every error but the last, which is returned.
fn each(ids: &[String], mut f: impl FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<u8> {
    let errors: Vec<anyhow::Error> = ids.iter().filter_map(|id| f(id).err()).collect();
    finish(errors)
}

fn matches_id(rt: &Runtime, name: &str, id: &str) -> bool {
    rt.container(name).is_ok_and(|r| r.config.id == id)
}

fn name_or<'a>(n: Option<&'a String>, id: &'a str) -> &'a str {
    n.map_or(id, String::as_str)
}

/// podman echoes a target as the user typed it; for --all/--latest, the id.
fn given_name(t: &Targets, rt: &Runtime, id: &str) -> String {
    if let Targets::Named(names) = t {
        if let Some(n) = names.iter().find(|n| matches_id(rt, n, id)) {
            return n.clone();
        }
    }
    id.to_owned()
}

fn latest(rt: &Runtime) -> anyhow::Result<String> {
    rt.list_containers(&ListOptions {
        all: true,
        pod: None,
    })?
    .into_iter()
    .max_by_key(|r| r.config.created)
    .map(|r| r.config.id)
    .ok_or_else(|| CliError::conflict("--latest", "there are no containers").into())
}

fn latest_or(rt: &Runtime, latest_flag: bool, names: &[String]) -> anyhow::Result<Vec<String>> {
    if latest_flag {
        Ok(vec![latest(rt)?])
    } else if names.is_empty() {
        Err(CliError::conflict("CONTAINER", "give a container name or ID, or --latest").into())
    } else {
        Ok(names.to_vec())
    }
}

fn all_latest_or(
    rt: &Runtime,
    all: bool,
    latest_flag: bool,
    names: &[String],
) -> anyhow::Result<Vec<String>> {
    if all {
        Ok(rt
            .list_containers(&ListOptions {
                all: true,
                pod: None,
            })?
            .into_iter()
            .map(|r| r.config.id)
            .collect())
    } else {
        latest_or(rt, latest_flag, names)
    }
}

/// The container ids a selection names, checked to exist.
fn targets(
    rt: &Runtime,
    t: &Targets,
    filters: Option<&crate::opts::Filters>,
) -> anyhow::Result<Vec<String>> {
    targets_ignoring(rt, t, filters, false)
}

fn targets_ignoring(
    rt: &Runtime,
    t: &Targets,
    filters: Option<&crate::opts::Filters>,
    ignore: bool,
) -> anyhow::Result<Vec<String>> {
    match t {
        Targets::All => Ok(rt
            .list_containers(&ListOptions {
                all: true,
                pod: None,
            })?
            .into_iter()
            .map(|r| r.config.id)
            .collect()),
        Targets::Latest => Ok(vec![latest(rt)?]),
        Targets::Named(n) => {
            let mut ids = Vec::new();
            let mut errors = Vec::new();
            for name in n {
                match rt.container(name) {
                    Ok(r) => ids.push(r.config.id),
                    Err(e) if ignore && e.is_not_found() => {}
                    Err(e) => errors.push(anyhow::Error::new(e)),
                }
            }
            if errors.is_empty() {
                Ok(ids)
            } else {
                finish(errors).map(|_| Vec::new())
            }
        }
        Targets::Filtered => {
            let Some(f) = filters else {
                return Ok(Vec::new());
            };
            let now = Utc::now();
            let lookup = |r: &str| rt.container(r).ok().map(|c| c.config.created);
            let m = Matcher::new(f, now, &lookup)?;
            Ok(rt
                .list_containers(&ListOptions {
                    all: true,
                    pod: None,
                })?
                .iter()
                .filter(|r| m.container(&summary(rt, r, None)))
                .map(|r| r.config.id.clone())
                .collect())
        }
    }
}

fn create(rt: &Runtime, o: &CreateOptions) -> anyhow::Result<ContainerRecord> {
    if o.replace {
        if let Some(n) = &o.name {
            match rt.remove_container(n, true, false) {
                Err(e) if !e.is_not_found() => return Err(e.into()),
                _ => {}
            }
        }
    }
    let opts = convert::create(o)?;
    check_ports_free(rt, &opts.ports)?;
    let rec = rt.create_container(&opts)?;
    if let Some(f) = &o.cidfile {
        std::fs::write(f, &rec.config.id).map_err(|e| {
            anyhow::Error::new(e).context(format!("writing --cidfile {}", f.display()))
        })?;
    }
    Ok(rec)
}

/// podman refuses a host port something already listens on, or another
/// container publishes; berth's port mappings are iptables rules that bind
/// nothing, so the CLI checks both before creating.
fn check_ports_free(rt: &Runtime, ports: &[berth_cni::PortMapping]) -> anyhow::Result<()> {
    if ports.is_empty() {
        return Ok(());
    }
    let taken: Vec<(u16, String)> = rt
        .list_containers(&ListOptions {
            all: false,
            pod: None,
        })?
        .into_iter()
        .flat_map(|r| {
            r.config
                .port_mappings
                .into_iter()
                .map(|p| (p.host_port, p.protocol))
                .collect::<Vec<_>>()
        })
        .collect();
    for p in ports {
        let proto = p.protocol.to_string();
        let ip = if p.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            p.host_ip.as_str()
        };
        let addr = format!("{ip}:{}", p.host_port);
        let in_use = taken
            .iter()
            .any(|(hp, pr)| *hp == p.host_port && *pr == proto)
            || match p.protocol {
                berth_cni::Protocol::Udp => std::net::UdpSocket::bind(&addr).is_err(),
                _ => std::net::TcpListener::bind(&addr).is_err(),
            };
        if in_use {
            return Err(CliError::conflict(
                "--publish",
                format!(
                    "cannot listen on the {} port: listen {proto}4 {addr}: bind: address already in use",
                    proto.to_uppercase()
                ),
            )
            .into());
        }
    }
    Ok(())
}

fn run_container(rt: &Runtime, o: &RunOptions) -> anyhow::Result<u8> {
    // A foreground --rm removes the container itself after reading its exit
    // code; leaving it to conmon's cleanup would race with the wait.
    let mut create_opts = o.create.clone();
    if !o.detach {
        create_opts.remove = false;
    }
    let rec = create(rt, &create_opts)?;
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
    let code = foreground(rt, &rec, o.create.interactive, true);
    if o.create.remove {
        match rt.remove_container(&id, true, false) {
            Err(e) if !e.is_not_found() => eprintln!("Error: {e}"),
            _ => {}
        }
    }
    code
}

/// Attach, start (when `start`), forward signals, wait; the container's code.
fn foreground(rt: &Runtime, rec: &ContainerRecord, stdin: bool, start: bool) -> anyhow::Result<u8> {
    let id = rec.config.id.clone();
    let tty = rec.config.tty;
    if rec.state.status == ContainerStatus::Configured {
        rt.init_container(&id).map_err(run_error)?;
    }
    let (io, drained) = attach_io(stdin && rec.config.stdin, tty);
    let raw = tty.then(crate::terminal::RawMode::enter);
    let attached = if rt.container(&id)?.state.status.is_active() {
        rt.attach_container(&id, io).map(|()| Some(drained))
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
    let _ = start;
    // Forward from before the start, so a signal right after it is not lost
    // (the pid is filled in once known).
    let pid = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let pending = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(0));
    let forwarder = if tty {
        None
    } else {
        let pid = std::sync::Arc::clone(&pid);
        let pending = std::sync::Arc::clone(&pending);
        crate::signals::SignalForwarder::start(crate::signals::FORWARDED, move |sig| {
            match pid.load(std::sync::atomic::Ordering::SeqCst) {
                0 => pending.store(sig, std::sync::atomic::Ordering::SeqCst),
                p => send_signal(p, sig),
            }
        })
        .ok()
    };
    match rt.start_container(&id) {
        Ok(r) => {
            pid.store(r.state.pid, std::sync::atomic::Ordering::SeqCst);
            let sig = pending.swap(0, std::sync::atomic::Ordering::SeqCst);
            if sig != 0 {
                send_signal(r.state.pid, sig);
            }
        }
        Err(e) => {
            if let Some(f) = forwarder {
                f.stop();
            }
            drop(raw);
            return Err(run_error(e));
        }
    }
    let code = rt.wait_container(&id, WaitCondition::Exited, None);
    if let Some(f) = forwarder {
        f.stop();
    }
    if let Some(d) = attached {
        d.wait(DRAIN);
    }
    drop(raw);
    Ok(exit_byte(code?))
}

/// Sends `sig` to the container's process `pid` (signal forwarding).
fn send_signal(pid: u32, sig: i32) {
    if let (Ok(p), Ok(s)) = (i32::try_from(pid), nix::sys::signal::Signal::try_from(sig)) {
        if p > 0 {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(p), s);
        }
    }
}

fn exec(rt: &Runtime, o: &ExecOptions) -> anyhow::Result<u8> {
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
    let (io, _drained) = attach_io(o.interactive, o.tty);
    let raw = o.tty.then(crate::terminal::RawMode::enter);
    let r = rt.exec_container(&name, &opts, Some(io));
    drop(raw);
    let r = r.map_err(exec_error)?;
    Ok(exit_byte(r.exit_code.unwrap_or(0)))
}

fn status_view(r: &ContainerRecord) -> StatusView {
    let epoch = chrono::DateTime::UNIX_EPOCH;
    match r.state.status {
        ContainerStatus::Configured | ContainerStatus::Created => StatusView::Created,
        ContainerStatus::Running => StatusView::Running {
            started: r.state.started_at.unwrap_or(epoch),
        },
        ContainerStatus::Paused => StatusView::Paused,
        ContainerStatus::Stopped | ContainerStatus::Exited => StatusView::Exited {
            code: r.state.exit_code.unwrap_or(0),
            finished: r.state.finished_at.unwrap_or(epoch),
        },
    }
}

fn state_port(p: &berth_state::PortMapping) -> crate::opts::PortMapping {
    crate::opts::PortMapping {
        host_ip: p.host_ip.parse().ok(),
        container_port: p.container_port,
        host_port: p.host_port,
        range: 1,
        protocol: match p.protocol.as_str() {
            "udp" => crate::opts::Protocol::Udp,
            "sctp" => crate::opts::Protocol::Sctp,
            _ => crate::opts::Protocol::Tcp,
        },
    }
}

/// The `ps` row of a container.
fn summary(rt: &Runtime, r: &ContainerRecord, size: Option<(u64, u64)>) -> ContainerSummary {
    let mut command = r.config.entrypoint.clone();
    command.extend(r.config.command.iter().cloned());
    let pod_name = r
        .config
        .pod_id
        .as_ref()
        .and_then(|p| rt.pod(p).ok())
        .map(|p| p.config.name);
    let is_infra = r.config.extra.contains_key("berth.infra");
    ContainerSummary {
        id: r.config.id.clone(),
        image: if is_infra && r.config.image_name.bytes().all(|b| b.is_ascii_hexdigit()) {
            berth_runtime::INFRA_IMAGE.to_owned()
        } else {
            r.config.image_name.clone()
        },
        image_id: r.config.image_id.clone(),
        command,
        created: r.config.created,
        status: status_view(r),
        ports: r.config.port_mappings.iter().map(state_port).collect(),
        names: vec![r.config.name.clone()],
        labels: r.config.labels.clone(),
        pod_id: r.config.pod_id.clone(),
        pod_name,
        networks: r.config.networks.clone(),
        mounts: r
            .config
            .mounts
            .iter()
            .map(|m| m.destination.clone())
            .collect(),
        pid: i32::try_from(r.state.pid).unwrap_or(0),
        auto_remove: r.config.auto_remove,
        is_infra,
        size,
    }
}

fn ps(g: &GlobalOptions, rt: &Runtime, a: &PsArgs) -> anyhow::Result<u8> {
    let filters = parse_filters(FilterTarget::Containers, &a.filter)?;
    let format = parse_format("--format", a.format.as_deref())?;
    let now = Utc::now();
    let all = a.all || !a.filter.is_empty() || a.last >= 0 || a.latest;
    let mut recs = rt.list_containers(&ListOptions { all, pod: None })?;
    recs.sort_by_key(|r| std::cmp::Reverse(r.config.created));
    if a.latest {
        recs.truncate(1);
    } else if let Ok(n) = usize::try_from(a.last) {
        recs.truncate(n);
    }
    let store = if a.size {
        Some(crate::engine::store(g)?)
    } else {
        None
    };
    let lookup = |r: &str| rt.container(r).ok().map(|c| c.config.created);
    let m = Matcher::new(&filters, now, &lookup)?;
    let rows: Vec<ContainerSummary> = recs
        .iter()
        .map(|r| {
            let size = store.as_ref().map(|s| {
                let rw = s.container_size(&r.config.rootfs_storage_id).unwrap_or(0);
                let root = s.image(&r.config.image_id).map_or(0, |i| i.size);
                (rw, root)
            });
            summary(rt, r, size)
        })
        .filter(|s| m.container(s))
        .collect();
    if a.quiet {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        out(&crate::output::quiet_ids(ids, a.no_trunc))?;
        return Ok(0);
    }
    let t: Vec<Value> = rows
        .iter()
        .map(|r| r.template_row(now, a.no_trunc))
        .collect();
    let j: Vec<Value> = rows.iter().map(|r| r.json(now)).collect();
    out(&render_listing(
        &format,
        &ps_listing(a.size, a.pod),
        &t,
        &j,
        a.noheading,
    )?)?;
    Ok(0)
}

/// `inspect` of containers.
pub fn inspect_containers(rt: &Runtime, names: &[String], format: &str) -> anyhow::Result<u8> {
    let mut objs = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        match rt.inspect_container(n) {
            Ok(i) => objs.push(serde_json::to_value(&i)?),
            Err(e) => errors.push(anyhow::Error::new(e)),
        }
    }
    render_objects(format, &objs)?;
    finish(errors)
}

fn top(rt: &Runtime, a: &crate::cli::TopArgs) -> anyhow::Result<u8> {
    let names = latest_or(rt, a.latest, &a.args[..a.args.len().min(1)])?;
    let rows = rt.container_top(&names[0])?;
    let t: Vec<Value> = rows
        .iter()
        .map(|r| {
            crate::output::stats::TopSummary {
                user: r.user.clone(),
                pid: i32::try_from(r.pid).unwrap_or(0),
                ppid: i32::try_from(r.ppid).unwrap_or(0),
                cpu: 0.0,
                elapsed: Duration::ZERO,
                tty: "?".into(),
                time: r.cpu_time,
                command: r.command.clone(),
            }
            .template_row()
        })
        .collect();
    out(&render_listing(
        &crate::output::OutputFormat::Default,
        &crate::output::stats::TOP,
        &t,
        &t,
        false,
    )?)?;
    Ok(0)
}

fn stats(rt: &Runtime, a: &crate::cli::StatsArgs) -> anyhow::Result<u8> {
    let format = parse_format("--format", a.format.as_deref())?;
    let names: Vec<String> = if a.containers.is_empty() && !a.latest {
        rt.list_containers(&ListOptions {
            all: a.all,
            pod: None,
        })?
        .into_iter()
        .filter(|r| r.state.status == ContainerStatus::Running)
        .map(|r| r.config.id)
        .collect()
    } else {
        latest_or(rt, a.latest, &a.containers)?
    };
    let mut rows = Vec::new();
    for n in &names {
        let s = rt.container_stats(n)?;
        let rec = rt.container(n)?;
        let up = rec.state.started_at.map_or(0.0, |t| {
            (Utc::now() - t).num_milliseconds().max(1) as f64 / 1000.0
        });
        let cpu_secs = s.cpu_nanos as f64 / 1e9;
        let pct = if up > 0.0 { cpu_secs / up * 100.0 } else { 0.0 };
        rows.push(crate::output::stats::StatsSummary {
            id: s.id,
            name: s.name,
            cpu_percent: pct,
            avg_cpu_percent: pct,
            cpu_time: Duration::from_nanos(s.cpu_nanos),
            mem_usage: s.memory_usage,
            mem_limit: s.memory_limit.unwrap_or_else(host_memory),
            net_io: (0, 0),
            block_io: (0, 0),
            pids: s.pids,
        });
    }
    let t: Vec<Value> = rows.iter().map(|r| r.template_row(a.no_trunc)).collect();
    let j: Vec<Value> = rows
        .iter()
        .map(crate::output::stats::StatsSummary::json)
        .collect();
    out(&render_listing(
        &format,
        &crate::output::stats::STATS,
        &t,
        &j,
        false,
    )?)?;
    Ok(0)
}

/// The host's memory in bytes (podman's limit for an unlimited container).
fn host_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// `cp`, through the container's mounted root filesystem.
fn copy(rt: &Runtime, o: &CopyOptions) -> anyhow::Result<u8> {
    let (ctr, inner, host, to_container) = match (&o.source, &o.destination) {
        (CopyLocation::Container { container, path }, CopyLocation::Host(h)) => {
            (container, path, h, false)
        }
        (CopyLocation::Host(h), CopyLocation::Container { container, path }) => {
            (container, path, h, true)
        }
        _ => {
            return Err(CliError::conflict(
                "cp",
                "exactly one of SRC and DEST must be CONTAINER:PATH",
            )
            .into())
        }
    };
    let root = rt.mount_container(ctr)?;
    let inside = root.join(inner.strip_prefix("/").unwrap_or(inner));
    let r = if to_container {
        let dest = if inside.is_dir() {
            inside.join(host.file_name().unwrap_or_default())
        } else {
            inside
        };
        copy_tree(host, &dest)
    } else {
        let dest = if host.is_dir() {
            host.join(inside.file_name().unwrap_or_default())
        } else {
            host.clone()
        };
        copy_tree(&inside, &dest)
    };
    let _ = rt.unmount_container(ctr, false);
    r?;
    Ok(0)
}

fn copy_tree(src: &std::path::Path, dest: &std::path::Path) -> anyhow::Result<()> {
    let meta = std::fs::symlink_metadata(src)
        .map_err(|e| anyhow::Error::new(e).context(format!("{}", src.display())))?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(src)?;
        let _ = std::fs::remove_file(dest);
        std::os::unix::fs::symlink(target, dest)?;
    } else if meta.is_dir() {
        std::fs::create_dir_all(dest)
            .map_err(|e| anyhow::Error::new(e).context(format!("{}", dest.display())))?;
        std::fs::set_permissions(dest, meta.permissions())?;
        for e in std::fs::read_dir(src)? {
            let e = e?;
            copy_tree(&e.path(), &dest.join(e.file_name()))?;
        }
    } else {
        std::fs::copy(src, dest).map_err(|e| {
            anyhow::Error::new(e).context(format!(
                "copying {} to {}",
                src.display(),
                dest.display()
            ))
        })?;
    }
    Ok(())
}

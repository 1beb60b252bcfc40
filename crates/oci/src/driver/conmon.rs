//! conmon: typed command-line options, spawning with the sync/start(/attach) pipes, and the
//! sync-pipe messages (PROTOCOLS §1, §2).
#![allow(unsafe_code)] // pre_exec is needed to place the pipe fds at 3, 4 and 5 in the child.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};

use crate::error::{Error, Result};
use crate::runtime::ExitCommand;

/// conmon's command line, rendered by [`ConmonArgs::to_args`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConmonArgs {
    /// `-c`: container id.
    pub cid: String,
    /// `-u`: container (or exec session) uuid.
    pub cuuid: String,
    /// `-n`: name.
    pub name: Option<String>,
    /// `-r`: runtime binary.
    pub runtime: PathBuf,
    /// `--runtime-arg` (global runtime flags, before the subcommand).
    pub runtime_args: Vec<String>,
    /// `-b`: bundle (or exec session) dir.
    pub bundle: PathBuf,
    /// `-p`: the runtime's pid file.
    pub container_pidfile: PathBuf,
    /// `--exit-dir`.
    pub exit_dir: PathBuf,
    /// `-l`: `k8s-file:PATH` or `none`.
    pub log_path: String,
    /// `--log-level`.
    pub log_level: String,
    /// `--log-size-max`.
    pub log_size_max: Option<i64>,
    /// `-s`.
    pub systemd_cgroup: bool,
    /// `-t`.
    pub terminal: bool,
    /// `-i`.
    pub stdin: bool,
    /// `--conmon-pidfile`.
    pub conmon_pidfile: Option<PathBuf>,
    /// `--no-pivot`.
    pub no_pivot: bool,
    /// `--exit-command` and its args and delay.
    pub exit_command: Option<ExitCommand>,
    /// `-e --exec-attach --exec-process-spec FILE`.
    pub exec_process_spec: Option<PathBuf>,
    /// `-T`: kill the container after this many seconds.
    pub timeout: Option<u32>,
    /// `--runtime-opt` each (options of the runtime's `create`/`exec`, e.g. `--preserve-fds`).
    pub runtime_opts: Vec<String>,
}

impl ConmonArgs {
    /// The argv after the program name, in podman's order.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut a: Vec<OsString> = Vec::new();
        let mut push = |s: &str| a.push(s.into());
        push("--api-version");
        push("1");
        push("-c");
        push(&self.cid);
        push("-u");
        push(&self.cuuid);
        push("-r");
        a.push(self.runtime.clone().into());
        a.push("-b".into());
        a.push(self.bundle.clone().into());
        a.push("-p".into());
        a.push(self.container_pidfile.clone().into());
        if let Some(n) = &self.name {
            a.push("-n".into());
            a.push(n.into());
        }
        a.push("--exit-dir".into());
        a.push(self.exit_dir.clone().into());
        a.push("--full-attach".into());
        if self.systemd_cgroup {
            a.push("-s".into());
        }
        a.push("-l".into());
        a.push(self.log_path.clone().into());
        a.push("--log-level".into());
        a.push(self.log_level.clone().into());
        if let Some(max) = self.log_size_max.filter(|m| *m > 0) {
            a.push("--log-size-max".into());
            a.push(max.to_string().into());
        }
        for r in &self.runtime_args {
            a.push("--runtime-arg".into());
            a.push(r.into());
        }
        if self.terminal {
            a.push("-t".into());
        }
        if self.stdin {
            a.push("-i".into());
        }
        if let Some(p) = &self.conmon_pidfile {
            a.push("--conmon-pidfile".into());
            a.push(p.clone().into());
        }
        if self.no_pivot {
            a.push("--no-pivot".into());
        }
        for o in &self.runtime_opts {
            a.push("--runtime-opt".into());
            a.push(o.into());
        }
        if let Some(t) = self.timeout.filter(|t| *t > 0) {
            a.push("-T".into());
            a.push(t.to_string().into());
        }
        if let Some(spec) = &self.exec_process_spec {
            a.push("-e".into());
            a.push("--exec-attach".into());
            a.push("--exec-process-spec".into());
            a.push(spec.clone().into());
        }
        if let Some(ec) = &self.exit_command {
            a.push("--exit-command".into());
            a.push(ec.path.clone().into());
            for arg in &ec.args {
                a.push("--exit-command-arg".into());
                a.push(arg.into());
            }
            if let Some(d) = ec.delay {
                a.push("--exit-delay".into());
                a.push(d.to_string().into());
            }
        }
        a
    }
}

/// One message on the sync or attach pipe: `{"data": N, "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SyncMessage {
    /// pid, exit status, or -1 for an error.
    pub data: i64,
    /// Error text.
    #[serde(default)]
    pub message: Option<String>,
}

/// Parses one sync-pipe line.
pub fn parse_sync(bytes: &[u8]) -> Result<SyncMessage> {
    serde_json::from_slice(bytes.trim_ascii()).map_err(|e| Error::Json {
        what: format!("conmon's sync pipe ({:?})", String::from_utf8_lossy(bytes)),
        source: e,
    })
}

/// A spawned conmon whose first process has already exited; the engine keeps its ends of the pipes.
#[derive(Debug)]
pub struct Spawned {
    /// Engine end of the sync pipe (read).
    pub sync: OwnedFd,
    /// Engine end of the start pipe (write).
    pub start: OwnedFd,
    /// Engine end of the exec attach pipe (read), for exec.
    pub attach: Option<OwnedFd>,
}

fn seqpacket_pair() -> Result<(OwnedFd, OwnedFd)> {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(|e| Error::Command {
        command: "socketpair".into(),
        source: e.into(),
    })
}

/// Environment for conmon: the caller's `conmon_env_vars` plus PATH, HOME, locale, XDG_RUNTIME_DIR.
fn conmon_env(extra: &[String]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| {
            k == "PATH"
                || k == "HOME"
                || k == "XDG_RUNTIME_DIR"
                || k.starts_with("LC_")
                || k == "TMPDIR"
        })
        .collect();
    if !env.iter().any(|(k, _)| k == "PATH") {
        env.push(("PATH".into(), crate::generate::DEFAULT_PATH.into()));
    }
    for kv in extra {
        if let Some((k, v)) = kv.split_once('=') {
            env.retain(|(ek, _)| ek != k);
            env.push((k.into(), v.into()));
        }
    }
    env
}

/// The descriptors of this process conmon inherits besides its pipes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inherited<'a> {
    /// This process's fds 3..3+N, placed first (for the runtime's `--preserve-fds N`).
    pub preserve: u32,
    /// Descriptors conmon holds for the container's life, placed after the pipes.
    pub held: &'a [RawFd],
    /// conmon gets this process's stdin, stdout and stderr (the `passthrough` log driver
    /// hands them to the container).
    pub stdio: bool,
}

/// Spawns conmon with the sync pipe at fd 3, the start pipe at fd 4 and, when `exec`, the
/// attach pipe at fd 5 (each `preserve` higher: this process's fds 3..3+`preserve` go first,
/// for the runtime's `--preserve-fds`); releases it with the first start byte and reaps the
/// first process.
/// conmon's stderr goes to `stderr_path` (it carries command-line errors).
pub fn spawn(
    conmon: &Path,
    args: &ConmonArgs,
    env_vars: &[String],
    cwd: &Path,
    stderr_path: &Path,
    exec: bool,
    fds: Inherited<'_>,
) -> Result<Spawned> {
    let Inherited {
        preserve,
        held,
        stdio,
    } = fds;
    let (sync_parent, sync_child) = seqpacket_pair()?;
    let (start_parent, start_child) = seqpacket_pair()?;
    let attach = if exec { Some(seqpacket_pair()?) } else { None };

    let stderr = crate::generate::create_with_mode(stderr_path, crate::generate::PRIVATE_MODE)?;
    let mut cmd = Command::new(conmon);
    cmd.args(args.to_args())
        .env_clear()
        .envs(conmon_env(env_vars))
        .env("_OCI_SYNCPIPE", (3 + preserve).to_string())
        .env("_OCI_STARTPIPE", (4 + preserve).to_string())
        .current_dir(cwd)
        .process_group(0);
    if stdio {
        cmd.stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
    } else {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
    }
    let mut child_fds: Vec<RawFd> = (0..preserve)
        .map(|i| RawFd::try_from(3 + i).unwrap_or(RawFd::MAX))
        .collect();
    child_fds.extend([sync_child.as_raw_fd(), start_child.as_raw_fd()]);
    if let Some((_, c)) = &attach {
        cmd.env("_OCI_ATTACHPIPE", (5 + preserve).to_string());
        child_fds.push(c.as_raw_fd());
    }
    // Held descriptors follow the pipes; conmon keeps what it inherits and does not use.
    child_fds.extend_from_slice(held);
    let mut high = vec![0i32; child_fds.len()];
    // Above every target (3..3+n), so no dup2 overwrites a source still to be moved.
    let floor = i32::try_from(child_fds.len() + 10).unwrap_or(i32::MAX);
    // SAFETY: the closure runs in the forked child before exec and only calls fcntl and dup2,
    // which are async-signal-safe; it allocates nothing (both fd lists are allocated before
    // the fork and moved in).
    unsafe {
        cmd.pre_exec(move || {
            for (i, fd) in child_fds.iter().enumerate() {
                let h = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, floor);
                if h < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                high[i] = h;
            }
            for (i, h) in high.iter().enumerate() {
                // dup2 clears FD_CLOEXEC on the target, so conmon inherits 3, 4 (5) and on.
                if libc::dup2(*h, 3 + i as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| Error::Command {
        command: format!("{} (conmon)", conmon.display()),
        source: e,
    })?;
    drop(sync_child);
    drop(start_child);
    let attach_parent = attach.map(|(p, c)| {
        drop(c);
        p
    });

    // Release P1. It may already have exited on a command-line error: ignore EPIPE.
    let _ = nix::unistd::write(&start_parent, &[0u8]);
    let status = child.wait().map_err(|e| Error::Command {
        command: "wait for conmon".into(),
        source: e,
    })?;
    if !status.success() {
        let text = std::fs::read_to_string(stderr_path).unwrap_or_default();
        return Err(Error::Conmon {
            id: args.cid.clone(),
            message: format!("conmon exited with {status}: {}", text.trim()),
        });
    }
    Ok(Spawned {
        sync: sync_parent,
        start: start_parent,
        attach: attach_parent,
    })
}

/// Reads one message from a SEQPACKET pipe, waiting at most `timeout`. `Ok(None)` on EOF.
pub fn read_message(fd: &OwnedFd, timeout: Duration) -> Result<Option<Vec<u8>>> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    loop {
        match poll(
            &mut fds,
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) => {
                return Err(Error::Timeout {
                    what: "a message from conmon".into(),
                    seconds: timeout.as_secs(),
                })
            }
            Ok(_) => break,
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => {
                return Err(Error::Command {
                    command: "poll conmon pipe".into(),
                    source: e.into(),
                })
            }
        }
    }
    let mut buf = vec![0u8; 65536];
    let mut f = std::fs::File::from(fd.try_clone().map_err(|e| Error::Command {
        command: "dup".into(),
        source: e,
    })?);
    let n = f.read(&mut buf).map_err(|e| Error::Command {
        command: "read conmon pipe".into(),
        source: e,
    })?;
    if n == 0 {
        return Ok(None);
    }
    buf.truncate(n);
    Ok(Some(buf))
}

/// Writes one start byte (ignores a closed pipe).
pub fn release(fd: &OwnedFd) {
    let mut f = match fd.try_clone() {
        Ok(f) => std::fs::File::from(f),
        Err(_) => return,
    };
    let _ = f.write_all(&[0u8]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_podmans_argument_order() {
        let a = ConmonArgs {
            cid: "c1".into(),
            cuuid: "c1".into(),
            name: Some("web".into()),
            runtime: "/usr/sbin/runc".into(),
            runtime_args: vec!["--root=/tmp/r".into()],
            bundle: "/b".into(),
            container_pidfile: "/b/pidfile".into(),
            exit_dir: "/x".into(),
            log_path: "k8s-file:/b/ctr.log".into(),
            log_level: "warning".into(),
            log_size_max: Some(1000),
            terminal: true,
            conmon_pidfile: Some("/b/conmon.pid".into()),
            no_pivot: true,
            exit_command: Some(ExitCommand {
                path: "/bin/berth".into(),
                args: vec!["cleanup".into()],
                delay: Some(2),
            }),
            ..ConmonArgs::default()
        };
        let s: Vec<String> = a
            .to_args()
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect();
        assert_eq!(
            s.join(" "),
            "--api-version 1 -c c1 -u c1 -r /usr/sbin/runc -b /b -p /b/pidfile -n web --exit-dir /x --full-attach \
             -l k8s-file:/b/ctr.log --log-level warning --log-size-max 1000 --runtime-arg --root=/tmp/r -t \
             --conmon-pidfile /b/conmon.pid --no-pivot --exit-command /bin/berth --exit-command-arg cleanup --exit-delay 2"
        );
    }

    #[test]
    fn sync_messages_parse_and_bad_ones_are_named() {
        assert_eq!(
            parse_sync(b"{\"data\": 4242}\n").unwrap(),
            SyncMessage {
                data: 4242,
                message: None
            }
        );
        let m = parse_sync(b"{\"data\": -1, \"message\": \"exec: \\\"x\\\": executable file not found in $PATH\\n\"}\n").unwrap();
        assert_eq!(m.data, -1);
        assert!(m.message.unwrap().contains("executable file not found"));
        assert!(parse_sync(b"garbage")
            .unwrap_err()
            .to_string()
            .contains("garbage"));
    }
}

//! The driver trait the runtime crate uses, and its request/answer types.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The command conmon runs after the container exits (the runtime crate's cleanup).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExitCommand {
    /// Absolute path of the program.
    pub path: PathBuf,
    /// Its arguments (argv[1..]).
    pub args: Vec<String>,
    /// Seconds conmon waits before running it.
    pub delay: Option<u32>,
}

/// Input for [`OciRuntime::create`]. The bundle must already hold `config.json`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateRequest {
    /// Container id.
    pub id: String,
    /// Container name (conmon `-n`, journald only).
    pub name: String,
    /// Bundle directory.
    pub bundle: PathBuf,
    /// k8s-file log path; `None` = `BUNDLE/ctr.log`. Must not contain `:`.
    pub log_path: Option<PathBuf>,
    /// Allocate a terminal (`config.json` must say `terminal: true`).
    pub tty: bool,
    /// Keep stdin open (`-i`).
    pub stdin: bool,
    /// Command conmon runs after the container exits.
    pub exit_command: Option<ExitCommand>,
    /// Descriptors conmon inherits and keeps open for the container's life, unused: the
    /// host ports of its port mappings, bound so nothing else can take them (podman does
    /// the same).
    pub held_fds: HeldFds,
    /// Where conmon sends the output.
    pub log_driver: LogDriver,
    /// Per-container log size limit in bytes; `None` = the engine's `max_log_size`.
    pub log_size_max: Option<i64>,
    /// conmon kills the container after this many seconds (`--timeout`).
    pub timeout: Option<u32>,
    /// Pass this process's descriptors 3..3+N into the container (`--preserve-fds`); they
    /// must be open.
    pub preserve_fds: u32,
}

/// conmon's log drivers berth uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogDriver {
    /// `k8s-file:PATH`.
    #[default]
    K8sFile,
    /// `none:`: nothing is logged.
    None,
    /// `journald:`.
    Journald,
    /// `passthrough:`: the container gets the stdio conmon inherited from the caller
    /// (nothing is logged or attached).
    Passthrough,
}

/// Open descriptors handed to conmon (see [`CreateRequest::held_fds`]). Compared by
/// descriptor number.
#[derive(Debug, Clone, Default)]
pub struct HeldFds(pub Vec<std::sync::Arc<std::os::fd::OwnedFd>>);

impl HeldFds {
    /// The raw descriptor numbers.
    pub fn raw(&self) -> Vec<std::os::fd::RawFd> {
        self.0.iter().map(std::os::fd::AsRawFd::as_raw_fd).collect()
    }
}

impl PartialEq for HeldFds {
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw()
    }
}

impl Eq for HeldFds {}

/// What [`OciRuntime::create`] learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    /// The container's init pid (host pid namespace).
    pub pid: i32,
    /// The monitoring conmon's pid.
    pub conmon_pid: i32,
}

/// The runtime's view of a container's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerStatus {
    /// Created, not started.
    Created,
    /// Running.
    Running,
    /// Being frozen.
    Pausing,
    /// Frozen.
    Paused,
    /// Exited.
    Stopped,
}

impl ContainerStatus {
    /// Parses runc's status word.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" | "creating" => Self::Created,
            "running" => Self::Running,
            "pausing" => Self::Pausing,
            "paused" => Self::Paused,
            "stopped" => Self::Stopped,
            _ => return None,
        })
    }

    /// Whether the container's processes may still run.
    pub fn is_alive(self) -> bool {
        !matches!(self, Self::Stopped)
    }
}

/// Answer of [`OciRuntime::state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerState {
    /// Container id.
    pub id: String,
    /// Status.
    pub status: ContainerStatus,
    /// Init pid, `None` once stopped.
    pub pid: Option<i32>,
    /// Bundle directory.
    pub bundle: PathBuf,
    /// Annotations from the spec.
    pub annotations: BTreeMap<String, String>,
}

/// A terminal size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinSize {
    /// Rows.
    pub rows: u16,
    /// Columns.
    pub cols: u16,
}

/// Streams for an attach or an attached exec. Output from a tty container all goes to `stdout`.
pub struct AttachIo {
    /// Data sent to the container's stdin (needs `stdin`/`tty` at create); `None` sends nothing.
    pub stdin: Option<Box<dyn Read + Send>>,
    /// Receives the container's stdout.
    pub stdout: Box<dyn Write + Send>,
    /// Receives the container's stderr.
    pub stderr: Box<dyn Write + Send>,
    /// Terminal size to set before streaming.
    pub size: Option<WinSize>,
}

impl std::fmt::Debug for AttachIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachIo")
            .field("stdin", &self.stdin.is_some())
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// A running attach session.
#[derive(Debug)]
pub struct AttachHandle {
    output: Option<std::thread::JoinHandle<Result<()>>>,
    socket: Option<std::sync::Arc<std::os::fd::OwnedFd>>,
}

impl AttachHandle {
    /// A session whose streaming happens in `thread`.
    pub fn from_thread(thread: std::thread::JoinHandle<Result<()>>) -> Self {
        Self {
            output: Some(thread),
            socket: None,
        }
    }

    /// A session streaming from `socket` in `thread`; [`Self::detach`] shuts the socket down.
    pub fn from_socket(
        thread: std::thread::JoinHandle<Result<()>>,
        socket: std::sync::Arc<std::os::fd::OwnedFd>,
    ) -> Self {
        Self {
            output: Some(thread),
            socket: Some(socket),
        }
    }

    /// A session that has already ended (used by fakes).
    pub fn finished() -> Self {
        Self {
            output: None,
            socket: None,
        }
    }

    /// Detaches (podman's detach keys): stops streaming and leaves the container running.
    pub fn detach(mut self) -> Result<()> {
        use std::os::fd::AsRawFd;
        if let Some(s) = self.socket.take() {
            let _ = nix::sys::socket::shutdown(s.as_raw_fd(), nix::sys::socket::Shutdown::Both);
        }
        self.wait()
    }

    /// Blocks until conmon closes the stream (the container exited and its output was drained).
    pub fn wait(mut self) -> Result<()> {
        match self.output.take() {
            None => Ok(()),
            Some(t) => t.join().unwrap_or_else(|_| {
                Err(Error::Conmon {
                    id: String::new(),
                    message: "attach thread panicked".into(),
                })
            }),
        }
    }
}

/// A process to run in a running container. Unset fields are taken from the container's
/// `config.json` (env is appended to the container's).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecRequest {
    /// Container id.
    pub id: String,
    /// The container's bundle directory.
    pub bundle: PathBuf,
    /// Exec session id (names the session dir `BUNDLE/SESSION`).
    pub session_id: String,
    /// argv.
    pub args: Vec<String>,
    /// Extra environment, `KEY=VALUE`.
    pub env: Vec<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// User (`name`, `uid`, `uid:gid`), resolved against the container's rootfs.
    pub user: Option<String>,
    /// Allocate a terminal.
    pub tty: bool,
    /// Keep stdin open.
    pub stdin: bool,
    /// All capabilities.
    pub privileged: bool,
    /// Return once the process started instead of waiting for it.
    pub detach: bool,
}

/// Answer of [`OciRuntime::exec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecResult {
    /// The exec'd process's pid.
    pub pid: i32,
    /// Its exit code; `None` for a detached exec.
    pub exit_code: Option<i32>,
}

/// The OCI runtime as the runtime crate sees it. Implementations: [`crate::RuncConmon`]
/// (real) and `testing::FakeOciRuntime` (feature `testing`).
pub trait OciRuntime: std::fmt::Debug + Send + Sync {
    /// Starts conmon, which runs `runtime create`; returns once the container is created.
    fn create(&self, req: &CreateRequest) -> Result<Created>;
    /// `runtime start ID`.
    fn start(&self, id: &str) -> Result<()>;
    /// Sends `signal` to the init process, or to every process with `all`.
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()>;
    /// Removes the runtime's record of the container; `force` kills it first. Deleting a
    /// missing container with `force` succeeds.
    fn delete(&self, id: &str, force: bool) -> Result<()>;
    /// The runtime's state of the container ([`Error::NoSuchContainer`] if unknown).
    fn state(&self, id: &str) -> Result<ContainerState>;
    /// Freezes the container.
    fn pause(&self, id: &str) -> Result<()>;
    /// Thaws the container.
    fn resume(&self, id: &str) -> Result<()>;
    /// Changes the cgroup limits of a created, running or paused container (`runc update`);
    /// limits left `None` stay as they are.
    fn update(&self, id: &str, resources: &crate::container_spec::Resources) -> Result<()>;
    /// The exit code conmon recorded, `None` while the container has not exited.
    fn exit_code(&self, id: &str) -> Result<Option<i32>>;
    /// Runs a process in the running container (through conmon).
    fn exec(&self, req: &ExecRequest, io: Option<AttachIo>) -> Result<ExecResult>;
    /// Connects to the container's stdio and streams it in background threads; call
    /// [`AttachHandle::wait`] to block until the container's output ends. Connect before
    /// `start` to see all output. `io.size` is applied first for tty containers.
    fn attach(&self, id: &str, bundle: &std::path::Path, io: AttachIo) -> Result<AttachHandle>;
    /// Whether the kernel's OOM killer hit the container (conmon's `oom` marker in the bundle).
    fn oom_killed(&self, id: &str, bundle: &std::path::Path) -> Result<bool>;
    /// Resizes the container's terminal.
    fn resize(&self, id: &str, bundle: &std::path::Path, size: WinSize) -> Result<()>;
    /// Forgets the container's exit code (conmon's exit file), once the container is removed.
    /// Missing is fine; runtimes without exit files keep this default.
    fn remove_exit_file(&self, _id: &str) -> Result<()> {
        Ok(())
    }

    /// Waits until the container has an exit code, polling the exit file every 20 ms. Every
    /// half second it also asks the runtime: a container that is stopped (or gone) without an
    /// exit file 5 s later means conmon died, which is [`Error::ExitCodeUnknown`] (conmon drains
    /// and fsyncs the log before writing the exit file, which can take a while on a busy host).
    fn wait(&self, id: &str, timeout: Duration) -> Result<i32> {
        let start = Instant::now();
        let deadline = start + timeout;
        let mut next_state_check = start + Duration::from_millis(500);
        let mut stopped_since: Option<Instant> = None;
        loop {
            if let Some(code) = self.exit_code(id)? {
                return Ok(code);
            }
            let now = Instant::now();
            if let Some(t) = stopped_since {
                if now.duration_since(t) >= Duration::from_secs(5) {
                    return Err(Error::ExitCodeUnknown { id: id.to_owned() });
                }
            } else if now >= next_state_check {
                next_state_check = now + Duration::from_millis(500);
                match self.state(id) {
                    Ok(st) if st.status == ContainerStatus::Stopped => stopped_since = Some(now),
                    Err(Error::NoSuchContainer { .. }) => stopped_since = Some(now),
                    _ => {}
                }
            }
            if now >= deadline {
                return Err(Error::Timeout {
                    what: format!("container {id} to exit"),
                    seconds: timeout.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// podman's stop: sends `signal`, waits up to `timeout` for the exit, then SIGKILLs
    /// (all processes) and waits 5 s more. Returns the exit code.
    fn stop(&self, id: &str, signal: i32, timeout: Duration) -> Result<i32> {
        if let Some(code) = self.exit_code(id)? {
            return Ok(code);
        }
        if let Err(e) = self.kill(id, signal, false) {
            // The container may have exited in between; only then is the error harmless.
            if let Some(code) = self.exit_code(id)? {
                return Ok(code);
            }
            return Err(e);
        }
        match self.wait(id, timeout) {
            Ok(code) => Ok(code),
            Err(Error::Timeout { .. }) => {
                tracing::info!(id, "container did not stop in time, sending SIGKILL");
                if let Err(e) = self.kill(id, libc::SIGKILL, true) {
                    if let Some(code) = self.exit_code(id)? {
                        return Ok(code);
                    }
                    return Err(e);
                }
                self.wait(id, Duration::from_secs(5))
            }
            Err(e) => Err(e),
        }
    }
}

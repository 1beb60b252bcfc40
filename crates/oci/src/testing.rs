//! An in-memory [`OciRuntime`] for the runtime crate's unit tests (feature `testing`).
//!
//! It keeps a table of containers with the runtime's state machine (created → running →
//! stopped, paused), records every call in order, and can be told to fail any operation
//! through [`InjectFailures`] (by [`Op`]), like the other layers' fakes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use berth_config::testing::{Failures, InjectFailures, Strike};

use crate::error::{Error, Result};
use crate::runtime::{
    AttachHandle, AttachIo, ContainerState, ContainerStatus, CreateRequest, Created, ExecRequest,
    ExecResult, OciRuntime, WinSize,
};

/// The operations of [`OciRuntime`], used to inject failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `create`.
    Create,
    /// `start`.
    Start,
    /// `kill`.
    Kill,
    /// `delete`.
    Delete,
    /// `state`.
    State,
    /// `pause`.
    Pause,
    /// `resume`.
    Resume,
    /// `update`.
    Update,
    /// `exit_code`.
    ExitCode,
    /// `exec`.
    Exec,
    /// `attach`.
    Attach,
    /// `resize`.
    Resize,
    /// `oom_killed`.
    OomKilled,
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `create`.
    Create(CreateRequest),
    /// `start(id)`.
    Start(String),
    /// `kill(id, signal, all)`.
    Kill(String, i32, bool),
    /// `delete(id, force)`.
    Delete(String, bool),
    /// `state(id)`.
    State(String),
    /// `pause(id)`.
    Pause(String),
    /// `resume(id)`.
    Resume(String),
    /// `update(id, resources)`.
    Update(String, crate::container_spec::Resources),
    /// `exit_code(id)`.
    ExitCode(String),
    /// `exec`.
    Exec(ExecRequest),
    /// `attach(id, bundle)`.
    Attach(String, PathBuf),
    /// `resize(id, size)`.
    Resize(String, WinSize),
    /// `oom_killed(id)`.
    OomKilled(String),
}

#[derive(Debug, Clone)]
struct FakeContainer {
    status: ContainerStatus,
    pid: i32,
    bundle: PathBuf,
    exit_code: Option<i32>,
    oom: bool,
    /// conmon was killed: an exit from now on is recorded by nobody.
    no_conmon: bool,
}

#[derive(Debug, Default)]
struct Inner {
    calls: Vec<Call>,
    failures: Failures<Op>,
    /// What a planned failure of an op looks like when it is not [`Error::Injected`].
    runtime_fail: HashMap<Op, String>,
    containers: BTreeMap<String, FakeContainer>,
    next_pid: i32,
    exec_exit_code: i32,
    exec_output: Vec<u8>,
    attach_output: Vec<u8>,
    /// Signals that do not stop the container (like a shell ignoring SIGTERM).
    ignored_signals: Vec<i32>,
}

/// The fake runtime. Cheap to create; safe to share between threads.
#[derive(Debug)]
pub struct FakeOciRuntime {
    inner: Mutex<Inner>,
}

impl Default for FakeOciRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeOciRuntime {
    /// An empty fake; pids start at 1000.
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(Inner {
                next_pid: 1000,
                ..Inner::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes every later call of `op` fail like the real runtime would with `message`
    /// ([`Error::Runtime`], classified as podman does), e.g. `exec: "x": executable file not
    /// found in $PATH` to test the 127 exit code path, until
    /// [`InjectFailures::clear_failure`]. Failures planned with [`InjectFailures`] for `op`
    /// look the same while the message is set.
    pub fn fail_with_runtime_message(&self, op: Op, message: &str) {
        let mut g = self.lock();
        g.runtime_fail.insert(op, message.to_owned());
        g.failures.add(op, Strike::Always);
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().calls.clone()
    }

    /// Sets the exit code and output of later execs.
    pub fn set_exec_result(&self, exit_code: i32, output: &[u8]) {
        let mut g = self.lock();
        g.exec_exit_code = exit_code;
        g.exec_output = output.to_vec();
    }

    /// Sets what `attach` writes to stdout.
    pub fn set_attach_output(&self, output: &[u8]) {
        self.lock().attach_output = output.to_vec();
    }

    /// Makes `signal` not stop containers (so `stop` must escalate to SIGKILL).
    pub fn ignore_signal(&self, signal: i32) {
        self.lock().ignored_signals.push(signal);
    }

    /// Simulates SIGKILL of the container's conmon: the process runs on, but its exit
    /// (by a later kill) is written to no exit file.
    pub fn kill_conmon(&self, id: &str) {
        if let Some(c) = self.lock().containers.get_mut(id) {
            c.no_conmon = true;
        }
    }

    /// Whether `pid` is the process of a container this fake has stopped.
    pub fn pid_stopped(&self, pid: u32) -> bool {
        self.lock()
            .containers
            .values()
            .any(|c| c.status == ContainerStatus::Stopped && u32::try_from(c.pid) == Ok(pid))
    }

    /// Simulates the container's main process exiting with `code`.
    pub fn exit(&self, id: &str, code: i32) {
        if let Some(c) = self.lock().containers.get_mut(id) {
            c.status = ContainerStatus::Stopped;
            c.exit_code = Some(code);
        }
    }

    /// Simulates an OOM kill: the container exits with 137 and `oom_killed` reports it.
    pub fn oom_kill(&self, id: &str) {
        if let Some(c) = self.lock().containers.get_mut(id) {
            c.status = ContainerStatus::Stopped;
            c.exit_code = Some(137);
            c.oom = true;
        }
    }

    /// Whether the runtime still knows the container.
    pub fn contains(&self, id: &str) -> bool {
        self.lock().containers.contains_key(id)
    }

    fn enter(&self, op: Op, call: Call) -> Result<std::sync::MutexGuard<'_, Inner>> {
        let mut g = self.lock();
        g.calls.push(call);
        if !g.failures.strikes(&op) {
            return Ok(g);
        }
        if let Some(message) = g.runtime_fail.get(&op) {
            let id = match g.calls.last() {
                Some(Call::Create(r)) => r.id.clone(),
                Some(Call::Exec(r)) => r.id.clone(),
                Some(
                    Call::Start(id)
                    | Call::Kill(id, ..)
                    | Call::Delete(id, _)
                    | Call::State(id)
                    | Call::Pause(id)
                    | Call::Resume(id)
                    | Call::Update(id, _)
                    | Call::ExitCode(id)
                    | Call::Attach(id, _)
                    | Call::Resize(id, _)
                    | Call::OomKilled(id),
                ) => id.clone(),
                None => String::new(),
            };
            return Err(Error::Runtime {
                op: op_name(op),
                id,
                message: message.clone(),
                class: crate::error::ExitCodeClass::classify(message),
            });
        }
        Err(Error::Injected(format!("{op:?}")))
    }
}

/// Failures by [`Op`]; a failing call is recorded and returns [`Error::Injected`] (or the
/// runtime's error set by [`FakeOciRuntime::fail_with_runtime_message`]).
impl InjectFailures for FakeOciRuntime {
    type Op = Op;

    fn inject(&self, op: Op, strike: Strike) {
        self.lock().failures.add(op, strike);
    }

    fn clear_failure(&self, op: &Op) {
        let mut g = self.lock();
        g.failures.clear(op);
        g.runtime_fail.remove(op);
    }
}

fn op_name(op: Op) -> &'static str {
    match op {
        Op::Create => "create",
        Op::Start => "start",
        Op::Kill => "kill",
        Op::Delete => "delete",
        Op::State => "state",
        Op::Pause => "pause",
        Op::Resume => "resume",
        Op::Update => "update",
        Op::ExitCode => "exit_code",
        Op::Exec => "exec",
        Op::Attach => "attach",
        Op::Resize => "resize",
        Op::OomKilled => "oom_killed",
    }
}

fn missing(id: &str) -> Error {
    Error::NoSuchContainer { id: id.to_owned() }
}

fn bad_state(op: &'static str, id: &str, status: ContainerStatus) -> Error {
    Error::Runtime {
        op,
        id: id.to_owned(),
        message: format!("container is {status:?}"),
        class: crate::error::ExitCodeClass::Other,
    }
}

impl OciRuntime for FakeOciRuntime {
    fn create(&self, req: &CreateRequest) -> Result<Created> {
        let mut g = self.enter(Op::Create, Call::Create(req.clone()))?;
        if g.containers.contains_key(&req.id) {
            return Err(Error::Runtime {
                op: "create",
                id: req.id.clone(),
                message: format!("container with id exists: {}", req.id),
                class: crate::error::ExitCodeClass::Other,
            });
        }
        g.next_pid += 2;
        let pid = g.next_pid;
        g.containers.insert(
            req.id.clone(),
            FakeContainer {
                oom: false,
                status: ContainerStatus::Created,
                pid,
                bundle: req.bundle.clone(),
                exit_code: None,
                no_conmon: false,
            },
        );
        Ok(Created {
            pid,
            conmon_pid: pid - 1,
        })
    }

    fn start(&self, id: &str) -> Result<()> {
        let mut g = self.enter(Op::Start, Call::Start(id.to_owned()))?;
        let c = g.containers.get_mut(id).ok_or_else(|| missing(id))?;
        if c.status != ContainerStatus::Created {
            return Err(bad_state("start", id, c.status));
        }
        c.status = ContainerStatus::Running;
        Ok(())
    }

    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        let mut g = self.enter(Op::Kill, Call::Kill(id.to_owned(), signal, all))?;
        let ignored = g.ignored_signals.contains(&signal);
        let c = g.containers.get_mut(id).ok_or_else(|| missing(id))?;
        if c.status == ContainerStatus::Stopped {
            return Err(bad_state("kill", id, c.status));
        }
        if !ignored && signal != 0 {
            c.status = ContainerStatus::Stopped;
            c.exit_code = (!c.no_conmon).then_some(128 + signal);
        }
        Ok(())
    }

    fn delete(&self, id: &str, force: bool) -> Result<()> {
        let mut g = self.enter(Op::Delete, Call::Delete(id.to_owned(), force))?;
        match g.containers.get(id) {
            None if force => Ok(()),
            None => Err(missing(id)),
            Some(c) if !force && c.status != ContainerStatus::Stopped => {
                Err(bad_state("delete", id, c.status))
            }
            Some(_) => {
                g.containers.remove(id);
                Ok(())
            }
        }
    }

    fn state(&self, id: &str) -> Result<ContainerState> {
        let g = self.enter(Op::State, Call::State(id.to_owned()))?;
        let c = g.containers.get(id).ok_or_else(|| missing(id))?;
        Ok(ContainerState {
            id: id.to_owned(),
            status: c.status,
            pid: (c.status != ContainerStatus::Stopped).then_some(c.pid),
            bundle: c.bundle.clone(),
            annotations: BTreeMap::new(),
        })
    }

    fn pause(&self, id: &str) -> Result<()> {
        let mut g = self.enter(Op::Pause, Call::Pause(id.to_owned()))?;
        let c = g.containers.get_mut(id).ok_or_else(|| missing(id))?;
        if c.status != ContainerStatus::Running {
            return Err(bad_state("pause", id, c.status));
        }
        c.status = ContainerStatus::Paused;
        Ok(())
    }

    fn update(&self, id: &str, resources: &crate::container_spec::Resources) -> Result<()> {
        crate::generate::resource_limits(resources)?;
        let g = self.enter(Op::Update, Call::Update(id.to_owned(), resources.clone()))?;
        let c = g.containers.get(id).ok_or_else(|| missing(id))?;
        if !matches!(
            c.status,
            ContainerStatus::Created | ContainerStatus::Running | ContainerStatus::Paused
        ) {
            return Err(bad_state("update", id, c.status));
        }
        Ok(())
    }

    fn resume(&self, id: &str) -> Result<()> {
        let mut g = self.enter(Op::Resume, Call::Resume(id.to_owned()))?;
        let c = g.containers.get_mut(id).ok_or_else(|| missing(id))?;
        if c.status != ContainerStatus::Paused {
            return Err(bad_state("resume", id, c.status));
        }
        c.status = ContainerStatus::Running;
        Ok(())
    }

    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        let g = self.enter(Op::ExitCode, Call::ExitCode(id.to_owned()))?;
        Ok(g.containers.get(id).and_then(|c| c.exit_code))
    }

    fn exec(&self, req: &ExecRequest, io: Option<AttachIo>) -> Result<ExecResult> {
        let mut g = self.enter(Op::Exec, Call::Exec(req.clone()))?;
        let status = g
            .containers
            .get(&req.id)
            .ok_or_else(|| missing(&req.id))?
            .status;
        if status != ContainerStatus::Running {
            return Err(bad_state("exec", &req.id, status));
        }
        g.next_pid += 1;
        let pid = g.next_pid;
        if let Some(mut io) = io {
            io.stdout
                .write_all(&g.exec_output)
                .map_err(|e| Error::io("write exec output", "<fake>", e))?;
        }
        Ok(ExecResult {
            pid,
            exit_code: (!req.detach).then_some(g.exec_exit_code),
        })
    }

    fn attach(&self, id: &str, bundle: &Path, mut io: AttachIo) -> Result<AttachHandle> {
        let g = self.enter(Op::Attach, Call::Attach(id.to_owned(), bundle.to_owned()))?;
        if !g.containers.contains_key(id) {
            return Err(missing(id));
        }
        io.stdout
            .write_all(&g.attach_output)
            .map_err(|e| Error::io("write attach output", "<fake>", e))?;
        Ok(AttachHandle::finished())
    }

    fn oom_killed(&self, id: &str, _bundle: &Path) -> Result<bool> {
        let g = self.enter(Op::OomKilled, Call::OomKilled(id.to_owned()))?;
        Ok(g.containers.get(id).is_some_and(|c| c.oom))
    }

    fn resize(&self, id: &str, _bundle: &Path, size: WinSize) -> Result<()> {
        let g = self.enter(Op::Resize, Call::Resize(id.to_owned(), size))?;
        if !g.containers.contains_key(id) {
            return Err(missing(id));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn req(id: &str) -> CreateRequest {
        CreateRequest {
            id: id.into(),
            bundle: "/b".into(),
            ..CreateRequest::default()
        }
    }

    #[test]
    fn lifecycle_is_recorded_in_order() {
        let rt = FakeOciRuntime::new();
        let c = rt.create(&req("a")).unwrap();
        assert_eq!(c.conmon_pid + 1, c.pid);
        rt.start("a").unwrap();
        assert_eq!(rt.state("a").unwrap().status, ContainerStatus::Running);
        rt.pause("a").unwrap();
        rt.resume("a").unwrap();
        assert_eq!(rt.stop("a", 15, Duration::from_secs(1)).unwrap(), 143);
        rt.delete("a", false).unwrap();
        assert!(!rt.contains("a"));
        let calls = rt.calls();
        assert!(matches!(calls[0], Call::Create(_)));
        assert_eq!(calls[1], Call::Start("a".into()));
        assert!(calls.contains(&Call::Kill("a".into(), 15, false)));
        assert_eq!(calls.last(), Some(&Call::Delete("a".into(), false)));
    }

    #[test]
    fn injected_failure_hits_only_that_op() {
        let rt = FakeOciRuntime::new();
        rt.fail_always(Op::Start);
        rt.create(&req("a")).unwrap();
        assert!(matches!(rt.start("a"), Err(Error::Injected(_))));
        assert!(matches!(rt.start("a"), Err(Error::Injected(_))));
        rt.clear_failure(&Op::Start);
        rt.start("a").unwrap();
        rt.fail_next(Op::Pause);
        assert!(matches!(rt.pause("a"), Err(Error::Injected(_))));
        rt.pause("a").unwrap();
    }

    #[test]
    fn runtime_messages_are_classified_like_the_real_runtime() {
        let rt = FakeOciRuntime::new();
        rt.fail_with_runtime_message(
            Op::Create,
            "exec: \"x\": executable file not found in $PATH",
        );
        let e = rt.create(&req("a")).unwrap_err();
        assert_eq!(e.runtime_class(), Some(crate::ExitCodeClass::NotFound));
        assert!(e.to_string().contains("create of a"), "{e}");
        rt.clear_failure(&Op::Create);
        rt.create(&req("a")).unwrap();
        rt.start("a").unwrap();
        rt.fail_with_runtime_message(Op::Exec, "exec: \"/etc\": permission denied");
        let e = rt
            .exec(
                &ExecRequest {
                    id: "a".into(),
                    ..ExecRequest::default()
                },
                None,
            )
            .unwrap_err();
        assert_eq!(
            e.runtime_class(),
            Some(crate::ExitCodeClass::PermissionDenied)
        );
    }

    #[test]
    fn stop_escalates_when_signal_is_ignored() {
        let rt = FakeOciRuntime::new();
        rt.ignore_signal(15);
        rt.create(&req("a")).unwrap();
        rt.start("a").unwrap();
        assert_eq!(rt.stop("a", 15, Duration::from_millis(50)).unwrap(), 137);
        assert!(rt.calls().contains(&Call::Kill("a".into(), 9, true)));
    }

    #[test]
    fn state_rules_are_enforced() {
        let rt = FakeOciRuntime::new();
        assert!(matches!(rt.state("x"), Err(Error::NoSuchContainer { .. })));
        rt.delete("x", true).unwrap();
        rt.create(&req("a")).unwrap();
        assert!(rt.create(&req("a")).is_err());
        assert!(rt.pause("a").is_err());
        rt.start("a").unwrap();
        assert!(rt.delete("a", false).is_err());
        rt.exit("a", 42);
        assert!(!rt.oom_killed("a", Path::new("/b")).unwrap());
        assert_eq!(rt.exit_code("a").unwrap(), Some(42));
        rt.delete("a", false).unwrap();
    }

    #[test]
    fn exec_and_attach_write_configured_output() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buf(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let rt = FakeOciRuntime::new();
        rt.create(&req("a")).unwrap();
        rt.start("a").unwrap();
        rt.set_exec_result(3, b"hi");
        let out = Buf::default();
        let io = AttachIo {
            stdin: None,
            stdout: Box::new(out.clone()),
            stderr: Box::new(Buf::default()),
            size: None,
        };
        let r = rt
            .exec(
                &ExecRequest {
                    id: "a".into(),
                    args: vec!["x".into()],
                    ..ExecRequest::default()
                },
                Some(io),
            )
            .unwrap();
        assert_eq!(r.exit_code, Some(3));
        assert_eq!(&*out.0.lock().unwrap(), b"hi");
    }
}

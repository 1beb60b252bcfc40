//! Shared fixtures for the system tests: a busybox rootfs (berth-testsupport), a private runc
//! root, cleanup guards.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use berth_oci::generate::{write_bundle, SpecOptions};
pub use berth_testsupport::SharedBuf;

use berth_oci::{
    AttachHandle, AttachIo, ContainerSpec, ContainerStatus, CreateRequest, OciRuntime, RuncConmon,
    RuncConmonConfig, WinSize,
};

pub const RUNC: &str = "/usr/sbin/runc";
pub const CONMON: &str = "/usr/bin/conmon";

/// Panics (never skips) when the test cannot run for real here.
pub fn require_host() {
    assert!(nix::unistd::geteuid().is_root(), "system tests need root");
    for bin in [RUNC, CONMON] {
        assert!(
            Path::new(bin).exists(),
            "system tests need {bin} (cargo xtask deps installs it)"
        );
    }
    berth_testsupport::busybox::require();
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One test's world: temp dir, rootfs, runtime with a private root; deletes its containers on drop.
pub struct World {
    pub dir: tempfile::TempDir,
    pub rootfs: PathBuf,
    pub rt: RuncConmon,
    pub opts: SpecOptions,
    ids: std::sync::Mutex<Vec<String>>,
    cgroup_parent: String,
}

impl World {
    pub fn new() -> Self {
        require_host();
        let dir = tempfile::Builder::new()
            .prefix("berth-oci-")
            .tempdir()
            .unwrap();
        let rootfs = dir.path().join("rootfs");
        berth_testsupport::busybox::write_rootfs(&rootfs);
        let mut cfg = RuncConmonConfig::new(RUNC, CONMON, dir.path().join("run"));
        cfg.runtime_root = Some(dir.path().join("runc-root"));
        let rt = RuncConmon::new(cfg).unwrap();
        let cgroup_parent = format!(
            "berth-oci-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        Self {
            dir,
            rootfs,
            rt,
            opts: SpecOptions::default(),
            ids: std::sync::Mutex::new(Vec::new()),
            cgroup_parent,
        }
    }

    /// A spec for a new container running `args`.
    pub fn spec(&self, args: &[&str]) -> ContainerSpec {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let id = format!("berth-oci-test-{}-{n}", std::process::id());
        let mut s = ContainerSpec::new(
            &id,
            &self.rootfs,
            self.dir.path().join(format!("bundle-{n}")),
        );
        s.command = args.iter().map(|a| (*a).to_owned()).collect();
        s.cgroup_parent = Some(self.cgroup_parent.clone());
        s
    }

    /// Deletes container `id` when the world is dropped.
    pub fn track(&self, id: &str) {
        self.ids.lock().unwrap().push(id.to_owned());
    }

    /// Writes the bundle and creates the container (not started).
    pub fn create(&self, spec: &ContainerSpec) -> berth_oci::Result<berth_oci::Created> {
        write_bundle(spec, &self.opts)?;
        self.ids.lock().unwrap().push(spec.id.clone());
        self.rt.create(&CreateRequest {
            id: spec.id.clone(),
            name: spec.name.clone(),
            bundle: spec.bundle_dir.clone(),
            tty: spec.tty,
            stdin: spec.stdin,
            ..CreateRequest::default()
        })
    }

    /// Creates and starts the container.
    pub fn start(&self, spec: &ContainerSpec) -> berth_oci::Created {
        let created = self.create(spec).unwrap();
        self.rt.start(&spec.id).unwrap();
        created
    }

    /// Attaches `io` to the created container `spec`, then starts it.
    pub fn attach_and_start(&self, spec: &ContainerSpec, io: AttachIo) -> AttachHandle {
        let handle = self.rt.attach(&spec.id, &spec.bundle_dir, io).unwrap();
        self.rt.start(&spec.id).unwrap();
        handle
    }

    /// The container's status now.
    pub fn status(&self, id: &str) -> ContainerStatus {
        self.rt.state(id).unwrap().status
    }

    /// Waits (10 s at most) for the container to exit; its exit code.
    pub fn wait(&self, id: &str) -> i32 {
        self.rt.wait(id, Duration::from_secs(10)).unwrap()
    }

    /// Creates, starts and waits; returns the exit code and the log's records.
    pub fn run(&self, spec: &ContainerSpec) -> (i32, Vec<LogRecord>) {
        self.create(spec).unwrap();
        self.rt.start(&spec.id).unwrap();
        let code = self.rt.wait(&spec.id, Duration::from_secs(30)).unwrap();
        (code, read_log(&spec.bundle_dir.join("ctr.log")))
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for id in self.ids.lock().unwrap().iter() {
            let _ = self.rt.delete(id, true);
        }
        // runc removes only the leaf cgroups; remove our parent in every hierarchy.
        if let Ok(entries) = std::fs::read_dir("/sys/fs/cgroup") {
            for e in entries.flatten() {
                let _ = std::fs::remove_dir(e.path().join(&self.cgroup_parent));
            }
        }
        let _ = std::fs::remove_dir(Path::new("/sys/fs/cgroup/unified").join(&self.cgroup_parent));
    }
}

/// One k8s-file record.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub stream: String,
    pub partial: bool,
    pub content: String,
}

pub fn read_log(path: &Path) -> Vec<LogRecord> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.splitn(4, ' ');
            let _ts = f.next()?;
            let stream = f.next()?.to_owned();
            let tag = f.next()?;
            Some(LogRecord {
                stream,
                partial: tag == "P",
                content: f.next().unwrap_or("").to_owned(),
            })
        })
        .collect()
}

/// All stdout content joined with newlines.
pub fn stdout_text(log: &[LogRecord]) -> String {
    let mut out = String::new();
    for r in log.iter().filter(|r| r.stream == "stdout") {
        out.push_str(&r.content);
        out.push('\n');
    }
    out
}

/// Attach streams: `stdin` (if any) in, stdout into the returned buffer, stderr dropped.
pub fn capture_stdout(
    stdin: Option<&'static [u8]>,
    size: Option<WinSize>,
) -> (AttachIo, SharedBuf) {
    let out = SharedBuf::default();
    let io = AttachIo {
        stdin: stdin.map(|d| Box::new(d) as Box<dyn std::io::Read + Send>),
        stdout: Box::new(out.clone()),
        stderr: Box::new(std::io::sink()),
        size,
    };
    (io, out)
}

//! The real [`crate::OciRuntime`]: conmon monitors each container, runc does the work.
//!
//! Files per container, all in the bundle dir: `pidfile` (runc's), `conmon.pid`, `oci-log`
//! (runc's JSON log), `conmon.stderr`, `ctr.log` (default k8s-file log), and conmon's
//! `attach`, `ctl`, `winsz`. Exit files: `TMP/exits/ID`. Exec sessions: `BUNDLE/SESSION/`.

pub mod attach;
pub mod conmon;
mod exec;
pub mod runc;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::container_spec::CgroupManager;
use crate::error::{Error, ExitCodeClass, Result};
use crate::runtime::{
    AttachHandle, AttachIo, ContainerState, CreateRequest, Created, ExecRequest, ExecResult,
    LogDriver, OciRuntime, WinSize,
};
use conmon::ConmonArgs;
use runc::Runc;

/// podman gives up on conmon's sync message after this long.
const SYNC_TIMEOUT: Duration = Duration::from_secs(240);

/// Configuration of [`RuncConmon`]: plain data the caller takes from its own config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuncConmonConfig {
    /// The OCI runtime binary (runc; crun takes the same flags).
    pub runtime_path: PathBuf,
    /// The conmon binary.
    pub conmon_path: PathBuf,
    /// Extra environment for conmon (and so for runc and the exit command), `KEY=VALUE`.
    pub conmon_env_vars: Vec<String>,
    /// cgroup manager: adds `--systemd-cgroup` for systemd.
    pub cgroup_manager: CgroupManager,
    /// Per-boot tmp dir; exit files go to `TMP/exits`, runtime logs to `TMP/oci-logs`.
    pub tmp_dir: PathBuf,
    /// runc's `--root` (state dir), passed on every call; `None` = the runtime's default.
    pub runtime_root: Option<PathBuf>,
    /// Maximum log size in bytes (`--log-size-max`); `None` or negative = unlimited.
    pub max_log_size: Option<i64>,
    /// Pass `--no-pivot` (for ramdisk roots).
    pub no_pivot_root: bool,
    /// conmon's `--log-level`.
    pub conmon_log_level: String,
    /// More global flags of the runtime, on every call (podman's `--runtime-flag`), each
    /// with its leading dashes (`--debug`).
    pub runtime_flags: Vec<String>,
}

impl RuncConmonConfig {
    /// A config with the given binaries and tmp dir and everything else at its default.
    pub fn new(
        runtime_path: impl Into<PathBuf>,
        conmon_path: impl Into<PathBuf>,
        tmp_dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            runtime_path: runtime_path.into(),
            conmon_path: conmon_path.into(),
            conmon_env_vars: Vec::new(),
            cgroup_manager: CgroupManager::Cgroupfs,
            tmp_dir: tmp_dir.into(),
            runtime_root: None,
            max_log_size: None,
            no_pivot_root: false,
            conmon_log_level: "warning".into(),
            runtime_flags: Vec::new(),
        }
    }
}

/// The runc + conmon driver.
#[derive(Debug, Clone)]
pub struct RuncConmon {
    config: RuncConmonConfig,
}

impl RuncConmon {
    /// Checks that both binaries exist and are executable and creates the exit dir.
    pub fn new(config: RuncConmonConfig) -> Result<Self> {
        check_executable("runtime", &config.runtime_path)?;
        check_executable("conmon", &config.conmon_path)?;
        let rt = Self { config };
        std::fs::create_dir_all(rt.exit_dir())
            .map_err(|e| Error::io("create exit dir", rt.exit_dir(), e))?;
        Ok(rt)
    }

    /// The configuration.
    pub fn config(&self) -> &RuncConmonConfig {
        &self.config
    }

    /// Where conmon writes exit files (`TMP/exits`).
    pub fn exit_dir(&self) -> PathBuf {
        self.config.tmp_dir.join("exits")
    }

    /// The exit file of container `id`.
    pub fn exit_file(&self, id: &str) -> PathBuf {
        self.exit_dir().join(id)
    }

    /// Global runtime flags for direct calls: `--root`, and `--systemd-cgroup` for systemd.
    fn global_args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(root) = &self.config.runtime_root {
            a.push(format!("--root={}", root.display()));
        }
        if self.config.cgroup_manager == CgroupManager::Systemd {
            a.push("--systemd-cgroup".into());
        }
        a.extend(self.config.runtime_flags.iter().cloned());
        a
    }

    fn runc(&self) -> Runc {
        Runc {
            path: self.config.runtime_path.clone(),
            global_args: self.global_args(),
        }
    }

    /// Runtime flags conmon passes before `create`/`exec`: `--root` and the JSON error log.
    /// (conmon adds `--systemd-cgroup` itself for `-s`.)
    fn conmon_runtime_args(&self, oci_log: &Path) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(root) = &self.config.runtime_root {
            a.push(format!("--root={}", root.display()));
        }
        a.push("--log-format=json".into());
        a.push(format!("--log={}", oci_log.display()));
        a.extend(self.config.runtime_flags.iter().cloned());
        a
    }

    /// Removes what conmon and the driver leave in the bundle and the exit file once the
    /// container is gone (podman's cleanup): `ctl`, `winsz`, `attach`, `oom`, pid files, `oci-log`,
    /// `conmon.stderr`, and `TMP/exits/ID`. Every step is tried; the first error is returned.
    pub fn remove_artifacts(&self, id: &str, bundle: &Path) -> Result<()> {
        let mut first = None;
        for name in [
            "ctl",
            "winsz",
            "attach",
            "oom",
            "pidfile",
            "conmon.pid",
            "oci-log",
            "conmon.stderr",
        ] {
            if let Err(e) = remove_if_exists(&bundle.join(name)) {
                first.get_or_insert(e);
            }
        }
        if let Err(e) = remove_if_exists(&self.exit_file(id)) {
            first.get_or_insert(e);
        }
        first.map_or(Ok(()), Err)
    }

    /// Whether conmon `pid` still runs (podman's liveness check).
    pub fn conmon_alive(pid: i32) -> bool {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
    }

    fn create_failed(&self, id: &str, oci_log: &Path, sync_message: Option<&str>) -> Error {
        let message = runc::create_error_message(oci_log, sync_message);
        // runc removed the half-made container already; podman still force-deletes.
        let _ = self.runc().run("delete", id, &["delete", "--force", id]);
        Error::Runtime {
            op: "create",
            id: id.to_owned(),
            class: ExitCodeClass::classify(&message),
            message,
        }
    }
}

fn read_pid(path: &Path) -> Result<i32> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("read pid file", path, e))?;
    text.trim().parse().map_err(|_| Error::Conmon {
        id: String::new(),
        message: format!("pid file {} holds {text:?}, not a pid", path.display()),
    })
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io("remove", path, e)),
        _ => Ok(()),
    }
}

impl OciRuntime for RuncConmon {
    fn create(&self, req: &CreateRequest) -> Result<Created> {
        let id = &req.id;
        let bundle = &req.bundle;
        let config = bundle.join("config.json");
        if !config.is_file() {
            return Err(Error::InvalidSpec {
                field: "bundle".into(),
                reason: format!(
                    "{} does not exist; write the bundle first",
                    config.display()
                ),
            });
        }
        // A previous run's exit file would make the new process look exited.
        remove_if_exists(&self.exit_file(id))?;
        let log = req
            .log_path
            .clone()
            .unwrap_or_else(|| bundle.join("ctr.log"));
        if log.to_string_lossy().contains(':') {
            return Err(Error::InvalidSpec {
                field: "log_path".into(),
                reason: format!("{} contains ':', which conmon cannot parse", log.display()),
            });
        }
        let oci_log = bundle.join("oci-log");
        crate::generate::create_with_mode(&oci_log, crate::generate::PRIVATE_MODE)?;
        let conmon_pidfile = bundle.join("conmon.pid");
        remove_if_exists(&conmon_pidfile)?;
        remove_if_exists(&self.exit_file(id))?;
        remove_if_exists(&bundle.join("oom"))?;
        let args = ConmonArgs {
            cid: id.clone(),
            cuuid: id.clone(),
            name: (!req.name.is_empty()).then(|| req.name.clone()),
            runtime: self.config.runtime_path.clone(),
            runtime_args: self.conmon_runtime_args(&oci_log),
            bundle: bundle.clone(),
            container_pidfile: bundle.join("pidfile"),
            exit_dir: self.exit_dir(),
            log_path: match req.log_driver {
                LogDriver::K8sFile => format!("k8s-file:{}", log.display()),
                LogDriver::None => "none:".into(),
                LogDriver::Journald => "journald:".into(),
                LogDriver::Passthrough => "passthrough:".into(),
            },
            log_level: self.config.conmon_log_level.clone(),
            log_size_max: req.log_size_max.or(self.config.max_log_size),
            systemd_cgroup: self.config.cgroup_manager == CgroupManager::Systemd,
            terminal: req.tty,
            stdin: req.stdin && !req.tty,
            conmon_pidfile: Some(conmon_pidfile.clone()),
            no_pivot: self.config.no_pivot_root,
            exit_command: req.exit_command.clone(),
            exec_process_spec: None,
            timeout: req.timeout,
            runtime_opts: if req.preserve_fds > 0 {
                vec!["--preserve-fds".into(), req.preserve_fds.to_string()]
            } else {
                Vec::new()
            },
        };
        let spawned = conmon::spawn(
            &self.config.conmon_path,
            &args,
            &self.config.conmon_env_vars,
            bundle,
            &bundle.join("conmon.stderr"),
            false,
            conmon::Inherited {
                preserve: req.preserve_fds,
                held: &req.held_fds.raw(),
                stdio: req.log_driver == LogDriver::Passthrough,
            },
        )?;
        let msg = match conmon::read_message(&spawned.sync, SYNC_TIMEOUT)? {
            None => return Err(self.create_failed(id, &oci_log, None)),
            Some(bytes) => conmon::parse_sync(&bytes)?,
        };
        if msg.data <= 0 {
            return Err(self.create_failed(id, &oci_log, msg.message.as_deref()));
        }
        let conmon_pid = read_pid(&conmon_pidfile)?;
        Ok(Created {
            pid: msg.data as i32,
            conmon_pid,
        })
    }

    fn start(&self, id: &str) -> Result<()> {
        self.runc().run("start", id, &["start", id]).map(drop)
    }

    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        let sig = signal.to_string();
        let mut args = vec!["kill"];
        if all {
            args.push("--all");
        }
        args.extend([id, sig.as_str()]);
        self.runc().run("kill", id, &args).map(drop)
    }

    fn delete(&self, id: &str, force: bool) -> Result<()> {
        let args: &[&str] = if force {
            &["delete", "--force", id]
        } else {
            &["delete", id]
        };
        match self.runc().run("delete", id, args) {
            Err(Error::NoSuchContainer { .. }) if force => Ok(()),
            r => r.map(drop),
        }
    }

    fn state(&self, id: &str) -> Result<ContainerState> {
        self.runc().state(id)
    }

    fn pause(&self, id: &str) -> Result<()> {
        self.runc().run("pause", id, &["pause", id]).map(drop)
    }

    fn resume(&self, id: &str) -> Result<()> {
        self.runc().run("resume", id, &["resume", id]).map(drop)
    }

    fn update(&self, id: &str, resources: &crate::container_spec::Resources) -> Result<()> {
        let limits = crate::generate::resource_limits(resources)?;
        let json = serde_json::to_vec(&limits).map_err(|e| Error::Runtime {
            op: "update",
            id: id.to_owned(),
            class: crate::error::ExitCodeClass::Other,
            message: format!("encoding the resources: {e}"),
        })?;
        let path = self
            .config
            .tmp_dir
            .join(format!("update-{id}-{}.json", std::process::id()));
        std::fs::write(&path, json).map_err(|e| Error::io("write", &path, e))?;
        let res = self
            .runc()
            .run(
                "update",
                id,
                &["update", "--resources", &path.to_string_lossy(), id],
            )
            .map(drop);
        let _ = std::fs::remove_file(&path);
        res
    }

    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        let path = self.exit_file(id);
        match std::fs::read_to_string(&path) {
            Ok(t) => t.trim().parse().map(Some).map_err(|_| Error::Conmon {
                id: id.to_owned(),
                message: format!("exit file {} holds {t:?}", path.display()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("read exit file", path, e)),
        }
    }

    fn exec(&self, req: &ExecRequest, io: Option<AttachIo>) -> Result<ExecResult> {
        exec::exec(self, req, io)
    }

    fn attach(&self, _id: &str, bundle: &Path, io: AttachIo) -> Result<AttachHandle> {
        if let Some(size) = io.size {
            attach::resize(bundle, size)?;
        }
        let sock = attach::connect_socket(&bundle.join("attach"))?;
        Ok(attach::stream(sock, io))
    }

    fn resize(&self, _id: &str, bundle: &Path, size: WinSize) -> Result<()> {
        attach::resize(bundle, size)
    }

    fn remove_exit_file(&self, id: &str) -> Result<()> {
        remove_if_exists(&self.exit_file(id))
    }

    fn oom_killed(&self, _id: &str, bundle: &Path) -> Result<bool> {
        // conmon writes `oom` into its cwd, which is the bundle (see `create`).
        Ok(bundle.join("oom").exists())
    }
}

/// Fails with a clear error unless `path` is an executable regular file.
pub(crate) fn check_executable(what: &'static str, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|e| Error::BinaryNotUsable {
        what,
        path: path.to_owned(),
        reason: format!("{e}; install it or set the path in berth.conf"),
    })?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(Error::BinaryNotUsable {
            what,
            path: path.to_owned(),
            reason: "not an executable file".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt_with(conmon: &str, dir: &Path) -> RuncConmon {
        let mut cfg = RuncConmonConfig::new("/bin/true", conmon, dir.join("run"));
        cfg.runtime_root = Some(dir.join("root"));
        RuncConmon::new(cfg).unwrap()
    }

    fn bundle(dir: &Path) -> PathBuf {
        let b = dir.join("bundle");
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("config.json"), "{}").unwrap();
        b
    }

    #[test]
    fn a_failing_conmon_is_reported_with_its_status() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt_with("/bin/false", d.path());
        let req = CreateRequest {
            id: "c".into(),
            bundle: bundle(d.path()),
            ..CreateRequest::default()
        };
        let e = rt.create(&req).unwrap_err();
        assert!(matches!(e, Error::Conmon { .. }), "{e}");
        assert!(e.to_string().contains("exit status: 1"), "{e}");
    }

    #[test]
    fn a_silent_conmon_means_no_logs() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt_with("/bin/true", d.path());
        let req = CreateRequest {
            id: "c".into(),
            bundle: bundle(d.path()),
            ..CreateRequest::default()
        };
        let e = rt.create(&req).unwrap_err();
        assert!(e.to_string().contains("no logs from conmon"), "{e}");
        assert_eq!(e.runtime_class(), Some(ExitCodeClass::Other));
    }

    #[test]
    fn create_checks_the_bundle_and_log_path() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt_with("/bin/true", d.path());
        let req = CreateRequest {
            id: "c".into(),
            bundle: d.path().join("missing"),
            ..CreateRequest::default()
        };
        assert!(rt
            .create(&req)
            .unwrap_err()
            .to_string()
            .contains("config.json"));
        let req = CreateRequest {
            id: "c".into(),
            bundle: bundle(d.path()),
            log_path: Some("/tmp/a:b".into()),
            ..CreateRequest::default()
        };
        assert!(rt.create(&req).unwrap_err().to_string().contains("':'"));
    }

    #[test]
    fn exit_files_are_read_and_bad_ones_named() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt_with("/bin/true", d.path());
        assert_eq!(rt.exit_code("c").unwrap(), None);
        std::fs::write(rt.exit_file("c"), "137").unwrap();
        assert_eq!(rt.exit_code("c").unwrap(), Some(137));
        std::fs::write(rt.exit_file("c"), "junk").unwrap();
        assert!(rt.exit_code("c").unwrap_err().to_string().contains("junk"));
    }

    #[test]
    fn global_args_carry_root_and_systemd_flag() {
        let d = tempfile::tempdir().unwrap();
        let mut rt = rt_with("/bin/true", d.path());
        assert_eq!(
            rt.global_args(),
            [format!("--root={}", d.path().join("root").display())]
        );
        rt.config.cgroup_manager = CgroupManager::Systemd;
        assert!(rt.global_args().contains(&"--systemd-cgroup".to_owned()));
        rt.config.runtime_flags = vec!["--debug".into()];
        assert_eq!(rt.global_args().last().map(String::as_str), Some("--debug"));
        let args = rt.conmon_runtime_args(Path::new("/b/oci-log"));
        assert_eq!(args.last().map(String::as_str), Some("--debug"));
        let args = rt.conmon_runtime_args(Path::new("/b/oci-log"));
        assert!(
            args.contains(&"--log-format=json".to_owned())
                && args.contains(&"--log=/b/oci-log".to_owned())
        );
    }
}

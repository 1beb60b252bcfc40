//! Shared pieces of the system tests: a per-test environment (its own graph root, run root,
//! tmp dir, static dir, runc root, CNI config dir, bridge and subnet) that cleans up after
//! itself, and the busybox test image built from /bin/busybox.

#![allow(dead_code)]

pub mod settings;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use berth_runtime::{ContainerCreateOptions, ImportOptions, ListOptions, Runtime};
pub use settings::Settings;

/// Fails loudly when the test cannot run for real.
pub fn require_root_and_tools() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "berth-runtime system tests need root (they mount overlays, create netns and run runc)"
    );
    for bin in [
        "/usr/bin/runc",
        "/usr/bin/conmon",
        berth_testsupport::busybox::BUSYBOX,
        "/usr/bin/catatonit",
        "/usr/lib/cni/bridge",
    ] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing: install it (`cargo xtask deps`)"
        );
    }
}

/// `ps -a`: every container, whatever its state.
pub const PS_ALL: ListOptions = ListOptions {
    all: true,
    pod: None,
};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// One test's world.
pub struct TestEnv {
    pub settings: Settings,
    _dir: tempfile::TempDir,
}

pub fn helper_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_berth-runtime-helper"))
}

impl TestEnv {
    /// A fresh environment; `with_exit_command` makes conmon run the helper's cleanup.
    pub fn new(with_exit_command: bool) -> TestEnv {
        require_root_and_tools();
        let dir = tempfile::Builder::new()
            .prefix("brt")
            .tempdir_in("/tmp")
            .unwrap();
        // Unique per process and test: bridge names <= 15 chars, subnets in 10.240-255.x.0/24.
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let tag = (pid.wrapping_mul(16).wrapping_add(n)) % 4096;
        let root = dir.path().to_path_buf();
        let settings = Settings {
            root: root.clone(),
            namespace: String::new(),
            bridge: format!("brt{tag:x}"),
            subnet: format!("10.{}.{}.0/24", 240 + (tag >> 8), tag % 256),
            network: format!("brtnet{tag:x}"),
            exit_command: with_exit_command.then(|| {
                vec![
                    helper_path().to_string_lossy().into_owned(),
                    Settings::file(&root).to_string_lossy().into_owned(),
                    "cleanup".to_string(),
                ]
            }),
        };
        settings.save();
        TestEnv {
            settings,
            _dir: dir,
        }
    }

    pub fn root(&self) -> &Path {
        &self.settings.root
    }

    pub fn runtime(&self) -> Runtime {
        self.settings
            .builder()
            .build()
            .expect("building the runtime")
    }

    pub fn runtime_in(&self, namespace: &str) -> Runtime {
        let mut s = self.settings.clone();
        s.namespace = namespace.to_string();
        s.builder().build().expect("building the runtime")
    }

    /// Runs the helper binary with these settings.
    pub fn helper(&self, args: &[&str]) -> Command {
        let mut c = Command::new(helper_path());
        c.arg(Settings::file(self.root())).args(args);
        c
    }

    /// Starts `n` helper processes at once (the i-th with `args(i)`), waits for all and
    /// panics with the output of any that failed; returns their outputs in order.
    pub fn helpers_at_once(&self, n: usize, args: impl Fn(usize) -> Vec<String>) -> Vec<Output> {
        let children: Vec<_> = (0..n)
            .map(|i| {
                let args = args(i);
                let argv: Vec<&str> = args.iter().map(String::as_str).collect();
                let child = self
                    .helper(&argv)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawning the helper");
                (args, child)
            })
            .collect();
        children
            .into_iter()
            .map(|(args, c)| {
                let o = c.wait_with_output().unwrap();
                assert!(
                    o.status.success(),
                    "helper {args:?} failed: {}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                );
                o
            })
            .collect()
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        // Remove every container and pod of every namespace, then undo whatever is left.
        if let Ok(rt) = self.settings.builder().namespace("").build() {
            for c in rt
                .list_containers(&berth_runtime::ListOptions::default())
                .unwrap_or_default()
            {
                let _ =
                    rt.stop_container(&c.config.id, Some(std::time::Duration::from_millis(300)));
            }
            for p in rt.list_pods().unwrap_or_default() {
                let _ = rt.remove_pod(&p.config.id, true);
            }
            for c in rt.list_containers(&PS_ALL).unwrap_or_default() {
                let _ = rt.remove_container(&c.config.id, true, false);
            }
            let _ = rt.shutdown(true);
        }
        unmount_below(self.root());
        let _ = Command::new("ip")
            .args(["link", "del", &self.settings.bridge])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Lazily unmounts every mount below `dir`, deepest first: berth-config's one mount-table
/// walk; clean-up goes on when a mount cannot be detached.
pub fn unmount_below(dir: &Path) {
    let _ = berth_config::unmount_under(dir);
}

/// Imports the busybox image (as `busybox`) through the runtime's storage.
pub fn import_busybox(rt: &Runtime) {
    let tar = berth_testsupport::busybox::rootfs_tar();
    rt.import_image(
        &mut tar.as_slice(),
        &ImportOptions {
            names: vec!["busybox".into()],
            cmd: Some(vec!["sh".into()]),
            entrypoint: None,
            env: vec!["PATH=/usr/sbin:/usr/bin:/sbin:/bin".into()],
            working_dir: None,
            message: None,
            ..Default::default()
        },
    )
    .expect("importing the busybox image");
}

/// Creates and starts a container; its id.
pub fn create_and_start(rt: &Runtime, o: &ContainerCreateOptions) -> String {
    let id = rt
        .create_container(o)
        .expect("creating the container")
        .config
        .id;
    rt.start_container(&id).expect("starting the container");
    id
}

/// Panics unless `rt` has no containers at all (running or not).
pub fn assert_no_containers(rt: &Runtime) {
    let left = rt.list_containers(&PS_ALL).unwrap();
    assert!(left.is_empty(), "containers left: {left:?}");
}

pub fn sleeper(name: &str) -> ContainerCreateOptions {
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "600"]);
    o.name = Some(name.into());
    o
}

//! Shared pieces of the system tests: a per-test environment (its own graph root, run root,
//! tmp dir, static dir, runc root, CNI config dir, bridge and subnet) that cleans up after
//! itself, and the busybox test image built from /bin/busybox.

#![allow(dead_code)]

pub mod settings;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use berth_runtime::{ContainerCreateOptions, ImportOptions, Runtime};
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
        "/bin/busybox",
        "/usr/bin/catatonit",
        "/usr/lib/cni/bridge",
    ] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is missing: install it (`cargo xtask deps`)"
        );
    }
}

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
            for c in rt
                .list_containers(&berth_runtime::ListOptions {
                    all: true,
                    pod: None,
                })
                .unwrap_or_default()
            {
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

/// Lazily unmounts every mount below `dir`, deepest first.
pub fn unmount_below(dir: &Path) {
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<String> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| Path::new(p).starts_with(dir))
        .map(str::to_string)
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let _ = nix::mount::umount2(p.as_str(), nix::mount::MntFlags::MNT_DETACH);
    }
}

/// The busybox test image's root filesystem as a tar (the layout of `cargo xtask testimage`).
pub fn busybox_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let dir = |b: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(mode);
        h.set_size(0);
        h.set_mtime(0);
        b.append_data(&mut h, format!("{path}/"), std::io::empty())
            .unwrap();
    };
    let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(mode);
        h.set_size(data.len() as u64);
        h.set_mtime(0);
        b.append_data(&mut h, path, data).unwrap();
    };
    for d in [
        "bin", "etc", "root", "proc", "sys", "dev", "run", "var", "var/www",
    ] {
        dir(&mut b, d, if d == "root" { 0o700 } else { 0o755 });
    }
    dir(&mut b, "tmp", 0o1777);
    let busybox = std::fs::read("/bin/busybox").expect("/bin/busybox (busybox-static)");
    file(&mut b, "bin/busybox", 0o755, &busybox);
    let list = Command::new("/bin/busybox").arg("--list").output().unwrap();
    for applet in String::from_utf8_lossy(&list.stdout).lines() {
        let applet = applet.trim();
        if applet.is_empty() || applet == "busybox" {
            continue;
        }
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_mode(0o777);
        h.set_size(0);
        h.set_mtime(0);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    file(
        &mut b,
        "etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    );
    file(&mut b, "etc/group", 0o644, b"root:x:0:\nnogroup:x:65534:\n");
    file(&mut b, "etc/hosts", 0o644, b"127.0.0.1 localhost\n");
    file(
        &mut b,
        "var/www/index.html",
        0o644,
        b"<h1>hello from berth</h1>\n",
    );
    b.into_inner().unwrap()
}

/// Imports the busybox image (as `busybox`) through the runtime's storage.
pub fn import_busybox(rt: &Runtime) {
    let tar = busybox_tar();
    rt.import_image(
        &mut tar.as_slice(),
        &ImportOptions {
            names: vec!["busybox".into()],
            cmd: Some(vec!["sh".into()]),
            entrypoint: None,
            env: vec!["PATH=/usr/sbin:/usr/bin:/sbin:/bin".into()],
            working_dir: None,
            message: None,
        },
    )
    .expect("importing the busybox image");
}

pub fn sleeper(name: &str) -> ContainerCreateOptions {
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "600"]);
    o.name = Some(name.into());
    o
}

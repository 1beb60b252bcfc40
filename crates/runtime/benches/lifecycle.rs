//! Benchmarks with the real layers (needs root, runc, conmon, CNI plugins):
//! create, start, stop and remove of 100 containers through the runtime API, and `list`
//! with 1,000 containers. Run: `cargo bench -p berth-runtime` (as root).

#[path = "../tests/common/settings.rs"]
mod settings;

use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use berth_runtime::{ContainerCreateOptions, ImportOptions, ListOptions, Runtime};
use divan::Bencher;

fn main() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the berth-runtime benchmarks need root (real runc, conmon, overlay, CNI)"
    );
    divan::main();
    if let Some(w) = WORLD.get() {
        w.teardown();
    }
}

struct World {
    rt: Runtime,
    dir: std::path::PathBuf,
    bridge: String,
    configured: Mutex<VecDeque<String>>,
    running: Mutex<VecDeque<String>>,
    stopped: Mutex<VecDeque<String>>,
}

static WORLD: OnceLock<World> = OnceLock::new();

fn busybox_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (d, mode) in [
        ("bin", 0o755),
        ("etc", 0o755),
        ("proc", 0o755),
        ("sys", 0o755),
        ("dev", 0o755),
        ("tmp", 0o1777),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(mode);
        h.set_size(0);
        b.append_data(&mut h, format!("{d}/"), std::io::empty())
            .unwrap();
    }
    let bb = std::fs::read("/bin/busybox").expect("/bin/busybox (busybox-static)");
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o755);
    h.set_size(bb.len() as u64);
    b.append_data(&mut h, "bin/busybox", bb.as_slice()).unwrap();
    for applet in ["sh", "sleep", "true"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    let passwd = b"root:x:0:0:root:/root:/bin/sh\n";
    let mut h = tar::Header::new_gnu();
    h.set_mode(0o644);
    h.set_size(passwd.len() as u64);
    b.append_data(&mut h, "etc/passwd", &passwd[..]).unwrap();
    b.into_inner().unwrap()
}

fn world() -> &'static World {
    WORLD.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("brtbench")
            .tempdir_in("/tmp")
            .unwrap()
            .keep();
        let bridge = format!("brtb{:x}", std::process::id() % 0xffff);
        let s = settings::Settings {
            root: dir.clone(),
            namespace: String::new(),
            bridge: bridge.clone(),
            subnet: format!("10.239.{}.0/24", std::process::id() % 250),
            network: "brtbench".into(),
            exit_command: None,
        };
        s.save();
        let rt = s.builder().build().expect("building the runtime");
        let tar = busybox_tar();
        rt.import_image(
            &mut tar.as_slice(),
            &ImportOptions {
                names: vec!["busybox".into()],
                cmd: None,
                entrypoint: None,
                env: vec!["PATH=/bin".into()],
                working_dir: None,
                message: None,
                ..Default::default()
            },
        )
        .unwrap();
        World {
            rt,
            dir,
            bridge,
            configured: Mutex::default(),
            running: Mutex::default(),
            stopped: Mutex::default(),
        }
    })
}

impl World {
    /// A container that exits promptly on SIGTERM.
    fn options() -> ContainerCreateOptions {
        ContainerCreateOptions::new(
            "busybox",
            &["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"],
        )
    }

    fn take(q: &Mutex<VecDeque<String>>, make: impl FnOnce() -> String) -> String {
        let next = q.lock().unwrap().pop_front();
        next.unwrap_or_else(make)
    }

    fn configured(&self) -> String {
        Self::take(&self.configured, || {
            self.rt
                .create_container(&Self::options())
                .unwrap()
                .config
                .id
        })
    }

    fn running(&self) -> String {
        Self::take(&self.running, || {
            let id = self.configured();
            self.rt.start_container(&id).unwrap();
            id
        })
    }

    fn stopped(&self) -> String {
        Self::take(&self.stopped, || {
            let id = self.running();
            self.rt
                .stop_container(&id, Some(Duration::from_secs(5)))
                .unwrap();
            id
        })
    }

    fn teardown(&self) {
        for c in self
            .rt
            .list_containers(&ListOptions {
                all: true,
                pod: None,
            })
            .unwrap_or_default()
        {
            let _ = self.rt.remove_container(&c.config.id, true, false);
        }
        let _ = self.rt.shutdown(true);
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &self.bridge])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn a_create(b: Bencher) {
    let w = world();
    b.bench_local(|| {
        let id = w.rt.create_container(&World::options()).unwrap().config.id;
        w.configured.lock().unwrap().push_back(id);
    });
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn b_start(b: Bencher) {
    let w = world();
    b.with_inputs(|| w.configured()).bench_local_values(|id| {
        w.rt.start_container(&id).unwrap();
        w.running.lock().unwrap().push_back(id);
    });
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn c_stop(b: Bencher) {
    let w = world();
    b.with_inputs(|| w.running()).bench_local_values(|id| {
        w.rt.stop_container(&id, Some(Duration::from_secs(5)))
            .unwrap();
        w.stopped.lock().unwrap().push_back(id);
    });
}

#[divan::bench(sample_count = 100, sample_size = 1)]
fn d_remove(b: Bencher) {
    let w = world();
    b.with_inputs(|| w.stopped()).bench_local_values(|id| {
        w.rt.remove_container(&id, false, false).unwrap();
    });
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn e_list_1000(b: Bencher) {
    let w = world();
    let have =
        w.rt.list_containers(&ListOptions {
            all: true,
            pod: None,
        })
        .unwrap()
        .len();
    for _ in have..1000 {
        let id = w.rt.create_container(&World::options()).unwrap().config.id;
        w.configured.lock().unwrap().push_back(id);
    }
    b.bench_local(|| {
        let n =
            w.rt.list_containers(&ListOptions {
                all: true,
                pod: None,
            })
            .unwrap()
            .len();
        assert!(n >= 1000);
    });
}

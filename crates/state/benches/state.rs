//! Benchmarks of the state backends: `cargo bench -p berth-state`.
//!
//! The measured databases live in a temp dir under the system temp dir (the
//! same disk as /var/lib on the test machine); every commit is durable
//! (fsync), as in real use.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use berth_state::{ContainerConfig, ContainerState, MemoryState, RedbState, State};
use divan::Bencher;

fn main() {
    divan::main();
}

fn id(tag: u32, n: u64) -> String {
    format!("{tag:08x}{n:016x}{}", "0".repeat(40))
}

fn config(tag: u32, n: u64) -> ContainerConfig {
    ContainerConfig {
        id: id(tag, n),
        name: format!("c{tag}-{n}"),
        image_name: "docker.io/library/busybox:latest".into(),
        command: vec!["sleep".into(), "infinity".into()],
        env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
        networks: vec!["berth".into()],
        ..ContainerConfig::default()
    }
}

/// A database holding `n` containers, built once per run and kept for the
/// whole run.
fn fixture(n: u64) -> PathBuf {
    static DIRS: OnceLock<std::sync::Mutex<Vec<(u64, tempfile::TempDir)>>> = OnceLock::new();
    let dirs = DIRS.get_or_init(Default::default);
    let mut dirs = dirs.lock().unwrap();
    if let Some((_, dir)) = dirs.iter().find(|(k, _)| *k == n) {
        return dir.path().to_path_buf();
    }
    // Filled on tmpfs when there is one (10,000 durable commits on a slow
    // disk take minutes), then copied to the disk where it is measured.
    let scratch = if Path::new("/dev/shm").is_dir() {
        tempfile::tempdir_in("/dev/shm").unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let state = RedbState::open(scratch.path(), "").unwrap();
    for i in 0..n {
        state
            .add_container(&config(1, i), &ContainerState::default())
            .unwrap();
    }
    state.close().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        scratch.path().join(RedbState::FILE_NAME),
        dir.path().join(RedbState::FILE_NAME),
    )
    .unwrap();
    let path = dir.path().to_path_buf();
    dirs.push((n, dir));
    path
}

/// Open the database, read one container by id, close: what every short
/// `berth` command pays.
#[divan::bench(args = [1_000, 10_000], sample_count = 30)]
fn redb_open_read_one_close(bencher: Bencher, n: u64) {
    let dir = fixture(n);
    let wanted = id(1, n / 2);
    bencher.bench(|| {
        let state = RedbState::open(&dir, "").unwrap();
        let rec = state.container(&wanted).unwrap();
        state.close().unwrap();
        rec
    });
}

/// The same through a read-only handle, which writes nothing to the file.
#[divan::bench(args = [1_000, 10_000], sample_count = 30)]
fn redb_read_only_open_read_one_close(bencher: Bencher, n: u64) {
    let dir = fixture(n);
    let wanted = id(1, n / 2);
    bencher.bench(|| {
        let state = RedbState::open_read_only(&dir, "").unwrap();
        let rec = state.container(&wanted).unwrap();
        state.close().unwrap();
        rec
    });
}

/// List every container (`berth ps -a`) of a database of 1,000.
#[divan::bench(sample_count = 30)]
fn redb_list_all_1000(bencher: Bencher) {
    let state = RedbState::open(&fixture(1_000), "").unwrap();
    bencher.bench(|| state.all_containers().unwrap().len());
}

/// Add one container and remove it again (two durable commits), one process.
#[divan::bench(sample_count = 30)]
fn redb_add_remove_one_process(bencher: Bencher) {
    let state = RedbState::open(&fixture(1_000), "").unwrap();
    let mut n = 0;
    bencher.bench_local(|| {
        n += 1;
        let c = config(7, n);
        state.add_container(&c, &ContainerState::default()).unwrap();
        state.remove_container(&c.id).unwrap();
    });
}

/// 4 writers, each with its own database handle, each adding and removing
/// 25 containers at the same time (100 add+remove pairs per sample).
#[divan::bench(sample_count = 10)]
fn redb_add_remove_4_writers_100_pairs(bencher: Bencher) {
    let dir = fixture(1_000);
    let mut round = 0;
    bencher.bench_local(|| {
        round += 1;
        run_writers(&dir, 4, 25, round);
    });
}

/// 4 processes (the test helper `berth-state-stress worker`), each opening
/// the database, adding 50 containers and removing 25 of them: 300 write
/// transactions in all per sample, plus 4 opens and closes.
#[divan::bench(sample_count = 5)]
fn redb_4_processes_300_writes(bencher: Bencher) {
    let dir = fixture(1_000);
    let mut round = 0;
    bencher.bench_local(|| {
        round += 1;
        let children: Vec<_> = (0..4)
            .map(|k| {
                std::process::Command::new(env!("CARGO_BIN_EXE_berth-state-stress"))
                    .arg("worker")
                    .arg(&dir)
                    .args([
                        (1_000_000 + round * 4 + k).to_string(),
                        "50".into(),
                        "0".into(),
                        "0".into(),
                    ])
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success());
        }
    });
}

fn run_writers(dir: &Path, writers: u32, each: u64, round: u64) {
    std::thread::scope(|scope| {
        for w in 0..writers {
            scope.spawn(move || {
                let state = RedbState::open(dir, "").unwrap();
                for i in 0..each {
                    let c = config(100 + w, round * 1_000_000 + i);
                    state.add_container(&c, &ContainerState::default()).unwrap();
                    state.remove_container(&c.id).unwrap();
                }
                state.close().unwrap();
            });
        }
    });
}

/// For comparison: the in-memory state, 1,000 containers, list all.
#[divan::bench(sample_count = 30)]
fn memory_list_all_1000(bencher: Bencher) {
    let state = MemoryState::new();
    for i in 0..1_000 {
        state
            .add_container(&config(1, i), &ContainerState::default())
            .unwrap();
    }
    bencher.bench(|| state.all_containers().unwrap().len());
}

//! `RedbState` shared by several processes, and killed mid-write.
//!
//! Both tests spawn the crate's test helper binary `berth-state-stress`.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use berth_state::{ContainerStatus, RedbState, State};

const HELPER: &str = env!("CARGO_BIN_EXE_berth-state-stress");

/// A temp dir on tmpfs when there is one. What these tests check (locking
/// between processes, and what a SIGKILLed process leaves behind, which
/// lives in the page cache either way) does not depend on the disk, and
/// every commit's fsync on a slow disk would make them take minutes; the
/// benchmarks measure the disk.
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

fn make_id(tag: u32, a: u64, b: u64) -> String {
    format!("{tag:08x}{a:016x}{b:016x}{:024x}", 0)
}

#[test]
fn four_processes_add_remove_and_race_for_names() {
    const WORKERS: u64 = 4;
    const COUNT: u64 = 200;
    const RACES: u64 = 50;
    let dir = scratch_dir();
    // create the database first so the workers measure sharing, not creation
    RedbState::open(dir.path(), "").unwrap().close().unwrap();
    // a handle opened before the workers start must see their commits
    let observer = RedbState::open(dir.path(), "").unwrap();
    assert!(observer.all_containers().unwrap().is_empty());
    let start_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 300;
    let children: Vec<_> = (0..WORKERS)
        .map(|w| {
            Command::new(HELPER)
                .arg("worker")
                .arg(dir.path())
                .args([
                    w.to_string(),
                    COUNT.to_string(),
                    RACES.to_string(),
                    start_at.to_string(),
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {HELPER}: {e}"))
        })
        .collect();
    let mut winners: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    let mut losers: BTreeMap<String, u64> = BTreeMap::new();
    for (w, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("error")).collect();
        assert!(
            out.status.success() && errors.is_empty(),
            "worker {w} failed ({}): {errors:?}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        for line in stdout.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["won", name, id] => winners
                    .entry((*name).to_string())
                    .or_default()
                    .push((w as u64, (*id).to_string())),
                ["lost", name] => *losers.entry((*name).to_string()).or_default() += 1,
                _ => panic!("unexpected line from worker {w}: {line}"),
            }
        }
    }

    let state = RedbState::open(dir.path(), "").unwrap();
    let all = state.all_containers().unwrap();
    let by_name: BTreeMap<&str, &str> = all
        .iter()
        .map(|r| (r.config.name.as_str(), r.config.id.as_str()))
        .collect();
    assert_eq!(by_name.len(), all.len(), "a name is duplicated");
    let expected = WORKERS * COUNT / 2 + RACES;
    assert_eq!(all.len() as u64, expected);
    for w in 0..WORKERS {
        for i in 0..COUNT {
            let name = format!("w{w}-{i}");
            if i % 2 == 1 {
                assert_eq!(
                    by_name.get(name.as_str()),
                    Some(&&*make_id(1, w, i)),
                    "{name}"
                );
            } else {
                assert!(
                    !by_name.contains_key(name.as_str()),
                    "{name} was not removed"
                );
            }
        }
    }
    for k in 0..RACES {
        let name = format!("race-{k}");
        let won = winners.get(&name).cloned().unwrap_or_default();
        assert_eq!(won.len(), 1, "{name} won by {won:?}");
        assert_eq!(losers.get(&name), Some(&(WORKERS - 1)), "{name}");
        assert_eq!(by_name.get(name.as_str()), Some(&won[0].1.as_str()));
    }
    assert_eq!(observer.all_containers().unwrap(), all);
    observer.close().unwrap();
    state.close().unwrap();
}

/// The state a log of committed operations describes.
#[derive(Debug, Default, Clone, PartialEq)]
struct Model {
    /// id -> (name, pod, status, pid)
    containers: BTreeMap<String, (String, Option<String>, ContainerStatus, u32)>,
    /// id -> name
    pods: BTreeMap<String, String>,
}

impl Model {
    fn apply(&mut self, op: &serde_json::Value) {
        let s = |k: &str| op[k].as_str().unwrap_or_default().to_string();
        match op["op"].as_str().unwrap() {
            "add_container" => {
                let pod = op["pod"].as_str().map(ToString::to_string);
                self.containers
                    .insert(s("id"), (s("name"), pod, ContainerStatus::Configured, 0));
            }
            "remove_container" => {
                self.containers.remove(&s("id"));
            }
            "save_container_state" => {
                let c = self
                    .containers
                    .get_mut(&s("id"))
                    .expect("saved container exists");
                c.2 = serde_json::from_value(op["status"].clone()).unwrap();
                c.3 = op["pid"].as_u64().unwrap() as u32;
            }
            "add_pod" => {
                self.pods.insert(s("id"), s("name"));
            }
            "remove_pod" => {
                self.pods.remove(&s("id"));
            }
            other => panic!("unknown op {other}"),
        }
    }

    fn read(state: &RedbState) -> Model {
        Model {
            containers: state
                .all_containers()
                .unwrap()
                .into_iter()
                .map(|r| {
                    (
                        r.config.id,
                        (r.config.name, r.config.pod_id, r.state.status, r.state.pid),
                    )
                })
                .collect(),
            pods: state
                .all_pods()
                .unwrap()
                .into_iter()
                .map(|p| (p.config.id, p.config.name))
                .collect(),
        }
    }
}

/// Replay the log: the committed model, plus the op in flight (an intent
/// without an outcome), if any. A torn last line is cut off.
fn replay(log: &Path) -> (Model, Option<(u64, serde_json::Value)>) {
    let mut text = std::fs::read_to_string(log).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        let keep = text.rfind('\n').map_or(0, |i| i + 1);
        text.truncate(keep);
        std::fs::write(log, &text).unwrap();
    }
    let mut model = Model::default();
    let mut pending: Option<(u64, serde_json::Value)> = None;
    for line in text.lines() {
        let (kind, rest) = line.split_once(' ').unwrap();
        match kind {
            "intent" => {
                assert!(pending.is_none(), "two intents in a row in the log");
                let op: serde_json::Value = serde_json::from_str(rest).unwrap();
                pending = Some((op["seq"].as_u64().unwrap(), op));
            }
            "done" | "refused" | "aborted" => {
                let seq: u64 = rest.parse().unwrap();
                let (want, op) = pending.take().expect("an outcome without an intent");
                assert_eq!(seq, want);
                if kind == "done" {
                    model.apply(&op);
                }
            }
            other => panic!("bad log line kind {other}"),
        }
    }
    (model, pending)
}

#[test]
fn sigkill_at_random_points_loses_no_committed_operation() {
    const ROUNDS: u64 = 50;
    let dir = scratch_dir();
    let db_dir = dir.path().join("static");
    let log = dir.path().join("ops.log");
    let seed0 = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed0}");
    let mut rng = seed0 | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut in_flight_seen = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(HELPER)
            .arg("crash-writer")
            .arg(&db_dir)
            .arg(&log)
            .arg((seed0.wrapping_add(round) % (1 << 40)).to_string())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {HELPER}: {e}"));
        let delay = Duration::from_millis(20 + next() % 250);
        let deadline = Instant::now() + delay;
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("round {round}: the writer exited by itself ({status}): {err}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        // half the checks through a read-only handle, whose open must first
        // repair the file read-write when the kill left it needing that
        let reopened = if round % 2 == 0 {
            RedbState::open_read_only(&db_dir, "")
        } else {
            RedbState::open(&db_dir, "")
        };
        let state =
            reopened.unwrap_or_else(|e| panic!("round {round}: reopen after SIGKILL failed: {e}"));
        let actual = Model::read(&state);
        let (committed, pending) = replay(&log);
        let outcome = match pending {
            None => None,
            Some((seq, op)) => {
                in_flight_seen += 1;
                let mut with = committed.clone();
                with.apply(&op);
                if actual == with {
                    Some(format!("done {seq}\n"))
                } else {
                    Some(format!("aborted {seq}\n"))
                }
            }
        };
        if outcome.as_deref().is_none_or(|o| o.starts_with("aborted")) {
            assert_eq!(
                actual, committed,
                "round {round}: the database differs from the committed operations (seed {seed0})"
            );
        }
        if let Some(o) = outcome {
            use std::io::Write as _;
            let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
            f.write_all(o.as_bytes()).unwrap();
        }
        state.close().unwrap();
    }
    let (model, _) = replay(&log);
    eprintln!(
        "crash test: {ROUNDS} kills, {} containers and {} pods at the end, {in_flight_seen} kills with an operation in flight",
        model.containers.len(),
        model.pods.len()
    );
}

//! Test helper of berth-state, not a user tool: the multi-process and crash
//! tests (`tests/multiprocess.rs`) spawn it. It only touches the directory
//! and log file it is given.
//!
//! ```text
//! berth-state-stress worker DIR WORKER COUNT RACES START_AT_MS
//!     add COUNT containers named w<WORKER>-<i>, removing every even one
//!     right after the next add, and race for the names race-0..race-<RACES-1>;
//!     prints "won NAME ID" / "lost NAME" / "error OP MESSAGE" lines.
//! berth-state-stress crash-writer DIR LOG SEED
//!     apply random operations forever; before each writes
//!     "intent <json>" and after its commit returns "done <seq>" to LOG,
//!     each line fsync'd. Meant to be killed with SIGKILL.
//! berth-state-stress open DIR
//!     open the database and print how many containers and pods it holds.
//! ```

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use berth_state::{
    ContainerConfig, ContainerState, ContainerStatus, PodConfig, PodState, RedbState, State,
    StateError,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("worker") if args.len() == 6 => worker(&args[1..]),
        Some("crash-writer") if args.len() == 4 => crash_writer(&args[1..]),
        Some("open") if args.len() == 2 => open(&args[1]),
        _ => Err("usage: berth-state-stress worker DIR WORKER COUNT RACES START_AT_MS | crash-writer DIR LOG SEED".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("berth-state-stress: {e}");
            ExitCode::FAILURE
        }
    }
}

fn open(dir: &str) -> Result<(), String> {
    let state = RedbState::open(Path::new(dir), "").map_err(|e| e.to_string())?;
    let containers = state.all_containers().map_err(|e| e.to_string())?.len();
    let pods = state.all_pods().map_err(|e| e.to_string())?.len();
    println!("{containers} containers, {pods} pods");
    state.close().map_err(|e| e.to_string())
}

fn num<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{what} must be a number, not {s:?}"))
}

/// A 64-hex id from a tag and two numbers.
fn make_id(tag: u32, a: u64, b: u64) -> String {
    format!("{tag:08x}{a:016x}{b:016x}{:024x}", 0)
}

fn worker(args: &[String]) -> Result<(), String> {
    let dir = Path::new(&args[0]);
    let me: u64 = num(&args[1], "WORKER")?;
    let count: u64 = num(&args[2], "COUNT")?;
    let races: u64 = num(&args[3], "RACES")?;
    let start_at: u64 = num(&args[4], "START_AT_MS")?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_millis() as u64;
    if start_at > now {
        std::thread::sleep(Duration::from_millis(start_at - now));
    }
    let state = RedbState::open(dir, "").map_err(|e| format!("open: {e}"))?;
    let mut out = std::io::stdout().lock();
    let mut errors = 0;
    let mut report = |out: &mut dyn std::io::Write, op: &str, e: &StateError| {
        errors += 1;
        let _ = writeln!(out, "error {op} {e}");
    };
    for i in 0..count {
        let c = ContainerConfig {
            id: make_id(1, me, i),
            name: format!("w{me}-{i}"),
            ..ContainerConfig::default()
        };
        if let Err(e) = state.add_container(&c, &ContainerState::default()) {
            report(&mut out, "add", &e);
        }
        if i % 2 == 1 {
            if let Err(e) = state.remove_container(&make_id(1, me, i - 1)) {
                report(&mut out, "remove", &e);
            }
        }
        if i % 4 == 0 && i / 4 < races {
            let k = i / 4;
            let name = format!("race-{k}");
            let c = ContainerConfig {
                id: make_id(2, me, k),
                name: name.clone(),
                ..ContainerConfig::default()
            };
            match state.add_container(&c, &ContainerState::default()) {
                Ok(()) => {
                    let _ = writeln!(out, "won {name} {}", c.id);
                }
                Err(e) if e.is_name_in_use() => {
                    let _ = writeln!(out, "lost {name}");
                }
                Err(e) => report(&mut out, "race", &e),
            }
        }
    }
    state.close().map_err(|e| format!("close: {e}"))?;
    if errors > 0 {
        return Err(format!("{errors} operations failed"));
    }
    Ok(())
}

/// xorshift64*: enough randomness for a test, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn crash_writer(args: &[String]) -> Result<(), String> {
    let dir = Path::new(&args[0]);
    let log_path = Path::new(&args[1]);
    let seed: u64 = num(&args[2], "SEED")?;
    let mut rng = Rng(seed | 1);
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .map_err(|e| format!("open {}: {e}", log_path.display()))?;
    let mut line = |text: String| -> Result<(), String> {
        log.write_all(format!("{text}\n").as_bytes())
            .and_then(|()| log.sync_data())
            .map_err(|e| format!("write {}: {e}", log_path.display()))
    };
    let state = RedbState::open(dir, "").map_err(|e| format!("open: {e}"))?;
    for n in 0u64.. {
        let seq = seed.wrapping_mul(1_000_003).wrapping_add(n);
        let containers = state.all_containers().map_err(|e| e.to_string())?;
        let pods = state.all_pods().map_err(|e| e.to_string())?;
        let pick = rng.below(100);
        let op = if pick < 40 || containers.is_empty() {
            let pod_id = if !pods.is_empty() && rng.below(3) == 0 {
                Some(
                    pods[rng.below(pods.len() as u64) as usize]
                        .config
                        .id
                        .clone(),
                )
            } else {
                None
            };
            serde_json::json!({"seq": seq, "op": "add_container",
                "id": make_id(3, seed, n), "name": format!("c-{seed:x}-{n}"), "pod": pod_id})
        } else if pick < 65 || (pick >= 90 && pods.is_empty()) {
            let c = &containers[rng.below(containers.len() as u64) as usize];
            serde_json::json!({"seq": seq, "op": "remove_container", "id": c.config.id})
        } else if pick < 85 {
            let c = &containers[rng.below(containers.len() as u64) as usize];
            let status = ContainerStatus::ALL[rng.below(6) as usize];
            serde_json::json!({"seq": seq, "op": "save_container_state", "id": c.config.id,
                "status": status, "pid": rng.below(100_000)})
        } else if pick < 90 || pods.len() < 2 {
            serde_json::json!({"seq": seq, "op": "add_pod",
                "id": make_id(4, seed, n), "name": format!("p-{seed:x}-{n}")})
        } else {
            let p = &pods[rng.below(pods.len() as u64) as usize];
            serde_json::json!({"seq": seq, "op": "remove_pod", "id": p.config.id})
        };
        line(format!("intent {op}"))?;
        let s = |key: &str| op[key].as_str().unwrap_or_default().to_string();
        let result = match s("op").as_str() {
            "add_container" => state.add_container(
                &ContainerConfig {
                    id: s("id"),
                    name: s("name"),
                    pod_id: op["pod"].as_str().map(ToString::to_string),
                    ..ContainerConfig::default()
                },
                &ContainerState::default(),
            ),
            "remove_container" => state.remove_container(&s("id")),
            "save_container_state" => state.save_container_state(
                &s("id"),
                &ContainerState {
                    status: serde_json::from_value(op["status"].clone())
                        .map_err(|e| e.to_string())?,
                    pid: op["pid"].as_u64().unwrap_or_default() as u32,
                    ..ContainerState::default()
                },
            ),
            "add_pod" => state.add_pod(
                &PodConfig {
                    id: s("id"),
                    name: s("name"),
                    ..PodConfig::default()
                },
                &PodState::default(),
            ),
            _ => state.remove_pod(&s("id")),
        };
        match result {
            Ok(()) => line(format!("done {seq}"))?,
            // a pod with containers: refused, nothing changed
            Err(StateError::PodHasContainers { .. }) => line(format!("refused {seq}"))?,
            Err(e) => return Err(format!("{op}: {e}")),
        }
    }
    Ok(())
}

//! The reliability suite, load part: 8 threads looping `run --rm`,
//! `create`+`rm` and `ps -a --format json` for `BERTH_LOAD_SECS` (default
//! 120) with zero failed commands and zero leftovers; then 200 containers
//! on the default bridge created, started and removed concurrently with
//! IPAM, veths and iptables empty afterwards. Figures go to stderr
//! (`cargo test --test reliability_load -- --nocapture`).

mod common;

use common::leftovers::{self, Kind};
use common::{Berth, IMG};
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const THREADS: usize = 8;

fn load_secs() -> u64 {
    std::env::var("BERTH_LOAD_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120)
}

/// One failed command: what ran, its exit code and output.
#[derive(Debug)]
struct Failure {
    args: Vec<String>,
    code: i32,
    out: String,
    err: String,
}

/// Counts and timings of one kind of command.
#[derive(Debug, Default, Clone)]
struct Tally {
    n: u64,
    total: Duration,
    max: Duration,
}

impl Tally {
    fn add(&mut self, d: Duration) {
        self.n += 1;
        self.total += d;
        self.max = self.max.max(d);
    }

    fn line(&self, what: &str) -> String {
        let mean = if self.n == 0 {
            0
        } else {
            self.total.as_millis() / u128::from(self.n)
        };
        format!(
            "{what}: {} runs, mean {mean} ms, max {} ms",
            self.n,
            self.max.as_millis()
        )
    }
}

#[derive(Default)]
struct Record {
    failures: Vec<Failure>,
    tallies: std::collections::BTreeMap<&'static str, Tally>,
    seen: BTreeSet<String>,
}

/// Runs `args`, timing it under `what`; a non-zero exit is recorded as a failure. Stdout.
fn timed(b: &Berth, rec: &Mutex<Record>, what: &'static str, args: &[&str]) -> Option<String> {
    let t = Instant::now();
    let r = b.run(args);
    let d = t.elapsed();
    let mut g = rec.lock().unwrap();
    g.tallies.entry(what).or_default().add(d);
    if r.code == 0 {
        Some(r.out)
    } else {
        g.failures.push(Failure {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: r.code,
            out: r.out,
            err: r.err,
        });
        None
    }
}

fn report_failures(rec: &Record) -> String {
    rec.failures
        .iter()
        .map(|f| {
            format!(
                "  berth {:?}: exit {}\n    stdout: {}\n    stderr: {}\n",
                f.args,
                f.code,
                f.out.trim(),
                f.err.trim()
            )
        })
        .collect()
}

#[test]
fn eight_loops_of_run_create_rm_and_ps_fail_nothing_and_leave_nothing() {
    let b = Berth::new();
    let secs = load_secs();
    let rec = Mutex::new(Record::default());
    let ps_parsed = std::sync::atomic::AtomicU64::new(0);
    let end = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (b, rec, ps_parsed) = (&b, &rec, &ps_parsed);
            s.spawn(move || {
                let mut i = 0u64;
                while Instant::now() < end {
                    // Each thread starts the cycle at a different step.
                    match (i + t as u64) % 3 {
                        0 => {
                            if let Some(out) = timed(
                                b,
                                rec,
                                "run --rm --network none",
                                &["run", "--rm", "--network", "none", IMG, "true"],
                            ) {
                                if !out.is_empty() {
                                    rec.lock().unwrap().failures.push(Failure {
                                        args: vec!["run --rm ... true".into()],
                                        code: 0,
                                        out,
                                        err: "`true` printed something".into(),
                                    });
                                }
                            }
                        }
                        1 => {
                            if let Some(id) = timed(
                                b,
                                rec,
                                "create",
                                &["create", "--network", "none", IMG, "true"],
                            ) {
                                let id = id.trim().to_owned();
                                rec.lock().unwrap().seen.insert(id.clone());
                                timed(b, rec, "rm", &["rm", &id]);
                            }
                        }
                        _ => {
                            if let Some(out) = timed(
                                b,
                                rec,
                                "ps -a --format json",
                                &["ps", "-a", "--format", "json"],
                            ) {
                                match serde_json::from_str::<serde_json::Value>(&out) {
                                    Ok(v) if v.is_array() => {
                                        ps_parsed
                                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                    }
                                    other => rec.lock().unwrap().failures.push(Failure {
                                        args: vec!["ps -a --format json (parse)".into()],
                                        code: 0,
                                        out,
                                        err: format!("{other:?}"),
                                    }),
                                }
                            }
                        }
                    }
                    i += 1;
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let rec = rec.into_inner().unwrap();
    let scan = leftovers::settled(&b, &rec.seen, 10);
    let total: u64 = rec.tallies.values().map(|t| t.n).sum();
    eprintln!(
        "== reliability load: {THREADS} threads for {secs} s (took {:.1} s)",
        elapsed.as_secs_f64()
    );
    eprintln!(
        "commands: {total}, failed: {}, ps outputs parsed: {}",
        rec.failures.len(),
        ps_parsed.into_inner()
    );
    for (what, t) in &rec.tallies {
        eprintln!("  {}", t.line(what));
    }
    eprintln!("leftovers after: {}", scan.found.len());
    assert!(
        rec.failures.is_empty(),
        "{} of {total} commands failed:\n{}",
        rec.failures.len(),
        report_failures(&rec)
    );
    leftovers::assert_nothing(&scan, "after the load loops");
}

#[test]
fn two_hundred_bridged_containers_created_started_and_removed_concurrently_leave_no_network_state()
{
    const PER_THREAD: usize = 25;
    let b = Berth::new();
    let rec = Mutex::new(Record::default());
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (b, rec) = (&b, &rec);
            s.spawn(move || {
                for i in 0..PER_THREAD {
                    let name = format!("c{t}x{i}");
                    let Some(id) = timed(
                        b,
                        rec,
                        "create (bridge)",
                        &["create", "--name", &name, IMG, "sleep", "1000"],
                    ) else {
                        continue;
                    };
                    rec.lock().unwrap().seen.insert(id.trim().to_owned());
                    timed(b, rec, "start (bridge)", &["start", &name]);
                    timed(b, rec, "rm -f -t 0", &["rm", "-f", "-t", "0", &name]);
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let rec = rec.into_inner().unwrap();
    let scan = leftovers::settled(&b, &rec.seen, 10);
    eprintln!(
        "== reliability bridge: {} containers by {THREADS} threads in {:.1} s, failed commands: {}",
        THREADS * PER_THREAD,
        elapsed.as_secs_f64(),
        rec.failures.len()
    );
    for (what, t) in &rec.tallies {
        eprintln!("  {}", t.line(what));
    }
    let count = |k: Kind| scan.found.iter().filter(|l| l.kind == k).count();
    eprintln!(
        "after: leases {}, veths {}, iptables lines {}, netns {}, cgroups {}, all leftovers {}",
        count(Kind::IpamLease),
        count(Kind::Veth),
        count(Kind::Iptables),
        count(Kind::Netns),
        count(Kind::Cgroup),
        scan.found.len()
    );
    assert!(
        rec.failures.is_empty(),
        "{} commands failed:\n{}",
        rec.failures.len(),
        report_failures(&rec)
    );
    leftovers::assert_nothing(&scan, "after 200 bridged containers");
}

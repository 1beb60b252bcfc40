//! The reliability suite, fault part: SIGKILL of berth at a random moment
//! during `run -d -p`, `create`, `rm -f`, `import`, `load` and `pull`
//! (`BERTH_FAULT_TRIALS` each, default 100; `BERTH_FAULT_SEED` repeats a
//! run). After each op's trials `system check` says what it sees, `system
//! check --repair` leaves nothing that no container owns, a control
//! container made before the trials still runs, and `rm -af` leaves
//! nothing at all. Then SIGKILL of conmon and of a container's process.
//! Figures go to stderr (`-- --nocapture`).

mod common;

use berth_testsupport::registry::{Registry, RegistryConfig};
use common::leftovers::{self, Kind};
use common::{free_port, Berth, IMG};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn trials() -> usize {
    std::env::var("BERTH_FAULT_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

/// xorshift64*, seeded from `BERTH_FAULT_SEED` or the clock.
struct Rng(u64);

impl Rng {
    fn new(op: &str) -> Self {
        let seed = std::env::var("BERTH_FAULT_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
            | 1;
        eprintln!("[{op}] seed {seed} (BERTH_FAULT_SEED={seed} repeats it)");
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A duration in `0..max`.
    fn below(&mut self, max: Duration) -> Duration {
        let us = max.as_micros().max(1) as u64;
        Duration::from_micros(self.next() % us)
    }
}

/// How one trial ended.
enum Ended {
    /// Finished before the kill, with this exit code.
    Finished(i32),
    Killed,
}

/// Runs berth with `args`, SIGKILLs it after `delay` unless it finished.
/// Its children (conmon, runc, CNI plugins) are left alone, as after a real kill.
/// Returns how it ended and what it printed on stdout.
fn kill_after(b: &Berth, args: &[String], delay: Duration) -> (Ended, String) {
    let out_path = b.dir.path().join("trial.out");
    let out = std::fs::File::create(&out_path).unwrap();
    let mut child = b
        .cmd()
        .args(args)
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + delay;
    let ended = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Ended::Finished(st.code().unwrap_or(-1));
        }
        if Instant::now() >= deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            break Ended::Killed;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    (
        ended,
        std::fs::read_to_string(&out_path).unwrap_or_default(),
    )
}

/// One operation under test: per trial, the arguments (after any set-up it needs) and a
/// clean-up run after the trial (unkilled).
struct Op<'a> {
    name: &'static str,
    args: ArgsFn<'a>,
    after: AfterFn<'a>,
}

/// Per trial: the arguments of the command to kill.
type ArgsFn<'a> = Box<dyn Fn(&Berth, usize) -> Vec<String> + 'a>;
/// Per trial: the clean-up after it.
type AfterFn<'a> = Box<dyn Fn(&Berth, usize) + 'a>;

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(ToString::to_string).collect()
}

fn ids_in(out: &str) -> impl Iterator<Item = String> + '_ {
    out.lines()
        .map(str::trim)
        .filter(|l| l.len() == 64 && l.bytes().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_owned)
}

fn counts(m: &BTreeMap<Kind, usize>) -> String {
    if m.is_empty() {
        return "none".into();
    }
    m.iter()
        .map(|(k, n)| format!("{k:?} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Calibrates, runs the trials, then checks, repairs, scans and tries the control container.
fn fault_trials(b: &Berth, op: &Op) {
    let n = trials();
    let mut rng = Rng::new(op.name);
    b.ok(&["create", "--name", "control", IMG, "echo", "ok"]);
    let mut seen = BTreeSet::new();

    // The op's typical duration: the median of three uncut runs.
    let mut times: Vec<Duration> = (0..3)
        .map(|i| {
            let args = (op.args)(b, 1000 + i);
            let t = Instant::now();
            let (_, out) = kill_after(b, &args, Duration::from_secs(120));
            seen.extend(ids_in(&out));
            let d = t.elapsed();
            (op.after)(b, 1000 + i);
            d
        })
        .collect();
    times.sort();
    let typical = times[1];

    let started = Instant::now();
    let (mut killed, mut finished, mut failed) = (0, 0, 0);
    for i in 0..n {
        let args = (op.args)(b, i);
        let delay = rng.below(typical);
        let (ended, out) = kill_after(b, &args, delay);
        seen.extend(ids_in(&out));
        match ended {
            Ended::Killed => killed += 1,
            Ended::Finished(0) => finished += 1,
            Ended::Finished(_) => failed += 1,
        }
        (op.after)(b, i);
    }
    let took = started.elapsed();

    let mut problems = Vec::new();
    // `system check` leaves alone what is younger than 10 s (a create in flight elsewhere).
    std::thread::sleep(Duration::from_secs(11));
    let check = b.run(&["system", "check"]);
    let before = leftovers::scan(b, &seen);
    seen.extend(before.ids.iter().cloned());
    let repair = b.run(&["system", "check", "--repair"]);
    let after = leftovers::settled(b, &seen, 10);
    if !after.orphans().is_empty() {
        problems.push(format!(
            "after `system check --repair`, {} leftover(s) no container owns:\n{}",
            after.orphans().len(),
            after.report()
        ));
    }
    let control = b.run(&["start", "-a", "control"]);
    if control.code != 0 || control.out != "ok\n" {
        problems.push(format!("the control container does not run: {control:?}"));
    }
    let rm = b.run(&["rm", "-a", "-f", "-t", "0"]);
    if rm.code != 0 {
        problems.push(format!("rm -af after the trials: {rm:?}"));
    }
    let end = leftovers::settled(b, &seen, 10);
    let left: Vec<String> = end
        .found
        .iter()
        .filter(|l| l.kind != Kind::Container)
        .map(|l| format!("  {l}\n"))
        .collect();
    if !left.is_empty() || !end.containers.is_empty() {
        problems.push(format!(
            "after rm -af, {} leftover(s) and containers {:?}:\n{}",
            left.len(),
            end.containers,
            left.concat()
        ));
    }

    eprintln!(
        "== [{}] {n} trials in {:.1} s (typical uncut run {} ms): killed {killed}, finished {finished}, failed before the kill {failed}",
        op.name,
        took.as_secs_f64(),
        typical.as_millis()
    );
    eprintln!(
        "[{}] containers before repair: {}",
        op.name,
        before.containers.len()
    );
    eprintln!(
        "[{}] system check (exit {}):\n{}{}",
        op.name, check.code, check.out, check.err
    );
    eprintln!(
        "[{}] system check --repair (exit {}):\n{}{}",
        op.name, repair.code, repair.out, repair.err
    );
    eprintln!(
        "[{}] leftovers no container owns: before repair {} ({}), after repair {} ({})",
        op.name,
        before.orphans().len(),
        counts(&before.orphan_counts()),
        after.orphans().len(),
        counts(&after.orphan_counts())
    );
    eprintln!("[{}] after rm -af: {} leftover(s)", op.name, left.len());
    assert!(
        problems.is_empty(),
        "[{}]\n{}",
        op.name,
        problems.join("\n")
    );
}

/// The test image with one more file: its own layer, not shared with `IMG`.
fn other_tar(b: &Berth) -> PathBuf {
    let d = b.dir.path();
    let tar = d.join("other.tar");
    std::fs::copy(common::image_tar(), &tar).unwrap();
    std::fs::create_dir_all(d.join("extra")).unwrap();
    std::fs::write(d.join("extra/marker"), "another layer\n").unwrap();
    let st = Command::new("tar")
        .args(["--numeric-owner", "--owner=0", "--group=0", "-rf"])
        .arg(&tar)
        .arg("-C")
        .arg(d.join("extra"))
        .arg("marker")
        .status()
        .unwrap();
    assert!(st.success(), "tar -r failed");
    tar
}

fn rmi(b: &Berth, name: &str) {
    let _ = b.run(&["rmi", "-f", name]);
}

#[test]
fn sigkill_during_run_detached_with_a_port() {
    let b = Berth::new();
    fault_trials(
        &b,
        &Op {
            name: "run -d -p",
            args: Box::new(|_, _| {
                let p = format!("{}:80", free_port());
                strings(&["run", "-d", "-p", &p, IMG, "sleep", "1000"])
            }),
            after: Box::new(|_, _| {}),
        },
    );
}

#[test]
fn sigkill_during_create() {
    let b = Berth::new();
    fault_trials(
        &b,
        &Op {
            name: "create",
            args: Box::new(|_, _| strings(&["create", IMG, "true"])),
            after: Box::new(|_, _| {}),
        },
    );
}

#[test]
fn sigkill_during_rm_of_a_running_container() {
    let b = Berth::new();
    fault_trials(
        &b,
        &Op {
            name: "rm -f",
            args: Box::new(|b, i| {
                let name = format!("victim{i}");
                b.ok(&["run", "-d", "--name", &name, IMG, "sleep", "1000"]);
                strings(&["rm", "-f", "-t", "0", &name])
            }),
            after: Box::new(|_, _| {}),
        },
    );
}

#[test]
fn sigkill_during_import() {
    let b = Berth::new();
    let tar = other_tar(&b);
    let tar = tar.to_str().unwrap().to_owned();
    fault_trials(
        &b,
        &Op {
            name: "import",
            args: Box::new(move |_, _| strings(&["import", &tar, "localhost/imp:latest"])),
            after: Box::new(|b, _| rmi(b, "localhost/imp:latest")),
        },
    );
    images_still_work(&b);
}

#[test]
fn sigkill_during_load() {
    let b = Berth::new();
    let tar = other_tar(&b);
    b.ok(&["import", tar.to_str().unwrap(), "localhost/ld:latest"]);
    let archive = b.dir.path().join("ld-archive.tar");
    b.ok(&[
        "save",
        "-o",
        archive.to_str().unwrap(),
        "localhost/ld:latest",
    ]);
    rmi(&b, "localhost/ld:latest");
    let archive = archive.to_str().unwrap().to_owned();
    fault_trials(
        &b,
        &Op {
            name: "load",
            args: Box::new(move |_, _| strings(&["load", "-q", "-i", &archive])),
            after: Box::new(|b, _| rmi(b, "localhost/ld:latest")),
        },
    );
    images_still_work(&b);
}

#[test]
fn sigkill_during_pull() {
    let reg = Registry::start(RegistryConfig::default());
    let mut b = Berth::new();
    b.own_registry_config("", r#"{"default":[{"type":"insecureAcceptAnything"}]}"#);
    let tar = other_tar(&b);
    b.ok(&["import", tar.to_str().unwrap(), "localhost/pl:latest"]);
    let remote = format!("{}/test/pl:1", reg.host());
    b.ok(&[
        "push",
        "-q",
        "--tls-verify=false",
        "localhost/pl:latest",
        &remote,
    ]);
    rmi(&b, "localhost/pl:latest");
    let r = remote.clone();
    fault_trials(
        &b,
        &Op {
            name: "pull",
            args: Box::new(move |_, _| strings(&["pull", "-q", "--tls-verify=false", &r])),
            after: Box::new(move |b, _| rmi(b, &remote)),
        },
    );
    images_still_work(&b);
}

/// After the image trials, the test image and a fresh import still run.
fn images_still_work(b: &Berth) {
    assert_eq!(
        b.ok(&["run", "--rm", "--network", "none", IMG, "echo", "fine"]),
        "fine\n"
    );
    let check = b.run(&["system", "check"]);
    assert_eq!(
        check.code, 0,
        "system check after repair and rm -af: {check:?}"
    );
}

fn conmon_pid(b: &Berth, id: &str) -> i32 {
    let p = b
        .dir
        .path()
        .join("tmp/containers")
        .join(id)
        .join("conmon.pid");
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .trim()
        .parse()
        .unwrap()
}

fn state_of(b: &Berth, name: &str) -> (String, i64) {
    let out = b.ok(&["ps", "-a", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let c = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Names"][0] == name)
        .unwrap_or_else(|| panic!("{name} is not in ps -a: {out}"));
    (
        c["State"].as_str().unwrap().to_owned(),
        c["ExitCode"].as_i64().unwrap_or(-1),
    )
}

fn sigkill(pid: i32) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
}

/// podman 4.3.1 keeps showing a container whose conmon was SIGKILLed as running (its
/// process lives on, reparented); berth does the same, and `rm -f` still cleans it all up.
#[test]
fn sigkill_of_conmon_alone_leaves_a_running_container_that_rm_cleans_up() {
    let b = Berth::new();
    let id = b.ok(&["run", "-d", "--name", "c", IMG, "sleep", "1000"]);
    let id = id.trim();
    sigkill(conmon_pid(&b, id));
    std::thread::sleep(Duration::from_millis(500));
    let (state, _) = state_of(&b, "c");
    let inspect = b.ok(&["inspect", "--format", "{{.State.Status}}", "c"]);
    eprintln!(
        "after SIGKILL of conmon alone: ps says {state}, inspect says {}",
        inspect.trim()
    );
    assert_eq!(state, "running", "podman 4.3.1 shows Up here");
    // Nobody will write the exit file: the stop watches the process instead of waiting.
    let t = Instant::now();
    b.ok(&["rm", "-f", "-t", "0", "c"]);
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "rm -f -t 0 waited for an exit file nobody writes: {:?}",
        t.elapsed()
    );
    let s = leftovers::settled(&b, &[id.to_owned()].into(), 10);
    leftovers::assert_nothing(&s, "after rm -f of the container whose conmon was killed");
}

/// Conmon and then the container's process killed: nobody writes an exit file, yet the
/// next `ps -a` shows the container exited, with podman's unknown exit code (-1), and
/// `rm -f` removes it at once. podman 4.3.1 itself keeps showing such a container as Up
/// until a stop gives up waiting for the exit file (5 s); then it shows what berth shows at
/// once: `ps` "Exited (-1)", inspect's State.Status "stopped" (its exit command never ran).
#[test]
fn sigkill_of_conmon_then_of_the_process_shows_the_container_exited() {
    let b = Berth::new();
    let id = b.ok(&["run", "-d", "--name", "c", IMG, "sleep", "1000"]);
    let id = id.trim();
    let pid: i32 = b
        .ok(&["inspect", "--format", "{{.State.Pid}}", "c"])
        .trim()
        .parse()
        .unwrap();
    sigkill(conmon_pid(&b, id));
    sigkill(pid);
    let mut last = (String::new(), 0);
    let exited = common::eventually(100, || {
        last = state_of(&b, "c");
        last.0 == "exited"
    });
    let inspect = b.ok(&[
        "inspect",
        "--format",
        "{{.State.Status}} {{.State.ExitCode}}",
        "c",
    ]);
    eprintln!(
        "after SIGKILL of conmon and the process: ps says {last:?}, inspect says {}",
        inspect.trim()
    );
    assert!(
        exited,
        "ps -a after SIGKILL of conmon and the process: {last:?}"
    );
    assert_eq!(last.1, -1, "exit code in ps -a (unknown)");
    assert_eq!(inspect.trim(), "stopped -1", "inspect");
    let t = Instant::now();
    b.ok(&["rm", "-f", "c"]);
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "rm -f waited for an exit file nobody writes: {:?}",
        t.elapsed()
    );
    let s = leftovers::settled(&b, &[id.to_owned()].into(), 10);
    leftovers::assert_nothing(&s, "after rm of the container whose conmon was killed");
}

#[test]
fn sigkill_of_the_container_process_exits_137() {
    let b = Berth::new();
    let id = b.ok(&["run", "-d", "--name", "c", IMG, "sleep", "1000"]);
    let id = id.trim();
    let pid: i32 = b
        .ok(&["inspect", "--format", "{{.State.Pid}}", "c"])
        .trim()
        .parse()
        .unwrap();
    sigkill(pid);
    let mut last = (String::new(), 0);
    let exited = common::eventually(100, || {
        last = state_of(&b, "c");
        last.0 == "exited"
    });
    assert!(
        exited,
        "ps -a after SIGKILL of the container's process: {last:?}"
    );
    assert_eq!(last.1, 137, "exit code in ps -a");
    assert_eq!(
        b.ok(&["inspect", "--format", "{{.State.ExitCode}}", "c"])
            .trim(),
        "137"
    );
    b.ok(&["rm", "c"]);
    let s = leftovers::settled(&b, &[id.to_owned()].into(), 10);
    leftovers::assert_nothing(&s, "after rm of the killed container");
}

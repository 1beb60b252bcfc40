//! Every flag that takes a value, on every command, fed an empty, a huge,
//! a malformed and an out-of-range value: the binary either refuses it
//! (exit 125, a message naming the flag, nothing created) or accepts it
//! (then the command gets past its flags and fails on the nonexistent
//! container or image it was given), and never panics or dies.
//!
//! The flags come from walking clap's tree, so a new flag is covered when
//! it is added. Each case runs the real binary in its own temp directory
//! (its own --root, --runroot, --tmpdir, --cni-config-dir, HOME and working
//! directory), so nothing can reach a real installation. The accepted
//! cases are written to `bad_flag_values.accepted` in the test's temp dir
//! (CARGO_TARGET_TMPDIR) for review against podman.

use clap::{Arg, ArgAction, Command, CommandFactory};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// About the longest single argument Linux passes to a program
/// (MAX_ARG_STRLEN is 32 pages, NUL and `--flag=` included): a 1 MiB flag
/// value cannot reach berth through argv at all; the parsers get 1 MiB in
/// `parsers_never_panic`.
const HUGE: usize = 32 * 4096 - 128;

/// A name nothing in a fresh root has.
const MISSING: &str = "berth-nonexistent";

/// An image that is not there and cannot be pulled: a short name, with an
/// empty registries.conf (no search registries) given to every case.
const MISSING_IMAGE: &str = "berth-nonexistent";

/// How long one case may run. The flags of a command are checked in
/// milliseconds; only a command that got past them and waits would take
/// longer, which is a failure unless the command is one that streams.
const TIMEOUT: Duration = Duration::from_secs(20);

/// How long a streaming command runs before it counts as having accepted
/// its flags.
const STREAM_TIMEOUT: Duration = Duration::from_secs(2);

/// Commands that legitimately keep running once their flags are accepted.
const STREAMING: &[&str] = &[
    "events",
    "system service",
    "stats",
    "container stats",
    "pod stats",
];

/// The values every flag is fed: (kind, value).
fn values() -> Vec<(&'static str, String)> {
    vec![
        ("empty", String::new()),
        ("huge", "a".repeat(HUGE)),
        ("huge-number", "1180591620717411303424".into()), // 2^70
        ("negative", "-1".into()),
        ("below-i64", "-9223372036854775809".into()),
        ("malformed", "=:,🦀{{.}}\u{7f}%99999999999s:/..".into()),
    ]
}

/// One flag of one command.
#[derive(Debug, Clone)]
struct FlagCase {
    /// The subcommand words (`["container", "run"]`); empty for the
    /// global flags, which are tried on `ps`.
    path: Vec<String>,
    /// `--name` as written on the command line (the long name when there
    /// is one, else the short one).
    flag: String,
    /// The forms a message may name the flag by.
    names: Vec<String>,
    /// The positional arguments that make the command line complete.
    positionals: Vec<String>,
}

fn flag_names(a: &Arg) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(l) = a.get_long() {
        names.push(format!("--{l}"));
    }
    for l in a.get_all_aliases().unwrap_or_default() {
        names.push(format!("--{l}"));
    }
    if let Some(s) = a.get_short() {
        names.push(format!("-{s}"));
    }
    names
}

fn takes_value(a: &Arg) -> bool {
    !a.is_positional()
        && matches!(a.get_action(), ArgAction::Set | ArgAction::Append)
        && a.get_num_args().is_none_or(|n| n.takes_values())
        && (a.get_long().is_some() || a.get_short().is_some())
}

/// A value for a required positional, by what it names.
fn placeholder(cmd_path: &[String], a: &Arg) -> String {
    let name = a
        .get_value_names()
        .and_then(|n| n.first())
        .map_or_else(|| a.get_id().to_string(), ToString::to_string)
        .to_uppercase();
    let leaf = cmd_path.last().map_or("", String::as_str);
    if name.contains("IMAGE") || (leaf == "run" || leaf == "create") && a.get_index() == Some(1) {
        MISSING_IMAGE.into()
    } else if leaf == "cp" {
        format!("{MISSING}:/x")
    } else if name.contains("FILE") || name.contains("PATH") || name.contains("TARBALL") {
        format!("/{MISSING}/x")
    } else {
        MISSING.into()
    }
}

fn collect(cmd: &Command, path: &mut Vec<String>, out: &mut Vec<FlagCase>) {
    let subs: Vec<&Command> = cmd.get_subcommands().collect();
    if !subs.is_empty() {
        for s in subs {
            path.push(s.get_name().to_owned());
            collect(s, path, out);
            path.pop();
        }
        return;
    }
    let mut positionals: Vec<String> = cmd
        .get_positionals()
        .filter(|a| a.is_required_set())
        .map(|a| placeholder(path, a))
        .collect();
    if path.last().is_some_and(|l| l == "exec") {
        // exec refuses to go on without a command.
        positionals.push("true".into());
    }
    for a in cmd
        .get_arguments()
        .filter(|a| takes_value(a) && !a.is_global_set())
    {
        out.push(FlagCase {
            path: path.clone(),
            flag: flag_names(a)[0].clone(),
            names: flag_names(a),
            positionals: positionals.clone(),
        });
    }
}

fn all_cases() -> Vec<FlagCase> {
    let root = berth_cli::cli::Cli::command();
    let mut out = Vec::new();
    // Global flags (the paths this test sets itself included) on `ps`.
    for a in root.get_arguments().filter(|a| takes_value(a)) {
        out.push(FlagCase {
            path: vec!["ps".into()],
            flag: flag_names(a)[0].clone(),
            names: flag_names(a),
            positionals: Vec::new(),
        });
    }
    collect(&root, &mut Vec::new(), &mut out);
    out
}

#[derive(Debug)]
enum Outcome {
    /// Exit 125 naming the flag.
    Refused,
    /// Got past the flag: exit 0, or a failure not about the flag.
    Accepted(i32),
    /// Still running at the timeout (killed).
    TimedOut,
}

struct Ran {
    outcome: Outcome,
    stderr: String,
}

/// The directories a case may create in its temp dir.
const OWN: &[&str] = &["root", "run", "tmp", "cni", "home", "xdg"];

fn run_case(case: &FlagCase, value: &str) -> Result<Ran, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let d = dir.path();
    for sub in OWN {
        std::fs::create_dir_all(d.join(sub)).map_err(|e| e.to_string())?;
    }
    std::fs::remove_dir(d.join("root")).map_err(|e| e.to_string())?;
    std::fs::write(d.join("home/registries.conf"), "").map_err(|e| e.to_string())?;
    let p = |s: &str| d.join(s).to_string_lossy().into_owned();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_berth"));
    cmd.current_dir(d)
        .args(["--root", &p("root"), "--runroot", &p("run")])
        .args(["--tmpdir", &p("tmp"), "--cni-config-dir", &p("cni")])
        .args(&case.path)
        .arg(flag_with_value(&case.flag, value))
        .args(&case.positionals)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", p("home"))
        .env("CONTAINERS_CONF", "/dev/null")
        .env("CONTAINERS_STORAGE_CONF", "/dev/null")
        .env("XDG_RUNTIME_DIR", p("xdg"))
        .env("XDG_CONFIG_HOME", p("home"))
        .env("REGISTRY_AUTH_FILE", p("home/auth.json"))
        .env("CONTAINERS_REGISTRIES_CONF", p("home/registries.conf"))
        .env("BERTH_DEFAULT_BRIDGE", "bfvnone:10.255.254.0/24")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("spawning berth: {e}"))?;
    let streams = STREAMING.contains(&case.path.join(" ").as_str());
    let limit = if streams { STREAM_TIMEOUT } else { TIMEOUT };
    let (status, stderr) = wait_with_timeout(&mut child, limit)?;
    let Some(status) = status else {
        return Ok(Ran {
            outcome: Outcome::TimedOut,
            stderr,
        });
    };
    let Some(code) = status.code() else {
        return Err(format!("killed by a signal ({status}); stderr: {stderr}"));
    };
    if code == 101 || stderr.contains("panicked") || stderr.contains("internal error") {
        return Err(format!("panic (exit {code}): {stderr}"));
    }
    let names_flag = case.names.iter().any(|n| {
        let bare = n.trim_start_matches('-');
        stderr.contains(n.as_str()) || (bare.len() > 2 && stderr.contains(&format!("'{bare}'")))
    });
    let outcome = if code == 125 && names_flag {
        Outcome::Refused
    } else {
        Outcome::Accepted(code)
    };
    if matches!(outcome, Outcome::Refused) {
        check_nothing_created(d, &stderr)?;
    }
    Ok(Ran { outcome, stderr })
}

/// `--flag=value` (so a value starting with `-` or an optional value
/// reaches the flag), or `-fvalue` for a flag with a short name only.
fn flag_with_value(flag: &str, value: &str) -> String {
    if flag.starts_with("--") {
        format!("{flag}={value}")
    } else {
        format!("{flag}{value}")
    }
}

/// Waits for `child`, killing it after `limit`; `None` when it timed out.
fn wait_with_timeout(
    child: &mut Child,
    limit: Duration,
) -> Result<(Option<std::process::ExitStatus>, String), String> {
    let mut pipe = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = pipe.read_to_end(&mut s);
        String::from_utf8_lossy(&s).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(st);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = reader.join().map_err(|_| "stderr reader panicked")?;
    Ok((status, stderr))
}

/// A refused value leaves no container, image, volume, pod or network, and
/// nothing outside the case's own directories.
fn check_nothing_created(d: &Path, stderr: &str) -> Result<(), String> {
    for entry in std::fs::read_dir(d).map_err(|e| e.to_string())? {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy();
        if !OWN.contains(&name.as_ref()) {
            return Err(format!(
                "refused, but wrote {name:?} in the working directory: {stderr}"
            ));
        }
    }
    if std::fs::read_dir(d.join("cni"))
        .map_err(|e| e.to_string())?
        .next()
        .is_some()
    {
        return Err(format!("refused, but wrote a network config: {stderr}"));
    }
    if !d.join("root").exists() {
        return Ok(());
    }
    // The runtime was opened: ask it what exists.
    let p = |s: &str| d.join(s).to_string_lossy().into_owned();
    for list in [
        &["ps", "-aq"][..],
        &["images", "-q"],
        &["volume", "ls", "-q"],
        &["pod", "ps", "-q"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
            .args(["--root", &p("root"), "--runroot", &p("run")])
            .args(["--tmpdir", &p("tmp"), "--cni-config-dir", &p("cni")])
            .args(list)
            .env("HOME", p("home"))
            .env("CONTAINERS_CONF", "/dev/null")
            .env("CONTAINERS_STORAGE_CONF", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.stdout.is_empty() {
            return Err(format!(
                "refused, but `{}` lists {:?}: {stderr}",
                list.join(" "),
                String::from_utf8_lossy(&out.stdout)
            ));
        }
    }
    Ok(())
}

#[test]
fn every_flag_value_is_refused_cleanly_or_accepted() {
    let cases = all_cases();
    let values = values();
    assert!(
        cases.len() > 100,
        "only {} flags found in clap's tree",
        cases.len()
    );
    let work: Vec<(FlagCase, &'static str, String)> = cases
        .iter()
        .flat_map(|c| values.iter().map(move |(k, v)| (c.clone(), *k, v.clone())))
        .collect();
    let next = Mutex::new(work.into_iter());
    let failures = Mutex::new(Vec::new());
    let accepted = Mutex::new(BTreeSet::new());
    let refused = Mutex::new(0usize);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some((case, kind, value)) = next.lock().unwrap().next() else {
                    break;
                };
                let cmdline = format!("berth {} {} <{kind}>", case.path.join(" "), case.flag);
                match run_case(&case, &value) {
                    Err(e) => failures.lock().unwrap().push(format!("{cmdline}: {e}")),
                    Ok(Ran {
                        outcome: Outcome::Refused,
                        ..
                    }) => *refused.lock().unwrap() += 1,
                    Ok(Ran {
                        outcome: Outcome::TimedOut,
                        stderr,
                    }) => {
                        if STREAMING.contains(&case.path.join(" ").as_str()) {
                            accepted
                                .lock()
                                .unwrap()
                                .insert(format!("{cmdline}: runs (streams)"));
                        } else {
                            failures.lock().unwrap().push(format!(
                                "{cmdline}: still running after {TIMEOUT:?}: {stderr}"
                            ));
                        }
                    }
                    Ok(Ran {
                        outcome: Outcome::Accepted(code),
                        stderr,
                    }) => {
                        let first = stderr
                            .lines()
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(160)
                            .collect::<String>();
                        accepted
                            .lock()
                            .unwrap()
                            .insert(format!("{cmdline}: exit {code} {first}"));
                    }
                }
            });
        }
    });
    let accepted = accepted.into_inner().unwrap();
    let report = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_flag_values.accepted");
    let mut listing = String::new();
    for line in &accepted {
        listing.push_str(line);
        listing.push('\n');
    }
    let _ = std::fs::write(&report, listing);
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "{} flags x {} values: {} refused, {} accepted (listed in {}), {} failures",
        cases.len(),
        values.len(),
        refused.into_inner().unwrap(),
        accepted.len(),
        report.display(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A case for `berth PATH FLAG=VALUE POSITIONALS...`.
fn case(path: &str, flag: &str, positionals: &[&str]) -> FlagCase {
    FlagCase {
        path: path.split(' ').map(str::to_owned).collect(),
        flag: flag.to_owned(),
        names: vec![flag.to_owned()],
        positionals: positionals.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// The values of the flags added for podman 4.3.1's full flag set that
/// berth checks itself, each refused with its own message.
#[test]
fn new_flag_values_are_refused_with_their_own_message() {
    for (path, flag, value, positionals, message) in [
        (
            "push",
            "--compression-format",
            "zstd",
            &["img"][..],
            "invalid value \"zstd\" for --compression-format: not supported by berth yet: layers are compressed with gzip only",
        ),
        (
            "image push",
            "--compression-format",
            "lz4",
            &["img"],
            "invalid value \"lz4\" for --compression-format: expected gzip, zstd or zstd:chunked",
        ),
        (
            "pod create",
            "--exit-policy",
            "later",
            &[],
            "Error: --exit-policy: running pod create option: invalid pod exit policy: \"later\"",
        ),
        (
            "pod create",
            "--label-file",
            "/nonexistent/labels",
            &[],
            "reading --label-file file /nonexistent/labels",
        ),
        (
            "pod ps",
            "--sort",
            "size",
            &[],
            "invalid value 'size' for '--sort <SORT>'",
        ),
    ] {
        let ran = run_case(&case(path, flag, positionals), value).unwrap();
        assert!(
            matches!(ran.outcome, Outcome::Refused),
            "{path} {flag}={value}: {:?} {}",
            ran.outcome,
            ran.stderr
        );
        assert!(
            ran.stderr.contains(message),
            "{path} {flag}={value}: {}",
            ran.stderr
        );
    }
}

/// Every flag of the README's "accepted but not supported yet" table (the
/// commands other than run/create) is refused by name, whatever its value,
/// before anything is opened.
#[test]
fn unsupported_flags_are_refused_by_name() {
    let root = berth_cli::cli::Cli::command();
    for u in berth_cli::cli::unsupported::UNSUPPORTED {
        for path in u.commands {
            let mut c = &root;
            for w in path.split(' ') {
                c = c.find_subcommand(w).expect("a berth command");
            }
            let arg = c
                .get_arguments()
                .find(|a| a.get_long() == Some(u.flag))
                .expect("the flag is defined");
            let flag = format!("--{}", u.flag);
            let positionals: Vec<&str> = c.get_positionals().map(|_| "x").collect();
            let value = if takes_value(arg) {
                arg.get_default_values()
                    .first()
                    .map_or_else(|| "1".to_owned(), |v| v.to_string_lossy().into_owned())
            } else {
                "true".to_owned()
            };
            let mut case = case(path, &flag, &positionals);
            if !takes_value(arg) {
                // A plain switch takes no `=value`.
                case.positionals.insert(0, flag.clone());
                case.flag = "--log-level".into();
            }
            let ran = run_case(&case, if takes_value(arg) { &value } else { "warn" }).unwrap();
            let expected = format!("Error: {flag}: not supported by berth yet: {}", u.reason);
            assert_eq!(
                ran.stderr.trim_end(),
                expected,
                "berth {path} {flag}: {:?}",
                ran.outcome
            );
        }
    }
}

// ---------------------------------------------------------------------------
// run, create and the global flags added for podman parity (helper
// `flagsrun`): chosen bad values, each refused with exit 125 and a message
// naming the flag, before anything is created.
// ---------------------------------------------------------------------------

/// `args` (a run/create/global flag with a bad value) on `run`, with the
/// image placeholder; the flag the message must name, or podman's own words
/// where podman's system tests check them (`--log-driver`,
/// `--device-cgroup-rule`).
const RUN_FLAG_BAD_VALUES: &[(&[&str], &str)] = &[
    (&["run", "--attach", "stdweird"], "--attach"),
    (&["run", "-a", "stdin", "-d"], "--attach"),
    (&["run", "--log-driver", "syslog"], "invalid log driver"),
    (&["run", "--log-opt", "color=red"], "--log-opt"),
    (&["run", "--log-opt", "path=relative.log"], "--log-opt"),
    (&["run", "--log-opt", "max-size=huge"], "--log-opt"),
    (&["run", "--tz", ""], "--tz"),
    (&["run", "--ipc", "sideways"], "--ipc"),
    (&["run", "--uts", "shareable"], "--uts"),
    (&["run", "--pid", "bogus"], "--pid"),
    (&["run", "--cgroupns", "bogus"], "--cgroupns"),
    (&["run", "--cgroups", "maybe"], "--cgroups"),
    (&["run", "--restart", "sometimes"], "--restart"),
    (&["run", "--restart", "on-failure:x"], "--restart"),
    (&["run", "--restart", "always", "--rm"], "--restart"),
    (&["run", "--sdnotify", "loud"], "--sdnotify"),
    (&["run", "--systemd", "perhaps"], "--systemd"),
    (&["run", "--seccomp-policy", "strict"], "--seccomp-policy"),
    (&["run", "--image-volume", "copy"], "--image-volume"),
    (&["run", "--umask", "999"], "--umask"),
    (&["run", "--userns", "sideways"], "--userns"),
    (&["run", "--health-cmd", ""], "--health-cmd"),
    (&["run", "--health-cmd", "[1]"], "--health-cmd"),
    (&["run", "--health-interval", "often"], "--health-interval"),
    (&["run", "--health-timeout", "0s"], "--health-timeout"),
    (
        &["run", "--health-on-failure", "explode"],
        "--health-on-failure",
    ),
    (
        &["run", "--health-cmd", "true", "--no-healthcheck"],
        "--no-healthcheck",
    ),
    (&["run", "--cpus", "1", "--cpu-quota", "50000"], "--cpus"),
    (&["run", "--cpu-quota", "10"], "--cpu-quota"),
    (&["run", "--cpu-period", "10"], "--cpu-period"),
    (&["run", "--cpuset-cpus", "3-1"], "--cpuset-cpus"),
    (&["run", "--memory-swap", "1g"], "--memory-swap"),
    (
        &["run", "-m", "64m", "--memory-swap", "lots"],
        "--memory-swap",
    ),
    (&["run", "--cgroup-parent", "../escape"], "--cgroup-parent"),
    (&["run", "--unsetenv", "A=1"], "--unsetenv"),
    (&["run", "--group-add", "a:b"], "--group-add"),
    (&["run", "--pidfile", "/nonexistent-dir/p"], "--pidfile"),
    (
        &["run", "--conmon-pidfile", "/nonexistent-dir/p"],
        "--conmon-pidfile",
    ),
    (&["run", "--pod", "new:"], "--pod"),
    (
        &["run", "--pod", "p", "--pod-id-file", "/nonexistent"],
        "--pod-id-file",
    ),
    (
        &["run", "--pod-id-file", "/nonexistent-dir/pod.id"],
        "--pod-id-file",
    ),
    (
        &["run", "--label-file", "/nonexistent-dir/labels"],
        "--label-file",
    ),
    (&["run", "--rmi", "-d"], "--rmi"),
    (&["run", "--timeout", "-1"], "--timeout"),
    (&["run", "--preserve-fds", "two"], "--preserve-fds"),
    (&["run", "--preserve-fds", "4000"], "--preserve-fds"),
    (&["run", "--device", "fuse"], "--device"),
    (
        &["run", "--memory-swappiness", "101"],
        "--memory-swappiness",
    ),
    (&["run", "--oom-score-adj", "2000"], "--oom-score-adj"),
    (&["run", "--cpuset-mems", "x"], "--cpuset-mems"),
    (
        &["run", "--memory-reservation", "big"],
        "--memory-reservation",
    ),
    (
        &["run", "--device-read-bps", "/dev/vda"],
        "--device-read-bps",
    ),
    (
        &["run", "--device-write-iops", "/dev/vda:lots"],
        "--device-write-iops",
    ),
    (
        &["run", "--no-hosts", "--add-host", "a:1.2.3.4"],
        "--no-hosts",
    ),
    (&["run", "--volumes-from", "c:rx"], "--volumes-from"),
    (&["run", "--env-merge", "=x"], "--env-merge"),
    (
        &["run", "--device-cgroup-rule", "c 1:3"],
        "invalid device cgroup rule",
    ),
    (&["run", "--http-proxy=maybe"], "--http-proxy"),
    (&["create", "--init-ctr", "always"], "--init-ctr"),
    (&["--log-level", "loud", "run"], "Log Level"),
    (
        &["--events-backend", "carrier-pigeon", "run"],
        "--events-backend",
    ),
    (&["--url", "tcp://x", "run"], "--url"),
];

#[test]
fn run_create_and_global_bad_values_name_their_flag() {
    let mut failures = Vec::new();
    for (args, flag) in RUN_FLAG_BAD_VALUES {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let p = |s: &str| d.join(s).to_string_lossy().into_owned();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_berth"))
            .current_dir(d)
            .args(["--root", &p("root"), "--runroot", &p("run")])
            .args(["--tmpdir", &p("tmp"), "--cni-config-dir", &p("cni")])
            .args(*args)
            .arg(MISSING_IMAGE)
            .env("HOME", p("home"))
            .env("CONTAINERS_CONF", "/dev/null")
            .env("CONTAINERS_STORAGE_CONF", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        if code != Some(125) || !err.starts_with("Error: ") || !err.contains(flag) {
            failures.push(format!("berth {}: exit {code:?}, {err:?}", args.join(" ")));
        }
        // Refused while parsing: not even the root was made.
        if d.join("root").exists() {
            failures.push(format!("berth {}: created its root", args.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

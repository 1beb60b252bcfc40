//! Checks the command tree against the installed podman 4.3.1: for every
//! berth command that podman also has, each flag podman knows must have
//! podman's short form and, where podman prints a plain default, podman's
//! default. Needs `podman` (installed by `cargo xtask deps`); fails loudly
//! without it. Only `--help` is run, which touches no storage.

use berth_cli::cli::Cli;
use clap::CommandFactory;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// One option line of podman's help.
#[derive(Debug)]
struct PodmanFlag {
    short: Option<char>,
    default: Option<String>,
}

fn podman_help(path: &[String]) -> Option<String> {
    let out = Command::new("podman")
        .args(path)
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("podman is needed for this test (cargo xtask deps): {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // An unknown subcommand prints the parent's help; make sure the usage
    // line names this command.
    let usage = format!("podman {}", path.join(" "));
    (out.status.success() && text.lines().any(|l| l.trim().starts_with(&usage))).then_some(text)
}

fn parse_flags(help: &str) -> BTreeMap<String, PodmanFlag> {
    let mut flags = BTreeMap::new();
    for line in help.lines() {
        let t = line.trim_start();
        let (short, rest) = if let Some(r) = t.strip_prefix('-').filter(|r| !r.starts_with('-')) {
            let mut chars = r.chars();
            let c = chars.next();
            match chars.as_str().strip_prefix(", ") {
                Some(rest) => (c, rest),
                None => continue,
            }
        } else {
            (None, t)
        };
        let Some(rest) = rest.strip_prefix("--") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let default = rest.rfind("(default ").map(|i| {
            let d = &rest[i + "(default ".len()..];
            d.trim_end_matches(')').trim_matches('"').to_owned()
        });
        flags.insert(name, PodmanFlag { short, default });
    }
    flags
}

fn leaves(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, clap::Command)>) {
    let subs: Vec<_> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    if subs.is_empty() {
        out.push((path, cmd.clone()));
        return;
    }
    for s in subs {
        let mut p = path.clone();
        p.push(s.get_name().to_owned());
        leaves(s, p, out);
    }
}

/// berth commands podman 4.3.1 does not have.
const BERTH_ONLY: &[&str] = &["system check", "system refresh", "healthcheck scheduler"];

/// Flags podman 4.3.1 accepts but hides from `--help`, which berth
/// defines (and may show).
const PODMAN_HIDDEN: &[(&str, &str)] = &[
    ("pull", "signature-policy"),
    ("image pull", "signature-policy"),
    ("events", "stream"),
];

/// The commands whose flags `run_create_and_global_flags_match_podman_both_ways`
/// checks; every other command is checked by
/// `other_commands_match_podman_both_ways`.
const RUN_CREATE: &[&str] = &["run", "create", "container run", "container create"];

/// Every berth command podman also has, with podman's help text.
fn commands_with_podman_help() -> Vec<(String, clap::Command, String)> {
    let mut root = Cli::command();
    root.build();
    let mut cmds = Vec::new();
    leaves(&root, Vec::new(), &mut cmds);
    let mut out = Vec::new();
    for (path, cmd) in cmds {
        let joined = path.join(" ");
        let Some(help) = podman_help(&path) else {
            assert!(
                BERTH_ONLY.contains(&joined.as_str()),
                "podman has no `{joined}`; add it to BERTH_ONLY if that is intended"
            );
            continue;
        };
        out.push((joined, cmd, help));
    }
    out
}

/// The CLI README's "Flags accepted but not supported yet" section.
fn readme_exception_section() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("crates/cli/README.md");
    let section = readme
        .split("### Flags accepted but not supported yet")
        .nth(1)
        .expect("the README has a \"Flags accepted but not supported yet\" section");
    section
        .split("\n## ")
        .next()
        .and_then(|s| s.split("\n### ").next())
        .unwrap_or(section)
        .to_owned()
}

/// The rows of exception tables in `text` as (command, flag) pairs: a
/// row's command cell may name several commands (`` `ps`, `container
/// list` ``), its flag cell one flag (`` `--watch` ``).
fn exception_rows(text: &str) -> BTreeSet<(String, String)> {
    let mut rows = BTreeSet::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[1].starts_with('`') {
            continue;
        }
        let ticked = |cell: &str| -> Vec<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect()
        };
        for flag in ticked(cells[2]) {
            let flag = flag.trim_start_matches('-').to_owned();
            for cmd in ticked(cells[1]) {
                rows.insert((cmd, flag.clone()));
            }
        }
    }
    rows
}

/// Every row of the README's exception section (run/create's and the
/// other commands').
fn readme_exceptions() -> BTreeSet<(String, String)> {
    exception_rows(&readme_exception_section())
}

/// The rows of the section's block for the commands other than run and
/// create.
fn readme_other_command_exceptions() -> BTreeSet<(String, String)> {
    let section = readme_exception_section();
    let block = section
        .split("#### Commands other than run and create")
        .nth(1)
        .expect("the exception section has a \"Commands other than run and create\" block");
    exception_rows(block.split("\n#### ").next().unwrap_or(block))
}

/// Compares one command's flags with podman's in both directions; every
/// difference is pushed onto `problems`. Returns how many flags matched.
fn compare_both_ways(
    joined: &str,
    cmd: &clap::Command,
    help: &str,
    exceptions: &BTreeSet<(String, String)>,
    problems: &mut Vec<String>,
) -> usize {
    let podman = parse_flags(help);
    let mut compared = 0;
    let ours: BTreeMap<&str, &clap::Arg> = cmd
        .get_arguments()
        .filter(|a| !a.is_global_set())
        .filter_map(|a| a.get_long().map(|l| (l, a)))
        .filter(|(l, _)| *l != "help")
        .collect();
    for (long, p) in &podman {
        if long == "help" || ours.contains_key(long.as_str()) {
            continue;
        }
        let aliased = cmd.get_arguments().any(|a| {
            a.get_all_aliases()
                .is_some_and(|al| al.contains(&long.as_str()))
        });
        if !aliased && !exceptions.contains(&(joined.to_owned(), long.clone())) {
            problems.push(format!(
                "{joined}: berth lacks podman's {}--{long}",
                p.short.map(|c| format!("-{c}/")).unwrap_or_default()
            ));
        }
    }
    for (long, arg) in ours {
        let Some(p) = podman.get(long) else {
            if PODMAN_HIDDEN.contains(&(joined, long)) {
                continue;
            }
            problems.push(format!("{joined}: --{long} is not a podman flag"));
            continue;
        };
        compared += 1;
        if arg.get_short() != p.short {
            problems.push(format!(
                "{joined} --{long}: short {:?}, podman {:?}",
                arg.get_short(),
                p.short
            ));
        }
        let ours: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if let Some(d) = p
            .default
            .as_ref()
            .filter(|_| !exceptions.contains(&(joined.to_owned(), long.to_owned())))
        {
            let plain = !d.starts_with('[') && !d.contains(' ') && d != "false";
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
            if plain && takes_value && ours.len() == 1 && ours[0] != *d {
                problems.push(format!(
                    "{joined} --{long}: default {:?}, podman {d:?}",
                    ours[0]
                ));
            }
        }
    }
    compared
}

#[test]
fn other_commands_match_podman_both_ways() {
    let exceptions = readme_exceptions();
    let mut problems = Vec::new();
    let mut compared = 0;
    for (joined, cmd, help) in commands_with_podman_help() {
        if RUN_CREATE.contains(&joined.as_str()) {
            continue;
        }
        compared += compare_both_ways(&joined, &cmd, &help, &exceptions, &mut problems);
    }
    // Every exception row names a berth command and a flag it defines.
    let mine = readme_other_command_exceptions();
    let mut root = Cli::command();
    root.build();
    for (cmd, flag) in &mine {
        assert!(
            !RUN_CREATE.contains(&cmd.as_str()),
            "README: `{cmd} --{flag}` belongs in the run/create block"
        );
        let mut c = &root;
        for word in cmd.split(' ') {
            c = c
                .find_subcommand(word)
                .unwrap_or_else(|| panic!("README exception names no berth command `{cmd}`"));
        }
        assert!(
            c.get_arguments()
                .any(|a| a.get_long() == Some(flag.as_str())),
            "README exception `{cmd} --{flag}`: berth has no such flag"
        );
    }
    // The README's rows for these commands are exactly the flags
    // cli::unsupported refuses for them.
    let code: BTreeSet<(String, String)> = berth_cli::cli::unsupported::UNSUPPORTED
        .iter()
        .flat_map(|u| {
            u.commands
                .iter()
                .filter(|c| !RUN_CREATE.contains(c))
                .map(move |c| ((*c).to_owned(), u.flag.to_owned()))
        })
        .collect();
    assert_eq!(
        mine, code,
        "the README's exception rows and cli::unsupported::UNSUPPORTED differ"
    );
    eprintln!("compared {compared} flags with podman");
    assert!(
        compared > 300,
        "only {compared} flags compared; is the help parser broken?"
    );
    assert!(
        problems.is_empty(),
        "differences from podman ({}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn global_flags_exist_in_podman() {
    let help = podman_help(&[]).unwrap_or_else(|| {
        let out = Command::new("podman")
            .arg("--help")
            .output()
            .expect("podman");
        String::from_utf8_lossy(&out.stdout).into_owned()
    });
    let podman = parse_flags(&help);
    for long in [
        "root",
        "runroot",
        "namespace",
        "runtime",
        "conmon",
        "cgroup-manager",
        "storage-driver",
        "tmpdir",
        "hooks-dir",
        "log-level",
    ] {
        assert!(podman.contains_key(long), "podman has no global --{long}");
        let ours = Cli::command();
        assert!(
            ours.get_arguments().any(|a| a.get_long() == Some(long)),
            "berth lacks --{long}"
        );
    }
}

// ---------------------------------------------------------------------------
// run, create and the global flags, compared both ways (helper `flagsrun`).
// Every podman flag exists in berth with podman's short form and (where
// podman prints a plain one) default; every berth flag exists in podman
// except BERTH_ONLY_RUN_FLAGS; the flags in the README's table "Flags
// accepted but not supported yet" are refused with the error it shows.
// ---------------------------------------------------------------------------

/// The commands this section compares: berth's path and podman's.
const RUN_CREATE_COMMANDS: &[&[&str]] = &[
    &["run"],
    &["create"],
    &["container", "run"],
    &["container", "create"],
];

/// berth's own run/create flags (podman 4.3.1 has none of these), with why.
const BERTH_ONLY_RUN_FLAGS: &[(&str, &str)] = &[
    ("cert-dir", "the registry flags run/create share with pull"),
    ("creds", "the registry flags run/create share with pull"),
    (
        "kernel-memory",
        "podman's hidden flag (absent from its --help): a no-op that warns, as podman's",
    ),
];

/// berth's own global flags, with why.
const BERTH_ONLY_GLOBAL_FLAGS: &[(&str, &str)] = &[
    (
        "config",
        "berth's configuration file (podman reads containers.conf)",
    ),
    (
        "cni-config-dir",
        "berth's name; podman's --network-config-dir is its alias",
    ),
    (
        "default-mounts-file",
        "podman 4.3.1 has it too, hidden from --help (mounts.conf for tests)",
    ),
];

/// One row of the README's exception table.
#[derive(Debug)]
struct Exception {
    /// `--flag` or `--flag value`.
    flag: String,
    /// `run`, `create`, `run, create` or `global`.
    commands: String,
    /// The error berth prints (without `Error: `).
    error: String,
}

/// The README's table "Flags accepted but not supported yet": rows of
/// `| flag | commands | reason | error |`, code spans unwrapped.
fn run_readme_exceptions() -> Vec<Exception> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("crates/cli/README.md");
    let start = readme
        .find("#### run, create and the global options")
        .expect("the README's table of unsupported run, create and global flags");
    let cell = |c: &str| c.trim().trim_matches('`').to_owned();
    readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| {
            let cells: Vec<&str> = l.trim().trim_matches('|').split('|').collect();
            (cells.len() >= 4).then(|| Exception {
                flag: cell(cells[0]),
                commands: cell(cells[1]),
                error: cell(cells[3]),
            })
        })
        .collect()
}

fn applies(e: &Exception, command: &str) -> bool {
    // The journald rows hold only where no journald runs (these machines).
    let journald_runs = std::path::Path::new("/run/systemd/journal/socket").exists();
    e.commands.split(',').any(|c| c.trim() == command)
        && !(journald_runs && e.flag.ends_with(" journald"))
}

/// The clap command at `path`.
fn berth_command(path: &[&str]) -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    for p in path {
        cmd = cmd
            .find_subcommand(p)
            .unwrap_or_else(|| panic!("berth has no `{}`", path.join(" ")))
            .clone();
    }
    cmd
}

/// Compares one podman help with berth's arguments, both ways.
fn run_compare_both_ways(
    what: &str,
    podman: &BTreeMap<String, PodmanFlag>,
    args: &[&clap::Arg],
    berth_only: &[(&str, &str)],
    exceptions: &[&Exception],
    problems: &mut Vec<String>,
) -> usize {
    let find = |long: &str| {
        args.iter().find(|a| {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|al| al.contains(&long))
        })
    };
    let excepted = |long: &str| {
        exceptions
            .iter()
            .any(|e| e.flag.split_whitespace().next() == Some(&format!("--{long}")))
    };
    let mut compared = 0;
    for (long, p) in podman {
        if long == "help" {
            continue;
        }
        let Some(arg) = find(long) else {
            problems.push(format!("{what}: podman's --{long} is missing in berth"));
            continue;
        };
        compared += 1;
        if arg.get_short() != p.short {
            problems.push(format!(
                "{what} --{long}: short {:?}, podman {:?}",
                arg.get_short(),
                p.short
            ));
        }
        if excepted(long) {
            continue;
        }
        let ours: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        if let Some(d) = &p.default {
            let plain = !d.starts_with('[') && !d.contains(' ') && d != "false";
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
            if plain && takes_value && ours.len() == 1 && ours[0] != *d {
                problems.push(format!(
                    "{what} --{long}: default {:?}, podman {d:?}",
                    ours[0]
                ));
            }
            // A bool podman defaults to true must default to true here too.
            if d == "true" && !takes_value && ours.first().map(String::as_str) != Some("true") {
                problems.push(format!("{what} --{long}: podman's default is true"));
            }
        }
    }
    for arg in args {
        let Some(long) = arg.get_long() else { continue };
        if long == "help" || long == "version" || podman.contains_key(long) {
            continue;
        }
        let alias_known = arg
            .get_all_aliases()
            .is_some_and(|al| al.iter().any(|a| podman.contains_key(*a)));
        if !alias_known && !berth_only.iter().any(|(f, _)| *f == long) {
            problems.push(format!(
                "{what}: berth's --{long} is not a podman flag (add it to the berth-only list with the reason)"
            ));
        }
    }
    compared
}

/// Runs berth (the library entry point) and returns its exit code and message.
fn berth_error(argv: &[String]) -> (u8, String) {
    let mut full = vec!["berth".to_owned()];
    full.extend(argv.iter().cloned());
    match berth_cli::run(full) {
        Ok(code) => (code, String::new()),
        Err(e) => (
            berth_cli::error::exit_code(&e),
            berth_cli::error::render(&e),
        ),
    }
}

/// The argv that gives `flag` (a value added when it takes one) to `path`.
fn exception_argv(e: &Exception, path: &[&str], arg: Option<&clap::Arg>) -> Vec<String> {
    let mut words: Vec<String> = e.flag.split_whitespace().map(str::to_owned).collect();
    let takes_value = arg.is_some_and(|a| a.get_num_args().is_some_and(|n| n.takes_values()));
    if words.len() == 1 && takes_value {
        words.push("1".into());
    }
    let mut argv: Vec<String> = Vec::new();
    if path.is_empty() {
        argv.extend(words);
        argv.push("version".into());
    } else {
        // Private roots: should a row not be refused, nothing of the host is touched.
        let tmp = std::env::temp_dir().join(format!("berth-flags-{}", std::process::id()));
        for (flag, dir) in [
            ("--root", "root"),
            ("--runroot", "runroot"),
            ("--tmpdir", "tmp"),
        ] {
            argv.push(flag.into());
            argv.push(tmp.join(dir).to_string_lossy().into_owned());
        }
        argv.extend(path.iter().map(|s| (*s).to_owned()));
        argv.extend(words);
        argv.push("img".into());
    }
    argv
}

#[test]
fn run_create_and_global_flags_match_podman_both_ways() {
    let exceptions = run_readme_exceptions();
    assert!(
        exceptions.len() > 20,
        "the README's exception table has {} rows; is it parsed right?",
        exceptions.len()
    );
    let mut problems = Vec::new();
    let mut compared = 0;
    for path in RUN_CREATE_COMMANDS {
        let joined = path.join(" ");
        let owned: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        let help = podman_help(&owned).unwrap_or_else(|| panic!("podman has no `{joined}`"));
        let podman = parse_flags(&help);
        let cmd = berth_command(path);
        let args: Vec<&clap::Arg> = cmd.get_arguments().filter(|a| !a.is_global_set()).collect();
        let verb = path[path.len() - 1];
        let rows: Vec<&Exception> = exceptions.iter().filter(|e| applies(e, verb)).collect();
        compared += run_compare_both_ways(
            &joined,
            &podman,
            &args,
            BERTH_ONLY_RUN_FLAGS,
            &rows,
            &mut problems,
        );
        if path.len() == 1 {
            for e in &rows {
                let long = e.flag.split_whitespace().next().unwrap_or_default();
                let arg = args
                    .iter()
                    .find(|a| a.get_long().map(|l| format!("--{l}")) == Some(long.to_owned()));
                if arg.is_none() {
                    problems.push(format!(
                        "{joined}: README exception {long} is not a berth flag"
                    ));
                }
                let argv = exception_argv(e, path, arg.copied());
                let (code, text) = berth_error(&argv);
                if code != 125 || text != format!("Error: {}", e.error) {
                    problems.push(format!(
                        "berth {}: exit {code}, {text:?}; the README says {:?}",
                        argv.join(" "),
                        e.error
                    ));
                }
            }
        }
    }
    // The global flags.
    let out = Command::new("podman")
        .arg("--help")
        .output()
        .expect("podman");
    let podman = parse_flags(&String::from_utf8_lossy(&out.stdout));
    let root = berth_command(&[]);
    let args: Vec<&clap::Arg> = root.get_arguments().collect();
    let rows: Vec<&Exception> = exceptions.iter().filter(|e| applies(e, "global")).collect();
    compared += run_compare_both_ways(
        "global",
        &podman,
        &args,
        BERTH_ONLY_GLOBAL_FLAGS,
        &rows,
        &mut problems,
    );
    for e in &rows {
        let long = e.flag.split_whitespace().next().unwrap_or_default();
        let arg = args
            .iter()
            .find(|a| a.get_long().map(|l| format!("--{l}")) == Some(long.to_owned()));
        let argv = exception_argv(e, &[], arg.copied());
        let (code, text) = berth_error(&argv);
        if code != 125 || text != format!("Error: {}", e.error) {
            problems.push(format!(
                "berth {}: exit {code}, {text:?}; the README says {:?}",
                argv.join(" "),
                e.error
            ));
        }
    }
    eprintln!("compared {compared} run/create/global flags with podman, both ways");
    assert!(compared > 400, "only {compared} flags compared");
    assert!(
        problems.is_empty(),
        "differences from podman:\n{}",
        problems.join("\n")
    );
}

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
const BERTH_ONLY: &[&str] = &["system check", "system refresh"];

/// Flags podman 4.3.1 accepts but hides from `--help`, which berth
/// defines (and may show).
const PODMAN_HIDDEN: &[(&str, &str)] = &[
    ("pull", "signature-policy"),
    ("image pull", "signature-policy"),
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

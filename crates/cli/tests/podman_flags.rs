//! Checks the command tree against the installed podman 4.3.1: for every
//! berth command that podman also has, each flag podman knows must have
//! podman's short form and, where podman prints a plain default, podman's
//! default. Needs `podman` (installed by `cargo xtask deps`); fails loudly
//! without it. Only `--help` is run, which touches no storage.

use berth_cli::cli::Cli;
use clap::CommandFactory;
use std::collections::BTreeMap;
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

#[test]
fn flags_match_podman() {
    let mut root = Cli::command();
    root.build();
    let mut cmds = Vec::new();
    leaves(&root, Vec::new(), &mut cmds);
    let mut problems = Vec::new();
    let mut compared = 0;
    for (path, cmd) in cmds {
        let joined = path.join(" ");
        let Some(help) = podman_help(&path) else {
            assert!(
                BERTH_ONLY.contains(&joined.as_str()),
                "podman has no `{joined}`; add it to BERTH_ONLY if that is intended"
            );
            continue;
        };
        let podman = parse_flags(&help);
        for arg in cmd.get_arguments().filter(|a| !a.is_global_set()) {
            let Some(long) = arg.get_long() else { continue };
            if long == "help" {
                continue;
            }
            let Some(p) = podman.get(long) else {
                if arg.get_short().is_some() {
                    problems.push(format!(
                        "{joined}: -{:?}/--{long} is not a podman flag",
                        arg.get_short()
                    ));
                }
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
            if let Some(d) = &p.default {
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
    }
    eprintln!("compared {compared} flags with podman");
    assert!(
        compared > 300,
        "only {compared} flags compared; is the help parser broken?"
    );
    assert!(
        problems.is_empty(),
        "differences from podman:\n{}",
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

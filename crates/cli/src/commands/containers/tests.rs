//! The container commands' parsing.

use super::*;
use crate::cli::Cli;
use crate::opts::Targets;
use clap::Parser;

fn parsed(args: &[&str]) -> anyhow::Result<Parsed> {
    let mut argv = vec!["berth", "container"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap();
    let crate::cli::Group::Container(c) = cli.command.into_group() else {
        panic!("not a container command")
    };
    parse(c, &ParseContext::from_process().unwrap())
}

#[test]
fn selections_are_parsed_once_with_their_command() {
    let Parsed::Stop { sel, timeout, .. } = parsed(&["stop", "-t", "3", "a", "b"]).unwrap() else {
        panic!()
    };
    assert_eq!(sel.targets, Targets::Named(vec!["a".into(), "b".into()]));
    assert_eq!(timeout, Duration::from_secs(3));
    let Parsed::Kill { sel, signal } = parsed(&["kill", "-a", "-s", "TERM"]).unwrap() else {
        panic!()
    };
    assert!(sel.is_all());
    assert_eq!(signal, "TERM".parse().unwrap());
    let Parsed::Rm(rm) = parsed(&["rm", "--filter", "status=exited"]).unwrap() else {
        panic!()
    };
    assert_eq!(rm.sel.targets, Targets::Filtered);
}

#[test]
fn cidfiles_are_read_while_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let cid = dir.path().join("cid");
    std::fs::write(&cid, "abc\n").unwrap();
    let Parsed::Rm(rm) = parsed(&["rm", "--cidfile", cid.to_str().unwrap()]).unwrap() else {
        panic!()
    };
    assert_eq!(rm.sel.targets, Targets::Named(vec!["abc".into()]));
}

#[test]
fn latest_wins_and_listing_forms_need_no_names() {
    let Parsed::Logs { sel, opts, .. } = parsed(&["logs", "-l", "--tail", "3", "x"]).unwrap()
    else {
        panic!()
    };
    assert_eq!(sel.targets, Targets::Latest);
    assert_eq!(opts.tail, Some(3));
    assert!(matches!(
        parsed(&["mount"]).unwrap(),
        Parsed::Mount { sel: None, .. }
    ));
    let Parsed::Stats(s) = parsed(&["stats", "--no-stream"]).unwrap() else {
        panic!()
    };
    assert!(s.sel.is_none());
    let Parsed::Wait { condition, .. } = parsed(&["wait", "--condition", "running", "x"]).unwrap()
    else {
        panic!()
    };
    assert_eq!(condition, WaitCondition::Running);
}

#[test]
fn detach_keys_are_checked_only_when_used() {
    assert!(parsed(&["start", "--detach-keys", "bogus", "x"]).is_ok());
    let e = parsed(&["start", "-a", "--detach-keys", "bogus", "x"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("--detach-keys"), "{e}");
}

#[test]
fn start_all_with_names_is_refused_in_podmans_words() {
    let e = parsed(&["start", "--all", "x"]).unwrap_err().to_string();
    assert_eq!(
        e,
        "either start all containers or the container(s) provided in the arguments"
    );
}

//! End to end: `pod pause` and `pod unpause` over real containers (infra
//! included), their pod events, and bad input.

mod common;

use common::{Berth, IMG};

#[test]
fn pause_and_unpause_every_member() {
    let b = Berth::new();
    let pod = b
        .ok(&["pod", "create", "--network", "none", "--name", "pp"])
        .trim()
        .to_owned();
    b.ok(&[
        "run", "-d", "--pod", "pp", "--name", "pp1", IMG, "sleep", "600",
    ]);
    b.ok(&[
        "run", "-d", "--pod", "pp", "--name", "pp2", IMG, "sleep", "600",
    ]);
    assert_eq!(b.ok(&["pod", "pause", "pp"]), format!("{pod}\n"));
    let states = b.ok(&["ps", "-a", "--pod", "--format", "{{.Names}} {{.State}}"]);
    assert_eq!(
        states
            .lines()
            .filter(|l| l.to_lowercase().ends_with(" paused"))
            .count(),
        3,
        "{states}"
    );
    assert_eq!(
        b.ok(&["pod", "ps", "--format", "{{.Status}}"]).trim(),
        "Paused"
    );
    // Exec into a frozen member is refused; unpause thaws all of them.
    assert_ne!(b.run(&["exec", "pp1", "true"]).code, 0);
    assert_eq!(b.ok(&["pod", "unpause", "pp"]), format!("{pod}\n"));
    let states = b.ok(&["ps", "-a", "--format", "{{.Names}} {{.State}}"]);
    assert_eq!(
        states.lines().filter(|l| l.contains(" Up ")).count(),
        3,
        "{states}"
    );
    assert_eq!(
        b.ok(&["pod", "ps", "--format", "{{.Status}}"]).trim(),
        "Running"
    );
    b.ok(&["exec", "pp1", "true"]);
    let ev = b.ok(&[
        "events",
        "--stream=false",
        "--filter",
        "pod=pp",
        "--format",
        "{{.Status}}",
    ]);
    assert_eq!(ev, "create\npause\nunpause\n");
    // -a pauses every pod.
    assert_eq!(b.ok(&["pod", "pause", "-a"]), format!("{pod}\n"));
    assert_eq!(b.ok(&["pod", "unpause", "--all"]), format!("{pod}\n"));
}

#[test]
fn bad_input_is_refused() {
    let b = Berth::new();
    for verb in ["pause", "unpause"] {
        b.fails_with(&["pod", verb, "nopod"], "nopod");
        b.fails_with(&["pod", verb], "POD");
    }
}

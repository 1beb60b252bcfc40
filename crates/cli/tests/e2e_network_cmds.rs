//! End to end: `network exists`, `network prune`, `network connect/disconnect` and
//! `network reload` with real CNI (each test its own instance, bridges and subnets).

mod common;

use common::net::Net;
use common::{Berth, IMG};
use std::io::Write;
use std::process::{Command, Stdio};

/// The network names `network ls -q` shows.
fn names(b: &Berth) -> Vec<String> {
    b.ok(&["network", "ls", "-q"])
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `network prune` answering `answer` to its question; (exit code, stdout).
fn prune_answering(b: &Berth, answer: &str) -> (i32, String) {
    let mut child = b
        .cmd()
        .args(["network", "prune"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn exists_exits_0_or_1() {
    let b = Berth::empty();
    let net = Net::new("ex");
    net.create(&b);
    assert_eq!(b.ok(&["network", "exists", &net.name]), "");
    assert_eq!(b.ok(&["network", "exists", "berth"]), "");
    let r = b.run(&["network", "exists", "nosuchnet"]);
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (1, "", ""));
    let r = b.run(&["network", "exists"]);
    assert_eq!(r.code, 125, "{r:?}");
    let r = b.run(&["network", "exists", "a", "b"]);
    assert_eq!(r.code, 125, "{r:?}");
}

#[test]
fn prune_removes_unused_networks_only() {
    let b = Berth::new();
    let (used, idle, labelled) = (Net::new("pu"), Net::new("pi"), Net::new("pl"));
    used.create(&b);
    idle.create(&b);
    b.ok(&[
        "network",
        "create",
        "--subnet",
        &labelled.subnet,
        "-o",
        &format!("com.docker.network.bridge.name={}", labelled.bridge),
        "--label",
        "keep=yes",
        &labelled.name,
    ]);
    // A created (never started) container keeps its network too.
    b.ok(&["create", "--network", &used.name, IMG, "true"]);

    // The question: no (or no answer) keeps everything.
    let (code, out) = prune_answering(&b, "n\n");
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "WARNING! This will remove all networks not used by at least one container.\n\
         Are you sure you want to continue? [y/N] "
    );
    assert_eq!(prune_answering(&b, "").0, 0);
    assert!(names(&b).contains(&idle.name));

    // Filters: label!= keeps the labelled one; label= takes only it.
    assert_eq!(
        b.ok(&["network", "prune", "-f", "--filter", "label!=keep=yes"]),
        format!("{}\n", idle.name)
    );
    assert_eq!(
        b.ok(&["network", "prune", "-f", "--filter", "until=1h"]),
        "",
        "created just now, so not before an hour ago"
    );
    let (code, out) = prune_answering(&b, "y\n");
    assert_eq!(code, 0);
    assert!(
        out.ends_with(&format!("[y/N] {}\n", labelled.name)),
        "{out}"
    );

    let left = names(&b);
    assert!(left.contains(&used.name), "{left:?}");
    assert!(left.contains(&"berth".to_owned()), "{left:?}");
    assert!(!left.contains(&idle.name) && !left.contains(&labelled.name));
    assert_eq!(b.ok(&["network", "prune", "-f"]), "");
    for bridge in [&idle.bridge, &labelled.bridge] {
        let st = Command::new("ip")
            .args(["link", "show", bridge])
            .stderr(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(!st.success(), "bridge {bridge} left behind");
    }

    // Once its container is gone, the network goes too.
    b.ok(&["rm", "-a", "-f"]);
    assert_eq!(
        b.ok(&["network", "prune", "--force"]),
        format!("{}\n", used.name)
    );
    assert_eq!(names(&b), ["berth"]);
}

#[test]
fn prune_refuses_bad_filters_and_arguments() {
    let b = Berth::empty();
    let net = Net::new("pb");
    net.create(&b);
    for (args, part) in [
        (
            &["network", "prune", "-f", "--filter", "name=x"][..],
            "name=x",
        ),
        (
            &["network", "prune", "-f", "--filter", "until=soon"][..],
            "until=soon",
        ),
        (
            &["network", "prune", "-f", "--filter", "label"][..],
            "label",
        ),
        (
            &["network", "prune", "-f", net.name.as_str()][..],
            &net.name,
        ),
    ] {
        b.fails_with(args, part);
    }
    assert!(names(&b).contains(&net.name), "nothing removed");
}

//! End to end: `network create/ls/inspect/rm` against real CNI config dirs,
//! and a container attached to a created network (real bridge, removed after).

mod common;

use common::net::Net;
use common::{Berth, IMG};
use std::process::Command;

#[test]
fn create_ls_inspect_rm() {
    let b = Berth::empty();
    let net = Net::new("web");
    assert_eq!(net.create(&b), format!("{}\n", net.name));

    let ls = b.ok(&["network", "ls"]);
    let mut lines = ls.lines();
    assert_eq!(
        lines.next().unwrap().split_whitespace().collect::<Vec<_>>(),
        ["NETWORK", "ID", "NAME", "DRIVER"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    assert!(
        rows.iter().any(|r| r[1] == "berth" && r[2] == "bridge"),
        "{ls}"
    );
    assert!(
        rows.iter().any(|r| r[1] == net.name && r[0].len() == 12),
        "{ls}"
    );

    let q = b.ok(&["network", "ls", "-q"]);
    assert!(
        q.lines().any(|l| l == net.name) && q.lines().any(|l| l == "berth"),
        "{q}"
    );
    assert_eq!(
        b.ok(&[
            "network",
            "ls",
            "--filter",
            &format!("name={}", net.name),
            "--noheading",
            "--format",
            "{{.Name}} {{.Driver}}"
        ]),
        format!("{} bridge\n", net.name)
    );

    let out = b.ok(&["network", "inspect", &net.name]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["name"], net.name.as_str());
    assert_eq!(v[0]["driver"], "bridge");
    assert_eq!(v[0]["network_interface"], net.bridge.as_str());
    assert_eq!(v[0]["subnets"][0]["subnet"], net.subnet.as_str());
    assert_eq!(v[0]["id"].as_str().unwrap().len(), 64);
    assert_eq!(
        b.ok(&["network", "inspect", "--format", "{{.name}}", "berth"]),
        "berth\n"
    );

    // Errors: name in use, bad subnet, unknown network, default network.
    let r = b.run(&[
        "network",
        "create",
        "--subnet",
        "10.199.250.0/24",
        &net.name,
    ]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains(&net.name), "{r:?}");
    let r = b.run(&["network", "create", "--subnet", "10.1.2.0/33", "badsub"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("10.1.2.0/33"), "{r:?}");
    let r = b.run(&["network", "inspect", "nosuchnet"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("nosuchnet"), "{r:?}");
    let r = b.run(&["network", "rm", "nosuchnet"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("nosuchnet"), "{r:?}");
    let r = b.run(&["network", "rm", "berth"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("default network"), "{r:?}");

    assert_eq!(
        b.ok(&["network", "rm", &net.name]),
        format!("{}\n", net.name)
    );
    assert!(!b
        .ok(&["network", "ls", "-q"])
        .lines()
        .any(|l| l == net.name));
}

#[test]
fn rm_of_a_network_in_use_needs_force() {
    let b = Berth::new();
    let net = Net::new("used");
    net.create(&b);
    let id = b.ok(&["run", "-d", "--network", &net.name, IMG, "sleep", "100"]);
    let id = id.trim().to_owned();
    let r = b.run(&["network", "rm", &net.name]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains(&net.name) && r.err.contains(&id), "{r:?}");
    assert_eq!(
        b.ok(&["network", "rm", "-f", &net.name]),
        format!("{}\n", net.name)
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    let gone = Command::new("ip")
        .args(["link", "show", &net.bridge])
        .output()
        .unwrap();
    assert!(!gone.status.success(), "bridge {} still exists", net.bridge);
}

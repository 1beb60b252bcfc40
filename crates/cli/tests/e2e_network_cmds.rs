//! End to end: `network exists`, `network prune`, `network connect/disconnect` and
//! `network create`'s bridge options with real CNI (each test its own instance, bridges
//! and subnets). `network reload` is in e2e_network_reload.rs.

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

/// `inspect`'s `NetworkSettings.Networks` of a container.
fn networks_of(b: &Berth, c: &str) -> serde_json::Value {
    let out = b.ok(&[
        "inspect",
        "--format",
        "{{json .NetworkSettings.Networks}}",
        c,
    ]);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The IPv4 addresses inside a running container, `ifname addr/len` per line.
fn addresses_in(b: &Berth, c: &str) -> String {
    b.ok(&["exec", c, "ip", "-4", "-o", "addr", "show"])
        .lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w.len() > 3 && w[1] != "lo").then(|| format!("{} {}", w[1], w[3]))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a named network still holds on the host: veths on its bridge, host-local leases,
/// iptables lines naming its subnet or one of `ids`.
fn traces(b: &Berth, net: &Net, ids: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let links = Command::new("ip")
        .args(["-o", "link", "show", "master", &net.bridge])
        .output()
        .unwrap();
    for l in String::from_utf8_lossy(&links.stdout).lines() {
        found.push(format!("veth: {l}"));
    }
    let leases = b.dir.path().join("root/cni-ipam").join(&net.name);
    for e in std::fs::read_dir(&leases).into_iter().flatten().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n != "lock" && !n.starts_with("last_reserved_ip") {
            found.push(format!("lease: {n}"));
        }
    }
    let prefix = net.subnet.rsplit_once('.').unwrap().0.to_owned() + ".";
    let save = Command::new("iptables-save").output().unwrap();
    for l in String::from_utf8_lossy(&save.stdout).lines() {
        if l.contains(&prefix) || ids.iter().any(|id| l.contains(id)) {
            found.push(format!("iptables: {l}"));
        }
    }
    found
}

#[test]
fn connect_and_disconnect_a_running_container() {
    let b = Berth::new();
    let (a, second) = (Net::new("ca"), Net::new("cb"));
    a.create(&b);
    second.create(&b);
    let id = b.ok(&[
        "run",
        "-d",
        "--name",
        "c1",
        "--network",
        &a.name,
        IMG,
        "sleep",
        "600",
    ]);
    let id = id.trim();
    let prefix_b = second.subnet.rsplit_once('.').unwrap().0.to_owned() + ".";

    assert_eq!(b.ok(&["network", "connect", &second.name, "c1"]), "");
    let nets = networks_of(&b, "c1");
    assert_eq!(nets[&second.name]["InterfaceName"], "eth1", "{nets}");
    let ip_b = nets[&second.name]["IPAddress"].as_str().unwrap().to_owned();
    assert!(ip_b.starts_with(&prefix_b), "{nets}");
    let inside = addresses_in(&b, "c1");
    assert!(inside.contains(&format!("eth1 {ip_b}/24")), "{inside}");
    // Reachable from another container on that network.
    b.ok(&[
        "run",
        "--rm",
        "--cap-add",
        "NET_RAW",
        "--network",
        &second.name,
        IMG,
        "ping",
        "-c",
        "1",
        "-W",
        "3",
        &ip_b,
    ]);

    // Already connected; the network is in use now.
    let r = b.fails_with(
        &["network", "connect", &second.name, "c1"],
        "is already connected to network",
    );
    assert!(r.err.contains(id), "{r:?}");
    b.fails_with(&["network", "rm", &second.name], &second.name);
    assert!(!b.ok(&["network", "prune", "-f"]).contains(&second.name));

    // A restart keeps the connection.
    b.ok(&["stop", "-t", "0", "c1"]);
    assert_eq!(networks_of(&b, "c1")[&second.name]["IPAddress"], "");
    assert!(
        traces(&b, &second, &[id]).is_empty(),
        "{:?}",
        traces(&b, &second, &[id])
    );
    b.ok(&["start", "c1"]);
    assert!(addresses_in(&b, "c1").contains("eth1 "), "after restart");

    assert_eq!(b.ok(&["network", "disconnect", &second.name, "c1"]), "");
    let inside = addresses_in(&b, "c1");
    assert!(
        !inside.contains("eth1") && inside.contains("eth0 "),
        "{inside}"
    );
    assert!(networks_of(&b, "c1").get(&second.name).is_none());
    // (c1 still runs on the first network: only the second's subnet is looked for.)
    assert!(
        traces(&b, &second, &[]).is_empty(),
        "{:?}",
        traces(&b, &second, &[])
    );
    b.fails(
        &["network", "disconnect", "-f", &second.name, "c1"],
        &format!("container c1 is not connected to network {}", second.name),
    );

    b.ok(&["rm", "-f", "c1"]);
    for n in [&a, &second] {
        assert!(
            traces(&b, n, &[id]).is_empty(),
            "{:?}",
            traces(&b, n, &[id])
        );
    }
    let mut pruned: Vec<String> = b
        .ok(&["network", "prune", "-f"])
        .lines()
        .map(str::to_owned)
        .collect();
    pruned.sort();
    let mut want = vec![a.name.clone(), second.name.clone()];
    want.sort();
    assert_eq!(pruned, want);
}

#[test]
fn connect_a_created_container_with_a_static_ip_and_mac() {
    let b = Berth::new();
    let (a, second) = (Net::new("sa"), Net::new("sb"));
    a.create(&b);
    second.create(&b);
    b.ok(&[
        "create",
        "--name",
        "c3",
        "--network",
        &a.name,
        IMG,
        "sleep",
        "600",
    ]);
    let ip = second.subnet.replace(".0/24", ".77");
    let mac = "92:d0:c6:0a:29:33";
    b.ok(&[
        "network",
        "connect",
        "--ip",
        &ip,
        "--mac-address",
        mac,
        "--alias",
        "web",
        &second.name,
        "c3",
    ]);
    let nets = networks_of(&b, "c3");
    assert_eq!(
        nets[&second.name]["Aliases"],
        serde_json::json!(["web"]),
        "{nets}"
    );
    b.ok(&["start", "c3"]);
    let nets = networks_of(&b, "c3");
    assert_eq!(nets[&second.name]["IPAddress"], ip.as_str(), "{nets}");
    assert_eq!(nets[&second.name]["MacAddress"], mac, "{nets}");
    let link = b.ok(&["exec", "c3", "cat", "/sys/class/net/eth1/address"]);
    assert_eq!(link.trim(), mac);

    // Disconnected while stopped: not attached at the next start.
    b.ok(&["stop", "-t", "0", "c3"]);
    b.ok(&["network", "disconnect", &second.name, "c3"]);
    b.ok(&["start", "c3"]);
    assert!(!addresses_in(&b, "c3").contains("eth1"));
    b.ok(&["rm", "-f", "c3"]);
    assert!(
        traces(&b, &second, &[]).is_empty(),
        "{:?}",
        traces(&b, &second, &[])
    );
}

#[test]
fn connect_refuses_bad_input() {
    let b = Berth::new();
    let net = Net::new("cx");
    net.create(&b);
    b.ok(&["create", "--name", "plain", IMG, "true"]);
    b.sleeper("nonet", &[]);
    for (args, part) in [
        (
            vec!["network", "connect", "nosuchnet", "plain"],
            "nosuchnet",
        ),
        (
            vec!["network", "connect", &net.name, "nosuchctr"],
            "nosuchctr",
        ),
        (
            vec!["network", "connect", &net.name, "nonet"],
            "\"none\" is not supported: invalid network mode",
        ),
        (
            vec!["network", "connect", "--ip", "10.1.2", &net.name, "plain"],
            "--ip",
        ),
        (
            vec!["network", "connect", "--ip6", "fd00::5", &net.name, "plain"],
            "IPv4 only",
        ),
        (
            vec![
                "network",
                "connect",
                "--mac-address",
                "zz:00",
                &net.name,
                "plain",
            ],
            "--mac-address",
        ),
        (vec!["network", "connect", &net.name], "CONTAINER"),
        (
            vec!["network", "disconnect", "nosuchnet", "plain"],
            "nosuchnet",
        ),
        (
            vec!["network", "disconnect", &net.name, "plain"],
            "is not connected to network",
        ),
    ] {
        b.fails_with(&args, part);
    }
    // Nothing was recorded.
    assert!(networks_of(&b, "plain").get(&net.name).is_none());
    assert_eq!(b.ok(&["network", "prune", "-f"]), format!("{}\n", net.name));
}

#[test]
fn create_internal_mtu_vlan_ip_range_and_labels() {
    let b = Berth::new();
    let net = Net::new("opt");
    let prefix = net.subnet.trim_end_matches("0/24").to_owned();
    let range = format!("{prefix}128/26");
    b.ok(&[
        "network",
        "create",
        "--subnet",
        &net.subnet,
        "--ip-range",
        &range,
        "--internal",
        "-o",
        "mtu=1400",
        "--label",
        "team=net",
        "-o",
        &format!("com.docker.network.bridge.name={}", net.bridge),
        &net.name,
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&b.ok(&["network", "inspect", &net.name])).unwrap();
    assert_eq!(v[0]["internal"], true, "{v}");
    assert_eq!(
        v[0]["subnets"][0]["lease_range"],
        serde_json::json!({"start_ip": format!("{prefix}129"), "end_ip": format!("{prefix}190")}),
        "{v}"
    );
    assert_eq!(v[0]["labels"], serde_json::json!({"team": "net"}), "{v}");
    assert_eq!(v[0]["options"], serde_json::json!({"mtu": "1400"}), "{v}");
    assert_eq!(
        b.ok(&["network", "ls", "-q", "--filter", "label=team=net"]),
        format!("{}\n", net.name)
    );

    b.ok(&[
        "run",
        "-d",
        "--name",
        "in",
        "--network",
        &net.name,
        IMG,
        "sleep",
        "600",
    ]);
    let ip = b.ok(&[
        "inspect",
        "--format",
        "{{.NetworkSettings.IPAddress}}",
        "in",
    ]);
    let last: u32 = ip.trim().rsplit('.').next().unwrap().parse().unwrap();
    assert!((129..191).contains(&last), "{ip} outside {range}");
    assert_eq!(
        b.ok(&["exec", "in", "cat", "/sys/class/net/eth0/mtu"]),
        "1400\n"
    );
    let routes = b.ok(&["exec", "in", "ip", "route"]);
    assert!(
        !routes.contains("default"),
        "internal: no default route: {routes}"
    );
    let nat = Command::new("iptables-save")
        .args(["-t", "nat"])
        .output()
        .unwrap();
    let nat = String::from_utf8_lossy(&nat.stdout).into_owned();
    assert!(
        !nat.lines()
            .any(|l| l.contains(&format!("{}/32", ip.trim()))),
        "internal: no masquerade for {ip}"
    );
    b.ok(&["rm", "-f", "in"]);

    // vlan= reaches the bridge plugin (this kernel has no bridge VLAN filtering, so only
    // the network is checked, not a container on it).
    let tagged = Net::new("vl");
    b.ok(&[
        "network",
        "create",
        "--subnet",
        &tagged.subnet,
        "-o",
        "vlan=5",
        "-o",
        &format!("com.docker.network.bridge.name={}", tagged.bridge),
        &tagged.name,
    ]);
    let v: serde_json::Value =
        serde_json::from_str(&b.ok(&["network", "inspect", &tagged.name])).unwrap();
    assert_eq!(v[0]["options"], serde_json::json!({"vlan": "5"}), "{v}");
    assert_eq!(v[0]["internal"], false, "{v}");

    for (args, part) in [
        (vec!["-o", "mtu=abc"], "mtu=abc"),
        (vec!["-o", "vlan=5000"], "vlan=5000"),
        (vec!["-o", "bogus=1"], "bogus=1"),
        (
            vec!["--subnet", "10.1.9.0/24", "--ip-range", "10.1.8.0/28"],
            "not inside the subnet",
        ),
        (vec!["--ip-range", "10.1.8.0/28"], "--ip-range"),
        (vec!["--ipv6"], "--ipv6"),
    ] {
        let mut a = vec!["network", "create"];
        a.extend(args);
        a.push("badopts");
        b.fails_with(&a, part);
    }
    assert!(!names(&b).contains(&"badopts".to_owned()));
}

#[test]
fn run_with_a_static_ip_mac_and_alias() {
    let b = Berth::new();
    let net = Net::new("st");
    net.create(&b);
    let prefix = net.subnet.trim_end_matches("0/24").to_owned();
    let (ip, mac) = (format!("{prefix}42"), "92:d0:c6:0a:29:44");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "fixed",
        "--network",
        &net.name,
        "--ip",
        &ip,
        "--mac-address",
        mac,
        "--network-alias",
        "db",
        IMG,
        "sleep",
        "600",
    ]);
    let nets = networks_of(&b, "fixed");
    assert_eq!(nets[&net.name]["IPAddress"], ip.as_str(), "{nets}");
    assert_eq!(nets[&net.name]["MacAddress"], mac, "{nets}");
    assert_eq!(
        nets[&net.name]["Aliases"],
        serde_json::json!(["db"]),
        "{nets}"
    );
    assert_eq!(
        b.ok(&["exec", "fixed", "cat", "/sys/class/net/eth0/address"])
            .trim(),
        mac
    );
    // The address is taken while it runs; it is the same after a restart.
    b.fails_with(
        &[
            "run",
            "--rm",
            "--network",
            &net.name,
            "--ip",
            &ip,
            IMG,
            "true",
        ],
        &ip,
    );
    b.ok(&["restart", "-t", "0", "fixed"]);
    assert_eq!(
        networks_of(&b, "fixed")[&net.name]["IPAddress"],
        ip.as_str()
    );

    // Per network, in --network's own syntax; on the default network with --ip.
    let ip2 = format!("{prefix}43");
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        &format!("{}:ip={ip2}", net.name),
        IMG,
        "ip",
        "-4",
        "-o",
        "addr",
        "show",
        "eth0",
    ]);
    assert!(out.contains(&format!("{ip2}/24")), "{out}");
    let def = b.subnet.trim_end_matches("0/24").to_owned() + "9";
    let out = b.ok(&[
        "run", "--rm", "--ip", &def, IMG, "ip", "-4", "-o", "addr", "show", "eth0",
    ]);
    assert!(out.contains(&format!("{def}/24")), "{out}");

    for (args, part) in [
        (
            vec!["--network", "none", "--ip", "10.1.2.3"],
            "exactly one bridge network",
        ),
        (vec!["--ip", "10.1.2"], "--ip"),
        (vec!["--mac-address", "01:00:00:00:00:01"], "multicast"),
        (vec!["--ip6", "fd00::1"], "--ip6"),
        (
            vec!["--network", &format!("{}:ip6=fd00::2", net.name)],
            "ip6",
        ),
    ] {
        let mut a = vec!["create"];
        a.extend(args);
        a.extend([IMG, "true"]);
        b.fails_with(&a, part);
    }
    b.ok(&["rm", "-f", "fixed"]);
    assert!(
        traces(&b, &net, &[]).is_empty(),
        "{:?}",
        traces(&b, &net, &[])
    );
}

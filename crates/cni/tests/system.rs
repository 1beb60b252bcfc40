//! System tests with the real plugins from /usr/lib/cni and real iptables,
//! each inside its own private "host" namespace (see tests/common).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use berth_cni::{CreateNetwork, Error, NetNs, NetworkPlugin, PortMapping};
use common::{ip, run_in, Env};

fn ping(from: &NetNs, to: &str) {
    run_in(from, "/bin/busybox", &["ping", "-c", "1", "-W", "3", to]);
}

#[test]
fn two_containers_on_one_network_ping_each_other() {
    let env = Env::new(1);
    let net = vec![env.default_network()];
    let a = env.plugin.create_netns("a").unwrap();
    let b = env.plugin.create_netns("b").unwrap();
    let att_a = env.plugin.setup("ctr-a", &a, &net, &[]).unwrap();
    let att_b = env.plugin.setup("ctr-b", &b, &net, &[]).unwrap();
    assert_eq!(att_a.len(), 1);
    assert_eq!(att_a[0].interface, "eth0");
    let ip_a = att_a[0].ips()[0].clone();
    let ip_b = att_b[0].ips()[0].clone();
    assert!(
        ip_a.starts_with("10.200.1.") && ip_b.starts_with("10.200.1."),
        "{ip_a} {ip_b}"
    );
    assert_ne!(ip_a, ip_b);
    // The result is typed and carries the bridge, the host veth and eth0.
    let r = &att_a[0].result;
    assert_eq!(r.interfaces[0].name, env.bridge);
    assert!(r
        .interfaces
        .iter()
        .any(|i| i.name == "eth0" && i.sandbox.as_deref() == a.to_str()));
    assert_eq!(r.ips[0].gateway.as_deref(), Some("10.200.1.1"));
    assert_eq!(att_a[0].gateway(), Some("10.200.1.1"));
    assert_eq!(att_a[0].mac().map(str::len), Some(17));
    // The state the runtime stores round-trips.
    let stored = serde_json::to_string(&att_a).unwrap();
    let att_a: Vec<berth_cni::NetworkAttachment> = serde_json::from_str(&stored).unwrap();

    let ns_a = NetNs::open(&a).unwrap();
    let ns_b = NetNs::open(&b).unwrap();
    ping(&ns_a, &ip_b);
    ping(&ns_b, &ip_a);
    ping(&ns_a, "10.200.1.1");
    // lo is up too (bridge does not do it; berth runs loopback).
    ping(&ns_a, "127.0.0.1");
    env.plugin.check("ctr-a", &a, &att_a).unwrap();

    env.plugin.teardown("ctr-a", &a, &att_a).unwrap();
    env.plugin.teardown("ctr-b", &b, &att_b).unwrap();
    // A repeated teardown is fine.
    env.plugin.teardown("ctr-a", &a, &att_a).unwrap();
    assert!(!ip(&ns_a, &["-o", "link"]).contains("eth0"));
    drop((ns_a, ns_b));
    env.plugin.remove_netns(&a).unwrap();
    env.plugin.remove_netns(&b).unwrap();
}

#[test]
fn mapped_port_reaches_listener_from_loopback_and_host_address() {
    let env = Env::new(2);
    // The private host gets an address of its own besides the bridge.
    ip(
        env.host(),
        &[
            "link", "add", "hostif0", "type", "veth", "peer", "name", "hostif1",
        ],
    );
    ip(
        env.host(),
        &["addr", "add", "192.168.222.1/24", "dev", "hostif0"],
    );
    ip(env.host(), &["link", "set", "hostif0", "up"]);
    ip(env.host(), &["link", "set", "hostif1", "up"]);

    let c = env.plugin.create_netns("web").unwrap();
    let ns = NetNs::open(&c).unwrap();
    let listener = ns.run(|| TcpListener::bind("0.0.0.0:80")).unwrap().unwrap();
    let server = std::thread::spawn(move || {
        for _ in 0..3 {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(b"hello from the container").unwrap();
        }
    });
    let udp = ns
        .run(|| std::net::UdpSocket::bind("0.0.0.0:53"))
        .unwrap()
        .unwrap();
    let udp_server = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) = udp.recv_from(&mut buf).unwrap();
        udp.send_to(&buf[..n], from).unwrap();
    });
    let pm = PortMapping::parse_all(&["8080:80/tcp", "5353:53/udp"]).unwrap();
    let att = env
        .plugin
        .setup("web", &c, &[env.default_network()], &pm)
        .unwrap();
    assert_eq!(att[0].port_mappings, pm);
    // From the host's loopback, the host's own address, and (hairpin) from
    // the container itself through the host's address.
    let from_ctr = NetNs::open(&c).unwrap();
    for (from, addr) in [
        (env.host(), "127.0.0.1:8080"),
        (env.host(), "192.168.222.1:8080"),
        (&from_ctr, "192.168.222.1:8080"),
    ] {
        let got = from
            .run(move || {
                let mut s =
                    TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(5))?;
                s.set_read_timeout(Some(Duration::from_secs(5)))?;
                let mut buf = String::new();
                s.read_to_string(&mut buf)?;
                Ok::<_, std::io::Error>(buf)
            })
            .unwrap()
            .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
        assert_eq!(got, "hello from the container", "{addr}");
    }
    server.join().unwrap();
    let echoed = env
        .host()
        .run(|| {
            let s = std::net::UdpSocket::bind("0.0.0.0:0")?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            s.send_to(b"ping over udp", "192.168.222.1:5353")?;
            let mut buf = [0u8; 64];
            let (n, _) = s.recv_from(&mut buf)?;
            Ok::<_, std::io::Error>(buf[..n].to_vec())
        })
        .unwrap()
        .expect("udp mapping");
    assert_eq!(echoed, b"ping over udp");
    udp_server.join().unwrap();
    let nat = run_in(env.host(), "iptables-save", &["-t", "nat"]);
    assert!(nat.contains("--dport 8080"), "{nat}");
    env.plugin.teardown("web", &c, &att).unwrap();
    let nat = run_in(env.host(), "iptables-save", &["-t", "nat"]);
    assert!(
        !nat.contains("--dport 8080"),
        "portmap DEL left rules: {nat}"
    );
    drop(ns);
    env.plugin.remove_netns(&c).unwrap();
}

#[test]
fn none_mode_has_only_lo_and_it_is_up() {
    let env = Env::new(3);
    let warm = env.plugin.create_netns("warm").unwrap();
    env.plugin.remove_netns(&warm).unwrap();
    let before = env.snapshot();
    let c = env.plugin.create_netns("lonely").unwrap();
    let att = env.plugin.setup("lonely", &c, &[], &[]).unwrap();
    assert!(att.is_empty());
    let ns = NetNs::open(&c).unwrap();
    let links = ip(&ns, &["-o", "link", "show"]);
    assert_eq!(links.lines().count(), 1, "{links}");
    assert!(links.contains("lo:") && links.contains(",UP"), "{links}");
    ping(&ns, "127.0.0.1");
    env.plugin.teardown("lonely", &c, &att).unwrap();
    drop(ns);
    env.plugin.remove_netns(&c).unwrap();
    assert_eq!(env.snapshot(), before);
}

#[test]
fn hundred_cycles_leave_nothing_behind() {
    let env = Env::new(4);
    let net = vec![env.default_network()];
    let pm = PortMapping::parse_all(&["9000:90", "9001:91/udp"]).unwrap();
    let cycle = |i: usize| {
        let id = format!("cyc{i}");
        let c = env.plugin.create_netns(&id).unwrap();
        let att = env.plugin.setup(&id, &c, &net, &pm).unwrap();
        env.plugin.teardown(&id, &c, &att).unwrap();
        env.plugin.remove_netns(&c).unwrap();
    };
    // The first cycle creates what persists by design (bridge, top-level
    // chains, host-local's lock and last_reserved_ip).
    cycle(0);
    let before = env.snapshot();
    assert!(
        before.iter().any(|l| l.contains(&env.bridge)),
        "{before:#?}"
    );
    for i in 1..=100 {
        cycle(i);
    }
    let after = env.snapshot();
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.contains("last_reserved_ip"))
            .cloned()
            .collect()
    };
    assert_eq!(norm(&after), norm(&before));
}

#[test]
fn broken_missing_and_failing_plugins_fail_clearly_and_leave_nothing() {
    let env = Env::new(5);
    // Warm up so the persistent bridge and chains exist in the snapshot.
    let c = env.plugin.create_netns("warm").unwrap();
    let att = env
        .plugin
        .setup("warm", &c, &[env.default_network()], &[])
        .unwrap();
    env.plugin.teardown("warm", &c, &att).unwrap();
    env.plugin.remove_netns(&c).unwrap();
    let before = env.snapshot();
    let dir = env.plugin.networks().config_dir().to_path_buf();
    let ipam_dir = env.tmp.path().join("ipam");
    let bridge_with = |name: &str, extra: &str| {
        format!(
            r#"{{"cniVersion":"1.0.0","name":"{name}","plugins":[
              {{"type":"bridge","bridge":"{}","isGateway":true,"ipMasq":true,
                "ipam":{{"type":"host-local","dataDir":"{}","ranges":[[{{"subnet":"10.200.5.0/24"}}]]}}}}
              {extra}]}}"#,
            env.bridge,
            ipam_dir.display()
        )
    };

    std::fs::write(
        dir.join("50-broken.conflist"),
        "{\"cniVersion\": \"1.0.0\", \"name\": ",
    )
    .unwrap();
    std::fs::write(
        dir.join("60-missing.conflist"),
        bridge_with("missing", r#",{"type":"nosuchplugin"}"#),
    )
    .unwrap();
    std::fs::write(
        dir.join("70-failing.conflist"),
        bridge_with("failing", r#",{"type":"portmap","snat":"not a bool"}"#),
    )
    .unwrap();

    let c = env.plugin.create_netns("victim").unwrap();
    // Broken: the error names the file.
    let err = env
        .plugin
        .setup("victim", &c, &["broken".into()], &[])
        .unwrap_err();
    assert!(err.to_string().contains("50-broken.conflist"), "{err}");
    // Missing plugin: named, with the dirs searched; bridge's ADD undone. The DEL
    // after it cannot run the missing plugin either, and says so too.
    let err = env
        .plugin
        .setup("victim", &c, &["missing".into()], &[])
        .unwrap_err();
    assert!(
        matches!(err.add_error(), Error::PluginNotFound { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("nosuchplugin"), "{err}");
    // Failing plugin: its error JSON becomes the message.
    let err = env
        .plugin
        .setup("victim", &c, &["failing".into()], &[])
        .unwrap_err();
    assert!(matches!(err.add_error(), Error::Plugin { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("portmap") && text.contains("failing"),
        "{text}"
    );
    // Two networks where the second fails: the first is rolled back too.
    let err = env
        .plugin
        .setup(
            "victim",
            &c,
            &[env.default_network(), "failing".into()],
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("portmap"), "{err}");
    // Unknown network.
    let err = env
        .plugin
        .setup("victim", &c, &["nonexistent".into()], &[])
        .unwrap_err();
    assert!(
        err.to_string().contains("50-broken.conflist") || err.to_string().contains("nonexistent"),
        "{err}"
    );

    let ns = NetNs::open(&c).unwrap();
    let links = ip(&ns, &["-o", "link", "show"]);
    assert_eq!(links.lines().count(), 1, "only lo is left: {links}");
    drop(ns);
    env.plugin.remove_netns(&c).unwrap();
    let after = env.snapshot();
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.contains("last_reserved_ip") && !l.contains("/lock "))
            .map(|l| {
                l.replace("/failing/", "/NET/")
                    .replace("/missing/", "/NET/")
            })
            .collect()
    };
    assert_eq!(norm(&after), norm(&before));
}

#[test]
fn named_networks_status_check_and_remove() {
    let env = Env::new(6);
    let status = env.plugin.status().unwrap();
    assert_eq!(status.default_network, env.default_network());
    assert!(status
        .plugins
        .iter()
        .any(|(t, p)| t == "bridge" && p == Path::new("/usr/lib/cni/bridge")));
    let named = env
        .plugin
        .networks()
        .create(&CreateNetwork {
            name: "second".into(),
            subnet: Some("10.201.6.0/24".into()),
            bridge: Some("bt6b".into()),
            gateway: None,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(named.bridge_name().as_deref(), Some("bt6b"));
    // A subnet the (private) host already routes is refused, and automatic
    // picks avoid it.
    ip(
        env.host(),
        &[
            "link", "add", "rt6a", "type", "veth", "peer", "name", "rt6b",
        ],
    );
    ip(env.host(), &["addr", "add", "10.89.0.1/24", "dev", "rt6a"]);
    ip(env.host(), &["link", "set", "rt6a", "up"]);
    ip(env.host(), &["link", "set", "rt6b", "up"]);
    let err = env
        .plugin
        .networks()
        .create(&CreateNetwork {
            name: "routed".into(),
            subnet: Some("10.89.0.0/24".into()),
            ..CreateNetwork::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("host route 10.89.0.0/24"), "{err}");
    let auto = env
        .plugin
        .networks()
        .create(&CreateNetwork {
            name: "auto".into(),
            ..CreateNetwork::default()
        })
        .unwrap();
    assert_eq!(auto.subnets(), ["10.89.1.0/24"]);
    env.plugin.networks().remove("auto", &[], false).unwrap();
    let c = env.plugin.create_netns("multi").unwrap();
    let nets = vec![env.default_network(), "second".into()];
    let att = env.plugin.setup("multi", &c, &nets, &[]).unwrap();
    assert_eq!(att.len(), 2);
    assert_eq!(att[1].interface, "eth1");
    assert!(
        att[1].ips()[0].starts_with("10.201.6."),
        "{:?}",
        att[1].ips()
    );
    env.plugin.check("multi", &c, &att).unwrap();
    let err = env
        .plugin
        .networks()
        .remove("second", &["multi".into()], false)
        .unwrap_err();
    assert!(matches!(err, Error::NetworkInUse { .. }), "{err}");
    env.plugin.teardown("multi", &c, &att).unwrap();
    let err = env
        .plugin
        .remove_netns(Path::new("/proc/1/ns/net"))
        .unwrap_err();
    assert!(err.to_string().contains("not under"), "{err}");
    env.plugin.remove_netns(&c).unwrap();
    env.plugin.networks().remove("second", &[], false).unwrap();
    let links = ip(env.host(), &["-o", "link", "show"]);
    assert!(
        !links.contains("bt6b"),
        "bridge removed with its network: {links}"
    );
    assert!(links.contains(&env.bridge), "{links}");
}

#[test]
fn podman_style_040_list_works_and_teardown_survives_a_vanished_netns() {
    let env = Env::new(7);
    let dir = env.plugin.networks().config_dir().to_path_buf();
    std::fs::create_dir_all(&dir).unwrap();
    // The distro's 87-podman-bridge.conflist shape (cniVersion 0.4.0,
    // firewall without a backend), with this test's bridge, subnet, store.
    let list = serde_json::json!({
        "cniVersion": "0.4.0",
        "name": "podmanlike",
        "plugins": [
            {"type": "bridge", "bridge": env.bridge, "isGateway": true, "ipMasq": true, "hairpinMode": true,
             "ipam": {"type": "host-local", "routes": [{"dst": "0.0.0.0/0"}],
                      "dataDir": env.tmp.path().join("ipam"),
                      "ranges": [[{"subnet": env.subnet, "gateway": "10.200.7.1"}]]}},
            {"type": "portmap", "capabilities": {"portMappings": true}},
            {"type": "firewall"},
            {"type": "tuning"}
        ]
    });
    std::fs::write(dir.join("87-podmanlike.conflist"), list.to_string()).unwrap();
    let nets = vec!["podmanlike".to_string()];
    let pm = PortMapping::parse("8081:81").unwrap();
    let cycle = |id: &str| {
        let c = env.plugin.create_netns(id).unwrap();
        let att = env.plugin.setup(id, &c, &nets, &pm).unwrap();
        env.plugin.teardown(id, &c, &att).unwrap();
        env.plugin.remove_netns(&c).unwrap();
    };
    cycle("warm");
    let before = env.snapshot();

    let c = env.plugin.create_netns("p1").unwrap();
    let att = env.plugin.setup("p1", &c, &nets, &pm).unwrap();
    assert_eq!(att[0].result.cni_version, "0.4.0");
    assert_eq!(att[0].result.ips[0].version.as_deref(), Some("4"));
    env.plugin.check("p1", &c, &att).unwrap();
    // Wrong order (as after a crash): the namespace goes first.
    env.plugin.remove_netns(&c).unwrap();
    env.plugin.teardown("p1", &c, &att).unwrap();
    env.plugin.teardown("p1", &c, &att).unwrap();
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.contains("last_reserved_ip"))
            .cloned()
            .collect()
    };
    assert_eq!(norm(&env.snapshot()), norm(&before));
}

#[test]
fn concurrent_setups_get_distinct_addresses_and_clean_up() {
    let env = Env::new(8);
    let net = vec![env.default_network()];
    // Write the default conflist once before the threads race.
    env.plugin.status().unwrap();
    let warm = env.plugin.create_netns("warm").unwrap();
    // Without a mapping: the parallel ADDs below are portmap's first, and
    // its shared top-level chains are created check-then-insert (plugins
    // 1.1.1 race: duplicated PREROUTING/OUTPUT jumps). berth serializes
    // plugin runs, so no rule may appear twice afterwards.
    let att = env.plugin.setup("warm", &warm, &net, &[]).unwrap();
    env.plugin.teardown("warm", &warm, &att).unwrap();
    env.plugin.remove_netns(&warm).unwrap();
    let before = env.snapshot();
    let ips = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let env = &env;
                let net = &net;
                s.spawn(move || {
                    let id = format!("par{i}");
                    let c = env.plugin.create_netns(&id).unwrap();
                    let pm = [PortMapping::tcp(10_000 + i, 80)];
                    let att = env.plugin.setup(&id, &c, net, &pm).unwrap();
                    (id, c, att)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    let mut addrs: Vec<String> = ips.iter().map(|(_, _, a)| a[0].ips()[0].clone()).collect();
    addrs.sort();
    addrs.dedup();
    assert_eq!(addrs.len(), 6, "{addrs:?}");
    let first = NetNs::open(&ips[0].1).unwrap();
    ping(&first, &ips[5].2[0].ips()[0]);
    drop(first);
    std::thread::scope(|s| {
        for (id, c, att) in &ips {
            let env = &env;
            s.spawn(move || {
                env.plugin.teardown(id, c, att).unwrap();
                env.plugin.remove_netns(c).unwrap();
            });
        }
    });
    let after = env.snapshot();
    let rules: Vec<&String> = after.iter().filter(|l| l.starts_with("ipt -A")).collect();
    let mut unique = rules.clone();
    unique.dedup();
    assert_eq!(rules, unique, "a rule appears twice");
    // Apart from portmap's shared top-level chains (kept by design), all is
    // as before.
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.contains("last_reserved_ip") && !l.contains("CNI-HOSTPORT-"))
            .cloned()
            .collect()
    };
    assert_eq!(norm(&after), norm(&before));
}

/// The real default names, safe here because the "host" is a private namespace: a
/// leftover `berth0` carrying the default gateway is reused with the default subnet; one
/// with another address of the default subnet makes the network move to the next subnet
/// and to `berth1`.
#[test]
fn the_default_network_reuses_or_avoids_an_existing_berth0() {
    for (addr, bridge, subnet) in [
        ("10.89.0.1/24", "berth0", "10.89.0.0/24"),
        ("10.89.0.77/24", "berth1", "10.89.1.0/24"),
    ] {
        let env = Env::new(60);
        ip(env.host(), &["link", "add", "berth0", "type", "bridge"]);
        ip(env.host(), &["addr", "add", addr, "dev", "berth0"]);
        let mut opts = env.plugin.options().clone();
        opts.config_dir = env.tmp.path().join("default.d");
        opts.default_network = berth_cni::network::DEFAULT_NETWORK.into();
        opts.default_bridge = berth_cni::network::DEFAULT_BRIDGE.into();
        opts.default_subnet = berth_cni::network::DEFAULT_SUBNET.into();
        let plugin = berth_cni::CniNetworkPlugin::new(opts).unwrap();
        let def = plugin.networks().ensure_default().unwrap();
        assert_eq!(def.bridge_name().as_deref(), Some(bridge), "{addr}");
        assert_eq!(def.subnets(), [subnet], "{addr}");
        let c = plugin.create_netns("dflt").unwrap();
        let att = plugin
            .setup("dflt", &c, &[plugin.default_network().to_string()], &[])
            .unwrap();
        let prefix = subnet.trim_end_matches("0/24");
        assert!(att[0].ips()[0].starts_with(prefix), "{:?}", att[0].ips());
        plugin.teardown("dflt", &c, &att).unwrap();
        plugin.remove_netns(&c).unwrap();
    }
}

/// A crash between ADD and saving its result leaves only the planned attachment: the DEL
/// then has no prevResult, and the firewall plugin would keep its CNI-FORWARD rules for the
/// address. The address comes from host-local's lease instead, and nothing stays.
#[test]
fn teardown_without_the_saved_result_removes_the_firewall_rules() {
    let env = Env::new(9);
    let net = vec![env.default_network()];
    let pm = PortMapping::parse("9090:90").unwrap();
    let cycle = |id: &str| {
        let c = env.plugin.create_netns(id).unwrap();
        let att = env.plugin.setup(id, &c, &net, &pm).unwrap();
        env.plugin.teardown(id, &c, &att).unwrap();
        env.plugin.remove_netns(&c).unwrap();
    };
    cycle("warm");
    let before = env.snapshot();

    let c = env.plugin.create_netns("crashed").unwrap();
    let planned = env.plugin.plan("crashed", &net, &pm).unwrap();
    let added = env.plugin.setup_planned("crashed", &c, &planned).unwrap();
    let addr = added[0].result.ips[0].ip().to_string();
    let forward = run_in(env.host(), "iptables", &["-S", "CNI-FORWARD"]);
    assert!(forward.contains(&format!("{addr}/32")), "{forward}");
    assert!(!planned[0].has_result());
    env.plugin.teardown("crashed", &c, &planned).unwrap();
    env.plugin.remove_netns(&c).unwrap();
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.contains("last_reserved_ip"))
            .cloned()
            .collect()
    };
    assert_eq!(norm(&env.snapshot()), norm(&before));
}

/// A crash between unmounting the netns and unlinking its file leaves a plain file: DEL
/// goes without the namespace (plugins refuse a path that is not one) and still removes
/// the lease and the rules.
#[test]
fn teardown_survives_a_netns_file_that_is_no_longer_mounted() {
    let env = Env::new(10);
    let net = vec![env.default_network()];
    let pm = PortMapping::parse("9191:91").unwrap();
    let cycle = |id: &str| {
        let c = env.plugin.create_netns(id).unwrap();
        let att = env.plugin.setup(id, &c, &net, &pm).unwrap();
        env.plugin.teardown(id, &c, &att).unwrap();
        env.plugin.remove_netns(&c).unwrap();
    };
    cycle("warm");
    let before = env.snapshot();

    let c = env.plugin.create_netns("halfgone").unwrap();
    let att = env.plugin.setup("halfgone", &c, &net, &pm).unwrap();
    nix::mount::umount2(&c, nix::mount::MntFlags::MNT_DETACH).unwrap();
    assert!(c.exists() && NetNs::open(&c).is_err());
    env.plugin.teardown("halfgone", &c, &att).unwrap();
    env.plugin.remove_netns(&c).unwrap();
    let norm = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|l| !l.contains("last_reserved_ip"))
            .cloned()
            .collect()
    };
    assert_eq!(norm(&env.snapshot()), norm(&before));
}

//! Nothing is left behind: SIGKILLs of `run -d -p` at random moments, then `rm -af`,
//! `system check` and `--repair`; 200 containers on the default bridge created and removed
//! concurrently; the default network of an instance whose default bridge name is taken.
//! Each test runs in its own instance (root, run root, tmp dir, CNI config dir, bridge,
//! subnet) and counts leftovers of that instance only.

mod common;

use common::{Berth, IMG};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What an instance can leak, counted.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Leftovers {
    leases: usize,
    veths: usize,
    netns: usize,
    iptables: usize,
    cgroups: usize,
}

fn leftovers(b: &Berth, ids: &[String]) -> Leftovers {
    let ipam = b.dir.path().join("root/cni-ipam/berth");
    let leases = std::fs::read_dir(&ipam).map_or(0, |d| {
        d.flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok()
            })
            .count()
    });
    let links = Command::new("ip")
        .args(["-o", "link", "show", "master", &b.bridge])
        .output()
        .map_or(0, |o| String::from_utf8_lossy(&o.stdout).lines().count());
    let netns = std::fs::read_dir(b.dir.path().join("tmp/netns")).map_or(0, Iterator::count);
    let prefix = b.subnet.trim_end_matches("0/24");
    let mut iptables = 0;
    for table in ["nat", "filter"] {
        let out = Command::new("iptables-save")
            .args(["-t", table])
            .output()
            .unwrap();
        iptables += String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains(prefix) || ids.iter().any(|id| l.contains(id.as_str())))
            .count();
    }
    let mut cgroups = 0;
    for h in std::fs::read_dir("/sys/fs/cgroup").unwrap().flatten() {
        for id in ids {
            if h.path().join("berth").join(id).is_dir() {
                cgroups += 1;
            }
        }
    }
    Leftovers {
        leases,
        veths: links,
        netns,
        iptables,
        cgroups,
    }
}

/// Container ids this instance knows of, or left traces of (netns files, leases, check).
fn ids_seen(b: &Berth, extra: &str) -> Vec<String> {
    let mut ids: Vec<String> = b
        .run(&["ps", "-a", "--no-trunc", "--format", "{{.ID}}"])
        .out
        .lines()
        .map(str::to_string)
        .collect();
    if let Ok(d) = std::fs::read_dir(b.dir.path().join("tmp/netns")) {
        ids.extend(
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned()),
        );
    }
    if let Ok(d) = std::fs::read_dir(b.dir.path().join("root/cni-ipam/berth")) {
        for e in d.flatten() {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                ids.extend(t.lines().next().map(|l| l.trim().to_string()));
            }
        }
    }
    ids.extend(
        extra
            .split(|c: char| !c.is_ascii_hexdigit())
            .filter(|w| w.len() == 64)
            .map(str::to_string),
    );
    ids.retain(|i| i.len() == 64 && i.chars().all(|c| c.is_ascii_hexdigit()));
    ids.sort();
    ids.dedup();
    ids
}

/// A small deterministic random sequence (xorshift), seeded from the clock.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn killed_runs_are_cleaned_by_rm_and_system_check_repair() {
    let b = Berth::new();
    // A first container makes the network, so kills hit the container's own steps.
    b.ok(&["run", "--rm", IMG, "true"]);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let base_port = common::free_port();
    let mut last_kill = Instant::now();
    for i in 0..25u16 {
        let port = format!("{}:80", base_port.wrapping_add(i + 1).max(1024));
        let mut child = b
            .cmd()
            .args(["run", "-d", "-p", &port, IMG, "sleep", "600"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next(1200)));
        let _ = child.kill();
        let _ = child.wait();
        last_kill = Instant::now();
    }
    let seen_before = ids_seen(&b, "");
    let after_kills = leftovers(&b, &seen_before);
    b.ok(&["rm", "-af"]);
    let after_rm = leftovers(&b, &seen_before);
    // system check leaves alone what is younger than 10 s (a concurrent create).
    let wait = Duration::from_secs(11).saturating_sub(last_kill.elapsed());
    std::thread::sleep(wait);
    let check = b.run(&["system", "check"]);
    let ids = ids_seen(&b, &check.out);
    let found = check.out.lines().count();
    let repair = b.run(&["system", "check", "--repair"]);
    let after_repair = leftovers(&b, &ids);
    let clean = b.run(&["system", "check"]);
    eprintln!(
        "seed {seed}: after 25 kills {after_kills:?}; after rm -af {after_rm:?}; \
         system check listed {found} orphan(s) (exit {}); after --repair {after_repair:?}",
        check.code
    );
    if after_rm != Leftovers::default() {
        assert_eq!(check.code, 125, "leftovers were not reported: {check:?}");
        assert!(found > 0);
    }
    assert_eq!(repair.code, 0, "{repair:?}");
    assert_eq!(after_repair, Leftovers::default(), "{}", repair.out);
    assert_eq!(clean.code, 0, "{clean:?}");
    assert_eq!(clean.out, "No problems found\n");
    // The instance still works afterwards.
    let ip = b.ok(&["run", "--rm", IMG, "sh", "-c", "ip -4 -o addr show eth0"]);
    assert!(ip.contains(b.subnet.trim_end_matches("0/24")), "{ip}");
}

#[test]
fn two_hundred_containers_on_the_default_bridge_leave_no_lease_or_rule() {
    let b = Berth::new();
    b.ok(&["run", "--rm", IMG, "true"]);
    let failures = std::sync::Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..8 {
            let b = &b;
            let failures = &failures;
            s.spawn(move || {
                for i in 0..25 {
                    let name = format!("c{t}x{i}");
                    for args in [
                        vec!["run", "-d", "--name", &name, IMG, "sleep", "600"],
                        vec!["rm", "-f", "-t", "0", &name],
                    ] {
                        let r = b.run(&args);
                        if r.code != 0 {
                            failures.lock().unwrap().push(format!("{args:?}: {r:?}"));
                        }
                    }
                }
            });
        }
    });
    let ids = ids_seen(&b, "");
    let left = leftovers(&b, &ids);
    eprintln!(
        "200 containers, 8 threads: {:?}, failures {}, leftovers {left:?}",
        start.elapsed(),
        failures.lock().unwrap().len()
    );
    assert!(
        failures.lock().unwrap().is_empty(),
        "{:?}",
        failures.lock().unwrap()
    );
    assert_eq!(left, Leftovers::default());
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    assert_eq!(b.ok(&["system", "check"]), "No problems found\n");
}

/// Removes a link on drop.
struct Link(String);

impl Drop for Link {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) {
    let st = Command::new("ip").args(args).status().unwrap();
    assert!(st.success(), "ip {args:?}");
}

/// `BERTH_BRIDGE_BASE` changes only the default bridge's base name, so this runs the
/// default-network choice berth makes without `BERTH_DEFAULT_BRIDGE`, on a unique name.
#[test]
fn the_default_network_moves_its_bridge_with_its_subnet() {
    let b = Berth::new();
    let base = format!("bl{}y", std::process::id() % 100_000);
    // Another instance's leftover: the default bridge name, with an address of the
    // default subnet that is not its gateway.
    let taken = Link(format!("{base}0"));
    ip(&["link", "add", &taken.0, "type", "bridge"]);
    ip(&["addr", "add", "10.89.0.77/24", "dev", &taken.0]);
    let moved = Link(format!("{base}1"));
    let run = |args: &[&str]| {
        let o = b
            .cmd()
            .env_remove("BERTH_DEFAULT_BRIDGE")
            .env("BERTH_BRIDGE_BASE", &base)
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["run", "--rm", IMG, "ip", "-4", "-o", "addr", "show", "eth0"]);
    assert_eq!(code, 0, "{out}{err}");
    let conf: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.dir.path().join("cni/berth.conflist")).unwrap())
            .unwrap();
    assert_eq!(conf["plugins"][0]["bridge"], moved.0.as_str());
    let subnet = conf["plugins"][0]["ipam"]["ranges"][0][0]["subnet"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(subnet, "10.89.0.0/24");
    let prefix = subnet.trim_end_matches("0/24");
    assert!(out.contains(prefix), "{out}");
    let addr = Command::new("ip")
        .args(["-4", "-o", "addr", "show", "dev", &moved.0])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&addr.stdout).contains(&format!("{prefix}1/24")),
        "{}",
        String::from_utf8_lossy(&addr.stdout)
    );
    // The taken bridge kept its address.
    let taken_addr = Command::new("ip")
        .args(["-4", "-o", "addr", "show", "dev", &taken.0])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&taken_addr.stdout).contains("10.89.0.77/24"));
    assert!(Path::new(&b.dir.path().join("root/cni-ipam")).is_dir());
    let (code, out, _) = run(&["system", "check"]);
    assert_eq!((code, out.as_str()), (0, "No problems found\n"));
}

//! Shared harness for the system tests: each test gets a private "host"
//! network namespace in which every plugin runs (PROTOCOLS §10), its own
//! config dir, host-local store, bridge name and subnet, so tests run in
//! parallel and bridges and iptables rules vanish with the namespaces.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use berth_cni::netns::release_dir;
use berth_cni::{CniNetworkPlugin, CniOptions, NetNs};

pub const PLUGIN_DIR: &str = "/usr/lib/cni";

pub fn require_system() {
    assert!(
        nix::unistd::geteuid().is_root(),
        "the CNI system tests need root (namespaces, bridges, iptables)"
    );
    for p in [
        "bridge",
        "host-local",
        "loopback",
        "portmap",
        "firewall",
        "tuning",
    ] {
        assert!(
            Path::new(PLUGIN_DIR).join(p).is_file(),
            "CNI plugin {PLUGIN_DIR}/{p} is missing: install containernetworking-plugins"
        );
    }
    for b in ["/usr/sbin/iptables", "/usr/sbin/ip", "/bin/busybox"] {
        assert!(
            Path::new(b).exists(),
            "{b} is missing: install iptables, iproute2, busybox-static"
        );
    }
}

/// One isolated test environment. Dropping it removes every namespace it
/// made (container namespaces first, then the private host).
pub struct Env {
    pub tmp: tempfile::TempDir,
    pub host: Option<NetNs>,
    pub plugin: CniNetworkPlugin,
    pub bridge: String,
    pub subnet: String,
}

impl Env {
    /// `n` picks the bridge (`bt<n>`) and subnet (`10.200.<n>.0/24`).
    pub fn new(n: u8) -> Env {
        require_system();
        let tmp = tempfile::tempdir().unwrap();
        let host = NetNs::create(&tmp.path().join("hostns"), "host").unwrap();
        ip(&host, &["link", "set", "lo", "up"]);
        let bridge = format!("bt{n}");
        let subnet = format!("10.200.{n}.0/24");
        let mut opts = CniOptions::new(
            tmp.path().join("net.d"),
            vec![PathBuf::from(PLUGIN_DIR)],
            tmp.path().join("netns"),
        );
        opts.default_network = format!("test{n}");
        opts.default_bridge.clone_from(&bridge);
        opts.default_subnet.clone_from(&subnet);
        opts.ipam_data_dir = Some(tmp.path().join("ipam"));
        opts.host_netns = Some(host.path().to_path_buf());
        opts.timeout = Duration::from_secs(30);
        let plugin = CniNetworkPlugin::new(opts).unwrap();
        Env {
            tmp,
            host: Some(host),
            plugin,
            bridge,
            subnet,
        }
    }

    pub fn host(&self) -> &NetNs {
        self.host.as_ref().unwrap()
    }

    pub fn default_network(&self) -> String {
        self.plugin.options().default_network.clone()
    }

    /// Everything that must be unchanged after setup+teardown cycles:
    /// host-local's store, links, iptables rules (nat and filter), netns
    /// mounts and files.
    pub fn snapshot(&self) -> Vec<String> {
        let mut out = Vec::new();
        let ipam = self.tmp.path().join("ipam");
        if ipam.exists() {
            for e in walk(&ipam) {
                let content = std::fs::read_to_string(&e).unwrap_or_default();
                out.push(format!("ipam {} {content:?}", e.display()));
            }
        }
        for l in ip(self.host(), &["-o", "link", "show"]).lines() {
            // The name only: carrier flags of an idle bridge lag behind.
            out.push(format!("link {}", l.split(':').nth(1).unwrap_or(l).trim()));
        }
        for table in ["nat", "filter"] {
            for l in run_in(self.host(), "iptables-save", &["-t", table]).lines() {
                if !l.starts_with('#') {
                    out.push(format!("ipt {l}"));
                }
            }
        }
        let netns_dir = self.tmp.path().join("netns");
        let want = netns_dir.to_string_lossy().into_owned();
        for l in std::fs::read_to_string("/proc/self/mountinfo")
            .unwrap()
            .lines()
        {
            if l.split(' ').nth(4).is_some_and(|mp| mp.starts_with(&want)) {
                out.push(format!("mount {}", l.split(' ').nth(4).unwrap()));
            }
        }
        if netns_dir.exists() {
            for e in std::fs::read_dir(&netns_dir).unwrap() {
                out.push(format!("nsfile {:?}", e.unwrap().file_name()));
            }
        }
        out.sort();
        out
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let dir = self.tmp.path().join("netns");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let _ = NetNs::remove(&e.path());
            }
        }
        let _ = release_dir(&dir);
        if let Some(h) = self.host.take() {
            let _ = h.delete();
        }
        let _ = release_dir(&self.tmp.path().join("hostns"));
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Runs `prog args` inside `ns`, panicking with its stderr on failure.
pub fn run_in(ns: &NetNs, prog: &str, args: &[&str]) -> String {
    let mut cmd = Command::new(prog);
    cmd.args(args);
    ns.enter_command(&mut cmd).unwrap();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{prog} could not run: {e}"));
    assert!(
        out.status.success(),
        "{prog} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ip ARGS` inside `ns`.
pub fn ip(ns: &NetNs, args: &[&str]) -> String {
    run_in(ns, "ip", args)
}

//! What one isolated berth instance ([`Berth`]) leaves on the host, found
//! from the outside: mounts under its dir, netns files, IPAM leases, veths on
//! its bridge, iptables lines, cgroup dirs, lock files, staging dirs,
//! per-container files, conmon processes and containers.
//!
//! Each thing found names the container id it belongs to when it can be told
//! (a lease file holds the id, a cgroup dir is named by it, an iptables line
//! carries it in a comment or in a chain name derived from it). Network
//! things and cgroups belong to a container only while it runs; files and
//! mounts while it exists. [`Scan::orphans`] is what no container owns.
//!
//! Other instances run beside this one on the same host (same `/berth`
//! cgroup parent, same CNI network name `berth`), so host-wide things are
//! only attributed by this instance's subnet, bridge and the container ids it
//! ever saw.

use super::Berth;
use sha2::{Digest, Sha512};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The kind of a leftover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A mount point under the instance dir (rootfs, netns, anything else).
    Mount,
    /// A file in `TMP/netns`.
    Netns,
    /// A host-local lease file in `ROOT/cni-ipam/NET/`.
    IpamLease,
    /// A veth attached to the instance's bridge.
    Veth,
    /// An `iptables-save` line (any table) for the subnet, an id or a CNI chain of an id.
    Iptables,
    /// A cgroup dir named by a container id, in any hierarchy.
    Cgroup,
    /// A lock file in `TMP/lock`.
    Lock,
    /// Storage staging: `ROOT/tmp/*`, `ROOT/overlay/tmp-*`, driver dirs without a record.
    Staging,
    /// A storage container record (`ROOT/containers/*.json`).
    StorageContainer,
    /// A per-container file or dir: `TMP/containers/ID`, `TMP/exits/ID`,
    /// `RUN/runc/ID`, `RUN/mounts/SID`, `ROOT/state/containers/ID`.
    ContainerFiles,
    /// A conmon (or other) process whose command line names the instance dir.
    Process,
    /// A container listed by `ps -a`.
    Container,
}

impl Kind {
    /// Whether only a live container (created, running, paused) owns this kind: a stopped
    /// one must have released it.
    fn needs_running_owner(self) -> bool {
        matches!(
            self,
            Kind::Netns
                | Kind::IpamLease
                | Kind::Veth
                | Kind::Iptables
                | Kind::Cgroup
                | Kind::Process
        )
    }
}

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Leftover {
    pub kind: Kind,
    /// A path, an interface name, an iptables line, a container name.
    pub what: String,
    /// The container (or pod) id it belongs to, when that can be told.
    pub owner: Option<String>,
}

impl fmt::Display for Leftover {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.owner {
            Some(o) => write!(
                f,
                "{:?} {} (of {})",
                self.kind,
                self.what,
                &o[..o.len().min(12)]
            ),
            None => write!(f, "{:?} {} (no owner)", self.kind, self.what),
        }
    }
}

/// Everything found in one scan, with the containers and pods alive at the time.
#[derive(Debug, Default)]
pub struct Scan {
    pub found: Vec<Leftover>,
    /// Container id -> its `ps -a` state (`running`, `exited`, `created`, ...).
    pub containers: BTreeMap<String, String>,
    pub pods: BTreeSet<String>,
    /// Every container id the scan could attribute to this instance.
    pub ids: BTreeSet<String>,
}

impl Scan {
    /// What no container owns: no owner, an owner that is gone, or a network
    /// thing or cgroup of a container that is not running.
    pub fn orphans(&self) -> Vec<&Leftover> {
        self.found
            .iter()
            .filter(|l| match &l.owner {
                None => true,
                Some(o) if self.pods.contains(o) => false,
                Some(o) => match self.containers.get(o) {
                    None => true,
                    Some(state) => {
                        // `created` counts: runc may have made it (netns, cgroup, conmon)
                        // before start, as podman's `init` does.
                        l.kind.needs_running_owner()
                            && !matches!(state.as_str(), "running" | "paused" | "created")
                    }
                },
            })
            .collect()
    }

    /// Counts of orphans per kind, for the figures.
    pub fn orphan_counts(&self) -> BTreeMap<Kind, usize> {
        let mut m = BTreeMap::new();
        for l in self.orphans() {
            *m.entry(l.kind).or_insert(0) += 1;
        }
        m
    }

    /// The orphans, one a line.
    pub fn report(&self) -> String {
        self.orphans().iter().map(|l| format!("  {l}\n")).collect()
    }
}

const IPAM_NET: &str = "berth";

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

fn dir_names(p: &Path) -> Vec<String> {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn output(cmd: &mut Command) -> String {
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The CNI chain names the bridge (`CNI-`) and portmap (`CNI-DN-`) plugins
/// derive from the network name and a container id.
pub fn cni_chains(id: &str) -> [String; 2] {
    let h = hex::encode(Sha512::digest(format!("{IPAM_NET}{id}").as_bytes()));
    [format!("CNI-{}", &h[..24]), format!("CNI-DN-{}", &h[..21])]
}

/// `10.1.2.0/24` -> `10.1.2.`: the prefix every address of the subnet starts with.
fn subnet_prefix(subnet: &str) -> String {
    let net = subnet.split('/').next().unwrap();
    let mut parts: Vec<&str> = net.split('.').collect();
    parts.pop();
    format!("{}.", parts.join("."))
}

/// Whether `line` mentions an address starting with `prefix` (not as the tail of another number).
fn mentions_prefix(line: &str, prefix: &str) -> bool {
    line.match_indices(prefix).any(|(i, _)| {
        line[..i]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_ascii_digit() || c == '.'))
    })
}

/// Scans the instance. `seen` are container ids the test saw (printed by
/// `create`, `run -d`, ...), so that host-wide things of a container whose
/// record is gone can still be attributed to this instance.
pub fn scan(b: &Berth, seen: &BTreeSet<String>) -> Scan {
    let d = b.dir.path();
    let (root, run, tmp) = (d.join("root"), d.join("run"), d.join("tmp"));
    let mut s = Scan::default();
    let mut add =
        |kind, what: String, owner: Option<String>| s.found.push(Leftover { kind, what, owner });

    // Containers and pods alive now.
    let ps = b.run(&["ps", "-a", "--format", "json"]);
    assert_eq!(ps.code, 0, "ps -a during a scan: {ps:?}");
    let list: serde_json::Value = serde_json::from_str(&ps.out)
        .unwrap_or_else(|e| panic!("ps -a --format json does not parse ({e}): {}", ps.out));
    let mut containers = BTreeMap::new();
    for c in list.as_array().cloned().unwrap_or_default() {
        let id = c["Id"].as_str().unwrap_or_default().to_owned();
        let state = c["State"].as_str().unwrap_or_default().to_owned();
        let name = c["Names"][0].as_str().unwrap_or_default().to_owned();
        add(Kind::Container, format!("{name} {state}"), Some(id.clone()));
        containers.insert(id, state);
    }
    let pods: BTreeSet<String> = b
        .run(&["pod", "ps", "-q", "--no-trunc"])
        .out
        .lines()
        .map(str::to_owned)
        .collect();

    // Every id this instance is known to have used.
    let mut ids: BTreeSet<String> = seen.clone();
    ids.extend(containers.keys().cloned());

    // Storage container records: storage id -> container id.
    let mut sid_owner: BTreeMap<String, String> = BTreeMap::new();
    for n in dir_names(&root.join("containers")) {
        let p = root.join("containers").join(&n);
        let Some(sid) = n.strip_suffix(".json").filter(|_| !n.starts_with('.')) else {
            add(Kind::Staging, p.display().to_string(), None);
            continue;
        };
        let v: serde_json::Value = std::fs::read(&p)
            .ok()
            .and_then(|t| serde_json::from_slice(&t).ok())
            .unwrap_or_default();
        let cid = v["container_id"].as_str().map(str::to_owned);
        if let Some(c) = &cid {
            sid_owner.insert(sid.to_owned(), c.clone());
            ids.insert(c.clone());
        }
        add(Kind::StorageContainer, p.display().to_string(), cid);
    }

    // Per-container files named by the container id.
    for dir in [
        tmp.join("containers"),
        tmp.join("exits"),
        run.join("runc"),
        root.join("state/containers"),
    ] {
        for n in dir_names(&dir) {
            let owner = is_id(&n).then(|| n.clone());
            ids.extend(owner.clone());
            add(
                Kind::ContainerFiles,
                dir.join(&n).display().to_string(),
                owner,
            );
        }
    }
    for n in dir_names(&run.join("mounts")) {
        add(
            Kind::ContainerFiles,
            run.join("mounts").join(&n).display().to_string(),
            sid_owner.get(&n).cloned(),
        );
    }

    // Lock files.
    for n in dir_names(&tmp.join("lock")) {
        let stem = n.strip_suffix(".lock").unwrap_or(&n).to_owned();
        let owner = is_id(&stem).then_some(stem);
        ids.extend(owner.clone());
        add(
            Kind::Lock,
            tmp.join("lock").join(&n).display().to_string(),
            owner,
        );
    }

    // Staging, half-written records and driver dirs without a record.
    for dir in ["images", "layers"] {
        for n in dir_names(&root.join(dir)) {
            if !n.ends_with(".json") || n.starts_with('.') {
                add(
                    Kind::Staging,
                    root.join(dir).join(n).display().to_string(),
                    None,
                );
            }
        }
    }
    for n in dir_names(&root.join("tmp")) {
        add(
            Kind::Staging,
            root.join("tmp").join(n).display().to_string(),
            None,
        );
    }
    let layers: BTreeSet<String> = dir_names(&root.join("layers"))
        .into_iter()
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .collect();
    for driver in ["overlay", "vfs/dir"] {
        for n in dir_names(&root.join(driver)) {
            let p = root.join(driver).join(&n).display().to_string();
            if n.starts_with("tmp-") {
                add(Kind::Staging, p, None);
            } else if is_id(&n) && !layers.contains(&n) {
                add(Kind::Staging, p, sid_owner.get(&n).cloned());
            }
        }
    }

    // Netns files.
    let netns_dir = tmp.join("netns");
    let mut netns_files: Vec<(PathBuf, String)> = Vec::new();
    for n in dir_names(&netns_dir) {
        let owner = is_id(&n).then(|| n.clone());
        ids.extend(owner.clone());
        add(Kind::Netns, netns_dir.join(&n).display().to_string(), owner);
        netns_files.push((netns_dir.join(&n), n));
    }

    // IPAM leases: the file holds the container id on its first line.
    let mut ip_owner: BTreeMap<String, String> = BTreeMap::new();
    let ipam = root.join("cni-ipam");
    for net in dir_names(&ipam) {
        for n in dir_names(&ipam.join(&net)) {
            if n == "lock" || n.starts_with("last_reserved_ip") {
                continue;
            }
            let p = ipam.join(&net).join(&n);
            let owner = std::fs::read_to_string(&p)
                .ok()
                .and_then(|t| t.lines().next().map(|l| l.trim().to_owned()))
                .filter(|l| is_id(l));
            if let Some(o) = &owner {
                ip_owner.insert(n.clone(), o.clone());
                ids.insert(o.clone());
            }
            add(Kind::IpamLease, p.display().to_string(), owner);
        }
    }

    // Mounts under the instance dir (the netns dir's own bind mount is the instance's, not a container's).
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    for line in mountinfo.lines() {
        let Some(mp) = line.split(' ').nth(4) else {
            continue;
        };
        let mp = mp.replace("\\040", " ");
        let p = Path::new(&mp);
        if !p.starts_with(d) || p == netns_dir {
            continue;
        }
        let owner = p
            .components()
            .filter_map(|c| c.as_os_str().to_str())
            .find(|c| is_id(c))
            .map(|c| sid_owner.get(c).cloned().unwrap_or_else(|| c.to_owned()));
        add(Kind::Mount, mp, owner);
    }

    // Veths on the bridge, attributed through the peer of each netns's interfaces.
    let mut peer_owner: BTreeMap<u64, String> = BTreeMap::new();
    for (path, id) in &netns_files {
        let out = output(
            Command::new("nsenter")
                .arg(format!("--net={}", path.display()))
                .args(["ip", "-j", "link", "show"]),
        );
        let links: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        for l in links.as_array().cloned().unwrap_or_default() {
            if let Some(i) = l["link_index"].as_u64() {
                peer_owner.insert(i, id.clone());
            }
        }
    }
    let out = output(Command::new("ip").args(["-j", "link", "show", "master", &b.bridge]));
    let links: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    for l in links.as_array().cloned().unwrap_or_default() {
        let name = l["ifname"].as_str().unwrap_or_default().to_owned();
        let owner = l["ifindex"]
            .as_u64()
            .and_then(|i| peer_owner.get(&i).cloned());
        add(Kind::Veth, name, owner);
    }

    // Processes naming the instance dir (conmon: `-c ID`).
    let dstr = d.display().to_string();
    for pid in dir_names(Path::new("/proc")) {
        if pid.parse::<u32>().is_err() || pid == std::process::id().to_string() {
            continue;
        }
        let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|&c| c == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if !args.iter().any(|a| a.contains(&dstr)) {
            continue;
        }
        let owner = args
            .iter()
            .position(|a| a == "-c" || a == "--cid")
            .and_then(|i| args.get(i + 1).cloned());
        add(Kind::Process, format!("{pid} {}", args.join(" ")), owner);
    }

    // iptables, every table: lines for the subnet, an id, or a CNI chain of an id.
    let prefix = subnet_prefix(&b.subnet);
    let mut chain_owner: BTreeMap<String, String> = BTreeMap::new();
    for id in &ids {
        for c in cni_chains(id) {
            chain_owner.insert(c, id.clone());
        }
    }
    let rules = output(&mut Command::new("iptables-save"));
    let comment_id = regex::Regex::new(r#"id: \\?"([0-9a-f]{64})\\?""#).unwrap();
    let addr = regex::Regex::new(r"(\d+\.\d+\.\d+\.\d+)(/32)?").unwrap();
    for line in rules.lines() {
        if line.starts_with('#') || line.starts_with('*') || line == "COMMIT" {
            continue;
        }
        let by_comment = comment_id
            .captures(line)
            .map(|c| c[1].to_owned())
            .filter(|i| ids.contains(i));
        let by_chain = line
            .split(|c: char| c.is_whitespace() || c == ':')
            .find_map(|w| chain_owner.get(w).cloned());
        let by_subnet = mentions_prefix(line, &prefix);
        if by_comment.is_none() && by_chain.is_none() && !by_subnet {
            continue;
        }
        let by_addr = addr
            .captures_iter(line)
            .find_map(|c| ip_owner.get(&c[1]).cloned());
        let owner = by_comment.or(by_chain).or(by_addr);
        add(Kind::Iptables, line.to_owned(), owner);
    }

    // Cgroup dirs named by an id, under any hierarchy's berth parent.
    for ctrl in dir_names(Path::new("/sys/fs/cgroup")) {
        let parent = Path::new("/sys/fs/cgroup").join(ctrl).join("berth");
        for n in dir_names(&parent) {
            if ids.contains(&n) {
                add(Kind::Cgroup, parent.join(&n).display().to_string(), Some(n));
            }
        }
    }

    s.containers = containers;
    s.pods = pods;
    s.ids = ids;
    s.found.sort();
    s
}

/// Scans until nothing is orphaned (asynchronous cleanup by conmon's exit
/// command may still be running), at most `secs` seconds; the last scan.
pub fn settled(b: &Berth, seen: &BTreeSet<String>, secs: u64) -> Scan {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let s = scan(b, seen);
        if s.orphans().is_empty() || std::time::Instant::now() >= end {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

#[track_caller]
pub fn assert_no_orphans(s: &Scan, when: &str) {
    assert!(
        s.orphans().is_empty(),
        "{when}: {} leftover(s) no container owns:\n{}",
        s.orphans().len(),
        s.report()
    );
}

#[track_caller]
pub fn assert_nothing(s: &Scan, when: &str) {
    assert!(
        s.found.is_empty(),
        "{when}: {} leftover(s):\n{}",
        s.found.len(),
        s.found
            .iter()
            .map(|l| format!("  {l}\n"))
            .collect::<String>()
    );
}

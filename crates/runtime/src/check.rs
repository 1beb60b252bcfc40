//! `system check`: compares the state with what the layers hold on the host, in both
//! directions, and reports every orphan (with `repair`, removes it): root filesystems
//! without a record and records without a root filesystem, netns files, host-local IPAM
//! leases, iptables rules and chains, cgroups, lock files and per-container directories
//! that no container owns. A live container's resources are never touched; things younger
//! than [`CheckOptions::min_age`] are left alone (a `create` or `start` in another process
//! may be between its steps).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use berth_cni::iptables::{chain_name, Iptables, Rule};
use berth_cni::Subnet;
use berth_state::ContainerRecord;

use crate::container::{
    encode_network_attachments, network_attachments, network_mode, NetworkMode,
};
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// What `system check` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// Remove the orphans found.
    pub repair: bool,
    /// Leave alone what is younger than this (another process may be mid-operation).
    pub min_age: Duration,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            repair: false,
            min_age: Duration::from_secs(10),
        }
    }
}

/// The kinds of orphan `system check` finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OrphanKind {
    /// A container record whose stored network attachments do not decode: its teardown
    /// cannot follow them, so its network is kept (leases and rules of its networks count
    /// as its own) until a repair records them again from its configuration.
    UnreadableNetworkResults,
    /// A container root filesystem in storage with no container record.
    RootfsWithoutRecord,
    /// A container record whose root filesystem is missing from storage.
    RecordWithoutRootfs,
    /// A network namespace file no container names.
    NetnsFile,
    /// A container that is not running but still holds its network (netns, attachments):
    /// a cleanup or start that was interrupted.
    StaleNetwork,
    /// A host-local IPAM lease held for a container that is gone or not attached.
    IpamLease,
    /// An iptables rule (nat or filter) for a container or address no container owns.
    IptablesRule,
    /// A per-container iptables chain (`CNI-…`, `CNI-DN-…`) no container owns.
    IptablesChain,
    /// A container cgroup with no process, of no running container.
    Cgroup,
    /// A lock file of a container or pod that does not exist.
    LockFile,
    /// A per-container directory (bundle or persistent files) with no record.
    ContainerDir,
}

impl OrphanKind {
    /// Short words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::UnreadableNetworkResults => {
                "container record whose network attachments cannot be read"
            }
            Self::RootfsWithoutRecord => "container storage without a container record",
            Self::RecordWithoutRootfs => "container record without its root filesystem",
            Self::NetnsFile => "network namespace without a container",
            Self::StaleNetwork => "network still held by a container that is not running",
            Self::IpamLease => "IPAM lease without a container",
            Self::IptablesRule => "iptables rule without a container",
            Self::IptablesChain => "iptables chain without a container",
            Self::Cgroup => "cgroup without a container",
            Self::LockFile => "lock file without a container",
            Self::ContainerDir => "container directory without a record",
        }
    }
}

/// One orphan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    /// What it is.
    pub kind: OrphanKind,
    /// The path, storage id, rule or chain.
    pub what: String,
    /// The container id it belongs (or belonged) to, when known.
    pub owner: Option<String>,
    /// Removed by this run (`repair`).
    pub repaired: bool,
    /// Why the repair failed.
    pub repair_error: Option<String>,
}

/// A root filesystem in storage that no container of this engine owns (`ps --external`):
/// left behind by a crash, or made by another tool sharing the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalContainer {
    /// Its storage id.
    pub id: String,
    /// The image under it.
    pub image_id: String,
    /// When storage made it.
    pub created: Option<chrono::DateTime<chrono::Utc>>,
}

/// What [`Runtime::system_check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemCheckReport {
    /// Every orphan, grouped by kind.
    pub orphans: Vec<Orphan>,
}

impl SystemCheckReport {
    /// Orphans still there (not repaired).
    pub fn remaining(&self) -> usize {
        self.orphans.iter().filter(|o| !o.repaired).count()
    }
}

/// What the live containers own.
#[derive(Default)]
struct Owned {
    ids: BTreeSet<String>,
    storage_ids: BTreeSet<String>,
    netns: BTreeSet<PathBuf>,
    /// (container id, network) pairs recorded as attached (planned or added).
    attachments: BTreeSet<(String, String)>,
    ips: BTreeSet<Ipv4Addr>,
    active: BTreeSet<String>,
    cgroup_parents: BTreeSet<String>,
    /// Containers whose stored network attachments do not decode, with serde's reason.
    unreadable: Vec<(String, String)>,
}

fn owned(all: &[ContainerRecord], default_cgroup_parent: &str) -> Owned {
    let mut o = Owned::default();
    o.cgroup_parents
        .insert(default_cgroup_parent.trim_matches('/').to_string());
    for r in all {
        let id = r.config.id.clone();
        o.ids.insert(id.clone());
        o.storage_ids.insert(r.config.rootfs_storage_id.clone());
        if !r.state.netns_path.is_empty() {
            o.netns.insert(PathBuf::from(&r.state.netns_path));
        }
        match network_attachments(r) {
            Ok(atts) => {
                for a in &atts {
                    o.attachments.insert((id.clone(), a.network.clone()));
                    o.ips
                        .extend(a.ips().iter().filter_map(|ip| ip.parse::<Ipv4Addr>().ok()));
                }
            }
            // What the record cannot say is taken from its configuration: every network it
            // names counts as attached, so its leases and rules are never taken for
            // orphans (and torn down under a container that may be running).
            Err(e) => {
                if let NetworkMode::Networks(networks) = network_mode(r) {
                    for n in networks {
                        o.attachments.insert((id.clone(), n));
                    }
                }
                let reason = match &e {
                    Error::RecordDecode { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                o.unreadable.push((id.clone(), reason));
            }
        }
        if r.state.status.is_active() {
            o.active.insert(id.clone());
        }
        if let Some(p) = r.config.cgroup_parent.as_deref() {
            o.cgroup_parents.insert(p.trim_matches('/').to_string());
        }
    }
    o
}

fn older_than(path: &Path, age: Duration) -> bool {
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() >= age)
}

fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

fn is_id(s: &str) -> bool {
    berth_state::is_valid_id(s)
}

/// A host-local lease: (network, ip, container id, file).
struct Lease {
    network: String,
    ip: Ipv4Addr,
    id: String,
    path: PathBuf,
}

impl Runtime {
    /// Compares state with storage, netns files, IPAM leases, iptables, cgroups, lock files
    /// and container directories, in both directions, and reports every orphan; with
    /// `repair`, removes them (never a live container's). Needs the runtime to see every
    /// namespace (an empty `namespace`): another namespace's containers would look orphaned.
    pub fn system_check(&self, opts: &CheckOptions) -> Result<SystemCheckReport> {
        self.check()?;
        if !self.config.namespace.is_empty() {
            return Err(Error::invalid(
                "namespace",
                &self.config.namespace,
                "system check compares the whole host with every container; run it without a namespace",
            ));
        }
        let all = self.state.all_containers()?;
        let own = owned(&all, &self.engine.cgroup_parent);
        let mut orphans = Vec::new();
        let orphan = |kind, what: String, owner: Option<String>| Orphan {
            kind,
            what,
            owner,
            repaired: false,
            repair_error: None,
        };

        // Storage against state, both ways.
        let storage = self.storage.list_containers()?;
        let storage_ids: BTreeSet<&str> = storage.iter().map(|s| s.id.as_str()).collect();
        for s in &storage {
            let young = chrono::DateTime::parse_from_rfc3339(&s.created).is_ok_and(|t| {
                (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
                    .to_std()
                    .unwrap_or_default()
                    < opts.min_age
            });
            if !own.storage_ids.contains(&s.id) && !own.ids.contains(&s.container_id) && !young {
                orphans.push(orphan(
                    OrphanKind::RootfsWithoutRecord,
                    s.id.clone(),
                    Some(s.container_id.clone()),
                ));
            }
        }
        for r in &all {
            // A create in flight writes its record before its root filesystem.
            let young = (chrono::Utc::now() - r.config.created)
                .to_std()
                .unwrap_or_default()
                < opts.min_age;
            if !storage_ids.contains(r.config.rootfs_storage_id.as_str()) && !young {
                orphans.push(orphan(
                    OrphanKind::RecordWithoutRootfs,
                    r.config.rootfs_storage_id.clone(),
                    Some(r.config.id.clone()),
                ));
            }
        }

        // Records whose network attachments cannot be read.
        for (id, reason) in &own.unreadable {
            orphans.push(orphan(
                OrphanKind::UnreadableNetworkResults,
                format!("network_results: {reason}"),
                Some(id.clone()),
            ));
        }

        // Network namespaces.
        let netns_dir = self.tmp_dir().join("netns");
        for (name, path) in entries(&netns_dir) {
            if !own.netns.contains(&path) && older_than(&path, opts.min_age) {
                orphans.push(orphan(
                    OrphanKind::NetnsFile,
                    path.display().to_string(),
                    is_id(&name).then_some(name),
                ));
            }
        }

        // Containers not running that still hold their network (a cleanup or start cut
        // short); one in flight elsewhere holds its lock, which the repair takes first.
        for r in &all {
            let s = &r.state;
            let netns = Path::new(&s.netns_path);
            let settled = !netns.exists() || older_than(netns, opts.min_age);
            if !s.status.is_active() && !s.netns_path.is_empty() && settled {
                orphans.push(orphan(
                    OrphanKind::StaleNetwork,
                    s.netns_path.clone(),
                    Some(r.config.id.clone()),
                ));
            }
        }

        // IPAM leases and iptables, for the networks of this config dir.
        let leases = self.leases();
        let mut live_ips = own.ips.clone();
        for l in &leases {
            if own.attachments.contains(&(l.id.clone(), l.network.clone())) {
                live_ips.insert(l.ip);
            } else if older_than(&l.path, opts.min_age) {
                orphans.push(orphan(
                    OrphanKind::IpamLease,
                    format!("{} ({} on network {})", l.path.display(), l.ip, l.network),
                    Some(l.id.clone()),
                ));
            }
        }
        let ipt_orphans = self.iptables_orphans(&own, &live_ips);
        for (kind, what, owner) in &ipt_orphans {
            orphans.push(orphan(*kind, what.clone(), owner.clone()));
        }

        // cgroups.
        for (id, dirs) in self.cgroup_dirs(&own) {
            let empty = dirs.iter().all(|d| {
                std::fs::read_to_string(d.join("cgroup.procs")).is_ok_and(|p| p.trim().is_empty())
            });
            let old = dirs.iter().all(|d| older_than(d, opts.min_age));
            if !own.active.contains(&id) && empty && old {
                for d in dirs {
                    orphans.push(orphan(
                        OrphanKind::Cgroup,
                        d.display().to_string(),
                        Some(id.clone()),
                    ));
                }
            }
        }

        // Lock files and per-container directories.
        let pods: BTreeSet<String> = self
            .state
            .all_pods()?
            .into_iter()
            .map(|p| p.config.id)
            .collect();
        for (name, path) in entries(&self.lock_dir) {
            let Some(stem) = name.strip_suffix(".lock") else {
                continue;
            };
            let known = match stem.strip_prefix("pod-") {
                Some(p) => pods.contains(p),
                None => own.ids.contains(stem),
            };
            if !known && older_than(&path, opts.min_age) {
                orphans.push(orphan(
                    OrphanKind::LockFile,
                    path.display().to_string(),
                    Some(stem.trim_start_matches("pod-").to_string()),
                ));
            }
        }
        for base in [
            self.tmp_dir().join("containers"),
            self.config.static_dir.join("containers"),
        ] {
            for (name, path) in entries(&base) {
                if is_id(&name) && !own.ids.contains(&name) && older_than(&path, opts.min_age) {
                    orphans.push(orphan(
                        OrphanKind::ContainerDir,
                        path.display().to_string(),
                        Some(name),
                    ));
                }
            }
        }

        orphans.sort_by(|a, b| (a.kind, &a.what).cmp(&(b.kind, &b.what)));
        let mut report = SystemCheckReport { orphans };
        if opts.repair {
            self.repair(&mut report, &leases);
        }
        Ok(report)
    }

    /// host-local leases of every network in the config dir, inside the network's subnets.
    fn leases(&self) -> Vec<Lease> {
        self.networks
            .leases()
            .unwrap_or_default()
            .into_iter()
            .map(|(network, l)| Lease {
                network,
                ip: l.ip,
                id: l.container_id,
                path: l.path,
            })
            .collect()
    }

    /// The subnets and names of this config dir's networks.
    fn our_networks(&self) -> (Vec<Subnet>, Vec<String>) {
        let lists = self.networks.list().unwrap_or_default();
        let subnets = lists
            .iter()
            .flat_map(|n| &n.subnets)
            .filter_map(|s| Subnet::parse(&s.subnet).ok())
            .collect();
        (subnets, lists.into_iter().map(|l| l.name).collect())
    }

    fn iptables() -> Iptables {
        Iptables::new(
            berth_cni::exec::plugin_path_env(std::env::var_os("PATH")),
            None,
        )
    }

    /// Per-container chains and rules that belong to this instance's networks (they name an
    /// address of its subnets, or jump to a chain that does) and to no live container.
    fn iptables_orphans(
        &self,
        own: &Owned,
        live_ips: &BTreeSet<Ipv4Addr>,
    ) -> Vec<(OrphanKind, String, Option<String>)> {
        let (subnets, networks) = self.our_networks();
        if subnets.is_empty() {
            return Vec::new();
        }
        let ours = |ip: &Ipv4Addr| {
            subnets
                .iter()
                .any(|s| s.contains_host(*ip) || s.addr == *ip)
        };
        let mut live_chains = BTreeSet::new();
        for (id, net) in &own.attachments {
            live_chains.insert(chain_name("", net, id));
            live_chains.insert(chain_name("DN-", net, id));
        }
        let ipt = Self::iptables();
        let mut out = Vec::new();
        for table in ["nat", "filter"] {
            let Ok((chains, rules)) = ipt.list(table) else {
                continue;
            };
            let mut by_chain: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
            for r in &rules {
                by_chain.entry(r.chain.as_str()).or_default().push(r);
            }
            // Per-container chains of our subnets that no live attachment maps to.
            let orphan_chains: BTreeSet<&str> = chains
                .iter()
                .map(String::as_str)
                .filter(|c| per_container_chain(c) && !live_chains.contains(*c))
                .filter(|c| {
                    by_chain.get(c).is_some_and(|rs| {
                        rs.iter().any(|r| {
                            r.addresses().iter().any(ours)
                                && r.container_id().is_none_or(|id| !own.ids.contains(id))
                        })
                    })
                })
                .collect();
            for r in &rules {
                if orphan_chains.contains(r.chain.as_str()) {
                    continue;
                }
                let jumps_to_orphan = r.target().is_some_and(|t| orphan_chains.contains(t));
                let dead_id = r.container_id().is_some_and(|id| !own.ids.contains(id))
                    && r.network().is_some_and(|n| networks.iter().any(|x| x == n))
                    && (r.addresses().iter().any(ours) || jumps_to_orphan);
                // Rules naming one host address of ours that no live container holds
                // (the firewall plugin's, which carry no comment).
                let dead_ip = r.container_id().is_none()
                    && r.args
                        .windows(2)
                        .any(|w| matches!(w[0].as_str(), "-s" | "-d") && w[1].ends_with("/32"))
                    && r.addresses()
                        .iter()
                        .any(|ip| ours(ip) && !live_ips.contains(ip));
                if jumps_to_orphan || dead_id || dead_ip {
                    out.push((
                        OrphanKind::IptablesRule,
                        format!("-t {table} {}", r.line),
                        r.container_id().map(str::to_string),
                    ));
                }
            }
            for c in orphan_chains {
                let owner = by_chain
                    .get(c)
                    .and_then(|rs| rs.iter().find_map(|r| r.container_id()))
                    .map(str::to_string);
                out.push((OrphanKind::IptablesChain, format!("-t {table} {c}"), owner));
            }
        }
        out
    }

    /// `ID -> its directories` under berth's cgroup parents, in every hierarchy.
    fn cgroup_dirs(&self, own: &Owned) -> BTreeMap<String, Vec<PathBuf>> {
        let root = &self.engine.cgroup_root;
        let mut hierarchies = vec![root.clone()];
        hierarchies.extend(
            entries(root)
                .into_iter()
                .filter(|(_, p)| p.is_dir() && !p.is_symlink())
                .map(|(_, p)| p),
        );
        let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        for h in &hierarchies {
            for parent in &own.cgroup_parents {
                for (name, path) in entries(&h.join(parent)) {
                    if is_id(&name) && path.is_dir() {
                        out.entry(name).or_default().push(path);
                    }
                }
            }
        }
        out
    }

    fn repair(&self, report: &mut SystemCheckReport, leases: &[Lease]) {
        let ipt = Self::iptables();
        let netns_dir = self.tmp_dir().join("netns");
        // Network first (DEL through the plugins while the netns may still be there).
        let mut deleted: BTreeSet<(String, String)> = BTreeSet::new();
        for o in &mut report.orphans {
            let result: Result<()> = match o.kind {
                OrphanKind::UnreadableNetworkResults => match &o.owner {
                    Some(id) => self.replan_network_record(id),
                    None => Ok(()),
                },
                OrphanKind::RecordWithoutRootfs => match &o.owner {
                    Some(id) => self.remove_by_id(id, true, false),
                    None => Ok(()),
                },
                OrphanKind::StaleNetwork => match &o.owner {
                    Some(id) => self.release_stale_network(id),
                    None => Ok(()),
                },
                OrphanKind::RootfsWithoutRecord => {
                    let _ = self.storage.unmount_container(&o.what, true);
                    match self.storage.delete_container(&o.what) {
                        Ok(()) | Err(berth_storage::Error::ContainerNotFound(_)) => Ok(()),
                        Err(e) => Err(e.into()),
                    }
                }
                OrphanKind::IpamLease => {
                    let lease = leases
                        .iter()
                        .find(|l| o.what.starts_with(&l.path.display().to_string()));
                    match lease {
                        Some(l) => {
                            let key = (l.id.clone(), l.network.clone());
                            let res = if deleted.insert(key) && berth_state::is_valid_id(&l.id) {
                                self.network_del(&l.id, &l.network, &netns_dir.join(&l.id))
                            } else {
                                Ok(())
                            };
                            // DEL released it; a lease DEL could not free goes by hand.
                            match std::fs::remove_file(&l.path) {
                                Ok(()) => res,
                                Err(e) if e.kind() == std::io::ErrorKind::NotFound => res,
                                Err(e) => Err(Error::io("remove IPAM lease", &l.path, e)),
                            }
                        }
                        None => Ok(()),
                    }
                }
                _ => continue,
            };
            settle(o, result);
        }
        let listed: BTreeMap<&str, Vec<Rule>> = ["nat", "filter"]
            .into_iter()
            .map(|t| (t, ipt.list(t).map(|(_, r)| r).unwrap_or_default()))
            .collect();
        for o in &mut report.orphans {
            let result: Result<()> = match o.kind {
                OrphanKind::NetnsFile => self
                    .network
                    .remove_netns(Path::new(&o.what))
                    .map_err(Into::into),
                OrphanKind::IptablesRule => {
                    let (table, line) = split_table(&o.what);
                    // Gone already when a DEL above removed it.
                    match listed
                        .get(table)
                        .and_then(|rs| rs.iter().find(|r| r.line == line))
                    {
                        Some(r) => match ipt.delete(r) {
                            Err(e) if still_listed(&ipt, table, line) => Err(e.into()),
                            _ => Ok(()),
                        },
                        None => Ok(()),
                    }
                }
                _ => continue,
            };
            settle(o, result);
        }
        for o in &mut report.orphans {
            let result: Result<()> = match o.kind {
                OrphanKind::IptablesChain => {
                    let (table, chain) = split_table(&o.what);
                    ipt.delete_chain(table, chain).map_err(Into::into)
                }
                OrphanKind::Cgroup => remove_cgroup(Path::new(&o.what)),
                OrphanKind::LockFile => remove_file(Path::new(&o.what)),
                OrphanKind::ContainerDir => match std::fs::remove_dir_all(&o.what) {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(Error::io("remove container dir", &o.what, e)),
                },
                _ => continue,
            };
            settle(o, result);
        }
    }

    /// Tears down the network a container that is not running still holds (DEL, netns
    /// removal), under its lock, if that is still so.
    fn release_stale_network(&self, id: &str) -> Result<()> {
        let _lock = self.lock_container(id)?;
        let mut rec = match self.locked_record(id) {
            Ok(r) => r,
            Err(Error::State(e)) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if rec.state.status.is_active() {
            return Ok(());
        }
        let errors = self.release_network(&mut rec);
        self.state.save_container_state(id, &rec.state)?;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Cleanup {
                id: id.to_string(),
                errors,
            })
        }
    }

    /// Records again, under the container's lock, the network attachments of a record whose
    /// stored ones do not decode, as planned from its configuration (networks, interfaces,
    /// config lists, ports): what a start records before its ADD, which a teardown follows.
    /// Nothing is torn down here; a container that is not running is then released as a
    /// [`OrphanKind::StaleNetwork`] (by a later check when this one had not listed it).
    fn replan_network_record(&self, id: &str) -> Result<()> {
        let _lock = self.lock_container(id)?;
        let mut rec = match self.locked_record(id) {
            Ok(r) => r,
            Err(Error::State(e)) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if network_attachments(&rec).is_ok() {
            return Ok(());
        }
        rec.state.network_results = match network_mode(&rec) {
            NetworkMode::Networks(networks) => {
                let planned = self
                    .network
                    .plan(id, &networks, &rec.config.port_mappings)?;
                Some(encode_network_attachments(id, &planned)?)
            }
            // Only a container on networks has attachments.
            NetworkMode::None | NetworkMode::Host | NetworkMode::Container(_) => None,
        };
        self.state.save_container_state(id, &rec.state)?;
        Ok(())
    }

    /// CNI DEL of one (container, network) pair with the network's current config, the
    /// netns given when it still exists.
    fn network_del(&self, id: &str, network: &str, netns: &Path) -> Result<()> {
        let planned = self.network.plan(id, &[network.to_string()], &[])?;
        self.network.teardown(id, netns, &planned)?;
        Ok(())
    }
}

fn settle(o: &mut Orphan, result: Result<()>) {
    match result {
        Ok(()) => o.repaired = true,
        Err(e) => o.repair_error = Some(e.to_string()),
    }
}

fn split_table(what: &str) -> (&str, &str) {
    let rest = what.strip_prefix("-t ").unwrap_or(what);
    rest.split_once(' ').unwrap_or((rest, ""))
}

fn still_listed(ipt: &Iptables, table: &str, line: &str) -> bool {
    ipt.list(table)
        .is_ok_and(|(_, rules)| rules.iter().any(|r| r.line == line))
}

/// Chains CNI makes per container: bridge's `CNI-<hash>` and portmap's `CNI-DN-<hash>`;
/// not the shared ones (`CNI-HOSTPORT-*`, `CNI-FORWARD`, `CNI-ADMIN`, ...).
fn per_container_chain(c: &str) -> bool {
    let Some(rest) = c.strip_prefix("CNI-") else {
        return false;
    };
    let hash = rest.strip_prefix("DN-").unwrap_or(rest);
    !hash.is_empty() && c.len() == 28 && hash.chars().all(|ch| ch.is_ascii_hexdigit())
}

fn remove_file(p: &Path) -> Result<()> {
    match std::fs::remove_file(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove", p, e)),
    }
}

/// rmdir of a cgroup and its (empty) children, deepest first.
fn remove_cgroup(p: &Path) -> Result<()> {
    for (_, child) in entries(p) {
        if child.is_dir() {
            remove_cgroup(&child)?;
        }
    }
    match std::fs::remove_dir(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("remove cgroup", p, e)),
    }
}

impl Runtime {
    /// The image store's own check ([`berth_storage::Store::check`]): staging files, records
    /// without data, data without records; with `repair`, removes them.
    pub fn check_storage(&self, repair: bool) -> Result<berth_storage::CheckReport> {
        self.check()?;
        Ok(self.storage.check_store(repair)?)
    }

    /// `ps --external`: the [`ExternalContainer`]s in storage.
    pub fn external_containers(&self) -> Result<Vec<ExternalContainer>> {
        self.check()?;
        let all = self.state.all_containers()?;
        let storage_ids: BTreeSet<&str> = all
            .iter()
            .map(|r| r.config.rootfs_storage_id.as_str())
            .collect();
        let ids: BTreeSet<&str> = all.iter().map(|r| r.config.id.as_str()).collect();
        Ok(self
            .storage
            .list_containers()?
            .into_iter()
            .filter(|s| {
                !storage_ids.contains(s.id.as_str()) && !ids.contains(s.container_id.as_str())
            })
            .map(|s| ExternalContainer {
                created: chrono::DateTime::parse_from_rfc3339(&s.created)
                    .ok()
                    .map(|t| t.with_timezone(&chrono::Utc)),
                id: s.id,
                image_id: s.image_id,
            })
            .collect())
    }

    /// `ps --size`: the bytes a container wrote (its read-write layer) and the size of the
    /// image under it; 0 for what cannot be measured.
    pub fn container_disk_size(&self, rec: &ContainerRecord) -> (u64, u64) {
        let rw = self
            .storage
            .container_size(&rec.config.rootfs_storage_id)
            .unwrap_or(0);
        let root = self
            .storage
            .resolve_image(&rec.config.image_id)
            .map_or(0, |i| i.size);
        (rw, root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_container_chains_are_told_from_shared_ones() {
        assert!(per_container_chain("CNI-1094026b4cc1be94f269441c"));
        assert!(per_container_chain("CNI-DN-1094026b4cc1be94f2694"));
        for shared in [
            "CNI-HOSTPORT-DNAT",
            "CNI-FORWARD",
            "CNI-ADMIN",
            "POSTROUTING",
        ] {
            assert!(!per_container_chain(shared), "{shared}");
        }
        assert_eq!(
            split_table("-t nat -A POSTROUTING -j X"),
            ("nat", "-A POSTROUTING -j X")
        );
    }

    #[test]
    fn an_unreadable_record_owns_every_network_it_names() {
        let mut rec = ContainerRecord::default();
        rec.config.id = "a".repeat(64);
        rec.config.network_mode = Some(berth_state::NetworkMode::Networks(vec![
            "n1".into(),
            "n2".into(),
        ]));
        rec.state.network_results = Some(serde_json::json!("garbage"));
        let o = owned(std::slice::from_ref(&rec), "berth");
        assert_eq!(o.unreadable.len(), 1);
        assert_eq!(o.unreadable[0].0, rec.config.id);
        for n in ["n1", "n2"] {
            assert!(o
                .attachments
                .contains(&(rec.config.id.clone(), n.to_string())));
        }

        // A readable record owns what it recorded and nothing else.
        rec.state.network_results = Some(serde_json::json!([]));
        let o = owned(std::slice::from_ref(&rec), "berth");
        assert!(o.unreadable.is_empty() && o.attachments.is_empty());
    }
}

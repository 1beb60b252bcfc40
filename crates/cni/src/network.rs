//! Named networks as readable conflists in the config dir: the default
//! network (written on first use), create with a free bridge name and
//! subnet, list, inspect, remove.

use std::fs::File;
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};
use serde_json::json;

use crate::config::{self, check_network_name, NetworkConfigList};
use crate::error::{Error, Result};
use crate::netns::NetNs;
pub use crate::subnet::Subnet;
use crate::subnet::{parse_addresses, parse_routes};

pub use crate::conflist::{bridge_conflist, CreateNetwork, LABELS_ARG};

/// The default network's name.
pub const DEFAULT_NETWORK: &str = "berth";
/// The default network's bridge.
pub const DEFAULT_BRIDGE: &str = "berth0";
/// The default network's subnet (podman's is 10.88.0.0/16).
pub const DEFAULT_SUBNET: &str = "10.89.0.0/24";
/// Ranges never handed out automatically: podman's default network.
const RESERVED: &[&str] = &["10.88.0.0/16"];

/// The networks in one CNI config dir.
#[derive(Debug, Clone)]
pub struct Networks {
    config_dir: PathBuf,
    default_network: String,
    default_bridge: String,
    default_subnet: String,
    ipam_data_dir: Option<PathBuf>,
    host_netns: Option<PathBuf>,
    /// Unit tests fix the host's routes so their subnet picks do not depend
    /// on the bridges of whatever else runs on the machine.
    #[cfg(test)]
    fixed_routes: Option<Vec<Subnet>>,
}

impl Networks {
    /// Networks in `config_dir`; `default_network` is written there on
    /// first use (bridge `berth0`, subnet 10.89.0.0/24).
    pub fn new(config_dir: impl Into<PathBuf>, default_network: impl Into<String>) -> Self {
        Self {
            config_dir: config_dir.into(),
            default_network: default_network.into(),
            default_bridge: DEFAULT_BRIDGE.into(),
            default_subnet: DEFAULT_SUBNET.into(),
            ipam_data_dir: None,
            host_netns: None,
            #[cfg(test)]
            fixed_routes: None,
        }
    }

    /// Overrides the default network's bridge and subnet.
    pub fn with_default_bridge(mut self, bridge: &str, subnet: &str) -> Self {
        bridge.clone_into(&mut self.default_bridge);
        subnet.clone_into(&mut self.default_subnet);
        self
    }

    /// Writes `ipam.dataDir` into every conflist created (tests).
    pub fn with_ipam_data_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.ipam_data_dir = dir;
        self
    }

    /// Bridges are looked up and removed inside this namespace (tests).
    pub fn with_host_netns(mut self, netns: Option<PathBuf>) -> Self {
        self.host_netns = netns;
        self
    }

    /// The config dir.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// The default network's name.
    pub fn default_network(&self) -> &str {
        &self.default_network
    }

    /// Exclusive lock on the config dir (a flock on the directory itself,
    /// no file is created): serializes config changes and plugin runs
    /// between processes, as podman's CNI backend does with its cni.lock.
    pub(crate) fn lock(&self) -> Result<Flock<File>> {
        std::fs::create_dir_all(&self.config_dir)
            .map_err(|e| Error::io("create directory", &self.config_dir, e))?;
        let f = File::open(&self.config_dir)
            .map_err(|e| Error::io("open directory", &self.config_dir, e))?;
        Flock::lock(f, FlockArg::LockExclusive)
            .map_err(|(_, e)| Error::io("lock directory", &self.config_dir, e.into()))
    }

    /// The default network, writing its conflist when no config defines it.
    pub fn ensure_default(&self) -> Result<NetworkConfigList> {
        match config::find(&self.config_dir, &self.default_network) {
            Err(Error::NetworkNotFound { .. }) => {}
            other => return other,
        }
        let _lock = self.lock()?;
        match config::find(&self.config_dir, &self.default_network) {
            Err(Error::NetworkNotFound { .. }) => {}
            other => return other,
        }
        let (req, subnet) = self.default_request()?;
        match self.create_locked(&req, Some(subnet)) {
            // Another process wrote it first.
            Err(Error::NetworkExists { .. }) => self.inspect(&self.default_network),
            other => other,
        }
    }

    /// The default network's subnet and bridge, chosen so that it works whatever the host
    /// has already (podman and netavark do the same with `podmanN`/`cni-podmanN`):
    /// - a bridge of the default name whose address is the default gateway is reused with
    ///   the default subnet (the same network, written again);
    /// - else the default subnet unless another config or a host route has it, else the
    ///   next free one; and the bridge moves with it: the default name, then `BASE0`,
    ///   `BASE1`, ... (BASE = the default name without its trailing digits), skipping
    ///   names other configs use and existing links whose address is not the gateway.
    fn default_request(&self) -> Result<(CreateNetwork, Subnet)> {
        let wanted = Subnet::parse(&self.default_subnet)?;
        let existing = self.list()?;
        let used_bridges: Vec<String> = existing
            .iter()
            .filter_map(NetworkConfigList::bridge_name)
            .collect();
        let used_subnets: Vec<Subnet> = existing
            .iter()
            .flat_map(NetworkConfigList::subnets)
            .filter_map(|s| Subnet::parse(&s).ok())
            .collect();
        let default_free = !used_bridges.contains(&self.default_bridge);
        if default_free && self.link_has_gateway(&self.default_bridge, wanted, wanted.first_host())
        {
            return Ok((
                CreateNetwork {
                    name: self.default_network.clone(),
                    subnet: None,
                    gateway: None,
                    bridge: Some(self.default_bridge.clone()),
                    ..Default::default()
                },
                wanted,
            ));
        }
        let routes = self.host_routes();
        let taken = |s: Subnet| {
            used_subnets.iter().any(|u| u.overlaps(s)) || routes.iter().any(|r| r.overlaps(s))
        };
        let subnet = if taken(wanted) {
            pick_subnet(&used_subnets, &routes)?
        } else {
            wanted
        };
        let gateway = subnet.first_host();
        let base = self.bridge_base();
        let bridge = std::iter::once(self.default_bridge.clone())
            .chain((0..10_000).map(|n| format!("{base}{n}")))
            .find(|b| {
                crate::exec::check_ifname(b).is_ok()
                    && !used_bridges.contains(b)
                    && (!self.link_exists(b) || self.link_has_gateway(b, subnet, gateway))
            })
            .ok_or_else(|| Error::InvalidArgument {
                what: "bridge",
                value: self.default_bridge.clone(),
                reason: format!("no free {base}N bridge name"),
            })?;
        Ok((
            CreateNetwork {
                name: self.default_network.clone(),
                subnet: None,
                gateway: None,
                bridge: Some(bridge),
                ..Default::default()
            },
            subnet,
        ))
    }

    /// The default bridge's name without its trailing digits: the base of the `BASEN`
    /// names of moved default networks and of created networks.
    fn bridge_base(&self) -> &str {
        let b = self
            .default_bridge
            .trim_end_matches(|c: char| c.is_ascii_digit());
        if b.is_empty() {
            "berth"
        } else {
            b
        }
    }

    /// Whether link `name` exists and carries `gateway` with `subnet`'s prefix length.
    fn link_has_gateway(&self, name: &str, subnet: Subnet, gateway: Ipv4Addr) -> bool {
        if !self.link_exists(name) {
            return false;
        }
        let mut cmd = Command::new("ip");
        cmd.args(["-4", "-o", "addr", "show", "dev", name]);
        if let Some(ns) = &self.host_netns {
            match NetNs::open(ns).and_then(|ns| ns.enter_command(&mut cmd)) {
                Ok(()) => {}
                Err(_) => return false,
            }
        }
        let want = format!("{gateway}/{}", subnet.prefix);
        cmd.output().is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .any(|w| w == want)
        })
    }

    /// Every readable network, in file name order (broken files skipped;
    /// see [`config::load_all`] to see them).
    pub fn list(&self) -> Result<Vec<NetworkConfigList>> {
        Ok(config::load_all(&self.config_dir)?
            .into_iter()
            .filter_map(std::result::Result::ok)
            .collect())
    }

    /// One network by name.
    pub fn inspect(&self, name: &str) -> Result<NetworkConfigList> {
        config::find(&self.config_dir, name)
    }

    /// Creates a bridge network and writes `<config_dir>/<name>.conflist`.
    pub fn create(&self, req: &CreateNetwork) -> Result<NetworkConfigList> {
        check_network_name(&req.name)?;
        let _lock = self.lock()?;
        self.create_locked(req, None)
    }

    /// [`Networks::create`] under the lock; `chosen` is a subnet already checked (the
    /// default network's), used as is.
    fn create_locked(
        &self,
        req: &CreateNetwork,
        chosen: Option<Subnet>,
    ) -> Result<NetworkConfigList> {
        check_network_name(&req.name)?;
        let existing = self.list()?;
        if existing.iter().any(|l| l.name == req.name) {
            return Err(Error::NetworkExists {
                name: req.name.clone(),
                what: "a config with this name is in the config dir".into(),
            });
        }
        let path = self.config_dir.join(format!("{}.conflist", req.name));
        if path.exists() {
            return Err(Error::NetworkExists {
                name: req.name.clone(),
                what: format!("{} exists", path.display()),
            });
        }
        let used_subnets: Vec<Subnet> = existing
            .iter()
            .flat_map(NetworkConfigList::subnets)
            .filter_map(|s| Subnet::parse(&s).ok())
            .collect();
        let used_bridges: Vec<String> = existing
            .iter()
            .filter_map(NetworkConfigList::bridge_name)
            .collect();

        let subnet = match (&req.subnet, chosen) {
            (_, Some(c)) => c,
            (Some(s), None) => {
                let sub = Subnet::parse(s)?;
                if let Some(other) = existing.iter().find(|l| {
                    l.subnets()
                        .iter()
                        .filter_map(|s| Subnet::parse(s).ok())
                        .any(|o| o.overlaps(sub))
                }) {
                    return Err(Error::NetworkExists {
                        name: req.name.clone(),
                        what: format!("subnet {sub} overlaps network {:?}", other.name),
                    });
                }
                if let Some(r) = self.host_routes().into_iter().find(|r| r.overlaps(sub)) {
                    return Err(Error::NetworkExists {
                        name: req.name.clone(),
                        what: format!("subnet {sub} overlaps the host route {r}"),
                    });
                }
                sub
            }
            (None, None) => pick_subnet(&used_subnets, &self.host_routes())?,
        };
        let gateway = match &req.gateway {
            Some(g) => {
                let gw: Ipv4Addr = g.parse().map_err(|_| Error::InvalidArgument {
                    what: "gateway",
                    value: g.clone(),
                    reason: "not an IPv4 address".into(),
                })?;
                if !subnet.contains_host(gw) {
                    return Err(Error::InvalidArgument {
                        what: "gateway",
                        value: g.clone(),
                        reason: format!("not a host address of {subnet}"),
                    });
                }
                gw
            }
            None => subnet.first_host(),
        };
        let bridge = match &req.bridge {
            Some(b) => {
                crate::exec::check_ifname(b)?;
                if used_bridges.contains(b) {
                    return Err(Error::NetworkExists {
                        name: req.name.clone(),
                        what: format!("bridge {b} is used by another network"),
                    });
                }
                b.clone()
            }
            None => (1..10_000)
                .map(|n| format!("{}{n}", self.bridge_base()))
                .find(|b| !used_bridges.contains(b) && !self.link_exists(b))
                .ok_or_else(|| Error::InvalidArgument {
                    what: "bridge",
                    value: String::new(),
                    reason: "no free berthN bridge name".into(),
                })?,
        };
        let mut value = bridge_conflist(
            &req.name,
            &bridge,
            subnet,
            gateway,
            self.ipam_data_dir.as_deref(),
        );
        if !req.labels.is_empty() {
            value["args"] = json!({ LABELS_ARG: req.labels });
        }
        crate::conflist::apply_bridge_options(&mut value, req, subnet)?;
        let list = NetworkConfigList::from_value(value.clone(), true, &path)?;
        write_atomic(
            &path,
            &serde_json::to_vec_pretty(&value).unwrap_or_default(),
        )?;
        Ok(list)
    }

    /// Removes a network's config. Refused for the default network and,
    /// unless `force`, while `in_use` (the ids of containers attached to it,
    /// supplied by the caller) is not empty. The bridge device is deleted
    /// when no other network uses it.
    pub fn remove(&self, name: &str, in_use: &[String], force: bool) -> Result<()> {
        if name == self.default_network {
            return Err(Error::InvalidArgument {
                what: "network",
                value: name.to_string(),
                reason: "the default network cannot be removed".into(),
            });
        }
        let _lock = self.lock()?;
        let list = self.inspect(name)?;
        if !in_use.is_empty() && !force {
            return Err(Error::NetworkInUse {
                name: name.to_string(),
                containers: in_use.to_vec(),
            });
        }
        let path = list.path.clone().unwrap_or_default();
        std::fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
        if let Some(bridge) = list.bridge_name() {
            let still_used = self
                .list()?
                .iter()
                .any(|l| l.bridge_name().as_deref() == Some(&bridge));
            if !still_used && self.link_exists(&bridge) {
                let mut cmd = Command::new("ip");
                cmd.args(["link", "delete", &bridge]);
                if let Some(ns) = &self.host_netns {
                    NetNs::open(ns)?.enter_command(&mut cmd)?;
                }
                let out = cmd
                    .output()
                    .map_err(|e| Error::io("run ip link delete for", &bridge, e))?;
                if !out.status.success() && self.link_exists(&bridge) {
                    return Err(Error::Netns {
                        path: PathBuf::from(&bridge),
                        reason: format!(
                            "could not delete bridge: {}",
                            String::from_utf8_lossy(&out.stderr).trim()
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// IPv4 routes of the host namespace (the caller's, or `host_netns`), plus the
    /// networks of addresses on its links (a link that is down has an address but no
    /// route, and its owner still counts on that subnet).
    fn host_routes(&self) -> Vec<Subnet> {
        #[cfg(test)]
        if let Some(routes) = &self.fixed_routes {
            return routes.clone();
        }
        let read = || std::fs::read_to_string("/proc/thread-self/net/route").unwrap_or_default();
        let text = match &self.host_netns {
            None => read(),
            Some(ns) => NetNs::open(ns)
                .and_then(|ns| ns.run(read))
                .unwrap_or_default(),
        };
        let mut out = parse_routes(&text);
        let mut cmd = Command::new("ip");
        cmd.args(["-4", "-o", "addr", "show"]);
        let entered = match &self.host_netns {
            None => true,
            Some(ns) => NetNs::open(ns)
                .and_then(|ns| ns.enter_command(&mut cmd))
                .is_ok(),
        };
        if let Some(o) = entered.then(|| cmd.output().ok()).flatten() {
            out.extend(parse_addresses(&String::from_utf8_lossy(&o.stdout)));
        }
        out
    }

    /// True when a network device of this name exists in the host netns.
    fn link_exists(&self, name: &str) -> bool {
        match &self.host_netns {
            None => Path::new("/sys/class/net").join(name).exists(),
            Some(ns) => {
                let Ok(ns) = NetNs::open(ns) else {
                    return false;
                };
                let mut cmd = Command::new("ip");
                cmd.args(["link", "show", name]);
                if ns.enter_command(&mut cmd).is_err() {
                    return false;
                }
                cmd.output().is_ok_and(|o| o.status.success())
            }
        }
    }
}

/// The next `10.89.N.0/24` (then `10.90.N.0/24`, ...) that overlaps neither
/// a used subnet, podman's, nor a route of this host.
fn pick_subnet(used: &[Subnet], routes: &[Subnet]) -> Result<Subnet> {
    let mut taken: Vec<Subnet> = used.to_vec();
    taken.extend(RESERVED.iter().filter_map(|s| Subnet::parse(s).ok()));
    taken.extend_from_slice(routes);
    for second in 89..=254u8 {
        for third in 0..=255u8 {
            let cand = Subnet {
                addr: Ipv4Addr::new(10, second, third, 0),
                prefix: 24,
            };
            if !taken.iter().any(|t| t.overlaps(cand)) {
                return Ok(cand);
            }
        }
    }
    Err(Error::InvalidArgument {
        what: "subnet",
        value: String::new(),
        reason: "no free 10.x.y.0/24 subnet; give one".into(),
    })
}

/// Writes `path` via a temp file, fsync and rename.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io("write", path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_create_list_inspect_remove() {
        let d = tempfile::tempdir().unwrap();
        let mut nets = Networks::new(d.path(), "berth");
        nets.fixed_routes = Some(Vec::new());
        let def = nets.ensure_default().unwrap();
        assert_eq!(def.bridge_name().as_deref(), Some("berth0"));
        assert_eq!(def.subnets(), vec!["10.89.0.0/24"]);
        assert!(d.path().join("berth.conflist").is_file());
        assert_eq!(nets.ensure_default().unwrap().raw, def.raw, "idempotent");
        let types: Vec<&str> = def.plugins.iter().map(|p| p.plugin_type.as_str()).collect();
        assert_eq!(types, ["bridge", "portmap", "firewall", "tuning"]);

        let a = nets
            .create(&CreateNetwork {
                name: "a".into(),
                ..CreateNetwork::default()
            })
            .unwrap();
        assert_ne!(a.bridge_name(), def.bridge_name());
        let sa = Subnet::parse(&a.subnets()[0]).unwrap();
        assert!(!sa.overlaps(Subnet::parse("10.89.0.0/24").unwrap()));
        assert!(!sa.overlaps(Subnet::parse("10.88.0.0/16").unwrap()));

        let err = nets
            .create(&CreateNetwork {
                name: "a".into(),
                ..CreateNetwork::default()
            })
            .unwrap_err();
        assert!(matches!(err, Error::NetworkExists { .. }), "{err}");
        let err = nets
            .create(&CreateNetwork {
                name: "b".into(),
                subnet: Some("10.89.0.0/25".into()),
                ..CreateNetwork::default()
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("overlaps network \"berth\""), "{err}");
        let err = nets
            .create(&CreateNetwork {
                name: "b".into(),
                subnet: Some("172.30.0.0/24".into()),
                gateway: Some("172.30.1.1".into()),
                ..CreateNetwork::default()
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a host address"), "{err}");
        let err = nets
            .create(&CreateNetwork {
                name: "b".into(),
                bridge: Some("berth0".into()),
                ..CreateNetwork::default()
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("bridge berth0"), "{err}");
        assert!(nets
            .create(&CreateNetwork {
                name: "bad/name".into(),
                ..CreateNetwork::default()
            })
            .is_err());
        let b = nets
            .create(&CreateNetwork {
                name: "b".into(),
                subnet: Some("172.30.0.0/24".into()),
                gateway: Some("172.30.0.254".into()),
                bridge: Some("mybr".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            b.raw["plugins"][0]["ipam"]["ranges"][0][0]["gateway"],
            "172.30.0.254"
        );

        let names: Vec<String> = nets.list().unwrap().into_iter().map(|l| l.name).collect();
        assert_eq!(names, ["a", "b", "berth"]);
        assert_eq!(
            nets.inspect("b").unwrap().bridge_name().as_deref(),
            Some("mybr")
        );

        let err = nets.remove("a", &["c1".into()], false).unwrap_err();
        assert!(matches!(err, Error::NetworkInUse { .. }), "{err}");
        nets.remove("a", &["c1".into()], true).unwrap();
        nets.remove("b", &[], false).unwrap();
        assert!(matches!(
            nets.remove("b", &[], false).unwrap_err(),
            Error::NetworkNotFound { .. }
        ));
        assert!(nets.remove("berth", &[], true).is_err(), "default is kept");
        let left: Vec<String> = std::fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["berth.conflist"]);
    }
}

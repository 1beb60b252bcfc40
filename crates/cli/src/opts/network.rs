//! `--network` of containers and pods, and `--share` of pods.

use crate::error::{CliError, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How a container is networked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// Not given: the configured default (the `berth` bridge network).
    #[default]
    Default,
    /// `bridge`: the default bridge network.
    Bridge,
    /// `none`: a network namespace with only loopback.
    None,
    /// `host`: the host's network namespace.
    Host,
    /// `container:ID`: another container's network namespace.
    Container(String),
    /// `ns:PATH`: an existing network namespace.
    Path(PathBuf),
    /// Named networks, in order, each with its options (`name:ip=...`).
    Networks(Vec<NetworkAttachment>),
}

/// One named network and its per-container options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkAttachment {
    /// Network name.
    pub name: String,
    /// Options such as `ip`, `mac`, `alias`, `interface_name`.
    pub options: BTreeMap<String, String>,
}

const ATTACH_OPTIONS: &[&str] = &["ip", "ip6", "mac", "alias", "interface_name"];

/// Parses every `--network` value: a comma list of names, or one
/// `name:opt=value,...` with options.
/// A mode (`none`, `host`, `bridge`, `container:`, `ns:`) stands alone.
pub fn parse_network(values: &[String]) -> Result<NetworkMode> {
    let mut mode: Option<NetworkMode> = None;
    let mut networks: Vec<NetworkAttachment> = Vec::new();
    for value in values {
        let bad = |reason: String| CliError::invalid("--network", value, reason);
        let this = match value.as_str() {
            "" => return Err(bad("the network is empty".into())),
            "bridge" => Some(NetworkMode::Bridge),
            "none" => Some(NetworkMode::None),
            "host" => Some(NetworkMode::Host),
            "private" => Some(NetworkMode::Default),
            v if v.starts_with("container:") => {
                let id = &v["container:".len()..];
                if id.is_empty() {
                    return Err(bad("container: needs a container name or ID".into()));
                }
                Some(NetworkMode::Container(id.to_owned()))
            }
            v if v.starts_with("ns:") => {
                let path = &v["ns:".len()..];
                if !path.starts_with('/') {
                    return Err(bad(
                        "ns: needs an absolute path to a network namespace".into()
                    ));
                }
                Some(NetworkMode::Path(path.into()))
            }
            v if v == "slirp4netns" || v.starts_with("slirp4netns:") || v == "pasta" => {
                return Err(bad(
                    "rootless user-mode networking is not supported by berth".into(),
                ))
            }
            v if v.contains(':') => {
                // `name:opt=a,opt=b`: the commas separate options.
                networks.push(parse_attachment(v).map_err(bad)?);
                None
            }
            v => {
                for item in v.split(',') {
                    networks.push(parse_attachment(item).map_err(bad)?);
                }
                None
            }
        };
        if let Some(m) = this {
            if mode.is_some() || values.len() > 1 {
                return Err(bad(
                    "bridge, none, host, container: and ns: cannot be combined with other networks"
                        .into(),
                ));
            }
            mode = Some(m);
        }
    }
    if let Some(m) = mode {
        return Ok(m);
    }
    let mut seen = std::collections::BTreeSet::new();
    for n in &networks {
        if !seen.insert(n.name.as_str()) {
            return Err(CliError::invalid(
                "--network",
                &n.name,
                "the network is given twice",
            ));
        }
    }
    if networks.is_empty() {
        Ok(NetworkMode::Default)
    } else {
        Ok(NetworkMode::Networks(networks))
    }
}

fn parse_attachment(item: &str) -> std::result::Result<NetworkAttachment, String> {
    let (name, opts) = item.split_once(':').unwrap_or((item, ""));
    check_network_name(name)?;
    let mut options = BTreeMap::new();
    for opt in opts.split(',').filter(|o| !o.is_empty()) {
        let Some((k, v)) = opt.split_once('=') else {
            return Err(format!("network option {opt:?} must be KEY=VALUE"));
        };
        if !ATTACH_OPTIONS.contains(&k) {
            return Err(format!(
                "unknown network option {k:?}; known: {}",
                ATTACH_OPTIONS.join(", ")
            ));
        }
        if (k == "ip" || k == "ip6") && v.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("{k}={v}: not an IP address"));
        }
        options.insert(k.to_owned(), v.to_owned());
    }
    Ok(NetworkAttachment {
        name: name.to_owned(),
        options,
    })
}

/// A network name, by the runtime's one name rule: a letter or digit, then letters, digits,
/// `_`, `.`, `-`, at most 200 characters.
pub fn check_network_name(name: &str) -> std::result::Result<(), String> {
    match berth_runtime::NameKind::Network.check(name) {
        Ok(()) => Ok(()),
        Err(e @ berth_runtime::NameError::TooLong { .. }) => {
            Err(format!("{name:?} is not a valid network name: {e}"))
        }
        Err(berth_runtime::NameError::Empty | berth_runtime::NameError::Pattern) => Err(format!(
            "{name:?} is not a valid network name: use letters, digits, `_`, `.`, `-`, \
             starting with a letter or digit"
        )),
    }
}

/// A kernel namespace a pod's containers may share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Namespace {
    /// cgroup namespace.
    Cgroup,
    /// IPC namespace.
    Ipc,
    /// Network namespace.
    Net,
    /// PID namespace.
    Pid,
    /// User namespace.
    User,
    /// UTS (hostname) namespace.
    Uts,
}

impl Namespace {
    /// podman's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cgroup => "cgroup",
            Self::Ipc => "ipc",
            Self::Net => "net",
            Self::Pid => "pid",
            Self::User => "user",
            Self::Uts => "uts",
        }
    }
}

/// Podman's default `--share`.
pub const DEFAULT_SHARE: &[Namespace] = &[Namespace::Ipc, Namespace::Net, Namespace::Uts];

/// Parses `--share`: a comma list of cgroup, ipc, net, pid, user, uts;
/// `none` or an empty value shares nothing; a leading `+` adds to the
/// default (ipc, net, uts).
pub fn parse_share(value: &str) -> Result<Vec<Namespace>> {
    let (mut out, list) = match value.strip_prefix('+') {
        Some(rest) => (DEFAULT_SHARE.to_vec(), rest),
        None => (Vec::new(), value),
    };
    if list.is_empty() || list == "none" {
        return Ok(out);
    }
    for item in list.split(',') {
        let ns = match item.trim() {
            "cgroup" => Namespace::Cgroup,
            "ipc" => Namespace::Ipc,
            "net" => Namespace::Net,
            "pid" => Namespace::Pid,
            "user" => Namespace::User,
            "uts" => Namespace::Uts,
            other => {
                return Err(CliError::invalid(
                    "--share",
                    value,
                    format!(
                        "unknown namespace {other:?}; use cgroup, ipc, net, pid, user, uts or none"
                    ),
                ))
            }
        };
        if !out.contains(&ns) {
            out.push(ns);
        }
    }
    out.sort();
    Ok(out)
}

/// The per-network options of a container: each `--network NAME:ip=..,mac=..,alias=..`,
/// and `--ip`/`--mac-address`/`--network-alias` for its one bridge network (keyed by the
/// empty name when that is the default network, which the runtime names).
pub fn network_options(
    mode: &NetworkMode,
    ip: Option<&str>,
    mac: Option<&str>,
    aliases: &[String],
) -> Result<BTreeMap<String, berth_runtime::NetworkConnectOptions>> {
    let mut out = BTreeMap::new();
    if let NetworkMode::Networks(nets) = mode {
        for n in nets {
            let mut o = berth_runtime::NetworkConnectOptions::default();
            for (k, v) in &n.options {
                match k.as_str() {
                    "ip" => o.ip = Some(parse_ipv4("--network", v)?),
                    "mac" => o.mac = Some(parse_mac("--network", v)?),
                    "alias" => o.aliases.push(v.clone()),
                    other => {
                        return Err(CliError::not_supported(
                            format!("--network {}:{other}=", n.name),
                            None,
                        ))
                    }
                }
            }
            if o != berth_runtime::NetworkConnectOptions::default() {
                out.insert(n.name.clone(), o);
            }
        }
    }
    if ip.is_none() && mac.is_none() && aliases.is_empty() {
        return Ok(out);
    }
    let key = match mode {
        NetworkMode::Default | NetworkMode::Bridge => String::new(),
        NetworkMode::Networks(n) if n.len() == 1 => n[0].name.clone(),
        _ => return Err(CliError::conflict(
            "--ip, --mac-address and --network-alias",
            "they need exactly one bridge network (use --network NAME:ip=...,mac=... for several)",
        )),
    };
    let o = out.entry(key).or_default();
    if let Some(v) = ip {
        o.ip = Some(parse_ipv4("--ip", v)?);
    }
    if let Some(v) = mac {
        o.mac = Some(parse_mac("--mac-address", v)?);
    }
    o.aliases.extend(aliases.iter().cloned());
    Ok(out)
}

fn parse_ipv4(flag: &str, v: &str) -> Result<std::net::Ipv4Addr> {
    v.parse()
        .map_err(|_| CliError::invalid(flag, v, "not an IPv4 address"))
}

fn parse_mac(flag: &str, v: &str) -> Result<String> {
    berth_runtime::check_mac(v).map_err(|e| CliError::invalid(flag, v, e.to_string()))?;
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(values: &[&str]) -> Result<NetworkMode> {
        parse_network(&values.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn modes() {
        assert_eq!(net(&[]).unwrap(), NetworkMode::Default);
        assert_eq!(net(&["bridge"]).unwrap(), NetworkMode::Bridge);
        assert_eq!(net(&["none"]).unwrap(), NetworkMode::None);
        assert_eq!(net(&["host"]).unwrap(), NetworkMode::Host);
        assert_eq!(
            net(&["container:web"]).unwrap(),
            NetworkMode::Container("web".into())
        );
        assert_eq!(
            net(&["ns:/run/netns/x"]).unwrap(),
            NetworkMode::Path("/run/netns/x".into())
        );
    }

    #[test]
    fn named_networks_from_lists_and_repeats() {
        let NetworkMode::Networks(n) = net(&["a,b", "c:ip=10.0.0.5,mac=aa"]).unwrap() else {
            panic!("expected networks");
        };
        let names: Vec<_> = n.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(n[2].options["ip"], "10.0.0.5");
    }

    #[test]
    fn bad_networks() {
        for (bad, what) in [
            (&["none", "a"][..], "cannot be combined"),
            (&["host", "bridge"][..], "cannot be combined"),
            (&["container:"][..], "needs a container"),
            (&["ns:relative"][..], "absolute path"),
            (&["a,a"][..], "twice"),
            (&["bad name"][..], "valid network name"),
            (&[&*"n".repeat(201)][..], "at most 200"),
            (&["a:color=red"][..], "unknown network option"),
            (&["a:ip=x"][..], "not an IP"),
            (&["slirp4netns"][..], "not supported"),
            (&[""][..], "empty"),
        ] {
            let e = net(bad).unwrap_err().to_string();
            assert!(e.contains("--network") && e.contains(what), "{bad:?}: {e}");
        }
    }

    #[test]
    fn share() {
        assert_eq!(parse_share("ipc,net,uts").unwrap(), DEFAULT_SHARE);
        assert_eq!(parse_share("").unwrap(), vec![]);
        assert_eq!(parse_share("none").unwrap(), vec![]);
        assert_eq!(
            parse_share("+pid").unwrap(),
            vec![
                Namespace::Ipc,
                Namespace::Net,
                Namespace::Pid,
                Namespace::Uts
            ]
        );
        assert_eq!(parse_share("net,net").unwrap(), vec![Namespace::Net]);
        let e = parse_share("net,mnt").unwrap_err().to_string();
        assert!(e.contains("--share") && e.contains("mnt"), "{e}");
    }
}

//! Key/value flags: `-l/--label`, `--annotation`, `--sysctl`, `--add-host`,
//! `--dns`, and the `-o/--opt` driver options of volumes and networks.

use crate::error::{CliError, Result};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Parses `KEY=VALUE` entries of `flag`; `KEY` alone means an empty value
/// (podman's rule for labels and annotations). Later keys win.
pub fn parse_key_values(flag: &str, entries: &[String]) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for entry in entries {
        let (key, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
        if key.trim().is_empty() {
            return Err(CliError::invalid(
                flag,
                entry,
                "the key is empty; expected KEY=VALUE",
            ));
        }
        if key.chars().any(char::is_whitespace) {
            return Err(CliError::invalid(
                flag,
                entry,
                "the key contains whitespace",
            ));
        }
        map.insert(key.to_owned(), value.to_owned());
    }
    Ok(map)
}

/// Parses `--sysctl NAME=VALUE` entries; both parts are required, and the
/// name may use `/` or `.` as separator (`net/ipv4/ip_forward` becomes
/// `net.ipv4.ip_forward`).
pub fn parse_sysctls(entries: &[String]) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for entry in entries {
        let Some((key, value)) = entry.split_once('=') else {
            return Err(CliError::invalid(
                "--sysctl",
                entry,
                "expected NAME=VALUE, e.g. net.ipv4.ip_forward=1",
            ));
        };
        let key = key.trim().replace('/', ".");
        let valid = !key.is_empty()
            && !key.starts_with('.')
            && !key.ends_with('.')
            && !key.contains("..")
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '*'));
        if !valid {
            return Err(CliError::invalid(
                "--sysctl",
                entry,
                format!("{key:?} is not a sysctl name"),
            ));
        }
        if value.is_empty() {
            return Err(CliError::invalid("--sysctl", entry, "the value is empty"));
        }
        map.insert(key, value.to_owned());
    }
    Ok(map)
}

pub use berth_runtime::HostEntry;

/// Parses `--add-host HOST:IP` entries ([`berth_runtime::parse_add_hosts`]).
pub fn parse_add_hosts(entries: &[String]) -> Result<Vec<HostEntry>> {
    Ok(berth_runtime::parse_add_hosts("--add-host", entries)?)
}

/// Parses `--dns` servers; `none` alone means no /etc/resolv.conf servers.
pub fn parse_dns(entries: &[String]) -> Result<DnsServers> {
    if entries.iter().any(|e| e == "none") {
        if entries.len() > 1 {
            return Err(CliError::conflict(
                "--dns",
                "`none` cannot be combined with other DNS servers",
            ));
        }
        return Ok(DnsServers::None);
    }
    if entries.is_empty() {
        return Ok(DnsServers::Default);
    }
    entries
        .iter()
        .map(|e| {
            e.parse::<IpAddr>()
                .map_err(|_| CliError::invalid("--dns", e, "not an IP address"))
        })
        .collect::<Result<Vec<_>>>()
        .map(DnsServers::Servers)
}

/// The DNS servers of a container.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DnsServers {
    /// The host's (or the network's) servers.
    #[default]
    Default,
    /// `--dns none`: no servers.
    None,
    /// The given servers, in order.
    Servers(Vec<IpAddr>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn labels_with_and_without_values() {
        let map = parse_key_values("--label", &v(&["a=b", "flag", "c=d=e", "a=z"])).unwrap();
        assert_eq!(map["a"], "z");
        assert_eq!(map["flag"], "");
        assert_eq!(map["c"], "d=e");
    }

    #[test]
    fn labels_reject_empty_keys() {
        let err = parse_key_values("--label", &v(&["=x"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--label") && err.contains("key is empty"),
            "{err}"
        );
        let err = parse_key_values("--annotation", &v(&["a b=c"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--annotation"), "{err}");
    }

    #[test]
    fn sysctls_normalise_slashes() {
        let map = parse_sysctls(&v(&["net/ipv4/ip_forward=1", "kernel.shmmax=100"])).unwrap();
        assert_eq!(map["net.ipv4.ip_forward"], "1");
        assert_eq!(map["kernel.shmmax"], "100");
    }

    #[test]
    fn sysctls_reject_bad_input() {
        for bad in ["net.ipv4.ip_forward", "=1", "net..x=1", "a b=1", "net.x="] {
            let err = parse_sysctls(&v(&[bad])).unwrap_err().to_string();
            assert!(err.contains("--sysctl"), "{bad}: {err}");
        }
    }

    #[test]
    fn add_host_errors_name_the_flag() {
        assert_eq!(parse_add_hosts(&v(&["db:10.0.0.5"])).unwrap()[0].name, "db");
        let err = parse_add_hosts(&v(&["db"])).unwrap_err().to_string();
        assert!(err.contains("--add-host"), "{err}");
    }

    #[test]
    fn dns_servers() {
        assert_eq!(parse_dns(&[]).unwrap(), DnsServers::Default);
        assert_eq!(parse_dns(&v(&["none"])).unwrap(), DnsServers::None);
        assert_eq!(
            parse_dns(&v(&["1.1.1.1", "::1"])).unwrap(),
            DnsServers::Servers(vec!["1.1.1.1".parse().unwrap(), "::1".parse().unwrap()])
        );
        let err = parse_dns(&v(&["dns.example"])).unwrap_err().to_string();
        assert!(
            err.contains("--dns") && err.contains("dns.example"),
            "{err}"
        );
        assert!(parse_dns(&v(&["none", "1.1.1.1"])).is_err());
    }
}

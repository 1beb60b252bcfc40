//! Contents of the per-container `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname`.

use std::fmt::Write as _;

use crate::container_spec::{DnsConfig, HostEntry};

/// podman's fallback servers when the host has only loopback resolvers.
const FALLBACK_SERVERS: [&str; 2] = ["8.8.8.8", "8.8.4.4"];

/// `/etc/hosts`: localhost lines, the caller's entries, and the hostname on 127.0.1.1 unless an
/// entry already names it.
pub fn hosts_file(hostname: &str, name: &str, entries: &[HostEntry]) -> String {
    let mut out = String::from(
        "127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n\
         ::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n",
    );
    for e in entries {
        let _ = writeln!(out, "{}\t{}", e.ip, e.names.join(" "));
    }
    if !entries
        .iter()
        .any(|e| e.names.iter().any(|n| n == hostname))
    {
        if name.is_empty() || name == hostname {
            let _ = writeln!(out, "127.0.1.1\t{hostname}");
        } else {
            let _ = writeln!(out, "127.0.1.1\t{hostname} {name}");
        }
    }
    out
}

fn is_loopback(server: &str) -> bool {
    server.starts_with("127.") || server == "::1"
}

/// `/etc/resolv.conf`: the caller's settings; what they leave empty comes from the host's file
/// (`host_text`). Loopback servers are dropped unless `host_network` (they would point at the
/// container itself); with none left, podman's fallback servers are used.
pub fn resolv_conf(dns: &DnsConfig, host_text: &str, host_network: bool) -> String {
    let mut servers = Vec::new();
    let mut search = Vec::new();
    let mut options = Vec::new();
    for line in host_text.lines() {
        let mut f = line.split_whitespace();
        match f.next() {
            Some("nameserver") => servers.extend(f.next().map(str::to_owned)),
            Some("search" | "domain") => search = f.map(str::to_owned).collect(),
            Some("options") => options.extend(f.map(str::to_owned)),
            _ => {}
        }
    }
    if !dns.servers.is_empty() {
        servers.clone_from(&dns.servers);
    } else if !host_network {
        servers.retain(|s| !is_loopback(s));
        if servers.is_empty() {
            servers = FALLBACK_SERVERS.iter().map(|s| (*s).to_owned()).collect();
        }
    }
    if !dns.search.is_empty() {
        search.clone_from(&dns.search);
    }
    if !dns.options.is_empty() {
        options.clone_from(&dns.options);
    }
    let mut out = String::new();
    if !search.is_empty() {
        let _ = writeln!(out, "search {}", search.join(" "));
    }
    for s in servers {
        let _ = writeln!(out, "nameserver {s}");
    }
    if !options.is_empty() {
        let _ = writeln!(out, "options {}", options.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_has_localhost_entries_and_hostname() {
        let h = hosts_file(
            "abc",
            "web",
            &[HostEntry {
                ip: "10.0.0.5".into(),
                names: vec!["db".into(), "db.local".into()],
            }],
        );
        assert!(h.starts_with("127.0.0.1\tlocalhost"));
        assert!(h.contains("10.0.0.5\tdb db.local\n"));
        assert!(h.ends_with("127.0.1.1\tabc web\n"));
        let h = hosts_file(
            "abc",
            "abc",
            &[HostEntry {
                ip: "10.0.0.2".into(),
                names: vec!["abc".into()],
            }],
        );
        assert!(!h.contains("127.0.1.1"));
    }

    #[test]
    fn resolv_conf_drops_loopback_and_falls_back() {
        let host = "# x\nnameserver 127.0.0.53\nsearch example.com\noptions edns0\n";
        let r = resolv_conf(&DnsConfig::default(), host, false);
        assert_eq!(
            r,
            "search example.com\nnameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0\n"
        );
        let r = resolv_conf(&DnsConfig::default(), host, true);
        assert!(r.contains("nameserver 127.0.0.53"));
    }

    #[test]
    fn resolv_conf_user_settings_win() {
        let dns = DnsConfig {
            servers: vec!["1.1.1.1".into()],
            search: vec!["a.b".into()],
            options: vec!["ndots:2".into()],
        };
        let r = resolv_conf(&dns, "nameserver 10.0.0.1\nsearch x\n", false);
        assert_eq!(r, "search a.b\nnameserver 1.1.1.1\noptions ndots:2\n");
    }
}

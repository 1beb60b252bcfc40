//! `berth port`: podman's (and docker's) lines, one per published port
//! (the runtime keeps one mapping per port): `80/tcp -> 0.0.0.0:8080`; with a PORT[/PROTO]
//! argument only the host side, `0.0.0.0:8080`; with `--all` each
//! container's 12-character ID before its lines.

use crate::error::{CliError, Result};
use crate::opts::{PortMapping, Protocol};
use std::fmt::Write as _;
use std::net::IpAddr;

fn host_ip(ip: Option<IpAddr>) -> String {
    match ip {
        Some(IpAddr::V6(v6)) => format!("[{v6}]"),
        Some(v4) => v4.to_string(),
        None => "0.0.0.0".into(),
    }
}

/// podman's `ps` form of one mapping: `0.0.0.0:8080->80/tcp`.
pub fn ps_form(p: &PortMapping) -> String {
    format!(
        "{}:{}->{}/{}",
        host_ip(p.host_ip),
        p.host_port,
        p.container_port,
        p.protocol
    )
}

/// Every (container port, protocol, host side) triple, one per mapping.
fn expand(ports: &[PortMapping]) -> Vec<(u16, Protocol, String)> {
    ports
        .iter()
        .map(|p| {
            (
                p.container_port,
                p.protocol,
                format!("{}:{}", host_ip(p.host_ip), p.host_port),
            )
        })
        .collect()
}

/// The lines of `port CONTAINER [PORT[/PROTO]]`. A PORT that is not
/// published is an error naming it.
pub fn port_lines(ports: &[PortMapping], wanted: Option<&str>) -> Result<String> {
    let all = expand(ports);
    let Some(wanted) = wanted else {
        let mut out = String::new();
        for (port, proto, host) in &all {
            let _ = writeln!(out, "{port}/{proto} -> {host}");
        }
        return Ok(out);
    };
    let (port, proto) = wanted.split_once('/').unwrap_or((wanted, "tcp"));
    let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
        CliError::invalid("PORT", wanted, "expected PORT[/PROTOCOL], e.g. 80/tcp")
    })?;
    let proto = proto.to_ascii_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(CliError::invalid(
            "PORT",
            wanted,
            "the protocol must be tcp, udp or sctp",
        ));
    }
    let mut lines = String::new();
    for (_, _, host) in all
        .iter()
        .filter(|(p, pr, _)| *p == port && pr.as_str() == proto)
    {
        let _ = writeln!(lines, "{host}");
    }
    if lines.is_empty() {
        return Err(CliError::invalid(
            "PORT",
            wanted,
            format!("failed to find published port \"{port}/{proto}\""),
        ));
    }
    Ok(lines)
}

/// `port --all`: each container with published ports, its short ID then
/// its lines.
pub fn port_all<'a>(containers: impl IntoIterator<Item = (&'a str, &'a [PortMapping])>) -> String {
    let mut out = String::new();
    for (id, ports) in containers {
        if ports.is_empty() {
            continue;
        }
        out.push_str(super::human::short_id(id));
        out.push('\n');
        for (port, proto, host) in expand(ports) {
            let _ = writeln!(out, "{port}/{proto} -> {host}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opts::ports::parse_publish;

    fn ports(v: &[&str]) -> Vec<PortMapping> {
        parse_publish(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn all_lines_with_ranges_expanded() {
        let p = ports(&["8080:80", "127.0.0.1:9000-9001:53-54/udp", "[::1]:7000:70"]);
        assert_eq!(
            port_lines(&p, None).unwrap(),
            "80/tcp -> 0.0.0.0:8080\n53/udp -> 127.0.0.1:9000\n54/udp -> 127.0.0.1:9001\n70/tcp -> [::1]:7000\n"
        );
    }

    #[test]
    fn one_port() {
        let p = ports(&["8080:80", "127.0.0.1:9000:53/udp"]);
        assert_eq!(port_lines(&p, Some("80")).unwrap(), "0.0.0.0:8080\n");
        assert_eq!(port_lines(&p, Some("80/tcp")).unwrap(), "0.0.0.0:8080\n");
        assert_eq!(port_lines(&p, Some("53/UDP")).unwrap(), "127.0.0.1:9000\n");
        let e = port_lines(&p, Some("53")).unwrap_err().to_string();
        assert!(
            e.contains("failed to find published port") && e.contains("53/tcp"),
            "{e}"
        );
        for bad in ["http", "0", "80/icmp", "99999"] {
            assert!(port_lines(&p, Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn ps_forms() {
        let p = ports(&["8080:80/udp", "127.0.0.1:9000-9001:53-54", "[::1]:7000:70"]);
        let forms: Vec<String> = p.iter().map(ps_form).collect();
        assert_eq!(
            forms,
            [
                "0.0.0.0:8080->80/udp",
                "127.0.0.1:9000->53/tcp",
                "127.0.0.1:9001->54/tcp",
                "[::1]:7000->70/tcp"
            ]
        );
    }

    #[test]
    fn all_containers() {
        let a = ports(&["8080:80"]);
        let out = port_all([("65c3dba0d2724aae", a.as_slice()), ("ffff", &[][..])]);
        assert_eq!(out, "65c3dba0d272\n80/tcp -> 0.0.0.0:8080\n");
    }
}

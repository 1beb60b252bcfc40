//! `-p/--publish`: port mappings, in podman's syntax
//! `[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL[,PROTOCOL]]`, where ports
//! may be ranges (`8000-8010:80-90`), an empty host port means a random one
//! (`127.0.0.1::80`), and IPv6 host addresses are bracketed (`[::1]:8080:80`).

use crate::error::{CliError, Result};
use std::fmt;
use std::net::IpAddr;

/// A transport protocol of a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP (the default).
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// The lower-case name, as CNI's portmap plugin and podman's output use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One published port or port range (podman's `PortMapping`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// Host address to bind; `None` means all addresses.
    pub host_ip: Option<IpAddr>,
    /// First container port.
    pub container_port: u16,
    /// First host port; 0 means a random free port chosen by the runtime.
    pub host_port: u16,
    /// How many consecutive ports, at least 1.
    pub range: u16,
    /// The protocol.
    pub protocol: Protocol,
}

impl fmt::Display for PortMapping {
    /// Podman's `ps` form: `0.0.0.0:8000-8002->80-82/tcp`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ip = match self.host_ip {
            Some(IpAddr::V6(ip)) => format!("[{ip}]"),
            Some(IpAddr::V4(ip)) => ip.to_string(),
            None => "0.0.0.0".to_owned(),
        };
        let last = |first: u16| first + (self.range - 1);
        if self.range > 1 {
            write!(
                f,
                "{ip}:{}-{}->{}-{}/{}",
                self.host_port,
                last(self.host_port),
                self.container_port,
                last(self.container_port),
                self.protocol
            )
        } else {
            write!(
                f,
                "{ip}:{}->{}/{}",
                self.host_port, self.container_port, self.protocol
            )
        }
    }
}

/// Parses every `-p` value; one value with several protocols gives one
/// mapping per protocol.
pub fn parse_publish(values: &[String]) -> Result<Vec<PortMapping>> {
    let mut out = Vec::new();
    for value in values {
        out.extend(parse_one(value)?);
    }
    Ok(out)
}

fn parse_one(value: &str) -> Result<Vec<PortMapping>> {
    let bad = |reason: String| CliError::invalid("--publish", value, reason);
    let (spec, protocols) = match value.rsplit_once('/') {
        Some((spec, protos)) => (spec, parse_protocols(protos).map_err(bad)?),
        None => (value, vec![Protocol::Tcp]),
    };
    let (host_ip, rest) = split_host_ip(spec).map_err(bad)?;
    let parts: Vec<&str> = rest.split(':').collect();
    let (host, container) = match parts.as_slice() {
        [container] if host_ip.is_none() => (None, *container),
        [host, container] => (Some(*host), *container),
        _ => {
            return Err(bad(
                "expected [[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]; \
                 put an IPv6 host address in brackets"
                    .into(),
            ))
        }
    };
    if container.is_empty() {
        return Err(bad("the container port is missing".into()));
    }
    let (ctr_first, ctr_len) = parse_range(container, "container").map_err(bad)?;
    let (host_first, host_len) = match host {
        None | Some("") => (0, None),
        Some(h) => {
            let (first, len) = parse_range(h, "host").map_err(bad)?;
            (first, Some(len))
        }
    };
    let range = match host_len {
        Some(h) if h > 1 && h != ctr_len => {
            return Err(bad(format!(
                "the host range has {h} ports but the container range has {ctr_len}"
            )))
        }
        _ => ctr_len,
    };
    if host_first != 0 && u32::from(host_first) + u32::from(range) - 1 > 65535 {
        return Err(bad("the host port range goes past 65535".into()));
    }
    Ok(protocols
        .into_iter()
        .map(|protocol| PortMapping {
            host_ip,
            container_port: ctr_first,
            host_port: host_first,
            range,
            protocol,
        })
        .collect())
}

fn parse_protocols(protos: &str) -> std::result::Result<Vec<Protocol>, String> {
    let mut out = Vec::new();
    for p in protos.split(',') {
        let proto = match p.to_ascii_lowercase().as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "sctp" => Protocol::Sctp,
            _ => return Err(format!("unknown protocol {p:?}; use tcp, udp or sctp")),
        };
        if !out.contains(&proto) {
            out.push(proto);
        }
    }
    Ok(out)
}

/// Splits a leading host address off: `[v6]:rest` or `v4:hp:cp`.
fn split_host_ip(spec: &str) -> std::result::Result<(Option<IpAddr>, &str), String> {
    if let Some(after) = spec.strip_prefix('[') {
        let Some((ip, rest)) = after.split_once("]:") else {
            return Err("a bracketed IPv6 address must be followed by `]:`".into());
        };
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| format!("{ip:?} is not an IP address"))?;
        return Ok((Some(ip), rest));
    }
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() == 3 {
        let ip = parts[0];
        let parsed: IpAddr = ip
            .parse()
            .map_err(|_| format!("{ip:?} is not an IP address"))?;
        let rest = &spec[ip.len() + 1..];
        return Ok((Some(parsed), rest));
    }
    Ok((None, spec))
}

/// `N` or `N-M`: returns the first port and the count.
fn parse_range(text: &str, which: &str) -> std::result::Result<(u16, u16), String> {
    let port = |p: &str| -> std::result::Result<u16, String> {
        let n: u32 = p
            .trim()
            .parse()
            .map_err(|_| format!("{which} port {p:?} is not a number"))?;
        if n == 0 || n > 65535 {
            return Err(format!(
                "{which} port numbers must be between 1 and 65535, got {n}"
            ));
        }
        Ok(n as u16)
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            if b < a {
                return Err(format!("{which} port range {text} ends before it starts"));
            }
            Ok((a, b - a + 1))
        }
        None => Ok((port(text)?, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(value: &str) -> PortMapping {
        let mut v = parse_publish(&[value.to_owned()]).unwrap();
        assert_eq!(v.len(), 1, "{value}");
        v.remove(0)
    }

    fn err(value: &str) -> String {
        let e = parse_publish(&[value.to_owned()]).unwrap_err().to_string();
        assert!(e.contains("--publish"), "{e}");
        assert!(e.contains(value), "{e}");
        e
    }

    #[test]
    fn container_port_only_gets_a_random_host_port() {
        let m = one("80");
        assert_eq!((m.host_port, m.container_port, m.range), (0, 80, 1));
        assert_eq!(m.protocol, Protocol::Tcp);
        assert_eq!(m.host_ip, None);
    }

    #[test]
    fn host_and_container_ports() {
        let m = one("8080:80/udp");
        assert_eq!((m.host_port, m.container_port), (8080, 80));
        assert_eq!(m.protocol, Protocol::Udp);
        assert_eq!(m.to_string(), "0.0.0.0:8080->80/udp");
    }

    #[test]
    fn host_ip_forms() {
        let m = one("127.0.0.1:8080:80");
        assert_eq!(m.host_ip, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(m.to_string(), "127.0.0.1:8080->80/tcp");
        let m = one("127.0.0.1::80");
        assert_eq!((m.host_port, m.container_port), (0, 80));
        let m = one("[::1]:8080:80");
        assert_eq!(m.host_ip, Some("::1".parse().unwrap()));
        assert_eq!(m.to_string(), "[::1]:8080->80/tcp");
        let m = one("[fd00::2]::53/udp");
        assert_eq!((m.host_port, m.container_port), (0, 53));
    }

    #[test]
    fn ranges() {
        let m = one("8000-8002:80-82");
        assert_eq!((m.host_port, m.container_port, m.range), (8000, 80, 3));
        assert_eq!(m.to_string(), "0.0.0.0:8000-8002->80-82/tcp");
        let m = one("9000:80-81");
        assert_eq!((m.host_port, m.range), (9000, 2));
        let m = one("80-85");
        assert_eq!((m.host_port, m.range), (0, 6));
    }

    #[test]
    fn several_protocols_give_several_mappings() {
        let v = parse_publish(&["53:53/tcp,udp".to_owned()]).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].protocol, Protocol::Tcp);
        assert_eq!(v[1].protocol, Protocol::Udp);
        assert_eq!(one("1:1/SCTP").protocol, Protocol::Sctp);
    }

    #[test]
    fn bad_values() {
        assert!(err("99999:80").contains("between 1 and 65535"));
        assert!(err("8080:0").contains("between 1 and 65535"));
        assert!(err("8080:http").contains("not a number"));
        assert!(err("80/icmp").contains("unknown protocol"));
        assert!(err("8000-8010:80-82").contains('3'));
        assert!(err("82-80").contains("ends before"));
        assert!(err("notanip:80:80").contains("not an IP"));
        assert!(err("::1:80:80").contains("brackets"));
        assert!(err("[::1:80:80").contains("]:"));
        assert!(err("8080:").contains("missing"));
        assert!(err("65530:1-10").contains("past 65535"));
        assert!(err("").contains("missing"));
    }
}

//! Port mappings (`-p` specs) and their parsing; they reach the portmap
//! plugin as `runtimeConfig.portMappings`.

use std::fmt;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::fd::OwnedFd;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Transport protocol of a port mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP (the default).
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
            Self::Sctp => "sctp",
        })
    }
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Ok(Self::Tcp),
            "udp" => Ok(Self::Udp),
            "sctp" => Ok(Self::Sctp),
            _ => Err(format!("unknown protocol {s:?} (use tcp, udp or sctp)")),
        }
    }
}

/// One host port forwarded to one container port. Serializes exactly as the
/// portmap plugin's `runtimeConfig.portMappings[]` entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortMapping {
    /// Port on the host.
    #[serde(rename = "hostPort")]
    pub host_port: u16,
    /// Port in the container.
    #[serde(rename = "containerPort")]
    pub container_port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Host address to bind, empty for all addresses.
    #[serde(rename = "hostIP", default)]
    pub host_ip: String,
}

impl PortMapping {
    /// A TCP mapping on all host addresses.
    pub fn tcp(host_port: u16, container_port: u16) -> Self {
        Self {
            host_port,
            container_port,
            protocol: Protocol::Tcp,
            host_ip: String::new(),
        }
    }

    /// Parses one `-p` spec, expanding ranges:
    /// `hostPort:containerPort[/proto]`, `hostIP:hostPort:containerPort[/proto]`,
    /// `[v6addr]:hostPort:containerPort`, and `A-B:C-D` ranges of equal length.
    pub fn parse(spec: &str) -> Result<Vec<PortMapping>> {
        let bad = |reason: &str| Error::PortMapping {
            input: spec.to_string(),
            reason: reason.to_string(),
        };
        let spec_trim = spec.trim();
        if spec_trim.is_empty() {
            return Err(bad("empty"));
        }
        let (body, protocol) = match spec_trim.rsplit_once('/') {
            Some((b, p)) => (b, p.parse::<Protocol>().map_err(|e| bad(&e))?),
            None => (spec_trim, Protocol::Tcp),
        };
        // Split off a host IP: bracketed IPv6 or everything before the
        // second-to-last colon.
        let (host_ip, ports) = if let Some(rest) = body.strip_prefix('[') {
            let (ip, after) = rest
                .split_once(']')
                .ok_or_else(|| bad("missing ']' after IPv6 address"))?;
            let after = after
                .strip_prefix(':')
                .ok_or_else(|| bad("expected ':' after ']'"))?;
            (ip.to_string(), after)
        } else {
            let colons = body.matches(':').count();
            match colons {
                1 => (String::new(), body),
                2 => {
                    let (ip, after) = body.split_once(':').unwrap_or_default();
                    (ip.to_string(), after)
                }
                0 => return Err(bad("a host port is required: use hostPort:containerPort")),
                _ => {
                    return Err(bad(
                        "too many ':'; write IPv6 host addresses in brackets ([::1]:8080:80)",
                    ))
                }
            }
        };
        if !host_ip.is_empty() {
            host_ip
                .parse::<IpAddr>()
                .map_err(|_| bad(&format!("host IP {host_ip:?} is not an IP address")))?;
        }
        let (host, container) = ports
            .split_once(':')
            .ok_or_else(|| bad("expected hostPort:containerPort"))?;
        if host.is_empty() {
            return Err(bad("a host port is required: use hostPort:containerPort"));
        }
        let (h0, h1) = parse_range(host).map_err(|e| bad(&format!("host port: {e}")))?;
        let (c0, c1) = parse_range(container).map_err(|e| bad(&format!("container port: {e}")))?;
        if h1 - h0 != c1 - c0 {
            return Err(bad(&format!(
                "host range has {} ports but container range has {}",
                h1 - h0 + 1,
                c1 - c0 + 1
            )));
        }
        Ok((0..=(h1 - h0))
            .map(|i| PortMapping {
                host_port: h0 + i,
                container_port: c0 + i,
                protocol,
                host_ip: host_ip.clone(),
            })
            .collect())
    }

    /// Parses several specs and refuses the same host port/protocol/address twice.
    pub fn parse_all<S: AsRef<str>>(specs: &[S]) -> Result<Vec<PortMapping>> {
        let mut out: Vec<PortMapping> = Vec::new();
        for spec in specs {
            for m in Self::parse(spec.as_ref())? {
                if out.iter().any(|o| {
                    o.host_port == m.host_port
                        && o.protocol == m.protocol
                        && (o.host_ip == m.host_ip || o.host_ip.is_empty() || m.host_ip.is_empty())
                }) {
                    return Err(Error::PortMapping {
                        input: spec.as_ref().to_string(),
                        reason: format!("host port {}/{} is mapped twice", m.host_port, m.protocol),
                    });
                }
                out.push(m);
            }
        }
        Ok(out)
    }
}

impl fmt::Display for PortMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host_ip.contains(':') {
            write!(f, "[{}]:", self.host_ip)?;
        } else if !self.host_ip.is_empty() {
            write!(f, "{}:", self.host_ip)?;
        }
        write!(
            f,
            "{}:{}/{}",
            self.host_port, self.container_port, self.protocol
        )
    }
}

fn parse_port(s: &str) -> std::result::Result<u16, String> {
    let n: u32 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a port number"))?;
    if n == 0 || n > 65535 {
        return Err(format!("{n} is out of range 1-65535"));
    }
    Ok(n as u16)
}

fn parse_range(s: &str) -> std::result::Result<(u16, u16), String> {
    if s.is_empty() {
        return Err("missing".into());
    }
    if let Some((a, b)) = s.split_once('-') {
        let (a, b) = (parse_port(a)?, parse_port(b)?);
        if b < a {
            return Err(format!("range {s:?} ends before it starts"));
        }
        Ok((a, b))
    } else {
        let p = parse_port(s)?;
        Ok((p, p))
    }
}

/// The host side of port mappings, bound: podman holds these sockets in the container's
/// conmon for its life, because the mappings themselves are iptables rules that bind nothing
/// and another program could otherwise take the port.
/// Binds every mapping's host address and port (TCP listens, UDP binds; SCTP is left to the
/// rules). Fails on the first port that cannot be had, naming it as podman does.
pub fn reserve_ports(ports: &[PortMapping]) -> Result<Vec<OwnedFd>> {
    let mut held = Vec::with_capacity(ports.len());
    for p in ports {
        let ip: IpAddr = if p.host_ip.is_empty() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            p.host_ip.parse().map_err(|_| Error::PortMapping {
                input: p.host_ip.clone(),
                reason: "the host IP is not an IP address".into(),
            })?
        };
        let addr = SocketAddr::new(ip, p.host_port);
        if p.protocol == Protocol::Sctp {
            continue;
        }
        let fd = bind_patiently(addr, p.protocol).map_err(|source| Error::PortUnavailable {
            protocol: p.protocol.to_string(),
            family: if ip.is_ipv4() { "4" } else { "6" },
            address: addr.to_string(),
            source,
        })?;
        held.push(fd);
    }
    Ok(held)
}

/// How long a port taken by this container's previous run may take to come free: the old
/// conmon's exit command inherits the held ports and keeps them until it has cleaned up.
const RELEASE_WAIT: Duration = Duration::from_millis(1500);

/// Binds `addr`, retrying while it is in use for up to [`RELEASE_WAIT`].
fn bind_patiently(addr: SocketAddr, protocol: Protocol) -> std::io::Result<OwnedFd> {
    let deadline = Instant::now() + RELEASE_WAIT;
    loop {
        let bound = match protocol {
            Protocol::Udp => UdpSocket::bind(addr).map(OwnedFd::from),
            _ => TcpListener::bind(addr).map(OwnedFd::from),
        };
        match bound {
            Err(e) if e.kind() == ErrorKind::AddrInUse && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(25));
            }
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!(
            PortMapping::parse("8080:80").unwrap(),
            vec![PortMapping::tcp(8080, 80)]
        );
        let m = PortMapping::parse("127.0.0.1:8080:80/udp").unwrap();
        assert_eq!(m[0].host_ip, "127.0.0.1");
        assert_eq!(m[0].protocol, Protocol::Udp);
        let m = PortMapping::parse("[::1]:8080:80").unwrap();
        assert_eq!(m[0].host_ip, "::1");
        let m = PortMapping::parse("8000-8002:9000-9002/tcp").unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!((m[2].host_port, m[2].container_port), (8002, 9002));
        assert_eq!(m[0].to_string(), "8000:9000/tcp");
    }

    #[test]
    fn serializes_like_portmap_wants() {
        let v = serde_json::to_value(PortMapping::tcp(8080, 80)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":""})
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = PortMapping::parse(&s);
        }

        #[test]
        fn display_round_trips(
            h in 1u16.., c in 1u16.., udp in proptest::bool::ANY,
            ip in proptest::option::of(proptest::sample::select(vec!["127.0.0.1", "::1", "10.0.0.1"])),
        ) {
            let m = PortMapping {
                host_port: h,
                container_port: c,
                protocol: if udp { Protocol::Udp } else { Protocol::Tcp },
                host_ip: ip.unwrap_or_default().to_string(),
            };
            proptest::prop_assert_eq!(PortMapping::parse(&m.to_string()).unwrap(), vec![m]);
        }
    }

    #[test]
    fn bad_input_is_explained() {
        for (spec, needle) in [
            ("", "empty"),
            ("80", "host port is required"),
            (":80", "host port is required"),
            ("x:80", "not a port number"),
            ("0:80", "out of range"),
            ("70000:80", "out of range"),
            ("8080:80/icmp", "unknown protocol"),
            ("1.2.3:8080:80", "not an IP address"),
            ("8000-8002:80", "host range has 3 ports"),
            ("9-8:9-8", "ends before it starts"),
            ("::1:8080:80", "brackets"),
            ("[::1:8080:80", "missing ']'"),
            ("8080:", "container port: missing"),
        ] {
            let err = PortMapping::parse(spec).unwrap_err().to_string();
            assert!(err.contains(needle), "{spec:?}: {err}");
            assert!(err.contains(&format!("{spec:?}")), "{err}");
        }
        let err = PortMapping::parse_all(&["8080:80", "8080:81"]).unwrap_err();
        assert!(err.to_string().contains("mapped twice"), "{err}");
        assert!(PortMapping::parse_all(&["8080:80", "8080:80/udp"]).is_ok());
    }

    fn mapping(host_port: u16, protocol: Protocol, host_ip: &str) -> PortMapping {
        PortMapping {
            host_port,
            container_port: 80,
            protocol,
            host_ip: host_ip.into(),
        }
    }

    #[test]
    fn a_reserved_port_cannot_be_taken_until_released() {
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = probe.local_addr().unwrap().port();
        drop(probe);
        let held = reserve_ports(&[
            mapping(port, Protocol::Tcp, "127.0.0.1"),
            mapping(port, Protocol::Udp, "127.0.0.1"),
        ])
        .unwrap();
        assert_eq!(held.len(), 2);
        assert!(TcpListener::bind(("127.0.0.1", port)).is_err());
        let e = reserve_ports(&[mapping(port, Protocol::Tcp, "127.0.0.1")]).unwrap_err();
        assert_eq!(
            e.to_string().split(": bind:").next().unwrap(),
            format!("cannot listen on the TCP port: listen tcp4 127.0.0.1:{port}")
        );
        drop(held);
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }

    #[test]
    fn a_bad_host_ip_is_named() {
        let e = reserve_ports(&[mapping(8080, Protocol::Tcp, "300.1.1.1")]).unwrap_err();
        assert!(e.to_string().contains("300.1.1.1"), "{e}");
    }
}

//! Published ports: berth's one [`PortMapping`] type, used from the command line's `-p` down
//! to the container record and the CNI portmap plugin, and the parser of podman's `-p` syntax
//! `[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL[,PROTOCOL]]`: ports may be ranges
//! (`8000-8010:80-90`), an empty host port means "choose a free one" (`127.0.0.1::80`), and
//! IPv6 host addresses are bracketed (`[::1]:8080:80`).
//!
//! It lives in the base floor because both the state layer (which records a container's
//! ports) and the network layer (which holds and forwards them) need it.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Transport protocol of a published port.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
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

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Ok(Self::Tcp),
            "udp" => Ok(Self::Udp),
            "sctp" => Ok(Self::Sctp),
            _ => Err(format!("unknown protocol {s:?}; use tcp, udp or sctp")),
        }
    }
}

/// One host port forwarded to one container port.
///
/// A `host_port` of 0 asks for a free host port: the runtime chooses one when it creates the
/// container, so a stored mapping always names its port. Serialized with snake_case field
/// names and the host address as text (empty for all addresses); the CNI layer renders the
/// portmap plugin's own form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct PortMapping {
    /// Host address to bind; `None` means all addresses.
    #[serde(with = "host_ip_text")]
    pub host_ip: Option<IpAddr>,
    /// Port on the host; 0 = a free one, chosen at create.
    pub host_port: u16,
    /// Port inside the container.
    pub container_port: u16,
    /// The protocol.
    pub protocol: Protocol,
}

/// A `-p` specification that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid port mapping {input:?}: {reason}")]
pub struct PortSpecError {
    /// The text given.
    pub input: String,
    /// What is wrong and, where useful, what is expected.
    pub reason: String,
}

impl PortMapping {
    /// A TCP mapping on all host addresses.
    pub fn tcp(host_port: u16, container_port: u16) -> Self {
        Self {
            host_ip: None,
            host_port,
            container_port,
            protocol: Protocol::Tcp,
        }
    }

    /// The host address to bind: the mapping's, else `0.0.0.0`.
    pub fn bind_ip(&self) -> IpAddr {
        self.host_ip
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    /// Parses one `-p` value into mappings of one port each: ranges are expanded, and a value
    /// with several protocols gives the whole range once per protocol.
    pub fn parse(spec: &str) -> Result<Vec<PortMapping>, PortSpecError> {
        parse_one(spec).map_err(|reason| PortSpecError {
            input: spec.to_string(),
            reason,
        })
    }

    /// Parses several values and refuses the same host port, protocol and address twice
    /// (a host port of 0 is never a duplicate).
    pub fn parse_all<S: AsRef<str>>(specs: &[S]) -> Result<Vec<PortMapping>, PortSpecError> {
        let mut out: Vec<PortMapping> = Vec::new();
        for spec in specs {
            for m in Self::parse(spec.as_ref())? {
                if m.host_port != 0 && out.iter().any(|o| o.same_host_port(&m)) {
                    return Err(PortSpecError {
                        input: spec.as_ref().to_string(),
                        reason: format!("host port {}/{} is mapped twice", m.host_port, m.protocol),
                    });
                }
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Whether both take the same host port: same port and protocol, and addresses that meet
    /// (equal, or one of them all addresses).
    pub fn same_host_port(&self, other: &PortMapping) -> bool {
        self.host_port == other.host_port
            && self.protocol == other.protocol
            && (self.host_ip == other.host_ip || self.host_ip.is_none() || other.host_ip.is_none())
    }
}

impl fmt::Display for PortMapping {
    /// The `-p` form that parses back to this mapping: `[IP:]HOST:CONTAINER/PROTO`
    /// (`CONTAINER/PROTO` or `IP::CONTAINER/PROTO` when the host port is still to choose).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.host_ip {
            Some(IpAddr::V6(ip)) => write!(f, "[{ip}]:")?,
            Some(ip) => write!(f, "{ip}:")?,
            None => {}
        }
        if self.host_port != 0 {
            write!(f, "{}", self.host_port)?;
        }
        if self.host_port != 0 || self.host_ip.is_some() {
            f.write_str(":")?;
        }
        write!(f, "{}/{}", self.container_port, self.protocol)
    }
}

fn parse_one(value: &str) -> Result<Vec<PortMapping>, String> {
    let (spec, protocols) = match value.rsplit_once('/') {
        Some((spec, protos)) => (spec, parse_protocols(protos)?),
        None => (value, vec![Protocol::Tcp]),
    };
    let (host_ip, rest) = split_host_ip(spec)?;
    let parts: Vec<&str> = rest.split(':').collect();
    let (host, container) = match parts.as_slice() {
        [container] if host_ip.is_none() => (None, *container),
        [host, container] => (Some(*host), *container),
        _ => {
            return Err(
                "expected [[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL]; \
                 put an IPv6 host address in brackets"
                    .into(),
            )
        }
    };
    if container.is_empty() {
        return Err("the container port is missing".into());
    }
    let (ctr_first, ctr_len) = parse_range(container, "container")?;
    let (host_first, host_len) = match host {
        None | Some("") => (0, None),
        Some(h) => {
            let (first, len) = parse_range(h, "host")?;
            (first, Some(len))
        }
    };
    let range = match host_len {
        Some(h) if h > 1 && h != ctr_len => {
            return Err(format!(
                "the host range has {h} ports but the container range has {ctr_len}"
            ))
        }
        _ => ctr_len,
    };
    if host_first != 0 && u32::from(host_first) + u32::from(range) - 1 > 65535 {
        return Err("the host port range goes past 65535".into());
    }
    let mut out = Vec::new();
    for protocol in protocols {
        for i in 0..range {
            out.push(PortMapping {
                host_ip,
                host_port: if host_first == 0 { 0 } else { host_first + i },
                container_port: ctr_first + i,
                protocol,
            });
        }
    }
    Ok(out)
}

fn parse_protocols(protos: &str) -> Result<Vec<Protocol>, String> {
    let mut out = Vec::new();
    for p in protos.split(',') {
        let proto: Protocol = p.parse()?;
        if !out.contains(&proto) {
            out.push(proto);
        }
    }
    Ok(out)
}

/// Splits a leading host address off: `[v6]:rest` or `v4:hp:cp`.
fn split_host_ip(spec: &str) -> Result<(Option<IpAddr>, &str), String> {
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
fn parse_range(text: &str, which: &str) -> Result<(u16, u16), String> {
    let port = |p: &str| -> Result<u16, String> {
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

/// The host address as text: empty for all addresses (the record's and portmap's form).
mod host_ip_text {
    use std::net::IpAddr;

    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(ip: &Option<IpAddr>, s: S) -> Result<S::Ok, S::Error> {
        match ip {
            Some(ip) => s.collect_str(ip),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<IpAddr>, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not an IP address")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(value: &str) -> PortMapping {
        let mut v = PortMapping::parse(value).unwrap();
        assert_eq!(v.len(), 1, "{value}");
        v.remove(0)
    }

    fn err(value: &str) -> String {
        let e = PortMapping::parse(value).unwrap_err();
        assert_eq!(e.input, value);
        e.reason
    }

    #[test]
    fn container_port_only_leaves_the_host_port_to_choose() {
        let m = one("80");
        assert_eq!(m, PortMapping::tcp(0, 80));
        assert_eq!(m.to_string(), "80/tcp");
    }

    #[test]
    fn host_ip_forms() {
        let m = one("127.0.0.1:8080:80/udp");
        assert_eq!(m.host_ip, Some("127.0.0.1".parse().unwrap()));
        assert_eq!((m.host_port, m.protocol), (8080, Protocol::Udp));
        let m = one("127.0.0.1::80");
        assert_eq!((m.host_port, m.container_port), (0, 80));
        assert_eq!(m.to_string(), "127.0.0.1::80/tcp");
        let m = one("[::1]:8080:80");
        assert_eq!(m.host_ip, Some("::1".parse().unwrap()));
        assert_eq!(m.to_string(), "[::1]:8080:80/tcp");
        assert_eq!(one("[fd00::2]::53/udp").host_port, 0);
    }

    #[test]
    fn ranges_and_protocols_expand() {
        let m = PortMapping::parse("8000-8002:80-82").unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!((m[2].host_port, m[2].container_port), (8002, 82));
        let m = PortMapping::parse("9000:80-81").unwrap();
        assert_eq!((m[1].host_port, m[1].container_port), (9001, 81));
        let m = PortMapping::parse("80-85").unwrap();
        assert!(m.len() == 6 && m.iter().all(|p| p.host_port == 0));
        let m = PortMapping::parse("53:53/tcp,udp").unwrap();
        assert_eq!(
            m.iter().map(|p| p.protocol).collect::<Vec<_>>(),
            [Protocol::Tcp, Protocol::Udp]
        );
        assert_eq!(one("1:1/SCTP").protocol, Protocol::Sctp);
    }

    #[test]
    fn bad_values_are_explained() {
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
        let e = PortMapping::parse_all(&["8080:80", "8080:81"]).unwrap_err();
        assert!(e.reason.contains("mapped twice"), "{e}");
        assert!(PortMapping::parse_all(&["8080:80", "8080:80/udp", "80", "80"]).is_ok());
    }

    #[test]
    fn serializes_as_the_container_record_always_did() {
        let v = serde_json::to_value(PortMapping::tcp(8080, 80)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"host_ip": "", "host_port": 8080, "container_port": 80, "protocol": "tcp"})
        );
        let back: PortMapping = serde_json::from_value(
            serde_json::json!({"host_ip": "::1", "host_port": 1, "container_port": 2, "protocol": "udp"}),
        )
        .unwrap();
        assert_eq!(back.host_ip, Some("::1".parse().unwrap()));
        assert_eq!(back.protocol, Protocol::Udp);
        assert!(
            serde_json::from_value::<PortMapping>(serde_json::json!({"host_ip": "x"})).is_err()
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = PortMapping::parse(&s);
        }

        #[test]
        fn display_round_trips(
            h in 0u16.., c in 1u16.., udp in proptest::bool::ANY,
            ip in proptest::option::of(proptest::sample::select(vec!["127.0.0.1", "::1", "10.0.0.1"])),
        ) {
            let m = PortMapping {
                host_ip: ip.map(|i| i.parse().unwrap()),
                host_port: h,
                container_port: c,
                protocol: if udp { Protocol::Udp } else { Protocol::Tcp },
            };
            proptest::prop_assert_eq!(PortMapping::parse(&m.to_string()).unwrap(), vec![m]);
        }
    }
}

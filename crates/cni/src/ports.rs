//! Port mappings: berth's one [`PortMapping`] type (from berth-config), its portmap plugin
//! form (`runtimeConfig.portMappings`), the choice and check of host ports at create
//! ([`prepare_ports`]) and the sockets that hold them while a container runs
//! ([`reserve_ports`]).

use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

pub use berth_config::{PortMapping, PortSpecError, Protocol};

/// The portmap plugin's form of port mappings (`runtimeConfig.portMappings[]`:
/// `hostPort`, `containerPort`, `protocol`, `hostIP`), for a `Vec<PortMapping>` field
/// (`#[serde(with = "crate::ports::wire")]`) and for the plugin's stdin.
pub(crate) mod wire {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{PortMapping, Protocol};

    #[derive(Serialize, Deserialize)]
    struct Wire {
        #[serde(rename = "hostPort")]
        host_port: u16,
        #[serde(rename = "containerPort")]
        container_port: u16,
        protocol: Protocol,
        #[serde(rename = "hostIP", default)]
        host_ip: String,
    }

    /// The mappings as portmap's JSON array.
    pub(crate) fn to_value(ports: &[PortMapping]) -> serde_json::Value {
        serde_json::to_value(ports.iter().map(to_wire).collect::<Vec<_>>())
            .unwrap_or(serde_json::Value::Null)
    }

    fn to_wire(p: &PortMapping) -> Wire {
        Wire {
            host_port: p.host_port,
            container_port: p.container_port,
            protocol: p.protocol,
            host_ip: p.host_ip.map(|ip| ip.to_string()).unwrap_or_default(),
        }
    }

    pub(crate) fn serialize<S: Serializer>(ports: &[PortMapping], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ports.iter().map(to_wire))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<PortMapping>, D::Error> {
        Vec::<Wire>::deserialize(d)?
            .into_iter()
            .map(|w| {
                let host_ip = if w.host_ip.is_empty() {
                    None
                } else {
                    Some(w.host_ip.parse().map_err(|_| {
                        serde::de::Error::custom(format!("{:?} is not an IP address", w.host_ip))
                    })?)
                };
                Ok(PortMapping {
                    host_ip,
                    host_port: w.host_port,
                    container_port: w.container_port,
                    protocol: w.protocol,
                })
            })
            .collect()
    }
}

impl From<PortSpecError> for Error {
    fn from(e: PortSpecError) -> Self {
        Error::PortMapping {
            input: e.input,
            reason: e.reason,
        }
    }
}

/// The host ports a new container will publish, decided in one place: each mapping whose
/// host port is 0 gets a free port (asked of the kernel for its address and protocol), and
/// every other one must be free now, neither published by a running container (`taken`)
/// nor held by any program. Returns the mappings with every host port set; fails on the
/// first port that cannot be had ([`Error::PortInUse`], or [`Error::PortUnavailable`]
/// when binding fails for another reason).
pub fn prepare_ports(wanted: &[PortMapping], taken: &[PortMapping]) -> Result<Vec<PortMapping>> {
    let mut out = Vec::with_capacity(wanted.len());
    for p in wanted {
        let mut p = p.clone();
        if p.host_port == 0 {
            p.host_port = free_port(&p, taken)?;
        } else {
            check_port_free(&p, taken)?;
        }
        out.push(p);
    }
    Ok(out)
}

/// Binds `addr` for `protocol` and lets it go (UDP binds a datagram socket; TCP and SCTP a
/// listener, as the check always did).
fn probe_bind(addr: SocketAddr, protocol: Protocol) -> std::io::Result<u16> {
    match protocol {
        Protocol::Udp => UdpSocket::bind(addr)?.local_addr().map(|a| a.port()),
        _ => TcpListener::bind(addr)?.local_addr().map(|a| a.port()),
    }
}

/// Fails when `p`'s host port is published by a running container or cannot be bound.
fn check_port_free(p: &PortMapping, taken: &[PortMapping]) -> Result<()> {
    let addr = SocketAddr::new(p.bind_ip(), p.host_port);
    let published = taken
        .iter()
        .any(|t| t.host_port == p.host_port && t.protocol == p.protocol);
    if published {
        return Err(Error::PortInUse {
            protocol: p.protocol,
            address: addr,
        });
    }
    match probe_bind(addr, p.protocol) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AddrInUse => Err(Error::PortInUse {
            protocol: p.protocol,
            address: addr,
        }),
        Err(source) => Err(unavailable(p.protocol, addr, source)),
    }
}

/// A free host port for `p`'s address and protocol that no running container publishes.
fn free_port(p: &PortMapping, taken: &[PortMapping]) -> Result<u16> {
    let addr = SocketAddr::new(p.bind_ip(), 0);
    for _ in 0..64 {
        let port = probe_bind(addr, p.protocol).map_err(|e| unavailable(p.protocol, addr, e))?;
        if !taken
            .iter()
            .any(|t| t.host_port == port && t.protocol == p.protocol)
        {
            return Ok(port);
        }
    }
    Err(Error::PortInUse {
        protocol: p.protocol,
        address: addr,
    })
}

fn unavailable(protocol: Protocol, addr: SocketAddr, source: std::io::Error) -> Error {
    Error::PortUnavailable {
        protocol: protocol.to_string(),
        family: if addr.is_ipv4() { "4" } else { "6" },
        address: addr.to_string(),
        source,
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
        let ip = p.bind_ip();
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
    fn serializes_like_portmap_wants() {
        let mut p = PortMapping::tcp(8080, 80);
        assert_eq!(
            wire::to_value(std::slice::from_ref(&p)),
            serde_json::json!([{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":""}])
        );
        p.host_ip = Some("::1".parse().unwrap());
        let v = wire::to_value(std::slice::from_ref(&p));
        assert_eq!(v[0]["hostIP"], "::1");
        let back = wire::deserialize(v).unwrap();
        assert_eq!(back, vec![p]);
    }

    fn mapping(host_port: u16, protocol: Protocol, host_ip: &str) -> PortMapping {
        PortMapping {
            host_ip: Some(host_ip.parse().unwrap()),
            host_port,
            container_port: 80,
            protocol,
        }
    }

    fn unused_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    #[test]
    fn a_reserved_port_cannot_be_taken_until_released() {
        let port = unused_port();
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
    fn a_port_something_holds_is_refused_with_podmans_words() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let e = prepare_ports(&[mapping(port, Protocol::Tcp, "127.0.0.1")], &[]).unwrap_err();
        assert!(matches!(e, Error::PortInUse { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("cannot listen on the TCP port: listen tcp4 127.0.0.1:{port}: bind: address already in use")
        );
        // The same port over UDP is another port.
        prepare_ports(&[mapping(port, Protocol::Udp, "127.0.0.1")], &[]).unwrap();
        drop(l);
        let ok = prepare_ports(&[mapping(port, Protocol::Tcp, "127.0.0.1")], &[]).unwrap();
        assert_eq!(ok[0].host_port, port, "a free port is kept as given");
    }

    #[test]
    fn a_port_a_running_container_publishes_is_refused() {
        let port = unused_port();
        let running = [PortMapping::tcp(port, 8080)];
        let e = prepare_ports(&[PortMapping::tcp(port, 80)], &running).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("cannot listen on the TCP port: listen tcp4 0.0.0.0:{port}: bind: address already in use")
        );
        let mut udp = PortMapping::tcp(port, 80);
        udp.protocol = Protocol::Udp;
        prepare_ports(&[udp], &running).unwrap();
    }

    #[test]
    fn host_port_zero_gets_a_free_port_per_mapping() {
        let wanted = PortMapping::parse_all(&["127.0.0.1::80-81/udp", "90"]).unwrap();
        let got = prepare_ports(&wanted, &[]).unwrap();
        assert_eq!(got.len(), 3);
        for (g, w) in got.iter().zip(&wanted) {
            assert_ne!(g.host_port, 0);
            assert_eq!(
                (g.container_port, g.protocol, g.host_ip),
                (w.container_port, w.protocol, w.host_ip)
            );
        }
        // The chosen port is free on its address and protocol.
        UdpSocket::bind(("127.0.0.1", got[0].host_port)).unwrap();
    }

    #[test]
    fn an_address_the_host_lacks_is_named() {
        let e = prepare_ports(&[mapping(8080, Protocol::Tcp, "192.0.2.7")], &[]).unwrap_err();
        assert!(e.to_string().contains("192.0.2.7:8080"), "{e}");
    }
}

//! Port mappings: berth's one [`PortMapping`] type (from berth-config), its portmap plugin
//! form (`runtimeConfig.portMappings`), the image's exposed ports as mappings for `-P`
//! ([`exposed_port_mappings`]), the choice and check of host ports at create
//! ([`prepare_ports`], holding the chosen ones until the container's record names them) and
//! the sockets that hold them while a container runs ([`reserve_ports`]).

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

/// The image's exposed ports (`EXPOSE`: `PORT`, `PORT/PROTOCOL`) as mappings to a host port
/// chosen at create (`-P`, podman's `--publish-all`), leaving out those `published` already
/// maps (same container port and protocol). Ordered by port, then protocol; each once.
pub fn exposed_port_mappings(
    exposed: &[String],
    published: &[PortMapping],
) -> Result<Vec<PortMapping>> {
    let mut out: Vec<PortMapping> = Vec::new();
    for e in exposed {
        let bad = |reason: &str| Error::PortMapping {
            input: e.clone(),
            reason: format!("the image's exposed port {reason}"),
        };
        let (port, protocol) = e.split_once('/').unwrap_or((e.as_str(), "tcp"));
        let container_port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("is not a port number (1-65535)"))?;
        let protocol: Protocol = protocol
            .parse()
            .map_err(|_| bad("names no known protocol (tcp, udp, sctp)"))?;
        let mapped = |m: &PortMapping| m.container_port == container_port && m.protocol == protocol;
        if published.iter().any(mapped) || out.iter().any(mapped) {
            continue;
        }
        out.push(PortMapping {
            host_ip: None,
            host_port: 0,
            container_port,
            protocol,
        });
    }
    out.sort_by_key(|m| (m.container_port, m.protocol.as_str()));
    Ok(out)
}

/// Host ports decided for a container being created ([`prepare_ports`]): the mappings with
/// every host port set, and the ports chosen here still bound, so that no other choice, in
/// this process or another, gets one of them while this value lives. Keep it until the
/// container's record names the ports; dropping it lets them go.
#[derive(Debug, Default)]
pub struct PreparedPorts {
    /// The mappings, in the order asked for, every host port set.
    pub mappings: Vec<PortMapping>,
    /// Which of `mappings` got a chosen port.
    chosen: Vec<usize>,
    /// The sockets holding the chosen ports (and any passed over while choosing).
    held: Vec<OwnedFd>,
}

impl PreparedPorts {
    /// Mappings decided without holding anything (a layer without sockets, such as a fake);
    /// `chosen` lists the indexes of `mappings` whose host port was chosen.
    pub fn unheld(mappings: Vec<PortMapping>, chosen: Vec<usize>) -> Self {
        Self {
            mappings,
            chosen,
            held: Vec::new(),
        }
    }

    /// The mappings whose host port was chosen (asked for as 0).
    pub fn chosen(&self) -> impl Iterator<Item = &PortMapping> {
        self.chosen.iter().filter_map(|i| self.mappings.get(*i))
    }

    /// Whether a chosen port is one `recorded` already maps (same host port and protocol).
    pub fn clashes_with(&self, recorded: &[PortMapping]) -> bool {
        self.chosen().any(|c| {
            recorded
                .iter()
                .any(|r| r.host_port == c.host_port && r.protocol == c.protocol)
        })
    }
}

/// The host ports a new container will publish, decided in one place: each mapping whose
/// host port is 0 gets a free port (asked of the kernel for its address and protocol), one
/// that no running container publishes (`taken`), no container's record names (`recorded`)
/// and no other mapping of `wanted` uses; every other host port must be free now, neither
/// in `taken` nor held by any program. The chosen ports stay bound in the returned
/// [`PreparedPorts`] (see there). Fails on the first port that cannot be had
/// ([`Error::PortInUse`], or [`Error::PortUnavailable`] when binding fails for another
/// reason).
pub fn prepare_ports(
    wanted: &[PortMapping],
    taken: &[PortMapping],
    recorded: &[PortMapping],
) -> Result<PreparedPorts> {
    let mut out = PreparedPorts::default();
    for (i, p) in wanted.iter().enumerate() {
        let mut p = p.clone();
        if p.host_port == 0 {
            let avoid = |port: u16| {
                let same = |t: &PortMapping| t.host_port == port && t.protocol == p.protocol;
                taken.iter().any(same) || recorded.iter().any(same) || wanted.iter().any(same)
            };
            p.host_port = free_port(&p, avoid, &mut out.held)?;
            out.chosen.push(i);
        } else {
            check_port_free(&p, taken)?;
        }
        out.mappings.push(p);
    }
    Ok(out)
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
    match probe_hold(addr, p.protocol) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AddrInUse => Err(Error::PortInUse {
            protocol: p.protocol,
            address: addr,
        }),
        Err(source) => Err(unavailable(p.protocol, addr, source)),
    }
}

/// A free host port for `p`'s address and protocol that `avoid` does not refuse. Every port
/// the kernel hands out is kept bound in `held` (the chosen one, and the ones passed over, so
/// the next ask gets another).
fn free_port(p: &PortMapping, avoid: impl Fn(u16) -> bool, held: &mut Vec<OwnedFd>) -> Result<u16> {
    let addr = SocketAddr::new(p.bind_ip(), 0);
    for _ in 0..64 {
        let (fd, port) =
            probe_hold(addr, p.protocol).map_err(|e| unavailable(p.protocol, addr, e))?;
        held.push(fd);
        if !avoid(port) {
            return Ok(port);
        }
    }
    Err(Error::PortInUse {
        protocol: p.protocol,
        address: addr,
    })
}

/// Binds `addr` for `protocol` (UDP a datagram socket; TCP and SCTP a listener) and returns
/// the socket with its port: the port is taken for every other bind until it is closed.
fn probe_hold(addr: SocketAddr, protocol: Protocol) -> std::io::Result<(OwnedFd, u16)> {
    if protocol == Protocol::Udp {
        let s = UdpSocket::bind(addr)?;
        let port = s.local_addr()?.port();
        Ok((OwnedFd::from(s), port))
    } else {
        let s = TcpListener::bind(addr)?;
        let port = s.local_addr()?.port();
        Ok((OwnedFd::from(s), port))
    }
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
        let e = prepare_ports(&[mapping(port, Protocol::Tcp, "127.0.0.1")], &[], &[]).unwrap_err();
        assert!(matches!(e, Error::PortInUse { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("cannot listen on the TCP port: listen tcp4 127.0.0.1:{port}: bind: address already in use")
        );
        // The same port over UDP is another port.
        prepare_ports(&[mapping(port, Protocol::Udp, "127.0.0.1")], &[], &[]).unwrap();
        drop(l);
        let ok = prepare_ports(&[mapping(port, Protocol::Tcp, "127.0.0.1")], &[], &[]).unwrap();
        assert_eq!(
            ok.mappings[0].host_port, port,
            "a free port is kept as given"
        );
    }

    #[test]
    fn a_port_a_running_container_publishes_is_refused() {
        let port = unused_port();
        let running = [PortMapping::tcp(port, 8080)];
        let e = prepare_ports(&[PortMapping::tcp(port, 80)], &running, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("cannot listen on the TCP port: listen tcp4 0.0.0.0:{port}: bind: address already in use")
        );
        let mut udp = PortMapping::tcp(port, 80);
        udp.protocol = Protocol::Udp;
        prepare_ports(&[udp], &running, &[]).unwrap();
    }

    #[test]
    fn host_port_zero_gets_a_free_port_per_mapping() {
        let wanted = PortMapping::parse_all(&["127.0.0.1::80-81/udp", "90"]).unwrap();
        let prepared = prepare_ports(&wanted, &[], &[]).unwrap();
        let got = &prepared.mappings;
        assert_eq!(got.len(), 3);
        assert_eq!(
            prepared.chosen().count(),
            3,
            "`90` asks for a host port too"
        );
        for (g, w) in got.iter().zip(&wanted) {
            assert_ne!(g.host_port, 0);
            assert_eq!(
                (g.container_port, g.protocol, g.host_ip),
                (w.container_port, w.protocol, w.host_ip)
            );
        }
        // The chosen port is held until the prepared ports are dropped, then free.
        let port = got[0].host_port;
        assert!(UdpSocket::bind(("127.0.0.1", port)).is_err());
        drop(prepared);
        UdpSocket::bind(("127.0.0.1", port)).unwrap();
    }

    #[test]
    fn chosen_ports_are_held_so_no_other_choice_gets_them() {
        // Many zero ports in one call, and several calls at once: never the same port twice.
        let wanted: Vec<PortMapping> = (0..20).map(|i| PortMapping::tcp(0, 80 + i)).collect();
        let all: Vec<PreparedPorts> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| prepare_ports(&wanted, &[], &[]).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut ports: Vec<u16> = all
            .iter()
            .flat_map(|p| p.mappings.iter().map(|m| m.host_port))
            .collect();
        let n = ports.len();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), n, "a port was chosen twice");
        // Held: nothing else can bind them meanwhile.
        assert!(TcpListener::bind(("0.0.0.0", ports[0])).is_err());
    }

    #[test]
    fn chosen_ports_avoid_recorded_ones_and_report_clashes() {
        let first = prepare_ports(&[PortMapping::tcp(0, 80)], &[], &[]).unwrap();
        let port = first.mappings[0].host_port;
        drop(first);
        // A record names that port now: another choice skips it even though it is free.
        let recorded = [PortMapping::tcp(port, 8080)];
        for _ in 0..20 {
            let p = prepare_ports(&[PortMapping::tcp(0, 80)], &[], &recorded).unwrap();
            assert_ne!(p.mappings[0].host_port, port);
            assert!(!p.clashes_with(&recorded));
        }
        let p = PreparedPorts::unheld(vec![PortMapping::tcp(port, 80)], vec![0]);
        assert!(p.clashes_with(&recorded));
        let mut udp = recorded[0].clone();
        udp.protocol = Protocol::Udp;
        assert!(!p.clashes_with(&[udp]));
        // A given port is not "chosen": it never clashes.
        assert!(
            !PreparedPorts::unheld(vec![PortMapping::tcp(port, 80)], vec![])
                .clashes_with(&recorded)
        );
    }

    #[test]
    fn exposed_ports_become_mappings_to_chosen_ports() {
        let exposed: Vec<String> = ["8080/tcp", "53/udp", "443", "80/tcp", "53/tcp", "443/tcp"]
            .map(String::from)
            .to_vec();
        let published = [PortMapping::tcp(9000, 80)];
        let got = exposed_port_mappings(&exposed, &published).unwrap();
        let short: Vec<(u16, &str, u16)> = got
            .iter()
            .map(|m| (m.container_port, m.protocol.as_str(), m.host_port))
            .collect();
        assert_eq!(
            short,
            [
                (53, "tcp", 0),
                (53, "udp", 0),
                (443, "tcp", 0),
                (8080, "tcp", 0)
            ],
            "80/tcp is published already; 443 once"
        );
        assert!(exposed_port_mappings(&[], &[]).unwrap().is_empty());
        for bad in ["http", "0/tcp", "70000", "80/icmp", "/tcp", ""] {
            let e = exposed_port_mappings(&[bad.to_string()], &[]).unwrap_err();
            assert!(
                matches!(&e, Error::PortMapping { input, .. } if input == bad),
                "{bad}: {e:?}"
            );
            assert!(e.to_string().contains("exposed port"), "{e}");
        }
    }

    #[test]
    fn an_address_the_host_lacks_is_named() {
        let e = prepare_ports(&[mapping(8080, Protocol::Tcp, "192.0.2.7")], &[], &[]).unwrap_err();
        assert!(e.to_string().contains("192.0.2.7:8080"), "{e}");
    }
}

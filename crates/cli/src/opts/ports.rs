//! `-p/--publish`: port mappings, in podman's syntax
//! `[[HOST_IP:][HOST_PORT]:]CONTAINER_PORT[/PROTOCOL[,PROTOCOL]]`, where ports
//! may be ranges (`8000-8010:80-90`), an empty host port means a free one the
//! runtime chooses (`127.0.0.1::80`), and IPv6 host addresses are bracketed
//! (`[::1]:8080:80`). The grammar is berth's one [`PortMapping`] type's; this
//! module names the flag in its errors.

use crate::error::{CliError, Result};
pub use berth_runtime::{PortMapping, Protocol};

/// Parses every `-p` value into mappings of one port each (ranges expanded; a
/// value with several protocols gives its ports once per protocol).
pub fn parse_publish(values: &[String]) -> Result<Vec<PortMapping>> {
    let mut out = Vec::new();
    for value in values {
        out.extend(
            PortMapping::parse(value)
                .map_err(|e| CliError::invalid("--publish", value, e.reason))?,
        );
    }
    Ok(out)
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
    fn container_port_only_leaves_the_host_port_to_the_runtime() {
        let m = one("80");
        assert_eq!((m.host_port, m.container_port), (0, 80));
        assert_eq!(m.protocol, Protocol::Tcp);
        assert_eq!(m.host_ip, None);
    }

    #[test]
    fn host_and_container_ports() {
        let m = one("8080:80/udp");
        assert_eq!((m.host_port, m.container_port), (8080, 80));
        assert_eq!(m.protocol, Protocol::Udp);
    }

    #[test]
    fn host_ip_forms() {
        let m = one("127.0.0.1:8080:80");
        assert_eq!(m.host_ip, Some("127.0.0.1".parse().unwrap()));
        let m = one("127.0.0.1::80");
        assert_eq!((m.host_port, m.container_port), (0, 80));
        let m = one("[::1]:8080:80");
        assert_eq!(m.host_ip, Some("::1".parse().unwrap()));
        let m = one("[fd00::2]::53/udp");
        assert_eq!((m.host_port, m.container_port), (0, 53));
    }

    #[test]
    fn ranges_expand() {
        let v = parse_publish(&["8000-8002:80-82".to_owned()]).unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!((v[2].host_port, v[2].container_port), (8002, 82));
        let v = parse_publish(&["9000:80-81".to_owned()]).unwrap();
        assert_eq!((v[1].host_port, v[1].container_port), (9001, 81));
        let v = parse_publish(&["80-85".to_owned()]).unwrap();
        assert!(v.len() == 6 && v.iter().all(|p| p.host_port == 0));
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

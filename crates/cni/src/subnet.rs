//! IPv4 subnets: parsing, overlap, and the host's routes.

use std::net::Ipv4Addr;

use crate::error::{Error, Result};

/// An IPv4 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subnet {
    /// Network address.
    pub addr: Ipv4Addr,
    /// Prefix length.
    pub prefix: u8,
}

impl Subnet {
    /// Parses `A.B.C.D/N` (IPv4, N in 8..=30, host bits zero).
    pub fn parse(s: &str) -> Result<Subnet> {
        let bad = |reason: &str| Error::InvalidArgument {
            what: "subnet",
            value: s.to_string(),
            reason: reason.to_string(),
        };
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| bad("expected CIDR form A.B.C.D/N"))?;
        let addr: Ipv4Addr = a
            .parse()
            .map_err(|_| bad("not an IPv4 address (only IPv4 subnets are supported)"))?;
        let prefix: u8 = p.parse().map_err(|_| bad("bad prefix length"))?;
        if !(8..=30).contains(&prefix) {
            return Err(bad("prefix length must be between 8 and 30"));
        }
        let sub = Subnet { addr, prefix };
        if u32::from(addr) & !sub.mask() != 0 {
            return Err(bad("host bits are set; use the network address"));
        }
        Ok(sub)
    }

    fn mask(self) -> u32 {
        u32::MAX << (32 - u32::from(self.prefix))
    }

    /// True when the two networks share an address.
    pub fn overlaps(self, other: Subnet) -> bool {
        let m = self.mask() & other.mask();
        u32::from(self.addr) & m == u32::from(other.addr) & m
    }

    /// True when `ip` is a usable host address inside.
    pub fn contains_host(self, ip: Ipv4Addr) -> bool {
        let v = u32::from(ip);
        let net = u32::from(self.addr);
        v & self.mask() == net && v != net && v != net | !self.mask()
    }

    /// The first host address (the conventional gateway).
    pub fn first_host(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) + 1)
    }

    /// The last host address (the one below the broadcast address).
    pub fn last_host(self) -> Ipv4Addr {
        Ipv4Addr::from((u32::from(self.addr) | !self.mask()).saturating_sub(1))
    }
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// IPv4 routes in a `/proc/net/route` text, except the default route.
pub(crate) fn parse_routes(text: &str) -> Vec<Subnet> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let dst = u32::from_str_radix(f.get(1)?, 16).ok()?;
            let mask = u32::from_str_radix(f.get(7)?, 16).ok()?;
            // The kernel prints the address bytes as a native-endian u32.
            let prefix = mask.count_ones();
            (prefix > 0).then(|| Subnet {
                addr: Ipv4Addr::from(dst.to_ne_bytes()),
                prefix: prefix as u8,
            })
        })
        .collect()
}

/// The networks of the addresses in `ip -4 -o addr show` output (host routes and
/// loopback's 127/8 included; /31 and /32 addresses skipped).
pub(crate) fn parse_addresses(text: &str) -> Vec<Subnet> {
    text.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            w.find(|x| *x == "inet")?;
            let (ip, prefix) = w.next()?.split_once('/')?;
            let ip: Ipv4Addr = ip.parse().ok()?;
            let prefix: u8 = prefix.parse().ok()?;
            if !(1..=30).contains(&prefix) {
                return None;
            }
            let mask = u32::MAX << (32 - u32::from(prefix));
            Some(Subnet {
                addr: Ipv4Addr::from(u32::from(ip) & mask),
                prefix,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_parse() {
        let text = "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n\
5: br0    inet 10.89.0.77/24 scope global br0\\       valid_lft forever\n";
        assert_eq!(
            parse_addresses(text),
            vec![
                Subnet::parse("127.0.0.0/8").unwrap(),
                Subnet::parse("10.89.0.0/24").unwrap()
            ]
        );
    }

    use super::*;

    #[test]
    fn routes_parse() {
        let text =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
eth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n\
podman0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        let r = parse_routes(text);
        assert_eq!(
            r,
            vec![
                Subnet::parse("192.168.2.0/24").unwrap(),
                Subnet::parse("10.88.0.0/16").unwrap()
            ]
        );
    }

    #[test]
    fn subnet_math() {
        let a = Subnet::parse("10.89.0.0/24").unwrap();
        assert!(a.overlaps(Subnet::parse("10.89.0.0/16").unwrap()));
        assert!(!a.overlaps(Subnet::parse("10.89.1.0/24").unwrap()));
        assert!(a.contains_host("10.89.0.1".parse().unwrap()));
        assert!(!a.contains_host("10.89.0.255".parse().unwrap()));
        assert!(!a.contains_host("10.89.0.0".parse().unwrap()));
        for (bad, needle) in [
            ("10.89.0.1/24", "host bits"),
            ("10.89.0.0", "CIDR"),
            ("10.89.0.0/31", "between 8 and 30"),
            ("fd00::/64", "IPv4"),
            ("10.89.0.0/x", "prefix"),
        ] {
            let e = Subnet::parse(bad).unwrap_err().to_string();
            assert!(e.contains(needle) && e.contains(bad), "{e}");
        }
    }
}

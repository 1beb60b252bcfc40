//! The typed options of `network create` and the rules for what berth's bridge networks
//! can honour (IPv4 bridge, host-local IPAM, one subnet).

use std::collections::BTreeMap;
use std::fmt;

use berth_cni::{CreateNetwork, Subnet};

use crate::error::{Error, Result};

/// The driver option naming the bridge device (docker's), the only one berth takes.
pub const BRIDGE_NAME_OPTION: &str = "com.docker.network.bridge.name";

/// Why an option is refused when berth's bridge cannot honour it.
const UNSUPPORTED: &str =
    "not supported by berth's bridge networks (IPv4 bridge, host-local IPAM only)";

/// The driver options berth's bridges take.
#[derive(Debug, Default)]
struct DriverOptions {
    bridge: Option<String>,
    mtu: Option<u32>,
    vlan: Option<u16>,
}

/// `network create` options. Everything unset is chosen: the name (`berth1`, ...), the
/// bridge, the subnet and its gateway.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkCreateOptions {
    /// The name; `None` = the default network's name and the first free number.
    pub name: Option<String>,
    /// The driver; `None` = `bridge`, the only one.
    pub driver: Option<String>,
    /// Subnets in CIDR form (at most one, IPv4).
    pub subnets: Vec<String>,
    /// Gateways (at most one, inside the subnet, given with it).
    pub gateways: Vec<String>,
    /// Ranges addresses are handed out from (one, inside the subnet).
    pub ip_ranges: Vec<String>,
    /// The IPAM driver; `None` = `host-local`, the only one.
    pub ipam_driver: Option<String>,
    /// Cut off external access: no masquerade, no default route.
    pub internal: bool,
    /// IPv6 (not supported).
    pub ipv6: bool,
    /// No DNS plugin (berth runs none anyway).
    pub disable_dns: bool,
    /// Labels, kept with the network.
    pub labels: BTreeMap<String, String>,
    /// Driver options in the order given, each `KEY` with its value when one was given
    /// (`KEY=VALUE`); [`BRIDGE_NAME_OPTION`], `mtu` and `vlan`, each with a value.
    pub options: Vec<(String, Option<String>)>,
}

/// The option of [`NetworkCreateOptions`] an [`Error::InvalidNetworkOption`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkOption {
    /// `driver`.
    Driver,
    /// `subnets`.
    Subnet,
    /// `gateways`.
    Gateway,
    /// `ip_ranges`.
    IpRange,
    /// `ipam_driver`.
    IpamDriver,
    /// `internal`.
    Internal,
    /// `ipv6`.
    Ipv6,
    /// `labels`.
    Label,
    /// `options`.
    Option,
}

impl fmt::Display for NetworkOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Driver => "driver",
            Self::Subnet => "subnet",
            Self::Gateway => "gateway",
            Self::IpRange => "ip range",
            Self::IpamDriver => "ipam driver",
            Self::Internal => "internal",
            Self::Ipv6 => "ipv6",
            Self::Label => "label",
            Self::Option => "option",
        })
    }
}

fn refuse(option: NetworkOption, value: Option<String>, reason: impl Into<String>) -> Error {
    Error::InvalidNetworkOption {
        option,
        value,
        reason: reason.into(),
    }
}

impl NetworkCreateOptions {
    /// Checks the options without touching anything (a front end may call it before it
    /// builds a runtime; [`crate::Runtime::create_network`] calls it too). The first
    /// problem found is reported, in this order: unsupported features, driver options, the
    /// IPAM driver, the subnet, the gateway.
    pub fn validate(&self) -> Result<()> {
        let unsupported = [(NetworkOption::Ipv6, self.ipv6)];
        if let Some((option, _)) = unsupported.iter().find(|(_, set)| *set) {
            return Err(refuse(*option, None, UNSUPPORTED));
        }
        if let Some(d) = self.driver.as_deref().filter(|d| *d != "bridge") {
            return Err(refuse(
                NetworkOption::Driver,
                Some(d.into()),
                "only bridge is supported",
            ));
        }
        self.driver_options()?;
        if let Some(d) = self.ipam_driver.as_deref().filter(|d| *d != "host-local") {
            return Err(refuse(
                NetworkOption::IpamDriver,
                Some(d.into()),
                "only host-local is supported",
            ));
        }
        if self.subnets.len() > 1 {
            return Err(refuse(
                NetworkOption::Subnet,
                Some(self.subnets.join(",")),
                "only one IPv4 subnet per network is supported",
            ));
        }
        if let Some(s) = self.subnets.first() {
            Subnet::parse(s)
                .map_err(|e| refuse(NetworkOption::Subnet, Some(s.clone()), e.to_string()))?;
        }
        if let Some(g) = self.gateways.first() {
            g.parse::<std::net::Ipv4Addr>().map_err(|_| {
                refuse(
                    NetworkOption::Gateway,
                    Some(g.clone()),
                    "not an IPv4 address",
                )
            })?;
        }
        if !self.ip_ranges.is_empty() {
            let r = &self.ip_ranges[0];
            if self.ip_ranges.len() > 1 || self.subnets.is_empty() {
                return Err(refuse(
                    NetworkOption::IpRange,
                    Some(self.ip_ranges.join(",")),
                    "give one range, together with --subnet",
                ));
            }
            let range = Subnet::parse(r)
                .map_err(|e| refuse(NetworkOption::IpRange, Some(r.clone()), e.to_string()))?;
            let subnet = Subnet::parse(&self.subnets[0]).map_err(|e| {
                refuse(
                    NetworkOption::Subnet,
                    Some(self.subnets[0].clone()),
                    e.to_string(),
                )
            })?;
            if !(subnet.contains_host(range.first_host())
                && subnet.contains_host(range.last_host()))
            {
                return Err(refuse(
                    NetworkOption::IpRange,
                    Some(r.clone()),
                    format!("not inside the subnet {subnet}"),
                ));
            }
        }
        if self.gateways.len() > 1 || (!self.gateways.is_empty() && self.subnets.is_empty()) {
            return Err(refuse(
                NetworkOption::Gateway,
                Some(self.gateways.join(",")),
                "give one gateway, together with --subnet",
            ));
        }
        Ok(())
    }

    /// The driver options as the bridge takes them, refusing any other option and bad
    /// values.
    fn driver_options(&self) -> Result<DriverOptions> {
        let mut d = DriverOptions::default();
        for (key, value) in &self.options {
            let given = match value {
                Some(v) => format!("{key}={v}"),
                None => key.clone(),
            };
            let bad = |reason: &str| refuse(NetworkOption::Option, Some(given.clone()), reason);
            match (key.as_str(), value.as_deref()) {
                (BRIDGE_NAME_OPTION, Some(v)) if !v.is_empty() => d.bridge = Some(v.to_string()),
                ("mtu", Some(v)) => {
                    d.mtu = Some(
                        v.parse::<u32>()
                            .ok()
                            .filter(|m| (68..=65535).contains(m))
                            .ok_or_else(|| bad("mtu must be a number from 68 to 65535"))?,
                    );
                }
                ("vlan", Some(v)) => {
                    d.vlan = Some(
                        v.parse::<u16>()
                            .ok()
                            .filter(|n| *n <= 4094)
                            .ok_or_else(|| bad("vlan must be a number from 0 to 4094"))?,
                    );
                }
                _ => {
                    return Err(bad(&format!(
                        "the supported options are {BRIDGE_NAME_OPTION}=NAME, mtu=N and vlan=N"
                    )))
                }
            }
        }
        Ok(d)
    }

    /// What the network layer is asked to create (options already validated).
    pub(crate) fn request(&self, name: String) -> CreateNetwork {
        let d = self.driver_options().unwrap_or_default();
        CreateNetwork {
            name,
            subnet: self.subnets.first().cloned(),
            gateway: self.gateways.first().cloned(),
            bridge: d.bridge,
            labels: self.labels.clone(),
            internal: self.internal,
            mtu: d.mtu,
            vlan: d.vlan,
            ip_range: self.ip_ranges.first().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(o: &NetworkCreateOptions) -> (NetworkOption, Option<String>, String) {
        match o.validate().unwrap_err() {
            Error::InvalidNetworkOption {
                option,
                value,
                reason,
            } => (option, value, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_a_bridge_cannot_honour_is_refused_by_option() {
        let base = NetworkCreateOptions::default();
        let o = NetworkCreateOptions {
            ipv6: true,
            ..base.clone()
        };
        let (got, value, reason) = refused(&o);
        assert_eq!((got, value), (NetworkOption::Ipv6, None));
        assert_eq!(reason, UNSUPPORTED);
        let with_subnet = NetworkCreateOptions {
            subnets: vec!["10.1.0.0/24".into()],
            ..base.clone()
        };
        for (ranges, why) in [
            (vec!["10.2.0.0/28"], "not inside the subnet 10.1.0.0/24"),
            (vec!["10.1.0.0/28", "10.1.0.16/28"], "give one range"),
            (vec!["10.1.0.0/99"], "10.1.0.0/99"),
        ] {
            let o = NetworkCreateOptions {
                ip_ranges: ranges.iter().map(|r| (*r).to_string()).collect(),
                ..with_subnet.clone()
            };
            let (got, _, reason) = refused(&o);
            assert_eq!(got, NetworkOption::IpRange);
            assert!(reason.contains(why), "{ranges:?}: {reason}");
        }
        let o = NetworkCreateOptions {
            ip_ranges: vec!["10.1.0.0/28".into()],
            ..base.clone()
        };
        assert_eq!(refused(&o).0, NetworkOption::IpRange, "needs --subnet");
        let ok = NetworkCreateOptions {
            internal: true,
            ip_ranges: vec!["10.1.0.128/25".into()],
            options: vec![
                ("mtu".into(), Some("1400".into())),
                ("vlan".into(), Some("7".into())),
            ],
            ..with_subnet.clone()
        };
        ok.validate().unwrap();
        let req = ok.request("n".into());
        assert_eq!(
            (req.mtu, req.vlan, req.internal),
            (Some(1400), Some(7), true)
        );
        for bad in ["mtu=9", "mtu=x", "vlan=4095", "mtu", "other=1"] {
            let (k, v) = bad
                .split_once('=')
                .map_or((bad, None), |(k, v)| (k, Some(v)));
            let o = NetworkCreateOptions {
                options: vec![(k.into(), v.map(Into::into))],
                ..base.clone()
            };
            assert_eq!(refused(&o).1.as_deref(), Some(bad));
        }
        let o = NetworkCreateOptions {
            ipam_driver: Some("dhcp".into()),
            ..base.clone()
        };
        assert_eq!(refused(&o).0, NetworkOption::IpamDriver);
        let o = NetworkCreateOptions {
            subnets: vec!["10.1.0.0/24".into(), "10.2.0.0/24".into()],
            ..base.clone()
        };
        assert_eq!(refused(&o).1.as_deref(), Some("10.1.0.0/24,10.2.0.0/24"));
        let o = NetworkCreateOptions {
            subnets: vec!["10.1.0.0/33".into()],
            ..base.clone()
        };
        assert_eq!(refused(&o).0, NetworkOption::Subnet);
        let o = NetworkCreateOptions {
            gateways: vec!["10.1.0.1".into()],
            ..base.clone()
        };
        assert_eq!(refused(&o).0, NetworkOption::Gateway);
        for (key, value, shown) in [
            ("mtu", Some("14000000"), "mtu=14000000"),
            ("mtu", None, "mtu"),
            (
                BRIDGE_NAME_OPTION,
                Some(""),
                "com.docker.network.bridge.name=",
            ),
        ] {
            let o = NetworkCreateOptions {
                options: vec![(key.into(), value.map(Into::into))],
                ..base.clone()
            };
            let (option, given, _) = refused(&o);
            assert_eq!(
                (option, given.as_deref()),
                (NetworkOption::Option, Some(shown))
            );
        }
    }

    #[test]
    fn what_it_can_honour_becomes_the_request() {
        let o = NetworkCreateOptions {
            subnets: vec!["10.1.0.0/24".into()],
            gateways: vec!["10.1.0.1".into()],
            options: vec![(BRIDGE_NAME_OPTION.into(), Some("br7".into()))],
            disable_dns: true,
            ..NetworkCreateOptions::default()
        };
        o.validate().unwrap();
        assert_eq!(
            o.request("n".into()),
            CreateNetwork {
                name: "n".into(),
                subnet: Some("10.1.0.0/24".into()),
                gateway: Some("10.1.0.1".into()),
                bridge: Some("br7".into()),
                ..Default::default()
            }
        );
    }
}

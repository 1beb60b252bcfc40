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
    /// Ranges addresses are handed out from (not supported).
    pub ip_ranges: Vec<String>,
    /// The IPAM driver; `None` = `host-local`, the only one.
    pub ipam_driver: Option<String>,
    /// Cut off external access (not supported).
    pub internal: bool,
    /// IPv6 (not supported).
    pub ipv6: bool,
    /// No DNS plugin (berth runs none anyway).
    pub disable_dns: bool,
    /// Labels, kept with the network.
    pub labels: BTreeMap<String, String>,
    /// Driver options in the order given, each `KEY` with its value when one was given
    /// (`KEY=VALUE`); only [`BRIDGE_NAME_OPTION`] with a value is supported.
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
        let unsupported = [
            (NetworkOption::Internal, self.internal),
            (NetworkOption::Ipv6, self.ipv6),
            (NetworkOption::IpRange, !self.ip_ranges.is_empty()),
        ];
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
        self.bridge_name()?;
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
        if self.gateways.len() > 1 || (!self.gateways.is_empty() && self.subnets.is_empty()) {
            return Err(refuse(
                NetworkOption::Gateway,
                Some(self.gateways.join(",")),
                "give one gateway, together with --subnet",
            ));
        }
        Ok(())
    }

    /// The bridge device named by the driver options, refusing any other option.
    fn bridge_name(&self) -> Result<Option<String>> {
        let mut bridge = None;
        for (key, value) in &self.options {
            match value.as_deref() {
                Some(v) if key == BRIDGE_NAME_OPTION && !v.is_empty() => {
                    bridge = Some(v.to_string());
                }
                _ => {
                    let given = match value {
                        Some(v) => format!("{key}={v}"),
                        None => key.clone(),
                    };
                    return Err(refuse(
                        NetworkOption::Option,
                        Some(given),
                        format!("the only supported option is {BRIDGE_NAME_OPTION}=NAME"),
                    ));
                }
            }
        }
        Ok(bridge)
    }

    /// What the network layer is asked to create (options already validated).
    pub(crate) fn request(&self, name: String) -> CreateNetwork {
        CreateNetwork {
            name,
            subnet: self.subnets.first().cloned(),
            gateway: self.gateways.first().cloned(),
            bridge: self.bridge_name().ok().flatten(),
            labels: self.labels.clone(),
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
        for (o, option) in [
            (
                NetworkCreateOptions {
                    ipv6: true,
                    ..base.clone()
                },
                NetworkOption::Ipv6,
            ),
            (
                NetworkCreateOptions {
                    internal: true,
                    ..base.clone()
                },
                NetworkOption::Internal,
            ),
            (
                NetworkCreateOptions {
                    ip_ranges: vec!["10.1.0.0/28".into()],
                    ..base.clone()
                },
                NetworkOption::IpRange,
            ),
        ] {
            let (got, value, reason) = refused(&o);
            assert_eq!((got, value), (option, None));
            assert_eq!(reason, UNSUPPORTED);
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
            ("mtu", Some("1400"), "mtu=1400"),
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

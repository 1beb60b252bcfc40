//! CNI result and error objects (spec 1.0.0 §"Result", plus the 0.3.x/0.4.0
//! `version` field on IPs), mirrored field by field.

use serde::{Deserialize, Serialize};

/// The result of a successful ADD (also what chained plugins echo and what
/// DEL and CHECK receive as `prevResult`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CniResult {
    /// The version the result is written in (the config's `cniVersion`).
    #[serde(rename = "cniVersion", default)]
    pub cni_version: String,
    /// Interfaces created or touched, on the host and in the sandbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    /// Addresses assigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<IpConfig>,
    /// Routes installed in the sandbox.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// DNS settings.
    #[serde(default, skip_serializing_if = "Dns::is_empty")]
    pub dns: Dns,
}

/// One interface in a result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    /// Interface name (`eth0`, `vethXXXX`, the bridge).
    pub name: String,
    /// Hardware address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// The netns path when the interface lives inside the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<String>,
}

/// One address in a result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpConfig {
    /// `"4"` or `"6"` in 0.3.x/0.4.0 results; absent in 1.0.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Index into `interfaces`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<usize>,
    /// Address in CIDR form (`10.89.0.2/24`).
    pub address: String,
    /// Gateway address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

impl IpConfig {
    /// The address without its prefix length.
    pub fn ip(&self) -> &str {
        self.address.split('/').next().unwrap_or(&self.address)
    }
}

/// One route in a result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Destination in CIDR form.
    pub dst: String,
    /// Next hop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gw: Option<String>,
}

/// DNS settings in a result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dns {
    /// Name servers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nameservers: Vec<String>,
    /// Local domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Search domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<String>,
    /// resolv.conf options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Dns {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.nameservers.is_empty()
            && self.domain.is_none()
            && self.search.is_empty()
            && self.options.is_empty()
    }
}

impl CniResult {
    /// The interface inside the sandbox named `ifname`, if any.
    pub fn sandbox_interface(&self, ifname: &str) -> Option<&Interface> {
        self.interfaces
            .iter()
            .find(|i| i.name == ifname && i.sandbox.is_some())
    }

    /// The addresses assigned to the sandbox interface `ifname` (or, for
    /// short IPAM-style results without interface indexes, all addresses).
    pub fn ips_of(&self, ifname: &str) -> Vec<&IpConfig> {
        let idx = self
            .interfaces
            .iter()
            .position(|i| i.name == ifname && i.sandbox.is_some());
        self.ips
            .iter()
            .filter(|ip| match (idx, ip.interface) {
                (Some(want), Some(have)) => want == have,
                (_, None) => true,
                (None, Some(_)) => false,
            })
            .collect()
    }
}

/// The error object a plugin prints on stdout when it fails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginErrorObject {
    /// Version (plugins 1.1.1 leave it out).
    #[serde(
        rename = "cniVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cni_version: Option<String>,
    /// Error code (1–99 reserved by the spec, 100+ plugin specific).
    pub code: u32,
    /// Short message.
    #[serde(default)]
    pub msg: String,
    /// Longer details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// The output of VERSION.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The plugin's own result version.
    #[serde(rename = "cniVersion", default)]
    pub cni_version: String,
    /// Config versions it accepts.
    #[serde(rename = "supportedVersions", default)]
    pub supported_versions: Vec<String>,
}

//! `--add-host NAME:IP`: extra lines of the container's `/etc/hosts`.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::InvalidValue;

/// One extra `/etc/hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostEntry {
    /// The host name.
    pub name: String,
    /// Its address.
    pub ip: IpAddr,
}

impl HostEntry {
    /// The entry as the container record keeps it, `NAME:IP`.
    pub(crate) fn to_record(&self) -> String {
        format!("{}:{}", self.name, self.ip)
    }
}

/// Parses `--add-host HOST:IP` entries (`HOST:IPv6` splits at the first colon, brackets
/// around it are allowed). `HOST:host-gateway` is refused: berth cannot fill it in yet.
pub fn parse_add_hosts(flag: &str, entries: &[String]) -> Result<Vec<HostEntry>, InvalidValue> {
    entries
        .iter()
        .map(|entry| {
            let bad = |reason: String| InvalidValue::new(flag, entry, reason);
            let Some((host, ip)) = entry.split_once(':') else {
                return Err(bad("expected HOST:IP, e.g. db:10.0.0.5".into()));
            };
            let host_ok = !host.is_empty()
                && host.len() <= 253
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            if !host_ok {
                return Err(bad(format!("{host:?} is not a host name")));
            }
            if ip == "host-gateway" {
                return Err(bad(
                    "host-gateway is not supported by berth yet; give an address".into(),
                ));
            }
            let bare = ip.trim_start_matches('[').trim_end_matches(']');
            let ip = bare
                .parse()
                .map_err(|_| bad(format!("{ip:?} is not an IP address")))?;
            Ok(HostEntry {
                name: host.to_owned(),
                ip,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn add_host_forms() {
        let hosts = parse_add_hosts(
            "--add-host",
            &v(&["db:10.0.0.5", "six:fd00::1", "br:[::1]"]),
        )
        .unwrap();
        assert_eq!(hosts[0].ip, "10.0.0.5".parse::<IpAddr>().unwrap());
        assert_eq!(hosts[0].name, "db");
        assert_eq!(hosts[1].ip, "fd00::1".parse::<IpAddr>().unwrap());
        assert_eq!(hosts[2].ip, "::1".parse::<IpAddr>().unwrap());
        assert_eq!(hosts[1].to_record(), "six:fd00::1");
    }

    #[test]
    fn add_host_rejects_bad_input() {
        for bad in ["db", "db:notanip", ":1.2.3.4", "b d:1.2.3.4"] {
            let err = parse_add_hosts("--add-host", &v(&[bad]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("--add-host"), "{bad}: {err}");
        }
    }

    #[test]
    fn host_gateway_is_refused_with_the_flag_named() {
        let t = parse_add_hosts("--add-host", &v(&["gw:host-gateway"]))
            .unwrap_err()
            .to_string();
        assert!(
            t.contains("--add-host") && t.contains("host-gateway"),
            "{t}"
        );
    }
}

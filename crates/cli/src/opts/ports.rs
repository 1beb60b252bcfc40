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

    // The grammar's own cases are berth-config's (`ports.rs`); here only what
    // the flag adds: every value, in order, and errors that name `--publish`.
    #[test]
    fn every_value_is_parsed_in_order() {
        let v = parse_publish(&["8080:80/udp".to_owned(), "53:53/tcp,udp".to_owned()]).unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!((v[0].host_port, v[0].protocol), (8080, Protocol::Udp));
        assert_eq!(v[2].protocol, Protocol::Udp);
    }

    #[test]
    fn errors_name_the_flag_and_the_value() {
        for (bad, why) in [
            ("99999:80", "between 1 and 65535"),
            ("80/icmp", "unknown protocol"),
        ] {
            let e = parse_publish(&["80".to_owned(), bad.to_owned()])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("--publish") && e.contains(bad) && e.contains(why),
                "{e}"
            );
        }
    }
}

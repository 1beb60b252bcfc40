//! Value rules of the containers.conf keys berth applies; each returns what
//! would have been accepted, as prose.

use crate::validate::Expected;

/// The ulimit names podman accepts (`RLIMIT_` without the prefix, lower case), for
/// containers.conf's `default_ulimits` and `--ulimit`.
pub const ULIMIT_NAMES: &[&str] = &[
    "as",
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
    "as",
];

/// `name=soft[:hard]`, each limit a number or -1 (unlimited).
pub(crate) fn ulimit(u: &str) -> Result<(), Expected> {
    let expected = || {
        "ulimits written as \"name=soft[:hard]\" (name one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack, as; limits numbers or -1)".to_owned()
    };
    let (name, limits) = u.split_once('=').ok_or_else(expected)?;
    if !ULIMIT_NAMES.contains(&name) {
        return Err(expected());
    }
    let number = |s: &str| s == "-1" || s.parse::<u64>().is_ok();
    let ok = match limits.split_once(':') {
        Some((soft, hard)) => number(soft) && number(hard),
        None => number(limits),
    };
    if ok {
        Ok(())
    } else {
        Err(expected())
    }
}

/// A size such as `65536`, `64k`, `64m`, `1g` (podman's units, `b` optional).
pub(crate) fn size(s: &str) -> Result<u64, Expected> {
    let expected = || "a size such as \"64m\" (a number with an optional b, k, m or g)".to_owned();
    let lower = s.trim().to_ascii_lowercase();
    let lower = lower.strip_suffix('b').unwrap_or(&lower);
    let (digits, mult) = match lower.chars().last() {
        Some('k') => (&lower[..lower.len() - 1], 1u64 << 10),
        Some('m') => (&lower[..lower.len() - 1], 1 << 20),
        Some('g') => (&lower[..lower.len() - 1], 1 << 30),
        _ => (lower, 1),
    };
    let n: u64 = digits.parse().map_err(|_| expected())?;
    n.checked_mul(mult).filter(|n| *n > 0).ok_or_else(expected)
}

/// An octal umask of at most 0777.
pub(crate) fn umask(s: &str) -> Result<u32, Expected> {
    u32::from_str_radix(s, 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| "an octal umask such as \"0022\" (at most 0777)".to_owned())
}

/// A log driver berth has (podman's `json-file` is its `k8s-file`).
pub(crate) fn log_driver(s: &str) -> Result<(), Expected> {
    match s {
        "k8s-file" | "json-file" | "journald" | "none" | "passthrough" => Ok(()),
        _ => Err(r#""k8s-file", "journald", "none" or "passthrough""#.to_owned()),
    }
}

/// `name=value` for a sysctl.
pub(crate) fn sysctl(s: &str) -> Result<(), Expected> {
    match s.split_once('=') {
        Some((k, _)) if !k.is_empty() && !k.contains(char::is_whitespace) => Ok(()),
        _ => Err(r#"sysctls written as "name=value""#.to_owned()),
    }
}

/// A capability name (`CHOWN` or `CAP_CHOWN`).
pub(crate) fn capability(s: &str) -> Result<(), Expected> {
    let name = s.strip_prefix("CAP_").unwrap_or(s);
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        Ok(())
    } else {
        Err(r#"capability names such as "CHOWN" or "CAP_CHOWN""#.to_owned())
    }
}

/// `SOURCE:DESTINATION[:OPTIONS]`: an absolute host path or a volume name, an absolute
/// destination.
pub(crate) fn volume(s: &str) -> Result<(), Expected> {
    let expected = || {
        "volumes written as \"SOURCE:DESTINATION[:OPTIONS]\" (SOURCE an absolute host path or a volume name, DESTINATION absolute)".to_owned()
    };
    let mut parts = s.splitn(3, ':');
    let (Some(src), Some(dst)) = (parts.next(), parts.next()) else {
        return Err(expected());
    };
    let named = src
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if src.is_empty() || !(src.starts_with('/') || named) || !dst.starts_with('/') {
        return Err(expected());
    }
    Ok(())
}

/// A namespace mode: `private`, `host` (`shareable` too for IPC), `container:NAME`, `ns:PATH`.
pub(crate) fn namespace(s: &str) -> Result<(), Expected> {
    match s {
        "" | "private" | "host" | "shareable" => Ok(()),
        _ if s.len() > "container:".len() && s.starts_with("container:") => Ok(()),
        _ if s.starts_with("ns:/") => Ok(()),
        _ => Err(r#""private", "host", "container:NAME" or "ns:PATH""#.to_owned()),
    }
}

/// An IP address.
pub(crate) fn ip(s: &str) -> Result<(), Expected> {
    s.parse::<std::net::IpAddr>()
        .map(|_| ())
        .map_err(|_| "IP addresses".to_owned())
}

/// Detach keys: `""` or comma-separated keys, each one ASCII character or `ctrl-<key>`
/// (a letter or one of `@[\]^_`), as `--detach-keys`.
pub(crate) fn detach_keys(s: &str) -> Result<(), Expected> {
    let key_ok = |k: &str| match k.strip_prefix("ctrl-") {
        Some(c) => matches!(
            c.as_bytes(),
            [b'a'..=b'z' | b'A'..=b'Z' | b'@' | b'['..=b'_']
        ),
        None => matches!(k.as_bytes(), [b] if b.is_ascii()),
    };
    if s.is_empty() || s.split(',').all(key_ok) {
        Ok(())
    } else {
        Err(r#"detach keys such as "ctrl-p,ctrl-q" (each one character or ctrl-<key>, comma-separated)"#.to_owned())
    }
}

/// A subnet in CIDR notation (`10.89.0.0/24`).
pub(crate) fn cidr(s: &str) -> Result<(), Expected> {
    let ok = s.split_once('/').is_some_and(|(ip, bits)| {
        let max = match ip.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => 32,
            Ok(std::net::IpAddr::V6(_)) => 128,
            Err(_) => return false,
        };
        bits.parse::<u8>().is_ok_and(|b| b <= max)
    });
    if ok {
        Ok(())
    } else {
        Err(r#"a subnet in CIDR notation such as "10.89.0.0/24""#.to_owned())
    }
}

/// One of `allowed`.
pub(crate) fn one_of(s: &str, allowed: &[&str]) -> Result<(), Expected> {
    if allowed.contains(&s) {
        Ok(())
    } else {
        let quoted: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        Err(format!("one of {}", quoted.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(ulimit("nofile=1024:2048").is_ok());
        assert!(ulimit("nproc=-1").is_ok());
        assert!(ulimit("nofile").is_err());
        assert!(ulimit("bogus=1").is_err());
        assert!(ulimit("nofile=a:b").is_err());
        assert_eq!(size("64m"), Ok(64 << 20));
        assert_eq!(size("65536"), Ok(65536));
        assert_eq!(size("1GB"), Ok(1 << 30));
        assert!(size("lots").is_err());
        assert!(size("0").is_err());
        assert_eq!(umask("0022"), Ok(0o22));
        assert!(umask("0999").is_err());
        assert!(log_driver("journald").is_ok() && log_driver("syslog").is_err());
        assert!(sysctl("net.ipv4.ping_group_range=0 0").is_ok() && sysctl("x").is_err());
        assert!(capability("CAP_CHOWN").is_ok() && capability("chown").is_err());
        assert!(volume("/h:/c").is_ok() && volume("vol:/c:ro").is_ok());
        assert!(volume("/h").is_err() && volume("rel/x:/c").is_err() && volume("/h:c").is_err());
        assert!(ip("1.1.1.1").is_ok() && ip("::1").is_ok() && ip("dns").is_err());
        assert!(detach_keys("ctrl-p,ctrl-q").is_ok() && detach_keys("").is_ok());
        assert!(detach_keys("ctrl-1").is_err() && detach_keys("ab").is_err());
        assert!(cidr("10.89.0.0/24").is_ok() && cidr("fd00::/64").is_ok());
        assert!(cidr("10.89.0.0").is_err() && cidr("10.89.0.0/33").is_err());
        assert!(one_of("a", &["a", "b"]).is_ok());
        assert_eq!(one_of("c", &["a", "b"]).unwrap_err(), r#"one of "a", "b""#);
    }
}

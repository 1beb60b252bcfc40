//! The registry flags of `pull`, `push`, `login` and `run`/`create --pull`:
//! the pull policy, the platform, `--creds`.

use crate::cli::RegistryFlags;
use crate::error::{CliError, Result};
use berth_runtime::{Credentials, Platform, PullPolicy};

/// How `run`/`create` get their image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PullSpec {
    /// `--pull`; `None`: the runtime's default (containers.conf's `engine.pull_policy`).
    pub policy: Option<PullPolicy>,
    /// `--platform`, or `--os`/`--arch`/`--variant` over the host's.
    pub platform: Option<Platform>,
    /// `--authfile`, `--cert-dir`, `--tls-verify`.
    pub registry: RegistryFlags,
}

/// `--pull missing|always|never|newer` (`newer` pulls as `always`).
pub fn parse_pull_policy(v: &str) -> Result<PullPolicy> {
    v.parse::<PullPolicy>()
        .map_err(|e| CliError::invalid("--pull", v, e.to_string()))
}

/// `--platform OS/ARCH[/VARIANT]`, or the host's platform with `--os`,
/// `--arch`, `--variant` put over it; `None` when none is given.
pub fn parse_platform(
    platform: Option<&str>,
    os: Option<&str>,
    arch: Option<&str>,
    variant: Option<&str>,
) -> Result<Option<Platform>> {
    if let Some(p) = platform {
        if os.is_some() || arch.is_some() {
            return Err(CliError::conflict(
                "--platform",
                "cannot be used with --os or --arch",
            ));
        }
        let mut parsed = Platform::parse(p).map_err(|_| {
            CliError::invalid(
                "--platform",
                p,
                "expected OS/ARCH[/VARIANT], e.g. linux/arm64/v8",
            )
        })?;
        if let Some(v) = variant {
            parsed.variant = Some(word("--variant", v)?.to_owned());
        }
        return Ok(Some(parsed));
    }
    if os.is_none() && arch.is_none() && variant.is_none() {
        return Ok(None);
    }
    let mut p = Platform::host();
    if let Some(o) = os {
        word("--os", o)?.clone_into(&mut p.os);
    }
    if let Some(a) = arch {
        word("--arch", a)?.clone_into(&mut p.architecture);
    }
    if let Some(v) = variant {
        p.variant = Some(word("--variant", v)?.to_owned());
    }
    Ok(Some(p))
}

fn word<'a>(flag: &str, v: &'a str) -> Result<&'a str> {
    if !v.is_empty() && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        Ok(v)
    } else {
        Err(CliError::invalid(
            flag,
            v,
            "expected a name such as linux, amd64 or v8",
        ))
    }
}

/// `--creds USERNAME:PASSWORD`.
pub fn parse_creds(v: &str) -> Result<Credentials> {
    match v.split_once(':') {
        Some((u, p)) if !u.is_empty() && !p.is_empty() => Ok(Credentials {
            username: u.to_owned(),
            password: p.to_owned(),
        }),
        _ => Err(CliError::InvalidValue {
            flag: "--creds".into(),
            value: v.split(':').next().unwrap_or_default().to_owned() + ":***",
            reason: "expected USERNAME:PASSWORD, both not empty".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policies() {
        assert_eq!(parse_pull_policy("never").unwrap(), PullPolicy::Never);
        assert_eq!(parse_pull_policy("newer").unwrap(), PullPolicy::Always);
        let e = parse_pull_policy("sometimes").unwrap_err().to_string();
        assert!(e.contains("--pull") && e.contains("sometimes"), "{e}");
    }

    #[test]
    fn platforms() {
        assert_eq!(parse_platform(None, None, None, None).unwrap(), None);
        let p = parse_platform(Some("linux/arm64/v8"), None, None, None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (p.os.as_str(), p.architecture.as_str(), p.variant.as_deref()),
            ("linux", "arm64", Some("v8"))
        );
        let p = parse_platform(None, None, Some("arm"), Some("v7"))
            .unwrap()
            .unwrap();
        assert_eq!((p.os.as_str(), p.architecture.as_str()), ("linux", "arm"));
        for bad in [
            "linux",
            "linux/",
            "/amd64",
            "linux/amd64/v8/x",
            "linux/am d64",
        ] {
            let e = parse_platform(Some(bad), None, None, None).unwrap_err();
            assert!(e.to_string().contains("--platform"), "{bad}: {e}");
        }
        assert!(parse_platform(Some("linux/amd64"), Some("linux"), None, None).is_err());
        assert!(parse_platform(None, None, Some("../x"), None).is_err());
    }

    #[test]
    fn creds_need_both_halves_and_never_echo_the_password() {
        let c = parse_creds("me:s3cret").unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("me", "s3cret"));
        for bad in ["me", "me:", ":pw", ""] {
            let e = parse_creds(bad).unwrap_err().to_string();
            assert!(e.contains("--creds"), "{e}");
            assert!(!e.contains("pw"), "{e}");
        }
    }
}

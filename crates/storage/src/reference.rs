//! Image reference parsing and normalization, as podman does it.
//!
//! `busybox` becomes `docker.io/library/busybox:latest`; `localhost/x`
//! stays on `localhost`; `name@sha256:<hex>` keeps its digest. The grammar is
//! the one of the distribution reference library: a name made of
//! `/`-separated lowercase path components, optionally led by a domain
//! (a first component with a `.` or `:`, or `localhost`), then an optional
//! `:tag` and an optional `@algorithm:hex` digest.

use std::fmt;

use crate::{Error, Result};

/// The registry that unqualified names belong to.
pub const DEFAULT_DOMAIN: &str = "docker.io";
/// The namespace of one-component names on docker.io.
pub const OFFICIAL_NAMESPACE: &str = "library";
/// The tag given to names without tag or digest.
pub const DEFAULT_TAG: &str = "latest";

const NAME_TOTAL_MAX: usize = 255;

/// A normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// Registry domain, e.g. `docker.io`, `localhost`, `quay.io:443`.
    pub domain: String,
    /// Repository path, e.g. `library/busybox`.
    pub path: String,
    /// Tag; `latest` when neither tag nor digest was given.
    pub tag: Option<String>,
    /// Digest `sha256:<hex>`.
    pub digest: Option<String>,
    /// Whether the input named a domain itself.
    pub had_domain: bool,
}

fn invalid(reference: &str, reason: impl Into<String>) -> Error {
    Error::InvalidReference {
        reference: reference.to_string(),
        reason: reason.into(),
    }
}

fn is_alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn valid_component(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !is_alnum_lower(b[0]) || !is_alnum_lower(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        // a separator run
        let start = i;
        while i < b.len() && !is_alnum_lower(b[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// A domain: dot-separated labels of `[a-zA-Z0-9-]` plus an optional `:port`.
fn valid_domain(s: &str) -> bool {
    let (host, port) = match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

fn valid_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn valid_digest(s: &str) -> bool {
    match s.split_once(':') {
        Some(("sha256", hex)) => {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        }
        Some(("sha512", hex)) => {
            hex.len() == 128
                && hex
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        }
        _ => false,
    }
}

impl Reference {
    /// Parses and normalizes a reference. A reference without tag and
    /// without digest gets the tag `latest`.
    pub fn parse(input: &str) -> Result<Self> {
        let mut r = Self::parse_name_only(input)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some(DEFAULT_TAG.to_string());
        }
        Ok(r)
    }

    /// Parses and normalizes a reference without adding a default tag.
    pub fn parse_name_only(input: &str) -> Result<Self> {
        if input.is_empty() {
            return Err(invalid(input, "the reference is empty"));
        }
        if input
            .bytes()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        {
            return Err(invalid(
                input,
                "the reference contains whitespace or control characters",
            ));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((r, d)) => {
                if !valid_digest(d) {
                    return Err(invalid(
                        input,
                        format!("invalid digest {d:?}: expected sha256:<64 lowercase hex>"),
                    ));
                }
                (r, Some(d.to_string()))
            }
            None => (input, None),
        };
        // The tag is after the last ':' that follows the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let t = &rest[last_slash + i + 1..];
                if !valid_tag(t) {
                    return Err(invalid(
                        input,
                        format!("invalid tag {t:?}: use [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}"),
                    ));
                }
                (&rest[..last_slash + i], Some(t.to_string()))
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(invalid(input, "the repository name is empty"));
        }
        let (mut domain, mut path, had_domain) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first.bytes().any(|c| c.is_ascii_uppercase()) && valid_domain(first) =>
            {
                if !valid_domain(first) {
                    return Err(invalid(input, format!("invalid registry domain {first:?}")));
                }
                (first.to_string(), rest.to_string(), true)
            }
            _ => (DEFAULT_DOMAIN.to_string(), name.to_string(), false),
        };
        if path.bytes().any(|c| c.is_ascii_uppercase()) {
            return Err(invalid(input, "repository name must be lowercase"));
        }
        for comp in path.split('/') {
            if !valid_component(comp) {
                return Err(invalid(
                    input,
                    format!("invalid repository path component {comp:?}: use lowercase letters, digits and single separators (. _ __ -)"),
                ));
            }
        }
        if domain == "index.docker.io" {
            domain = DEFAULT_DOMAIN.to_string();
        }
        if domain == DEFAULT_DOMAIN && !path.contains('/') {
            path = format!("{OFFICIAL_NAMESPACE}/{path}");
        }
        // As Go's reference parser, the limit is on the normalized name
        // (`docker.io/library/` included), so a name that parses also
        // parses again as it prints.
        if domain.len() + 1 + path.len() > NAME_TOTAL_MAX {
            return Err(invalid(
                input,
                format!("the repository name is longer than {NAME_TOTAL_MAX} characters"),
            ));
        }
        Ok(Reference {
            domain,
            path,
            tag,
            digest,
            had_domain,
        })
    }

    /// `domain/path` without tag or digest.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// `domain/path:tag` (or `@digest` when there is no tag).
    pub fn name_string(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.domain, self.path)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Reference::parse(s).unwrap().to_string()
    }

    #[test]
    fn normalizes_like_podman() {
        assert_eq!(norm("busybox"), "docker.io/library/busybox:latest");
        assert_eq!(norm("busybox:1.36"), "docker.io/library/busybox:1.36");
        assert_eq!(norm("library/busybox"), "docker.io/library/busybox:latest");
        assert_eq!(
            norm("docker.io/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(
            norm("index.docker.io/busybox"),
            "docker.io/library/busybox:latest"
        );
        assert_eq!(norm("user/app:v1"), "docker.io/user/app:v1");
        assert_eq!(norm("localhost/x"), "localhost/x:latest");
        assert_eq!(norm("localhost:5000/a/b:c"), "localhost:5000/a/b:c");
        assert_eq!(
            norm("quay.io/podman/stable"),
            "quay.io/podman/stable:latest"
        );
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            norm(&format!("busybox@{d}")),
            format!("docker.io/library/busybox@{d}")
        );
        assert_eq!(
            norm(&format!("busybox:1@{d}")),
            format!("docker.io/library/busybox:1@{d}")
        );
        assert!(!Reference::parse("busybox").unwrap().had_domain);
        assert!(Reference::parse("localhost/x").unwrap().had_domain);
        assert_eq!(
            norm("a__b.c-d---e"),
            "docker.io/library/a__b.c-d---e:latest"
        );
    }

    #[test]
    fn rejects_bad_references_with_reasons() {
        for (bad, why) in [
            ("", "empty"),
            ("Busybox", "lowercase"),
            ("busybox:", "invalid tag"),
            ("busybox:-x", "invalid tag"),
            ("busybox@sha256:abc", "invalid digest"),
            ("busybox@md5:0123", "invalid digest"),
            ("/busybox", "component"),
            ("busybox/", "component"),
            ("a//b", "component"),
            ("a..b", "component"),
            ("-a", "component"),
            ("a b", "whitespace"),
            ("quay..io/x", "domain"),
            ("localhost:abc/x", "domain"),
            (":tag", "empty"),
        ] {
            let err = Reference::parse(bad).expect_err(bad).to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
        // Found by the image_reference fuzz target: a short name that fits
        // in 255 characters but not once `docker.io/library/` is added
        // parsed, then its printed form did not.
        let found = include_str!("../tests/data/fuzz/image_reference/long-short-name");
        let err = Reference::parse(found).unwrap_err().to_string();
        assert!(err.contains("longer than 255"), "{err}");
        let fits = "a".repeat(255 - "docker.io/library/".len());
        let r = Reference::parse(&fits).unwrap();
        assert_eq!(
            Reference::parse(&r.to_string()).unwrap(),
            Reference {
                had_domain: true,
                ..r
            }
        );
        assert!(Reference::parse(&format!("{fits}a")).is_err());
        let long = "a".repeat(300);
        assert!(Reference::parse(&long)
            .unwrap_err()
            .to_string()
            .contains("longer"));
    }
}

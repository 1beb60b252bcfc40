//! The signature policy (`policy.json`, containers-policy.json(5)).
//!
//! berth implements `insecureAcceptAnything` and `reject`. Scopes are looked
//! up most specific first: the full reference, the repository, each parent
//! namespace, the host, `*.domain` wildcards, then the transport's `""`
//! entry and finally `default`. Every requirement of the chosen scope must
//! accept. Requirement types that verify signatures (`signedBy`,
//! `sigstoreSigned`) are not implemented: an image governed by them is
//! refused with an error saying so, never silently accepted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::reference::Reference;

use super::error::{Error, Result};

/// The system-wide policy file.
pub const DEFAULT_POLICY: &str = "/etc/containers/policy.json";

/// One requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `insecureAcceptAnything`.
    AcceptAnything,
    /// `reject`.
    Reject,
    /// A known type berth does not implement (`signedBy`, `sigstoreSigned`, ...).
    Unimplemented(String),
}

/// A parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Where it came from (for messages).
    pub source: String,
    default: Vec<Requirement>,
    transports: BTreeMap<String, BTreeMap<String, Vec<Requirement>>>,
}

/// Which policy a pull uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PolicySource {
    /// The system-wide [`DEFAULT_POLICY`] (which must then exist). The
    /// user's `~/.config/containers/policy.json` is chosen by the caller
    /// (the runtime asks `berth_config::signature_policy_path`) and given as
    /// [`PolicySource::File`]; this module reads no environment.
    #[default]
    Default,
    /// A given file (`signature_policy_path`, `--signature-policy`).
    File(PathBuf),
    /// A policy already in memory.
    Inline(Policy),
}

impl PolicySource {
    /// Loads the policy.
    pub fn load(&self) -> Result<Policy> {
        match self {
            PolicySource::Inline(p) => Ok(p.clone()),
            PolicySource::File(p) => Policy::load(p),
            PolicySource::Default => Policy::load(Path::new(DEFAULT_POLICY)),
        }
    }
}

const KNOWN_UNIMPLEMENTED: &[&str] = &["signedBy", "sigstoreSigned", "signedBaseLayer"];

fn requirements(v: &Value, at: &str, src: &str) -> Result<Vec<Requirement>> {
    let bad = |reason: String| Error::Policy {
        path: src.to_string(),
        reason: format!("{at}: {reason}"),
    };
    let arr = v
        .as_array()
        .ok_or_else(|| bad("must be a list of requirements".into()))?;
    if arr.is_empty() {
        return Err(bad("an empty requirement list is not allowed (use [{\"type\":\"reject\"}] or insecureAcceptAnything)".into()));
    }
    arr.iter()
        .map(|r| {
            let t = r
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("a requirement without a \"type\" string".into()))?;
            match t {
                "insecureAcceptAnything" => Ok(Requirement::AcceptAnything),
                "reject" => Ok(Requirement::Reject),
                t if KNOWN_UNIMPLEMENTED.contains(&t) => Ok(Requirement::Unimplemented(t.into())),
                other => Err(bad(format!("unknown requirement type {other:?}"))),
            }
        })
        .collect()
}

impl Policy {
    /// A policy accepting everything (for tests and explicit opt-out).
    pub fn accept_anything() -> Self {
        Policy {
            source: "<accept anything>".into(),
            default: vec![Requirement::AcceptAnything],
            transports: BTreeMap::new(),
        }
    }

    /// Reads and parses a policy file.
    pub fn load(path: &Path) -> Result<Self> {
        let data = std::fs::read(path).map_err(|e| Error::Policy {
            path: path.display().to_string(),
            reason: format!(
                "cannot read it: {e} (create it, or point signature_policy_path at one)"
            ),
        })?;
        Self::parse(&data, &path.display().to_string())
    }

    /// Parses policy JSON; `source` names it in errors.
    pub fn parse(data: &[u8], source: &str) -> Result<Self> {
        let bad = |reason: String| Error::Policy {
            path: source.to_string(),
            reason,
        };
        let v: Value =
            serde_json::from_slice(data).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| bad("the top level must be a JSON object".into()))?;
        let default = requirements(
            obj.get("default")
                .ok_or_else(|| bad("no \"default\" requirement list".into()))?,
            "default",
            source,
        )?;
        let mut transports = BTreeMap::new();
        if let Some(t) = obj.get("transports") {
            let t = t
                .as_object()
                .ok_or_else(|| bad("\"transports\" must be an object".into()))?;
            for (name, scopes) in t {
                let scopes = scopes
                    .as_object()
                    .ok_or_else(|| bad(format!("transports.{name} must be an object of scopes")))?;
                let mut m = BTreeMap::new();
                for (scope, reqs) in scopes {
                    m.insert(
                        scope.clone(),
                        requirements(reqs, &format!("transports.{name}.{scope:?}"), source)?,
                    );
                }
                transports.insert(name.clone(), m);
            }
        }
        Ok(Policy {
            source: source.to_string(),
            default,
            transports,
        })
    }

    /// The scope and requirements that apply to `reference` on `transport`
    /// (`docker` for registries).
    pub fn requirements_for(&self, transport: &str, r: &Reference) -> (String, &[Requirement]) {
        if let Some(scopes) = self.transports.get(transport) {
            for s in scope_candidates(r) {
                if let Some(reqs) = scopes.get(&s) {
                    return (s, reqs);
                }
            }
            if let Some(reqs) = scopes.get("") {
                return (String::new(), reqs);
            }
        }
        ("default".into(), &self.default)
    }

    /// Whether the policy lets `reference` in over `transport`.
    pub fn check(&self, transport: &str, r: &Reference) -> Result<()> {
        let (scope, reqs) = self.requirements_for(transport, r);
        for req in reqs {
            match req {
                Requirement::AcceptAnything => {}
                Requirement::Reject => {
                    return Err(Error::PolicyRejected {
                        reference: r.to_string(),
                        path: self.source.clone(),
                        scope,
                    })
                }
                Requirement::Unimplemented(t) => {
                    return Err(Error::PolicyUnsupported {
                        reference: r.to_string(),
                        path: self.source.clone(),
                        scope,
                        requirement: t.clone(),
                    })
                }
            }
        }
        Ok(())
    }
}

/// Docker-transport scopes for a reference, most specific first.
fn scope_candidates(r: &Reference) -> Vec<String> {
    let mut out = vec![r.to_string()];
    let mut ns = r.repository();
    loop {
        out.push(ns.clone());
        match ns.rfind('/') {
            Some(i) => ns.truncate(i),
            None => break,
        }
    }
    let host = r.domain.split(':').next().unwrap_or(&r.domain);
    let mut rest = host;
    while let Some((_, tail)) = rest.split_once('.') {
        out.push(format!("*.{tail}"));
        rest = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn the_most_specific_scope_wins() {
        let p = Policy::parse(
            br#"{"default":[{"type":"reject"}],
                 "transports":{"docker":{
                    "":[{"type":"insecureAcceptAnything"}],
                    "quay.io/bad":[{"type":"reject"}],
                    "quay.io/bad/ok":[{"type":"insecureAcceptAnything"}],
                    "*.signed.test":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k"}],
                    "localhost:5000/x:v1":[{"type":"reject"}]}}}"#,
            "p.json",
        )
        .unwrap();
        p.check("docker", &r("docker.io/library/busybox")).unwrap();
        let e = p.check("docker", &r("quay.io/bad/thing:1")).unwrap_err();
        assert!(e.to_string().contains("\"quay.io/bad\""), "{e}");
        p.check("docker", &r("quay.io/bad/ok:2")).unwrap();
        let e = p.check("docker", &r("reg.signed.test/a")).unwrap_err();
        assert!(matches!(e, Error::PolicyUnsupported { .. }), "{e}");
        assert!(
            e.to_string().contains("signedBy") && e.to_string().contains("does not implement"),
            "{e}"
        );
        assert!(p.check("docker", &r("localhost:5000/x:v1")).is_err());
        p.check("docker", &r("localhost:5000/x:v2")).unwrap();
        // other transports fall back to the default
        assert!(p.check("oci-archive", &r("busybox")).is_err());
    }

    #[test]
    fn bad_policies_name_the_problem() {
        let cases: [(&[u8], &str); 9] = [
            (b"{", "not valid JSON"),
            (b"[]", "top level"),
            (b"{}", "no \"default\""),
            (br#"{"default":[]}"#, "empty requirement list"),
            (br#"{"default":{}}"#, "list of requirements"),
            (
                br#"{"default":[{"type":"bogus"}]}"#,
                "unknown requirement type \"bogus\"",
            ),
            (br#"{"default":[{}]}"#, "without a \"type\""),
            (
                br#"{"default":[{"type":"reject"}],"transports":[]}"#,
                "\"transports\" must be an object",
            ),
            (
                br#"{"default":[{"type":"reject"}],"transports":{"docker":{"x":[{"type":7}]}}}"#,
                "transports.docker.\"x\"",
            ),
        ];
        for (data, want) in cases {
            let e = Policy::parse(data, "/etc/p.json").unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("/etc/p.json"), "{e}");
        }
        let e = Policy::load(Path::new("/nonexistent/policy.json")).unwrap_err();
        assert!(e.to_string().contains("cannot read"), "{e}");
    }
}

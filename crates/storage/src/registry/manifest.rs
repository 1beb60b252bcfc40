//! Manifests as registries serve them: OCI and Docker schema 2 image
//! manifests, OCI image indexes and Docker manifest lists, checked before
//! anything is fetched, and the platform choice in an index.

use serde::Deserialize;

use crate::oci::{media, Descriptor, Manifest};

use super::error::{Error, Result};

/// An OCI image index media type or a Docker manifest list.
pub fn is_index_type(mt: &str) -> bool {
    mt == media::INDEX || mt == media::DOCKER_LIST
}

/// An image manifest media type (OCI or Docker schema 2).
pub fn is_manifest_type(mt: &str) -> bool {
    mt == media::MANIFEST || mt == media::DOCKER_MANIFEST
}

/// A platform: `os/architecture[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Platform {
    /// e.g. `linux`.
    #[serde(default)]
    pub os: String,
    /// e.g. `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// e.g. `v8`.
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// This machine: `linux/<host arch>`.
    pub fn host() -> Self {
        Platform {
            os: "linux".into(),
            architecture: crate::oci::host_arch().into(),
            variant: None,
        }
    }

    /// Parses `os/arch[/variant]` (`--platform`).
    pub fn parse(s: &str) -> Result<Self> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok =
            |p: &&str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => Ok(Platform {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: None,
            }),
            [os, arch, v] if ok(os) && ok(arch) && ok(v) => Ok(Platform {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: Some((*v).into()),
            }),
            _ => Err(Error::InvalidOption(format!(
                "platform {s:?}: use os/arch[/variant], e.g. linux/amd64"
            ))),
        }
    }

    fn matches(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// One entry of an index.
#[derive(Debug, Clone, Deserialize)]
pub struct IndexEntry {
    /// Media type of the referenced manifest.
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    /// Its digest.
    pub digest: String,
    /// Its size.
    pub size: u64,
    /// Its platform.
    #[serde(default)]
    pub platform: Option<Platform>,
}

#[derive(Debug, Deserialize)]
struct RawIndex {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    manifests: Vec<IndexEntry>,
}

/// What a manifest document is.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// An image manifest.
    Image(Manifest),
    /// An index / manifest list.
    Index(Vec<IndexEntry>),
}

fn check_digest(what: &str, d: &str) -> Result<()> {
    crate::digest::parse_sha256(d)
        .map(|_| ())
        .map_err(|_| Error::bad(what, format!("digest {d:?} is not sha256:<64 lowercase hex> (other algorithms are not supported)")))
}

/// Parses and checks a manifest document. `content_type` is the response's
/// Content-Type; the document's own `mediaType` is used when it is missing.
pub fn parse(data: &[u8], content_type: &str, what: &str) -> Result<Parsed> {
    let v: serde_json::Value = serde_json::from_slice(data)
        .map_err(|e| Error::bad(what, format!("not valid JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| Error::bad(what, "a manifest must be a JSON object"))?;
    let own = obj
        .get("mediaType")
        .and_then(|m| m.as_str())
        .unwrap_or("")
        .to_string();
    let own = own.as_str();
    let has_manifests = obj.contains_key("manifests");
    let schema = obj.get("schemaVersion").and_then(serde_json::Value::as_u64);
    if schema == Some(1) || content_type.contains("distribution.manifest.v1") {
        return Err(Error::bad(
            what,
            "Docker schema 1 manifests are not supported; push the image with a current client",
        ));
    }
    let ct = content_type.split(';').next().unwrap_or("").trim();
    let mt = if is_index_type(ct) || is_manifest_type(ct) {
        ct
    } else if !own.is_empty() {
        own
    } else if has_manifests {
        media::INDEX
    } else {
        media::MANIFEST
    };
    if !own.is_empty() && own != mt {
        return Err(Error::bad(
            what,
            format!("served as {mt} but says it is {own}"),
        ));
    }
    if schema != Some(2) {
        return Err(Error::bad(what, "schemaVersion must be 2"));
    }
    if is_index_type(mt) {
        let idx: RawIndex = serde_json::from_value(v)
            .map_err(|e| Error::bad(what, format!("not an image index: {e}")))?;
        debug_assert_eq!(idx.schema_version, 2);
        for m in &idx.manifests {
            check_digest(what, &m.digest)?;
        }
        return Ok(Parsed::Index(idx.manifests));
    }
    if !is_manifest_type(mt) {
        return Err(Error::bad(
            what,
            format!("unsupported media type {mt:?} (not an image manifest or index)"),
        ));
    }
    let mut m: Manifest = serde_json::from_value(v)
        .map_err(|e| Error::bad(what, format!("not an image manifest: {e}")))?;
    if m.media_type.is_empty() {
        m.media_type = mt.to_string();
    }
    check_digest(what, &m.config.digest)?;
    for l in &m.layers {
        check_digest(what, &l.digest)?;
        check_layer_type(what, l)?;
    }
    Ok(Parsed::Image(m))
}

fn check_layer_type(what: &str, l: &Descriptor) -> Result<()> {
    let t = l.media_type.as_str();
    let known = t.is_empty()
        || t.starts_with("application/vnd.oci.image.layer.v1.tar")
        || t == "application/vnd.docker.image.rootfs.diff.tar.gzip"
        || t == "application/vnd.docker.image.rootfs.diff.tar";
    if t.contains("foreign") || t.contains("nondistributable") {
        return Err(Error::bad(
            what,
            format!(
                "layer {} is a foreign layer ({t}); berth cannot fetch it from the registry",
                l.digest
            ),
        ));
    }
    if !known {
        return Err(Error::bad(
            what,
            format!("layer {} has unsupported media type {t:?}", l.digest),
        ));
    }
    Ok(())
}

/// Picks the manifest for `want` from an index.
pub fn choose(entries: &[IndexEntry], want: &Platform, reference: &str) -> Result<IndexEntry> {
    let mut hits = entries
        .iter()
        .filter(|e| e.platform.as_ref().is_some_and(|p| want.matches(p)));
    // Without a variant asked for, prefer the entry without a variant, then the first.
    let first = hits.next().cloned();
    let better = entries
        .iter()
        .find(|e| {
            e.platform
                .as_ref()
                .is_some_and(|p| want.matches(p) && p.variant.is_none())
        })
        .cloned();
    better.or(first).ok_or_else(|| Error::NoMatchingPlatform {
        reference: reference.to_string(),
        wanted: want.to_string(),
        available: entries
            .iter()
            .map(|e| {
                e.platform
                    .as_ref()
                    .map_or_else(|| "unknown".into(), ToString::to_string)
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    #[test]
    fn image_manifests_and_indexes_parse() {
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"x","digest":"{}","size":2}},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{}","size":3}}]}}"#,
            media::DOCKER_MANIFEST,
            d('a'),
            d('b')
        );
        let Parsed::Image(p) = parse(m.as_bytes(), media::DOCKER_MANIFEST, "m").unwrap() else {
            panic!("not an image")
        };
        assert_eq!(p.layers.len(), 1);
        let idx = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{mt}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},{{"mediaType":"{mt}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
            d('c'),
            d('e'),
            mt = media::MANIFEST
        );
        let Parsed::Index(e) = parse(idx.as_bytes(), media::INDEX, "i").unwrap() else {
            panic!("not an index")
        };
        let amd = Platform::parse("linux/amd64").unwrap();
        assert_eq!(choose(&e, &amd, "r").unwrap().digest, d('e'));
        let arm = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(choose(&e, &arm, "r").unwrap().digest, d('c'));
        let err = choose(&e, &Platform::parse("linux/s390x").unwrap(), "r").unwrap_err();
        assert!(
            err.to_string().contains("linux/arm64/v8, linux/amd64"),
            "{err}"
        );
    }

    #[test]
    fn bad_manifests_are_refused_with_the_reason() {
        let good_cfg = format!(r#""config":{{"digest":"{}","size":1}}"#, d('a'));
        let cases = [
            ("{".to_string(), "", "not valid JSON"),
            ("[]".to_string(), "", "JSON object"),
            (
                r#"{"schemaVersion":1,"fsLayers":[]}"#.to_string(),
                "",
                "schema 1",
            ),
            (
                format!(r#"{{"schemaVersion":3,{good_cfg},"layers":[]}}"#),
                "",
                "schemaVersion must be 2",
            ),
            (
                r#"{"schemaVersion":2,"config":{"digest":"md5:1","size":1},"layers":[]}"#
                    .to_string(),
                "",
                "not sha256",
            ),
            (
                format!(r#"{{"schemaVersion":2,{good_cfg}}}"#),
                "",
                "not an image manifest",
            ),
            (
                format!(
                    r#"{{"schemaVersion":2,"mediaType":"{}",{good_cfg},"layers":[]}}"#,
                    media::INDEX
                ),
                media::MANIFEST,
                "served as",
            ),
            (
                format!(
                    r#"{{"schemaVersion":2,{good_cfg},"layers":[{{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":"{}","size":1}}]}}"#,
                    d('b')
                ),
                "",
                "foreign layer",
            ),
            (
                format!(
                    r#"{{"schemaVersion":2,{good_cfg},"layers":[{{"mediaType":"text/html","digest":"{}","size":1}}]}}"#,
                    d('b')
                ),
                "",
                "unsupported media type",
            ),
            (
                r#"{"schemaVersion":2,"manifests":[{"digest":"sha256:zz","size":1}]}"#.to_string(),
                "",
                "not sha256",
            ),
            (
                r#"{"schemaVersion":2,"mediaType":"application/x-foo","x":1}"#.to_string(),
                "",
                "unsupported media type",
            ),
        ];
        for (doc, ct, want) in cases {
            let e = parse(doc.as_bytes(), ct, "manifest X")
                .unwrap_err()
                .to_string();
            assert!(e.contains(want) && e.contains("manifest X"), "{doc}: {e}");
        }
        for bad in ["linux", "linux/", "/amd64", "a/b/c/d", "linux/am d64"] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }
}

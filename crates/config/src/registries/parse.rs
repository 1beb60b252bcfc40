//! Parsing one registries.conf file (version 2, or version 1 converted).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Mirror, Registry, ShortNameMode};
use crate::doc::{Doc, UnknownKey, Value};
use crate::Result;

/// One parsed file before merging: `None` means "not set here".
#[derive(Debug, Default)]
pub(super) struct RegistriesFile {
    pub search: Option<Vec<String>>,
    pub short_name_mode: Option<ShortNameMode>,
    pub registries: Vec<Registry>,
    pub aliases: BTreeMap<String, String>,
    pub unknown_keys: Vec<UnknownKey>,
}

pub(super) fn parse_file(text: &str, path: &Path) -> Result<RegistriesFile> {
    let (doc, table) = Doc::parse(text, path)?;
    let mut out = RegistriesFile::default();
    let mut v1 = None;
    let mut v2 = false;
    for (key, v) in crate::doc::in_file_order(&table) {
        let name: &str = key.get_ref();
        v2 |= matches!(name, "unqualified-search-registries" | "registry");
        match name {
            "unqualified-search-registries" => {
                let list = doc.strings(name, v)?;
                let items = doc.array(name, v, "an array of strings")?;
                for (s, item) in list.iter().zip(items) {
                    doc.check(name, item, registry_host(s))?;
                }
                out.search = Some(list);
            }
            "short-name-mode" => out.short_name_mode = Some(doc.parsed(name, v)?),
            "registry" => {
                let items = doc.array(name, v, "an array of tables ([[registry]])")?;
                for (i, item) in items.iter().enumerate() {
                    let reg = parse_registry(
                        &doc,
                        &format!("registry[{i}]"),
                        item,
                        &mut out.unknown_keys,
                    )?;
                    if out.registries.iter().any(|r| r.prefix == reg.prefix) {
                        return Err(doc.invalid(
                            &format!("registry[{i}]"),
                            item.span(),
                            "each prefix defined once per file",
                            format!("a second [[registry]] for prefix {:?}", reg.prefix),
                        ));
                    }
                    out.registries.push(reg);
                }
            }
            "registries" => {
                v1 = Some(v);
                parse_v1(&doc, v, &mut out)?;
            }
            "aliases" => {
                let t = doc.table(name, v)?;
                for (k, val) in t {
                    let key = format!("aliases.{}", k.get_ref());
                    let target = doc.string(&key, val)?;
                    if let Err(expected) = alias_name_rule(k.get_ref()) {
                        return Err(doc.invalid(
                            &key,
                            k.span(),
                            expected,
                            format!("{:?}", k.get_ref()),
                        ));
                    }
                    doc.check(&key, val, alias_target_rule(&target))?;
                    out.aliases.insert(k.get_ref().to_string(), target);
                }
            }
            other => out
                .unknown_keys
                .push(doc.unknown(other.to_owned(), key.span())),
        }
    }
    if let (Some(v), true) = (v1, v2) {
        return Err(doc.invalid(
            "registries",
            v.span(),
            "one format: either version 1 ([registries.search] ...) or version 2 (unqualified-search-registries, [[registry]])",
            "both in the same file".to_owned(),
        ));
    }
    Ok(out)
}

fn has_registry(s: &str) -> bool {
    s.split_once('/')
        .is_some_and(|(first, _)| first.contains(['.', ':']) || first == "localhost")
}

fn tagged(s: &str) -> bool {
    s.contains('@') || s.rsplit('/').next().is_some_and(|l| l.contains(':'))
}

fn plain_path(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        })
}

/// An `[aliases]` name as containers/image accepts it: a short name (no
/// registry, tag or digest).
fn alias_name_rule(name: &str) -> Result<(), String> {
    if has_registry(name) || tagged(name) || !plain_path(name) {
        return Err("a short name without registry, tag or digest as the alias name".to_owned());
    }
    Ok(())
}

/// An `[aliases]` value: empty (cancelling an earlier file's alias) or a
/// fully qualified name without tag or digest.
fn alias_target_rule(target: &str) -> Result<(), String> {
    let path = target.split_once('/').map_or("", |(_, p)| p);
    if !target.is_empty() && (!has_registry(target) || tagged(target) || !plain_path(path)) {
        return Err(
            "a fully qualified image name without tag or digest (registry/repository), or \"\" to cancel the alias"
                .to_owned(),
        );
    }
    Ok(())
}

/// Version 1 (`[registries.search]`, `[registries.insecure]`, `[registries.block]`,
/// each with `registries = [...]`), converted to version 2 as containers/image does.
fn parse_v1(doc: &Doc<'_>, v: &Value<'_>, out: &mut RegistriesFile) -> Result<()> {
    let t = doc.table("registries", v)?;
    for (key, section) in crate::doc::in_file_order(t) {
        let kind: &str = key.get_ref();
        let at = format!("registries.{kind}");
        if !matches!(kind, "search" | "insecure" | "block") {
            out.unknown_keys.push(doc.unknown(at, key.span()));
            continue;
        }
        let st = doc.table(&at, section)?;
        for (k, list) in st {
            let full = format!("{at}.{}", k.get_ref());
            if k.get_ref() != "registries" {
                out.unknown_keys.push(doc.unknown(full, k.span()));
                continue;
            }
            let hosts = doc.strings(&full, list)?;
            let items = doc.array(&full, list, "an array of strings")?;
            for (h, item) in hosts.iter().zip(items) {
                doc.check(&full, item, location(h, false))?;
            }
            if kind == "search" {
                out.search = Some(hosts);
                continue;
            }
            for h in hosts {
                let idx = if let Some(i) = out.registries.iter().position(|r| r.prefix == h) {
                    i
                } else {
                    out.registries.push(Registry {
                        prefix: h.clone(),
                        location: h,
                        insecure: false,
                        blocked: false,
                        mirror_by_digest_only: false,
                        mirrors: Vec::new(),
                    });
                    out.registries.len() - 1
                };
                let reg = &mut out.registries[idx];
                if kind == "insecure" {
                    reg.insecure = true;
                } else {
                    reg.blocked = true;
                }
            }
        }
    }
    Ok(())
}

fn parse_registry(
    doc: &Doc<'_>,
    at: &str,
    v: &Value<'_>,
    unknown: &mut Vec<UnknownKey>,
) -> Result<Registry> {
    let t = doc.table(at, v)?;
    let mut reg = Registry {
        prefix: String::new(),
        location: String::new(),
        insecure: false,
        blocked: false,
        mirror_by_digest_only: false,
        mirrors: Vec::new(),
    };
    let mut location_value = None;
    for (key, val) in crate::doc::in_file_order(t) {
        let name: &str = key.get_ref();
        let full = format!("{at}.{name}");
        match name {
            "location" => {
                reg.location = doc.string(&full, val)?;
                doc.check(&full, val, location(&reg.location, true))?;
                location_value = Some(val);
            }
            "prefix" => {
                reg.prefix = doc.string(&full, val)?;
                doc.check(&full, val, prefix(&reg.prefix))?;
            }
            "insecure" => reg.insecure = doc.bool(&full, val)?,
            "blocked" => reg.blocked = doc.bool(&full, val)?,
            "mirror-by-digest-only" => reg.mirror_by_digest_only = doc.bool(&full, val)?,
            "mirror" => {
                let items = doc.array(&full, val, "an array of tables ([[registry.mirror]])")?;
                for (j, m) in items.iter().enumerate() {
                    reg.mirrors
                        .push(parse_mirror(doc, &format!("{full}[{j}]"), m, unknown)?);
                }
            }
            _ => unknown.push(doc.unknown(full, key.span())),
        }
    }
    if reg.prefix.is_empty() {
        if reg.location.is_empty() {
            return Err(doc.invalid(
                at,
                v.span(),
                "a `location` or a `prefix`",
                "neither".to_owned(),
            ));
        }
        reg.prefix.clone_from(&reg.location);
    } else if reg.prefix.starts_with("*.") && !reg.location.is_empty() {
        let val = location_value.expect("location was read");
        return Err(doc.invalid(
            &format!("{at}.location"),
            val.span(),
            "no location for a wildcard prefix (it matches many registries)",
            format!("location {:?}", reg.location),
        ));
    }
    Ok(reg)
}

fn parse_mirror(
    doc: &Doc<'_>,
    at: &str,
    v: &Value<'_>,
    unknown: &mut Vec<UnknownKey>,
) -> Result<Mirror> {
    let t = doc.table(at, v)?;
    let mut m = Mirror {
        location: String::new(),
        insecure: false,
    };
    let mut has_location = false;
    for (key, val) in crate::doc::in_file_order(t) {
        let name: &str = key.get_ref();
        let full = format!("{at}.{name}");
        match name {
            "location" => {
                m.location = doc.string(&full, val)?;
                doc.check(&full, val, location(&m.location, false))?;
                has_location = true;
            }
            "insecure" => m.insecure = doc.bool(&full, val)?,
            _ => unknown.push(doc.unknown(full, key.span())),
        }
    }
    if !has_location {
        return Err(doc.invalid(
            at,
            v.span(),
            "a mirror with a `location`",
            "no location".to_owned(),
        ));
    }
    Ok(m)
}

/// `host[:port][/path]`, no scheme, no spaces; may be empty where `allow_empty`.
fn location(s: &str, allow_empty: bool) -> Result<(), String> {
    let expected = "a registry location host[:port][/path] without a scheme";
    if s.is_empty() {
        return if allow_empty {
            Ok(())
        } else {
            Err(expected.to_owned())
        };
    }
    if s.contains("://") || s.chars().any(char::is_whitespace) || s.starts_with('/') {
        return Err(expected.to_owned());
    }
    Ok(())
}

fn prefix(s: &str) -> Result<(), String> {
    let expected = r#"a registry prefix host[:port][/path], or "*.domain" for subdomains"#;
    if s.is_empty() || s.contains("://") || s.chars().any(char::is_whitespace) {
        return Err(expected.to_owned());
    }
    if let Some(rest) = s.strip_prefix("*.") {
        if rest.is_empty() || rest.contains(['*', '/', ':', '@']) {
            return Err(expected.to_owned());
        }
    } else if s.contains('*') {
        return Err(expected.to_owned());
    }
    Ok(())
}

/// A search registry: `host[:port]`, no path or scheme.
fn registry_host(s: &str) -> Result<(), String> {
    if s.is_empty() || s.contains(['/', ' ', '\t', '@']) {
        Err("registry host names such as \"docker.io\" (host[:port], no scheme or path)".to_owned())
    } else {
        Ok(())
    }
}

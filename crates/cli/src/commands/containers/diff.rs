//! `diff`, `container diff`, `image diff`: what a container or an image's top layer
//! changed, as podman prints it (`A /path` lines, or `--format json`).

use super::select::latest;
use super::{out, Parsed};
use crate::cli::{DiffArgs, DiffKind};
use berth_runtime::{Change, ChangeKind, DiffTarget, Runtime};

/// A parsed `diff`.
#[derive(Debug)]
pub struct Diff {
    /// The container or image; `None` = `--latest`.
    name: Option<String>,
    /// What the name may be.
    target: DiffTarget,
    /// `--format json`.
    json: bool,
}

/// Checks `diff`'s arguments as podman does, before the runtime opens.
pub(super) fn parse(a: DiffArgs) -> anyhow::Result<Parsed> {
    let json = match a.format.as_deref() {
        None | Some("") => false,
        Some(f) if f == "json" || f.replace(' ', "") == "{{json.}}" => true,
        Some(_) => anyhow::bail!("only supported value for '--format' is 'json'"),
    };
    let (path, target) = match a.kind {
        DiffKind::Any => ("diff", DiffTarget::Any),
        DiffKind::Container => ("container diff", DiffTarget::Container),
        DiffKind::Image => ("image diff", DiffTarget::Image),
    };
    if a.latest && !a.names.is_empty() {
        anyhow::bail!("--latest and containers cannot be used together");
    }
    if !a.latest && a.names.is_empty() {
        if a.kind == DiffKind::Container {
            anyhow::bail!(
                "container must be specified: berth container diff [options [...]] ID-NAME"
            );
        }
        anyhow::bail!("\"berth {path}\" requires a name, id, or the \"--latest\" flag");
    }
    if a.names.len() > 1 {
        return Err(crate::error::CliError::not_supported(
            format!("{path} with two arguments"),
            Some("berth compares a container or image with its parent layers only"),
        )
        .into());
    }
    Ok(Parsed::Diff(Diff {
        name: a.names.into_iter().next(),
        target,
        json,
    }))
}

/// Runs `diff`.
pub(super) fn run(rt: &Runtime, d: Diff) -> anyhow::Result<u8> {
    let (name, target) = match d.name {
        Some(n) => (n, d.target),
        None => (latest(rt)?, DiffTarget::Container),
    };
    let changes = rt.diff(&name, target)?;
    out(&if d.json {
        render_json(&changes)
    } else {
        changes.iter().fold(String::new(), |mut s, c| {
            s.push_str(&c.to_string());
            s.push('\n');
            s
        })
    })?;
    Ok(0)
}

/// podman's JSON: `changed`, `added`, `deleted` lists (empty ones left out).
#[derive(serde::Serialize)]
struct ChangesJson<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changed: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    added: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deleted: Vec<&'a str>,
}

/// [`ChangesJson`] indented by five spaces, as podman's encoder.
fn render_json(changes: &[Change]) -> String {
    let of = |kind| {
        changes
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.path.as_str())
            .collect()
    };
    let body = ChangesJson {
        changed: of(ChangeKind::Changed),
        added: of(ChangeKind::Added),
        deleted: of(ChangeKind::Deleted),
    };
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"     ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(&body, &mut ser).expect("lists of strings serialize");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_groups_paths_by_kind_as_podman() {
        let c = |kind, path: &str| Change {
            kind,
            path: path.into(),
        };
        let got = render_json(&[
            c(ChangeKind::Changed, "/etc"),
            c(ChangeKind::Added, "/etc/new"),
            c(ChangeKind::Changed, "/etc/passwd"),
        ]);
        assert_eq!(
            got,
            "{\n     \"changed\": [\n          \"/etc\",\n          \"/etc/passwd\"\n     ],\n     \"added\": [\n          \"/etc/new\"\n     ]\n}\n"
        );
        assert_eq!(render_json(&[]), "{}\n");
    }
}

//! `search`, `image search`: a registry's catalog or a repository's tags,
//! printed as podman prints them.

use crate::cli::SearchArgs;
use crate::commands::{out, print_listing};
use crate::error::CliError;
use crate::output::format::Listing;
use crate::output::{parse_format, OutputFormat};
use berth_runtime::{Runtime, SearchFilter, SearchResult};
use serde_json::Value;
use std::path::PathBuf;

/// `search` as parsed.
#[derive(Debug)]
pub struct SearchCommand {
    term: String,
    filter: SearchFilter,
    format: OutputFormat,
    /// `--limit`; a negative one lists nothing, as podman.
    limit: i64,
    list_tags: bool,
    no_trunc: bool,
    compatible: bool,
    tls_verify: Option<bool>,
    authfile: Option<PathBuf>,
}

/// podman's `--filter` conditions: `stars=N`, `is-official[=false]`, `is-automated[=false]`.
fn parse_filter(filters: &[String]) -> Result<SearchFilter, CliError> {
    let mut f = SearchFilter::default();
    for raw in filters {
        let (key, value) = match raw.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (raw.as_str(), None),
        };
        match key {
            "stars" => {
                let v = value
                    .ok_or_else(|| CliError::invalid("--filter", raw, "should be stars=<value>"))?;
                f.stars = v.parse().map_err(|_| {
                    CliError::invalid("--filter", raw, "the stars filter takes a number")
                })?;
            }
            "is-official" => f.official = Some(value != Some("false")),
            "is-automated" => f.automated = Some(value != Some("false")),
            _ => {
                return Err(CliError::invalid(
                    "--filter",
                    raw,
                    "invalid filter type: use stars=N, is-official or is-automated",
                ))
            }
        }
    }
    Ok(f)
}

/// Parses `search`.
pub(super) fn parse(a: SearchArgs) -> anyhow::Result<SearchCommand> {
    if a.list_tags && !a.filter.is_empty() {
        return Err(anyhow::anyhow!(
            "filters are not applicable to list tags result"
        ));
    }
    Ok(SearchCommand {
        filter: parse_filter(&a.filter)?,
        format: parse_format("--format", a.format.as_deref())?,
        term: a.term,
        limit: a.limit,
        list_tags: a.list_tags,
        no_trunc: a.no_trunc,
        compatible: a.compatible,
        tls_verify: a.tls_verify,
        authfile: a.authfile,
    })
}

const TABLE: Listing = Listing {
    default_template: "{{.Name}}\t{{.Description}}",
    headers: &[],
};
const TABLE_COMPATIBLE: Listing = Listing {
    default_template: "{{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}\t{{.Automated}}",
    headers: &[],
};
const TAGS: Listing = Listing {
    default_template: "{{.Name}}\t{{.Tag}}",
    headers: &[],
};

fn ok(b: bool) -> &'static str {
    if b {
        "[OK]"
    } else {
        ""
    }
}

/// One result as podman's JSON and templates see it (its key order).
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row<'a> {
    index: &'a str,
    name: &'a str,
    description: String,
    stars: u64,
    official: &'static str,
    automated: &'static str,
    tag: &'a str,
}

fn row(r: &SearchResult, description: String) -> Value {
    serde_json::to_value(Row {
        index: &r.index,
        name: &r.name,
        description,
        stars: r.stars,
        official: ok(r.official),
        automated: ok(r.automated),
        tag: &r.tag,
    })
    .unwrap_or(Value::Null)
}

/// The description on one line, cut to 44 characters unless `no_trunc`.
fn description(d: &str, cut: bool) -> String {
    let d = d.replace('\n', " ");
    if cut && d.chars().count() > 44 {
        format!("{}...", d.chars().take(44).collect::<String>().trim())
    } else {
        d
    }
}

/// One repository with its tags (`--list-tags --format json`).
#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagsRow {
    name: String,
    tags: Vec<String>,
}

fn tags_json(results: &[SearchResult]) -> Vec<TagsRow> {
    let mut out: Vec<TagsRow> = Vec::new();
    for r in results {
        match out.iter_mut().find(|t| t.name == r.name) {
            Some(t) => t.tags.push(r.tag.clone()),
            None => out.push(TagsRow {
                name: r.name.clone(),
                tags: vec![r.tag.clone()],
            }),
        }
    }
    out
}

/// JSON indented by four spaces, as podman prints search results.
fn pretty4<T: serde::Serialize>(v: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    if v.serialize(&mut ser).is_err() {
        return "[]\n".into();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

/// Runs `search`.
pub(super) fn run(rt: &Runtime, c: &SearchCommand) -> anyhow::Result<u8> {
    if let Some(f) = &c.authfile {
        std::fs::metadata(f)
            .map_err(|e| anyhow::Error::new(e).context(format!("--authfile {}", f.display())))?;
    }
    if c.limit < 0 {
        return Ok(0);
    }
    let mut opts = rt.search_options()?;
    opts.tls_verify = c.tls_verify;
    opts.auth.authfile.clone_from(&c.authfile);
    opts.limit = usize::try_from(c.limit).unwrap_or(usize::MAX);
    opts.list_tags = c.list_tags;
    opts.filter = c.filter;
    let results = rt.search_images(&c.term, &opts)?;
    if results.is_empty() {
        return Ok(0);
    }
    let is_json = c.format == OutputFormat::Json;
    if c.list_tags && is_json {
        out(&pretty4(&tags_json(&results)))?;
        return Ok(0);
    }
    let cut = !(c.no_trunc || is_json);
    if is_json {
        let rows: Vec<Row<'_>> = results
            .iter()
            .map(|r| Row {
                index: &r.index,
                name: &r.name,
                description: r.description.clone(),
                stars: r.stars,
                official: ok(r.official),
                automated: ok(r.automated),
                tag: &r.tag,
            })
            .collect();
        out(&pretty4(&rows))?;
        return Ok(0);
    }
    let rows: Vec<Value> = results
        .iter()
        .map(|r| row(r, description(&r.description, cut)))
        .collect();
    let (listing, format) = if c.list_tags {
        (&TAGS, &OutputFormat::Default)
    } else if c.compatible {
        (&TABLE_COMPATIBLE, &c.format)
    } else {
        (&TABLE, &c.format)
    };
    print_listing(format, listing, &rows, &rows, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_as_podman_accepts_them() {
        let f = parse_filter(&["stars=3".into(), "is-official".into()]).unwrap();
        assert_eq!(f.stars, 3);
        assert_eq!(f.official, Some(true));
        assert_eq!(f.automated, None);
        let f = parse_filter(&["is-automated=false".into()]).unwrap();
        assert_eq!(f.automated, Some(false));
        for bad in ["stars", "stars=x", "color=red"] {
            let e = parse_filter(&[bad.into()]).unwrap_err().to_string();
            assert!(e.contains("--filter"), "{bad}: {e}");
        }
    }

    #[test]
    fn long_descriptions_are_cut_at_44() {
        let long = "a".repeat(50);
        assert_eq!(description(&long, true), format!("{}...", "a".repeat(44)));
        assert_eq!(description(&long, false), long);
        assert_eq!(description("two\nlines", true), "two lines");
    }
}

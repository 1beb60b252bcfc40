//! `--format`: the default table, `json`, a Go template, or a `table`
//! template; and rendering a listing's rows with it.

use super::table::align;
use crate::error::{CliError, Result};
use berth_template::Template;
use serde_json::Value;

/// What `--format` asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputFormat {
    /// No `--format` (or `table`): the listing's default table.
    Default,
    /// `json`: the JSON form of all rows as one array.
    Json,
    /// A template rendered once per row, one line each.
    Template(Template),
    /// `table TEMPLATE`: a header line and aligned columns.
    Table(Template),
}

/// Parses a `--format` value (`flag` names it in errors). As podman does,
/// the two-character escapes `\t` and `\n` become a tab and a newline, and
/// in a `table` template every space of literal text is a column break.
pub fn parse_format(flag: &str, value: Option<&str>) -> Result<OutputFormat> {
    let Some(raw) = value else {
        return Ok(OutputFormat::Default);
    };
    let text = raw.replace("\\t", "\t").replace("\\n", "\n");
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "table" {
        return Ok(OutputFormat::Default);
    }
    if trimmed == "json" {
        return Ok(OutputFormat::Json);
    }
    let wrap = |e| CliError::invalid(flag, raw, format!("{e}"));
    if let Some(rest) = text.trim_start().strip_prefix("table") {
        if rest.starts_with([' ', '\t', '\n']) {
            let mut t = Template::parse(rest.trim_start().trim_end_matches('\n')).map_err(wrap)?;
            t.spaces_to_tabs();
            return Ok(OutputFormat::Table(t));
        }
    }
    Ok(OutputFormat::Template(
        Template::parse(&text).map_err(wrap)?,
    ))
}

/// How a listing prints by default: its table template and the column
/// titles that differ from the field names.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    /// The default `table ...` template body (without `table `), tabs
    /// between fields.
    pub default_template: &'static str,
    /// Field name to column title, where the title is not the field name
    /// split at capitals and upper-cased (`RunningFor` -> `RUNNING FOR`).
    pub headers: &'static [(&'static str, &'static str)],
}

impl Listing {
    /// The column title of a field path.
    pub fn header(&self, path: &[String]) -> String {
        let Some(last) = path.last() else {
            return String::new();
        };
        // A title is looked up by the whole path (`Namespaces.Cgroup`).
        let joined = path.join(".");
        if let Some((_, h)) = self.headers.iter().find(|(f, _)| *f == joined) {
            return (*h).to_owned();
        }
        split_camel(last).to_uppercase()
    }
}

/// `RunningFor` -> `Running For`, `ImageID` -> `Image ID`.
fn split_camel(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push(' ');
            }
        }
        out.push(c);
    }
    out
}

/// Renders rows: `template_rows` are the field views templates see,
/// `json_rows` the objects `--format json` prints.
pub fn render_listing(
    format: &OutputFormat,
    listing: &Listing,
    template_rows: &[Value],
    json_rows: &[Value],
    noheading: bool,
) -> Result<String> {
    match format {
        OutputFormat::Json => Ok(to_json(json_rows)),
        OutputFormat::Template(t) => {
            let mut out = String::new();
            for row in template_rows {
                let line = t.render(row)?;
                out.push_str(&line);
                if !line.ends_with('\n') {
                    out.push('\n');
                }
            }
            Ok(out)
        }
        OutputFormat::Table(t) => render_table(t, listing, template_rows, noheading),
        OutputFormat::Default => {
            let t = Template::parse(listing.default_template)?;
            render_table(&t, listing, template_rows, noheading)
        }
    }
}

fn render_table(
    t: &Template,
    listing: &Listing,
    rows: &[Value],
    noheading: bool,
) -> Result<String> {
    let mut lines = Vec::with_capacity(rows.len() + 1);
    if !noheading {
        lines.push(t.render_header(&|p: &[String]| listing.header(p))?);
    }
    for row in rows {
        lines.push(t.render(row)?);
    }
    let lines: Vec<String> = lines
        .into_iter()
        .flat_map(|l| l.lines().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    Ok(align(&lines))
}

/// An `inspect` object as podman's templates see it: the Go field `ID`
/// is `Id` in the JSON of containers, images and pods, and a container's
/// `ImageID` is its `Image`, so templates get them under both names.
pub fn go_field_aliases(obj: &Value) -> std::borrow::Cow<'_, Value> {
    let Value::Object(m) = obj else {
        return std::borrow::Cow::Borrowed(obj);
    };
    let mut add: Vec<(&str, &str)> = Vec::new();
    if m.contains_key("Id") && !m.contains_key("ID") {
        add.push(("ID", "Id"));
    }
    if m.contains_key("ImageName") && m.contains_key("Image") && !m.contains_key("ImageID") {
        add.push(("ImageID", "Image"));
    }
    // A container's `State.Healthcheck` is podman's older name of `State.Health`.
    let health = m
        .get("State")
        .and_then(|s| s.get("Health").filter(|_| s.get("Healthcheck").is_none()))
        .cloned();
    if add.is_empty() && health.is_none() {
        return std::borrow::Cow::Borrowed(obj);
    }
    let mut m = m.clone();
    for (alias, key) in add {
        let v = m[key].clone();
        m.insert(alias.to_owned(), v);
    }
    if let (Some(h), Some(Value::Object(state))) = (health, m.get_mut("State")) {
        state.insert("Healthcheck".to_owned(), h);
    }
    std::borrow::Cow::Owned(Value::Object(m))
}

/// Pretty JSON array with a trailing newline.
pub fn to_json(rows: &[Value]) -> String {
    let mut s = serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// JSON as `inspect` prints it: an array indented by four spaces.
pub fn to_inspect_json(objects: &[Value]) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    if objects.serialize(&mut ser).is_err() {
        return "[]\n".into();
    }
    let mut s = String::from_utf8(buf).unwrap_or_default();
    s.push('\n');
    s
}

/// `-q`: one ID per line, cut to 12 characters unless `no_trunc`.
pub fn quiet_ids<'a>(ids: impl IntoIterator<Item = &'a str>, no_trunc: bool) -> String {
    let mut out = String::new();
    for id in ids {
        out.push_str(if no_trunc {
            id
        } else {
            super::human::short_id(id)
        });
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LISTING: Listing = Listing {
        default_template: "{{.ID}}\t{{.Names}}\t{{.RunningFor}}",
        headers: &[("ID", "CONTAINER ID"), ("RunningFor", "CREATED")],
    };

    fn rows() -> Vec<Value> {
        vec![
            json!({"ID": "65c3dba0d272", "Names": "web", "RunningFor": "1 second ago", "ImageID": "5a4a", "Labels": {"a": "b"}}),
            json!({"ID": "d57dc504a68f", "Names": "done", "RunningFor": "2 hours ago", "ImageID": "5a4a", "Labels": {}}),
        ]
    }

    fn render(format: Option<&str>, noheading: bool) -> String {
        let f = parse_format("--format", format).unwrap();
        render_listing(&f, &LISTING, &rows(), &rows(), noheading).unwrap()
    }

    #[test]
    fn default_table() {
        assert_eq!(
            render(None, false),
            "CONTAINER ID  NAMES       CREATED\n\
             65c3dba0d272  web         1 second ago\n\
             d57dc504a68f  done        2 hours ago\n"
        );
        assert_eq!(render(Some("table"), false), render(None, false));
        assert_eq!(
            render(None, true),
            "65c3dba0d272  web         1 second ago\nd57dc504a68f  done        2 hours ago\n"
        );
    }

    #[test]
    fn table_templates_use_spaces_as_column_breaks_and_derive_headers() {
        assert_eq!(
            render(Some("table {{.ID}} {{.ImageID}}\\t{{.Labels.a}}"), false),
            "CONTAINER ID  IMAGE ID    A\n65c3dba0d272  5a4a        b\nd57dc504a68f  5a4a        <no value>\n"
        );
    }

    #[test]
    fn plain_templates_keep_tabs_and_add_newlines() {
        assert_eq!(
            render(Some("{{.ID}}\\t{{.Names}}"), false),
            "65c3dba0d272\tweb\nd57dc504a68f\tdone\n"
        );
        assert_eq!(render(Some("{{.Names}}\\n"), false), "web\ndone\n");
        assert_eq!(
            render(Some("{{json .Labels}}"), false),
            "{\"a\":\"b\"}\n{}\n"
        );
    }

    #[test]
    fn json_format() {
        let out = render(Some("json"), false);
        let parsed: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed, rows());
    }

    #[test]
    fn bad_formats_name_the_flag() {
        let e = parse_format("--format", Some("{{.ID"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--format") && e.contains("unclosed"), "{e}");
        let f = parse_format("--format", Some("{{.Bogus}}")).unwrap();
        let e = render_listing(&f, &LISTING, &rows(), &rows(), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Bogus"), "{e}");
    }

    #[test]
    fn camel_case_headers() {
        let h = |s: &str| LISTING.header(&[s.to_owned()]);
        assert_eq!(h("RunningFor"), "CREATED");
        assert_eq!(h("ExitCode"), "EXIT CODE");
        assert_eq!(h("ImageID"), "IMAGE ID");
        assert_eq!(h("CreatedAt"), "CREATED AT");
        assert_eq!(h("IDName"), "ID NAME");
        assert_eq!(h("Names"), "NAMES");
    }

    #[test]
    fn inspect_templates_see_id_as_go_names_it() {
        let o = json!({"Id": "abc", "Name": "x"});
        let t = parse_format("--format", Some("{{.ID}} {{.Id}}")).unwrap();
        let OutputFormat::Template(t) = t else {
            panic!("not a template")
        };
        assert_eq!(t.render(&go_field_aliases(&o)).unwrap(), "abc abc");
        assert!(go_field_aliases(&json!({"Name": "v"})).get("ID").is_none());
        let c = go_field_aliases(
            &json!({"Id": "c", "Image": "5a4a", "ImageName": "localhost/bb:latest"}),
        )
        .into_owned();
        assert_eq!(
            (c["ID"].as_str(), c["ImageID"].as_str()),
            (Some("c"), Some("5a4a"))
        );
    }

    #[test]
    fn inspect_json_uses_four_spaces() {
        assert_eq!(
            to_inspect_json(&[json!({"Name": "v1"})]),
            "[\n    {\n        \"Name\": \"v1\"\n    }\n]\n"
        );
    }

    #[test]
    fn quiet() {
        assert_eq!(
            quiet_ids(["65c3dba0d2724aaec27bc2a1", "abc"], false),
            "65c3dba0d272\nabc\n"
        );
        assert_eq!(
            quiet_ids(["65c3dba0d2724aaec27bc2a1"], true),
            "65c3dba0d2724aaec27bc2a1\n"
        );
    }
}

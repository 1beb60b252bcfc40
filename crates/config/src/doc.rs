//! Reading typed values out of a parsed TOML document with positions.
//!
//! The file is parsed once into `toml`'s spanned tree; each known key is then
//! read with the helpers here, which turn a wrong type or a bad value into
//! [`Error::InvalidValue`] with the file, line, column, key and what is
//! expected.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::validate::Expected;
use crate::Error;

/// A key of a file that berth does not know; it is ignored with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key, dotted for nested tables.
    pub key: String,
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: unknown key `{}` ignored",
            self.file.display(),
            self.line,
            self.column,
            self.key
        )
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// A parsed document and the file it came from.
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl<'a> Doc<'a> {
    /// Parses `text`; a syntax error names the file, line and column.
    pub fn parse(text: &'a str, path: &'a Path) -> Result<(Self, DeTable<'a>), Error> {
        match DeTable::parse(text) {
            Ok(t) => Ok((Self { text, path }, t.into_inner())),
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start);
                let (line, column) = line_column(text, offset);
                let source_line = text.lines().nth(line - 1).unwrap_or("").trim();
                let mut message = e.message().trim_end().to_owned();
                if !source_line.is_empty() {
                    let shown: String = source_line.chars().take(80).collect();
                    message = format!("{message} (in `{shown}`)");
                }
                Err(Error::Syntax {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message,
                })
            }
        }
    }

    pub fn invalid(
        &self,
        key: &str,
        span: Range<usize>,
        expected: impl Into<String>,
        found: String,
    ) -> Error {
        let (line, column) = line_column(self.text, span.start);
        Error::InvalidValue {
            path: self.path.to_path_buf(),
            line,
            column,
            key: key.to_owned(),
            expected: expected.into(),
            found,
        }
    }

    pub fn unknown(&self, key: String, span: Range<usize>) -> UnknownKey {
        let (line, column) = line_column(self.text, span.start);
        let u = UnknownKey {
            key,
            file: self.path.to_path_buf(),
            line,
            column,
        };
        tracing::warn!(key = %u.key, file = %self.path.display(), line, column, "unknown configuration key ignored");
        u
    }

    fn wrong(&self, key: &str, v: &Value<'_>, expected: &str) -> Error {
        self.invalid(key, v.span(), expected, describe(v.get_ref()))
    }

    /// Applies a value rule, pointing at the value when it fails.
    pub fn check(&self, key: &str, v: &Value<'_>, rule: Result<(), Expected>) -> Result<(), Error> {
        rule.map_err(|expected| self.invalid(key, v.span(), expected, describe(v.get_ref())))
    }

    pub fn string(&self, key: &str, v: &Value<'_>) -> Result<String, Error> {
        self.string_as(key, v, "a string")
    }

    /// A string, with `expected` in the error when the value is something else.
    pub fn string_as(&self, key: &str, v: &Value<'_>, expected: &str) -> Result<String, Error> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.wrong(key, v, expected)),
        }
    }

    pub fn bool(&self, key: &str, v: &Value<'_>) -> Result<bool, Error> {
        v.get_ref()
            .as_bool()
            .ok_or_else(|| self.wrong(key, v, "a boolean (true or false)"))
    }

    pub fn i64(&self, key: &str, v: &Value<'_>) -> Result<i64, Error> {
        match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .map_err(|_| self.wrong(key, v, "an integer that fits in 64 bits")),
            _ => Err(self.wrong(key, v, "an integer")),
        }
    }

    pub fn parsed<T: FromStr<Err = crate::ParseEnumError>>(
        &self,
        key: &str,
        v: &Value<'_>,
    ) -> Result<T, Error> {
        let s = self.string(key, v)?;
        s.parse()
            .map_err(|e: crate::ParseEnumError| self.wrong(key, v, &e.expected))
    }

    pub fn strings(&self, key: &str, v: &Value<'_>) -> Result<Vec<String>, Error> {
        let Some(items) = v.get_ref().as_array() else {
            return Err(self.wrong(key, v, "an array of strings"));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok(s.to_string()),
                _ => Err(self.wrong(key, item, "an array of strings")),
            })
            .collect()
    }

    pub fn table<'v, 'i>(&self, key: &str, v: &'v Value<'i>) -> Result<&'v DeTable<'i>, Error> {
        v.get_ref()
            .as_table()
            .ok_or_else(|| self.wrong(key, v, "a table"))
    }

    pub fn array<'v, 'i>(
        &self,
        key: &str,
        v: &'v Value<'i>,
        expected: &str,
    ) -> Result<&'v [Value<'i>], Error> {
        v.get_ref()
            .as_array()
            .map(|a| &a[..])
            .ok_or_else(|| self.wrong(key, v, expected))
    }
}

/// The entries of `table` in the order the file has them (the parsed table keeps
/// them by name), so errors and unknown-key warnings come in reading order.
pub(crate) fn in_file_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<toml::de::DeString<'i>>, &'t Value<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// A short description of a value for "found ...".
pub(crate) fn describe(v: &DeValue<'_>) -> String {
    fn short(s: &str) -> String {
        let mut out: String = s.chars().take(60).collect();
        if out.len() < s.len() {
            out.push_str("...");
        }
        out
    }
    match v {
        DeValue::String(s) => format!("string {:?}", short(s)),
        DeValue::Integer(i) => format!("integer {}", short(&i.to_string())),
        DeValue::Float(f) => format!("float {}", short(f.as_str())),
        DeValue::Boolean(b) => format!("boolean {b}"),
        DeValue::Datetime(d) => format!("datetime {d}"),
        DeValue::Array(a) if a.is_empty() => "an empty array".to_owned(),
        DeValue::Array(a) if a.len() == 1 => "an array of 1 item".to_owned(),
        DeValue::Array(a) => format!("an array of {} items", a.len()),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        let off = text.find('"').unwrap();
        assert_eq!(line_column(text, off), (2, 6));
        assert_eq!(line_column(text, 10_000), (3, 1));
        // Inside a multi-byte character: rounds down to its start.
        assert_eq!(line_column(text, 8), (2, 2));
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let path = Path::new("/etc/berth/berth.conf");
        let err = Doc::parse("a = 1\nb = = 2\n", path).err().unwrap();
        let msg = err.to_string();
        assert!(msg.starts_with("/etc/berth/berth.conf:2:"), "{msg}");
        assert!(msg.contains("not valid TOML"), "{msg}");
    }

    #[test]
    fn describe_values() {
        let t = DeTable::parse(
            "s = \"x\"\ni = 0x10\nf = 1.5\nb = true\na = []\nt = {}\nd = 1979-05-27",
        )
        .unwrap()
        .into_inner();
        let d = |k: &str| {
            let (_, v) = t.iter().find(|(key, _)| key.get_ref() == k).unwrap();
            describe(v.get_ref())
        };
        assert_eq!(d("s"), "string \"x\"");
        assert_eq!(d("i"), "integer 0x10");
        assert_eq!(d("f"), "float 1.5");
        assert_eq!(d("b"), "boolean true");
        assert_eq!(d("a"), "an empty array");
        assert_eq!(d("t"), "a table");
        assert_eq!(d("d"), "datetime 1979-05-27");
    }
}

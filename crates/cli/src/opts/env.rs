//! `-e/--env` and `--env-file`: environment variables for a container or an
//! exec session.
//!
//! `KEY=VALUE` sets a variable; `KEY` alone takes its value from berth's own
//! environment and is dropped when unset there; `PREFIX*` takes every
//! variable of berth's environment whose name starts with `PREFIX`, as in
//! podman. Env files hold one such entry per line; blank lines and lines
//! starting with `#` are skipped. Later entries replace earlier ones, the
//! files first, then `-e` flags.

use crate::error::{CliError, Result};
use std::path::Path;

/// An ordered list of environment variables, each name once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvVars(Vec<(String, String)>);

impl EnvVars {
    /// The variables in the order first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key`, replacing an earlier value in place.
    pub fn set(&mut self, key: &str, value: &str) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == key) {
            value.clone_into(&mut slot.1);
        } else {
            self.0.push((key.to_owned(), value.to_owned()));
        }
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `KEY=VALUE` strings, the form the OCI spec takes.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

/// Builds the variables from `--env-file` files, then `-e` entries.
/// `lookup` reads berth's own environment (tests pass a closure).
pub fn parse_env(
    entries: &[String],
    files: &[std::path::PathBuf],
    lookup: &dyn Fn(&str) -> Option<String>,
    all_vars: &dyn Fn() -> Vec<(String, String)>,
) -> Result<EnvVars> {
    let mut vars = EnvVars::default();
    for file in files {
        for (line_no, line) in read_env_file(file)? {
            apply_entry(&mut vars, &line, lookup, all_vars).map_err(|reason| {
                CliError::FileLine {
                    flag: "--env-file".into(),
                    path: file.clone(),
                    line: line_no,
                    reason,
                }
            })?;
        }
    }
    for entry in entries {
        apply_entry(&mut vars, entry, lookup, all_vars)
            .map_err(|reason| CliError::invalid("--env", entry, reason))?;
    }
    Ok(vars)
}

/// Parses with berth's real environment.
pub fn parse_env_from_process(entries: &[String], files: &[std::path::PathBuf]) -> Result<EnvVars> {
    parse_env(entries, files, &|k| std::env::var(k).ok(), &|| {
        std::env::vars().collect()
    })
}

/// The meaningful lines of an env file, with their 1-based numbers.
fn read_env_file(path: &Path) -> Result<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadFile {
        flag: "--env-file".into(),
        path: path.to_owned(),
        source,
    })?;
    Ok(text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                None
            } else {
                Some((i + 1, trimmed.trim_end_matches('\r').to_owned()))
            }
        })
        .collect())
}

fn apply_entry(
    vars: &mut EnvVars,
    entry: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    all_vars: &dyn Fn() -> Vec<(String, String)>,
) -> std::result::Result<(), String> {
    let (key, value) = match entry.split_once('=') {
        Some((key, value)) => (key, Some(value)),
        None => (entry, None),
    };
    check_name(key)?;
    match value {
        Some(value) => vars.set(key, value),
        None => {
            if let Some(prefix) = key.strip_suffix('*') {
                let mut matching: Vec<_> = all_vars()
                    .into_iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .collect();
                matching.sort();
                for (k, v) in matching {
                    vars.set(&k, &v);
                }
            } else if let Some(value) = lookup(key) {
                vars.set(key, &value);
            }
        }
    }
    Ok(())
}

fn check_name(key: &str) -> std::result::Result<(), String> {
    if key.is_empty() {
        return Err("the variable name is empty; expected KEY=VALUE or KEY".into());
    }
    if key.chars().any(char::is_whitespace) {
        return Err(format!("variable name {key:?} contains whitespace"));
    }
    if key.contains('*') && !key.ends_with('*') || key.matches('*').count() > 1 {
        return Err(format!(
            "variable name {key:?}: `*` is only allowed once, at the end, without a value"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lookup(key: &str) -> Option<String> {
        match key {
            "HOME" => Some("/root".into()),
            "LANG" => Some("C.UTF-8".into()),
            _ => None,
        }
    }

    fn all() -> Vec<(String, String)> {
        vec![
            ("LC_ALL".into(), "C".into()),
            ("LANG".into(), "C.UTF-8".into()),
            ("LC_TIME".into(), "en".into()),
        ]
    }

    fn parse(entries: &[&str], files: &[std::path::PathBuf]) -> Result<EnvVars> {
        let entries: Vec<String> = entries.iter().map(|s| (*s).to_owned()).collect();
        parse_env(&entries, files, &lookup, &all)
    }

    #[test]
    fn key_value_and_host_lookup() {
        let vars = parse(&["A=1", "HOME", "UNSET", "B=", "C=x=y"], &[]).unwrap();
        assert_eq!(
            vars.to_strings(),
            ["A=1", "HOME=/root", "B=", "C=x=y"].map(String::from)
        );
    }

    #[test]
    fn later_entries_replace_earlier_in_place() {
        let vars = parse(&["A=1", "B=2", "A=3"], &[]).unwrap();
        assert_eq!(vars.to_strings(), ["A=3", "B=2"].map(String::from));
        assert_eq!(vars.get("A"), Some("3"));
        assert_eq!(vars.len(), 2);
    }

    #[test]
    fn prefix_glob_takes_matching_host_vars() {
        let vars = parse(&["LC_*"], &[]).unwrap();
        assert_eq!(
            vars.to_strings(),
            ["LC_ALL=C", "LC_TIME=en"].map(String::from)
        );
    }

    #[test]
    fn env_file_comments_blank_lines_and_override_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("env");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(
            f,
            "# a comment\n\nA=from-file\n  B=2\r\nHOME\n   # indented comment"
        )
        .unwrap();
        let vars = parse(&["A=from-flag"], &[path]).unwrap();
        assert_eq!(
            vars.to_strings(),
            ["A=from-flag", "B=2", "HOME=/root"].map(String::from)
        );
    }

    #[test]
    fn bad_entries_name_the_flag() {
        let err = parse(&["=x"], &[]).unwrap_err().to_string();
        assert!(err.contains("--env"), "{err}");
        assert!(err.contains("name is empty"), "{err}");
        let err = parse(&["A B=1"], &[]).unwrap_err().to_string();
        assert!(err.contains("whitespace"), "{err}");
        let err = parse(&["A*B"], &[]).unwrap_err().to_string();
        assert!(err.contains('*'), "{err}");
    }

    #[test]
    fn bad_env_file_line_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("env");
        std::fs::write(&path, "A=1\n=oops\n").unwrap();
        let err = parse(&[], std::slice::from_ref(&path))
            .unwrap_err()
            .to_string();
        assert!(err.contains("--env-file"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn missing_env_file_is_an_error() {
        let err = parse(&[], &["/nonexistent/berth-env".into()]).unwrap_err();
        assert!(matches!(err, CliError::ReadFile { .. }));
        assert!(err.to_string().contains("/nonexistent/berth-env"));
    }
}

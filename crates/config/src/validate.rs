//! Rules every value must follow, shared by the file parser and code options.
//! Each check returns what would have been accepted, as prose.

use std::path::{Path, PathBuf};

use crate::config::Key;

/// What was expected, as prose for an error message.
pub(crate) type Expected = String;

/// An absolute path; for `hooks_dir` an explicit empty value has its own message (the seed's rule).
pub(crate) fn path(key: Key, p: &Path) -> Result<(), Expected> {
    if key == Key::HooksDir && p.as_os_str().is_empty() {
        return Err("a hooks directory; an empty hooks_dir is not allowed (remove the key to use the default)".to_owned());
    }
    if p.is_absolute() {
        Ok(())
    } else {
        Err("an absolute path (relative paths are not allowed)".to_owned())
    }
}

/// A non-empty list of absolute paths.
pub(crate) fn path_list(key: Key, ps: &[PathBuf]) -> Result<(), Expected> {
    if ps.is_empty() {
        return Err("a list of at least one absolute path".to_owned());
    }
    for p in ps {
        path(key, p)?;
    }
    Ok(())
}

/// A transport prefix such as `docker://`.
pub(crate) fn transport(t: &str) -> Result<(), Expected> {
    if t.contains(':') && !t.starts_with(':') && !t.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(r#"an image transport prefix such as "docker://""#.to_owned())
    }
}

/// `KEY=VALUE` with a non-empty key.
pub(crate) fn env_var(v: &str) -> Result<(), Expected> {
    match v.split_once('=') {
        Some((k, _)) if !k.is_empty() => Ok(()),
        _ => Err(r#"environment variables written as "KEY=VALUE""#.to_owned()),
    }
}

/// -1 or 0 (no limit) or a positive number of processes.
pub(crate) fn pids_limit(n: i64) -> Result<(), Expected> {
    if n >= -1 {
        Ok(())
    } else {
        Err("-1 or 0 (no limit) or a positive number of processes".to_owned())
    }
}

/// -1 (no limit) or a positive number of bytes.
pub(crate) fn max_log_size(n: i64) -> Result<(), Expected> {
    if n == -1 || n > 0 {
        Ok(())
    } else {
        Err("-1 (no limit) or a positive number of bytes".to_owned())
    }
}

/// A CNI network name: the name rule of [`crate::names`] for networks (letters, digits, `-`,
/// `_`, `.`, starting with a letter or digit, at most 200 characters).
pub(crate) fn network_name(n: &str) -> Result<(), Expected> {
    match crate::check_name(crate::NameKind::Network, n) {
        Ok(()) => Ok(()),
        Err(crate::NameError::TooLong { max, .. }) => {
            Err(format!("a network name of at most {max} characters"))
        }
        Err(crate::NameError::Empty | crate::NameError::Pattern) => Err(
            "a network name (letters, digits, '-', '_', '.', starting with a letter or digit)"
                .to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_be_absolute() {
        assert!(path(Key::StaticDir, Path::new("/var/lib/x")).is_ok());
        assert_eq!(
            path(Key::StaticDir, Path::new("var/lib")).unwrap_err(),
            "an absolute path (relative paths are not allowed)"
        );
        assert!(path(Key::StaticDir, Path::new(""))
            .unwrap_err()
            .contains("absolute"));
        assert!(path(Key::HooksDir, Path::new(""))
            .unwrap_err()
            .contains("empty hooks_dir"));
        assert!(path_list(Key::RuntimePath, &[])
            .unwrap_err()
            .contains("at least one"));
        assert!(path_list(Key::RuntimePath, &[PathBuf::from("/a"), PathBuf::from("b")]).is_err());
    }

    #[test]
    fn value_rules() {
        assert!(transport("docker://").is_ok());
        assert!(transport("oci:").is_ok());
        assert!(transport("docker").is_err());
        assert!(transport("").is_err());
        assert!(env_var("PATH=/bin").is_ok());
        assert!(env_var("EMPTY=").is_ok());
        assert!(env_var("=x").is_err());
        assert!(env_var("PATH").is_err());
        assert!(max_log_size(-1).is_ok());
        assert!(max_log_size(1).is_ok());
        assert!(max_log_size(0).is_err());
        assert!(max_log_size(-2).is_err());
        assert!(pids_limit(-1).is_ok() && pids_limit(0).is_ok() && pids_limit(2048).is_ok());
        assert!(pids_limit(-2).is_err());
        assert!(network_name("berth").is_ok());
        assert!(network_name("my_net-1.x").is_ok());
        assert!(network_name("").is_err());
        assert!(network_name("-x").is_err());
        assert!(network_name("a b").is_err());
        assert!(network_name(&"n".repeat(200)).is_ok());
        assert_eq!(
            network_name(&"n".repeat(201)).unwrap_err(),
            "a network name of at most 200 characters"
        );
    }
}

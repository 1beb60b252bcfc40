//! `--detach-keys`: podman's key sequence syntax.

use crate::error::{CliError, Result};

/// Parses `--detach-keys`: comma-separated keys, each one character or
/// `ctrl-X` (`X` a letter or one of `@[\]^_`); `""` turns detaching off.
pub fn parse_detach_keys(value: &str) -> Result<Vec<u8>> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(|key| {
            let bad = |reason: &str| CliError::invalid("--detach-keys", value, reason);
            if let Some(c) = key.strip_prefix("ctrl-") {
                match c.as_bytes() {
                    [b @ b'a'..=b'z'] => Ok(b - b'a' + 1),
                    [b @ b'A'..=b'Z'] => Ok(b - b'A' + 1),
                    [b'@'] => Ok(0),
                    [b @ b'['..=b'_'] => Ok(b - b'@'),
                    _ => Err(bad("ctrl- takes a letter or one of @[\\]^_")),
                }
            } else {
                match key.as_bytes() {
                    [b] if b.is_ascii() => Ok(*b),
                    _ => Err(bad(
                        "each key is one character or ctrl-<key>, comma-separated",
                    )),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podman_key_syntax() {
        assert_eq!(parse_detach_keys("ctrl-p,ctrl-q").unwrap(), [0x10, 0x11]);
        assert_eq!(
            parse_detach_keys("ctrl-@,ctrl-[,a").unwrap(),
            [0, 0x1b, b'a']
        );
        assert_eq!(parse_detach_keys("").unwrap(), Vec::<u8>::new());
        for bad in ["ctrl-", "ctrl-pp", "ab", "ctrl-p,,", "ctrl-1"] {
            let e = parse_detach_keys(bad).unwrap_err().to_string();
            assert!(e.contains("--detach-keys"), "{bad}: {e}");
        }
    }
}

//! The name rule of containers, pods, volumes and networks, podman's
//! `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, with berth's length caps. Every layer and
//! the runtime check names here; each caller words its own error around
//! [`NameError`].

use std::fmt;

/// What a name names; decides the length cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A container name (also the engine's namespace).
    Container,
    /// A pod name.
    Pod,
    /// A volume name.
    Volume,
    /// A network name.
    Network,
}

impl NameKind {
    /// The longest name allowed, in bytes. A network name becomes the file
    /// name `NAME.conflist`, which must fit the file system's 255 bytes, so
    /// it is capped at 200; the others at 253, a DNS name's length (podman
    /// 4.3 sets no cap; berth's state has always refused longer names).
    pub const fn max_len(self) -> usize {
        match self {
            NameKind::Network => 200,
            NameKind::Container | NameKind::Pod | NameKind::Volume => 253,
        }
    }

    /// Checks `name` as a name of this kind ([`check_name`]).
    pub fn check(self, name: &str) -> Result<(), NameError> {
        check_name(self, name)
    }

    /// `container`, `pod`, `volume` or `network`.
    pub const fn as_str(self) -> &'static str {
        match self {
            NameKind::Container => "container",
            NameKind::Pod => "pod",
            NameKind::Volume => "volume",
            NameKind::Network => "network",
        }
    }
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a name breaks the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The name is empty.
    #[error("must not be empty")]
    Empty,
    /// The name is longer than the kind allows.
    #[error("must be at most {max} characters, not {len}")]
    TooLong {
        /// The name's length in bytes.
        len: usize,
        /// [`NameKind::max_len`].
        max: usize,
    },
    /// A character outside `[a-zA-Z0-9_.-]`, or a first character that is not a letter or digit.
    #[error("must match {}", NAME_PATTERN)]
    Pattern,
}

/// The pattern every name matches, as podman words it.
pub const NAME_PATTERN: &str = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

/// Checks `name` as a `kind` name: [`NAME_PATTERN`], at most
/// [`NameKind::max_len`] bytes.
pub fn check_name(kind: NameKind, name: &str) -> Result<(), NameError> {
    let mut bytes = name.bytes();
    let Some(first) = bytes.next() else {
        return Err(NameError::Empty);
    };
    if !first.is_ascii_alphanumeric()
        || !bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(NameError::Pattern);
    }
    if name.len() > kind.max_len() {
        return Err(NameError::TooLong {
            len: name.len(),
            max: kind.max_len(),
        });
    }
    Ok(())
}

/// Whether `name` is a valid `kind` name ([`check_name`] succeeds).
pub fn is_valid_name(kind: NameKind, name: &str) -> bool {
    check_name(kind, name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [NameKind; 4] = [
        NameKind::Container,
        NameKind::Pod,
        NameKind::Volume,
        NameKind::Network,
    ];

    #[test]
    fn podmans_pattern_for_every_kind() {
        for kind in KINDS {
            for good in [
                "a",
                "A1",
                "9lives",
                "web-1",
                "my_app.v2",
                "x_y.z",
                "a--",
                "a..",
            ] {
                assert_eq!(check_name(kind, good), Ok(()), "{kind} {good:?}");
            }
            assert_eq!(check_name(kind, ""), Err(NameError::Empty));
            for bad in [
                "-a",
                ".a",
                "_a",
                "a b",
                "a/b",
                "a:b",
                "caf\u{e9}",
                "\u{e4}",
                "a\n",
                " a",
                "a@b",
            ] {
                assert_eq!(
                    check_name(kind, bad),
                    Err(NameError::Pattern),
                    "{kind} {bad:?}"
                );
                assert!(!is_valid_name(kind, bad));
                assert_eq!(kind.check(bad), Err(NameError::Pattern));
            }
        }
    }

    #[test]
    fn length_caps_per_kind() {
        for kind in KINDS {
            let max = kind.max_len();
            assert!(is_valid_name(kind, &"a".repeat(max)), "{kind}");
            assert_eq!(
                check_name(kind, &"a".repeat(max + 1)),
                Err(NameError::TooLong { len: max + 1, max }),
                "{kind}"
            );
        }
        assert_eq!(NameKind::Network.max_len(), 200);
        assert_eq!(NameKind::Container.max_len(), 253);
        // NAME.conflist fits a file name.
        assert!(NameKind::Network.max_len() + ".conflist".len() <= 255);
    }

    #[test]
    fn errors_say_the_rule() {
        assert_eq!(NameError::Empty.to_string(), "must not be empty");
        assert_eq!(
            NameError::Pattern.to_string(),
            "must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"
        );
        assert_eq!(
            NameError::TooLong { len: 201, max: 200 }.to_string(),
            "must be at most 200 characters, not 201"
        );
    }
}

//! The configuration's value types: enums and the storage section.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Which cgroup manager the OCI runtime is told to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CgroupManager {
    /// Write cgroup files directly (the one that works without systemd).
    #[default]
    Cgroupfs,
    /// Ask systemd for transient scopes.
    Systemd,
}

impl CgroupManager {
    /// Every value, in the order the file format documents them.
    pub const ALL: [CgroupManager; 2] = [CgroupManager::Cgroupfs, CgroupManager::Systemd];

    /// The spelling in the configuration file.
    pub fn as_str(self) -> &'static str {
        match self {
            CgroupManager::Cgroupfs => "cgroupfs",
            CgroupManager::Systemd => "systemd",
        }
    }
}

/// Storage driver for image layers and container root filesystems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StorageDriver {
    /// overlayfs (the default; the storage crate falls back to vfs where it cannot mount).
    #[default]
    Overlay,
    /// Plain directory copies.
    Vfs,
}

impl StorageDriver {
    /// Every value.
    pub const ALL: [StorageDriver; 2] = [StorageDriver::Overlay, StorageDriver::Vfs];

    /// The spelling in the configuration file.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageDriver::Overlay => "overlay",
            StorageDriver::Vfs => "vfs",
        }
    }
}

/// Which state backend holds containers and pods. Like the seed, this is
/// chosen in code only, never read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StateType {
    /// In memory; nothing survives the process (tests, dry runs).
    Memory,
    /// A redb database `state.redb` in the static dir.
    #[default]
    Redb,
}

impl StateType {
    /// Every value.
    pub const ALL: [StateType; 2] = [StateType::Memory, StateType::Redb];

    /// A short name (`memory`, `redb`).
    pub fn as_str(self) -> &'static str {
        match self {
            StateType::Memory => "memory",
            StateType::Redb => "redb",
        }
    }
}

/// The error of parsing one of the enums from its name; says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {found:?}, expected {expected}")]
pub struct ParseEnumError {
    /// What was given.
    pub found: String,
    /// The accepted spellings, as prose.
    pub expected: String,
}

macro_rules! name_enum {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $t {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, ParseEnumError> {
                <$t>::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| ParseEnumError {
                        found: s.to_owned(),
                        expected: one_of(<$t>::ALL.iter().map(|v| v.as_str())),
                    })
            }
        }
    };
}

name_enum!(CgroupManager);
name_enum!(StorageDriver);
name_enum!(StateType);

/// `"a"`, `"a" or "b"`, `one of "a", "b", "c"`.
pub(crate) fn one_of<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.map(|n| format!("{n:?}")).collect();
    match names.len() {
        0 => "nothing".to_owned(),
        1 => names[0].clone(),
        2 => format!("{} or {}", names[0], names[1]),
        _ => format!("one of {}", names.join(", ")),
    }
}

/// Where images, layers and container root filesystems are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConfig {
    /// Persistent storage (images, layers, container filesystems).
    pub graph_root: PathBuf,
    /// Per-boot storage state (mount counts, locks).
    pub run_root: PathBuf,
    /// The layer driver.
    pub driver: StorageDriver,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_parse_their_names_and_reject_others() {
        assert_eq!(
            "systemd".parse::<CgroupManager>(),
            Ok(CgroupManager::Systemd)
        );
        assert_eq!("vfs".parse::<StorageDriver>(), Ok(StorageDriver::Vfs));
        assert_eq!("memory".parse::<StateType>(), Ok(StateType::Memory));
        let err = "foo".parse::<CgroupManager>().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"unknown value "foo", expected "cgroupfs" or "systemd""#
        );
        assert_eq!(CgroupManager::Cgroupfs.to_string(), "cgroupfs");
        assert_eq!(StateType::Redb.to_string(), "redb");
    }

    #[test]
    fn one_of_reads_well() {
        assert_eq!(one_of(["a"].into_iter()), r#""a""#);
        assert_eq!(
            one_of(["a", "b", "c"].into_iter()),
            r#"one of "a", "b", "c""#
        );
        assert_eq!(one_of(std::iter::empty()), "nothing");
    }
}

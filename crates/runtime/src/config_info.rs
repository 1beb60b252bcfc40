//! `info`'s `settings` section: the configuration files read and, for every setting,
//! its value and where it came from (default, a file, or an option/flag).

use std::path::PathBuf;

use serde::Serialize;

/// One effective setting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConfigSetting {
    /// The key: berth.conf's name (`tmp_dir`, `storage.graph_root`) or containers.conf's
    /// table and key (`containers.env`).
    pub key: String,
    /// The value as text.
    pub value: String,
    /// `default`, `option`, or the file that set it.
    pub origin: String,
}

/// The configuration files read and every setting's origin.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ConfigInfo {
    /// The containers.conf and storage.conf files read, in order, then berth.conf.
    pub files: Vec<PathBuf>,
    /// Every setting with its value and origin.
    pub values: Vec<ConfigSetting>,
}

impl From<&berth_config::LoadedConfig> for ConfigInfo {
    fn from(loaded: &berth_config::LoadedConfig) -> Self {
        let mut files = loaded.config.containers_conf.files().to_vec();
        files.extend(loaded.file.clone());
        let values = loaded
            .describe_all()
            .into_iter()
            .map(|(key, value, origin)| ConfigSetting {
                key,
                value,
                origin: match origin {
                    berth_config::Origin::File(p) => p.display().to_string(),
                    other => other.to_string(),
                },
            })
            .collect();
        Self { files, values }
    }
}

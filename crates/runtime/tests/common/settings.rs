//! Settings shared by the system tests and the helper binary they spawn: every directory of
//! one test lives under `root`, and the network gets its own bridge and subnet.

use std::path::{Path, PathBuf};

use berth_runtime::RuntimeBuilder;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub root: PathBuf,
    pub namespace: String,
    pub bridge: String,
    pub subnet: String,
    pub network: String,
    pub exit_command: Option<Vec<String>>,
}

#[allow(dead_code)]
impl Settings {
    pub fn file(root: &Path) -> PathBuf {
        root.join("settings.json")
    }

    pub fn load(path: &Path) -> Settings {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
    }

    pub fn save(&self) {
        std::fs::write(
            Self::file(&self.root),
            serde_json::to_vec_pretty(self).unwrap(),
        )
        .unwrap();
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn runc_root(&self) -> PathBuf {
        self.root.join("runc")
    }

    pub fn graph_root(&self) -> PathBuf {
        self.root.join("graph")
    }

    pub fn builder(&self) -> RuntimeBuilder {
        let fsroot = self.root.join("fsroot");
        std::fs::create_dir_all(&fsroot).unwrap();
        let env = berth_config::Environment::new(0).with_root(fsroot);
        let mut b = RuntimeBuilder::with_environment(env)
            .storage_config(berth_config::StorageConfig {
                graph_root: self.graph_root(),
                run_root: self.root.join("run"),
                driver: berth_config::StorageDriver::Overlay,
            })
            .static_dir(self.root.join("static"))
            .tmp_dir(self.tmp_dir())
            .namespace(&self.namespace)
            .state_type(berth_config::StateType::Redb)
            .runtime_paths(&[
                PathBuf::from("/usr/bin/runc"),
                PathBuf::from("/usr/sbin/runc"),
            ])
            .conmon_paths(&[
                PathBuf::from("/usr/bin/conmon"),
                PathBuf::from("/usr/libexec/podman/conmon"),
            ])
            .cgroup_manager(berth_config::CgroupManager::Cgroupfs)
            .cni_config_dir(self.root.join("cni"))
            .cni_plugin_dirs(&[
                PathBuf::from("/usr/lib/cni"),
                PathBuf::from("/usr/libexec/cni"),
            ])
            .default_network(&self.network)
            .default_bridge(&self.bridge, &self.subnet)
            .ipam_data_dir(self.root.join("ipam"))
            .runtime_root(self.runc_root());
        if let Some(argv) = &self.exit_command {
            b = b.exit_command(argv.clone());
        }
        b
    }
}

//! Helpers for tests of the layers above (enabled by the `testing` feature).
//!
//! berth-config has no trait to fake: the layers above take a plain
//! [`RuntimeConfig`]. These helpers build one that touches nothing outside a
//! test's own directory, and write small executables to stand in for runc
//! or conmon. [`InjectFailures`] is the one way every layer's fake is told
//! to fail.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub use crate::failures::{Failures, InjectFailures, Strike};
use crate::{RuntimeConfig, StateType, StorageConfig, StorageDriver};

/// A root configuration whose directories all live under `dir` (which need
/// not exist yet): `dir/state`, `dir/tmp`, `dir/storage`, `dir/run`,
/// `dir/cni/net.d`, `dir/hooks.d`; in-memory state; the vfs driver. Binary
/// and CNI plugin paths keep the real defaults.
pub fn config_in(dir: &Path) -> RuntimeConfig {
    let mut cfg =
        RuntimeConfig::defaults(&crate::Environment::new(0)).expect("root defaults never fail");
    cfg.state_type = StateType::Memory;
    cfg.static_dir = dir.join("state");
    cfg.tmp_dir = dir.join("tmp");
    cfg.cni_config_dir = dir.join("cni/net.d");
    cfg.hooks_dir = dir.join("hooks.d");
    cfg.storage = StorageConfig {
        graph_root: dir.join("storage"),
        run_root: dir.join("run"),
        driver: StorageDriver::Vfs,
    };
    cfg
}

/// Writes an executable `/bin/sh` script `dir/name` with `body` after the
/// shebang line, and returns its path.
pub fn fake_binary(dir: &Path, name: &str, body: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("create the fake binary's directory");
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write the fake binary");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .expect("make the fake binary executable");
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_in_keeps_everything_under_the_dir_and_stays_valid() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config_in(dir.path());
        for p in [
            &cfg.static_dir,
            &cfg.tmp_dir,
            &cfg.storage.graph_root,
            &cfg.storage.run_root,
            &cfg.hooks_dir,
        ] {
            assert!(p.starts_with(dir.path()), "{}", p.display());
        }
        assert_eq!(cfg.state_type, StateType::Memory);
        cfg.to_options().validate().unwrap();
    }

    #[test]
    fn fake_binary_is_found_and_runs() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_binary(&dir.path().join("bin"), "runc", "echo fake-runc \"$@\"");
        assert_eq!(crate::find_binary("OCI runtime", &[&bin]).unwrap(), bin);
        let out = std::process::Command::new(&bin)
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "fake-runc --version\n"
        );
    }
}

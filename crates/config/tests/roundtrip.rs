//! Property: any valid RuntimeConfig written as TOML reads back equal.

use std::path::{Path, PathBuf};

use berth_config::{
    CgroupManager, ConfigFile, ConfigOptions, Environment, Origin, Origins, RuntimeConfig,
    StateType, StorageConfig, StorageDriver,
};
use proptest::prelude::*;

fn abs_path() -> impl Strategy<Value = PathBuf> {
    // Absolute paths with any printable characters, quotes, backslashes and non-ASCII included.
    proptest::collection::vec("[a-zA-Z0-9 ._\\-\"'\\\\é漢]{1,12}", 1..4)
        .prop_map(|parts| PathBuf::from(format!("/{}", parts.join("/"))))
}

fn path_list() -> impl Strategy<Value = Vec<PathBuf>> {
    proptest::collection::vec(abs_path(), 1..4)
}

fn config() -> impl Strategy<Value = RuntimeConfig> {
    let a = (
        "[a-z][a-z0-9+.-]{0,8}(:|://)",
        abs_path(),
        path_list(),
        path_list(),
        proptest::collection::vec("[A-Z_][A-Z0-9_]{0,8}=[ -~]{0,16}", 0..4),
        prop_oneof![Just(CgroupManager::Cgroupfs), Just(CgroupManager::Systemd)],
        abs_path(),
        abs_path(),
    );
    let b = (
        prop_oneof![Just(-1i64), 1..i64::MAX],
        any::<bool>(),
        abs_path(),
        path_list(),
        abs_path(),
        "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,15}",
        any::<bool>(),
        "\\PC{0,12}",
        (
            abs_path(),
            abs_path(),
            prop_oneof![Just(StorageDriver::Overlay), Just(StorageDriver::Vfs)],
        ),
    );
    (a, b).prop_map(|(a, b)| RuntimeConfig {
        image_default_transport: a.0,
        signature_policy_path: a.1,
        state_type: StateType::Redb,
        runtime_path: a.2,
        conmon_path: a.3,
        conmon_env_vars: a.4,
        cgroup_manager: a.5,
        static_dir: a.6,
        tmp_dir: a.7,
        max_log_size: b.0,
        pids_limit: b.0.max(-1),
        no_pivot_root: b.1,
        cni_config_dir: b.2,
        cni_plugin_dir: b.3,
        hooks_dir: b.4,
        cni_default_network: b.5,
        hooks_dir_not_exist_fatal: b.6,
        namespace: b.7,
        storage: StorageConfig {
            graph_root: b.8 .0,
            run_root: b.8 .1,
            driver: b.8 .2,
        },
        default_mounts_file: None,
        containers_conf: berth_config::ContainersConf::default(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn written_toml_reads_back_equal(cfg in config()) {
        let text = cfg.to_toml();
        let file = ConfigFile::parse(&text, Path::new("/roundtrip.conf"))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert!(file.unknown_keys.is_empty());
        prop_assert_eq!(&file.options, &cfg.to_options());
        let mut back = RuntimeConfig::defaults(&Environment::new(0)).unwrap();
        let mut origins = Origins::default();
        back.apply(&file.options, &Origin::File("/roundtrip.conf".into()), &mut origins);
        prop_assert_eq!(back, cfg);
    }

    #[test]
    fn generated_values_pass_option_validation(cfg in config()) {
        prop_assert!(cfg.to_options().validate().is_ok());
    }
}

#[test]
fn defaults_round_trip_through_a_file() {
    let defaults = RuntimeConfig::defaults(&Environment::new(0)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("berth.conf");
    std::fs::write(&path, defaults.to_toml()).unwrap();
    let loaded =
        RuntimeConfig::from_file(&path, &Environment::new(0).with_root("/nonexistent")).unwrap();
    assert_eq!(loaded.config, defaults);
    assert_eq!(ConfigOptions::default().keys(), []);
}

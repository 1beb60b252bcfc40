//! The fixture files under tests/fixtures: a realistic libpod.conf that must
//! load (unknown keys warn), a complete berth.conf, and broken files whose
//! exact error messages are checked.

use std::path::{Path, PathBuf};

use berth_config::{
    CgroupManager, ConfigFile, Environment, Error, Key, Origin, RuntimeConfig, StorageDriver,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn debian_libpod_conf_loads_and_warns_about_each_unknown_key() {
    let path = fixture("libpod.conf");
    let loaded =
        RuntimeConfig::from_file(&path, &Environment::new(0).with_root("/nonexistent")).unwrap();
    let cfg = &loaded.config;
    assert_eq!(cfg.cgroup_manager, CgroupManager::Systemd);
    assert_eq!(cfg.tmp_dir, PathBuf::from("/var/run/libpod"));
    assert_eq!(cfg.cni_default_network, "podman");
    assert_eq!(
        cfg.hooks_dir,
        PathBuf::from("/usr/share/containers/oci/hooks.d")
    );
    assert_eq!(cfg.conmon_path.len(), 7);
    assert_eq!(cfg.cni_plugin_dir[0], PathBuf::from("/usr/lib/cni"));
    // Keys the file leaves out keep their defaults.
    assert_eq!(cfg.static_dir, PathBuf::from("/var/lib/berth/state"));
    assert_eq!(cfg.runtime_path[0], PathBuf::from("/usr/bin/runc"));
    assert_eq!(loaded.origin(Key::StaticDir), &Origin::Default);
    assert_eq!(
        loaded.origin(Key::CgroupManager),
        &Origin::File(path.clone())
    );
    assert_eq!(loaded.file.as_deref(), Some(path.as_path()));

    let unknown: Vec<&str> = loaded.unknown_keys.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(
        unknown,
        [
            "init_path",
            "infra_image",
            "infra_command",
            "lock_type",
            "num_locks",
            "events_logger",
            "detach_keys",
            "runtime",
            "runtime_supports_json",
            "runtime_supports_nocgroups",
            "runtimes",
        ]
    );
    let first = &loaded.unknown_keys[0];
    assert_eq!(first.file, path);
    assert_eq!(first.line, 30);
    assert_eq!(first.column, 1);
    assert_eq!(
        first.to_string(),
        format!("{}:30:1: unknown key `init_path` ignored", path.display())
    );
}

#[test]
fn complete_berth_conf_sets_every_file_key() {
    let path = fixture("berth.conf");
    let loaded =
        RuntimeConfig::from_file(&path, &Environment::new(0).with_root("/nonexistent")).unwrap();
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    for key in Key::ALL {
        let expected = if key.in_file() {
            Origin::File(path.clone())
        } else {
            Origin::Default
        };
        assert_eq!(loaded.origin(key), &expected, "{key}");
    }
    let cfg = loaded.config;
    assert_eq!(cfg.max_log_size, 1_048_576);
    assert_eq!(cfg.pids_limit, 4096);
    assert!(cfg.no_pivot_root);
    assert!(cfg.hooks_dir_not_exist_fatal);
    assert_eq!(cfg.namespace, "ci");
    assert_eq!(cfg.storage.driver, StorageDriver::Vfs);
    assert_eq!(cfg.storage.graph_root, PathBuf::from("/srv/berth/storage"));
    assert_eq!(
        cfg.conmon_env_vars,
        ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]
    );
}

/// Every broken fixture and the exact message (after "<file>:").
const BROKEN: &[(&str, &str)] = &[
    ("cgroup_manager_unknown.conf", r#"2:18: `cgroup_manager`: expected "cgroupfs" or "systemd", found string "foo""#),
    ("cni_default_network_bad.conf", r#"1:23: `cni_default_network`: expected a network name (letters, digits, '-', '_', '.', starting with a letter or digit), found string "my net""#),
    ("cni_plugin_dir_relative.conf", r#"1:35: `cni_plugin_dir`: expected an absolute path (relative paths are not allowed), found string "opt/cni/bin""#),
    ("conmon_env_vars_bad.conf", r#"1:33: `conmon_env_vars`: expected environment variables written as "KEY=VALUE", found string "NOEQUALS""#),
    ("conmon_path_integer.conf", "3:5: `conmon_path`: expected an absolute path (a string), found integer 42"),
    ("graph_root_relative.conf", r#"2:14: `storage.graph_root`: expected an absolute path (relative paths are not allowed), found string "storage""#),
    ("hooks_dir_empty.conf", r#"1:13: `hooks_dir`: expected a hooks directory; an empty hooks_dir is not allowed (remove the key to use the default), found string """#),
    ("hooks_dir_integer.conf", "1:13: `hooks_dir`: expected a hooks directory path (string), found integer 7"),
    ("hooks_dir_two.conf", "1:13: `hooks_dir`: expected one hooks directory (a string, or an array with exactly one string), found an array of 2 items"),
    ("hooks_fatal_integer.conf", "1:29: `hooks_dir_not_exist_fatal`: expected a boolean (true or false), found integer 1"),
    ("max_log_size_overflow.conf", "1:16: `max_log_size`: expected an integer that fits in 64 bits, found integer 99999999999999999999"),
    ("max_log_size_string.conf", r#"2:16: `max_log_size`: expected an integer, found string "x""#),
    ("max_log_size_zero.conf", "1:16: `max_log_size`: expected -1 (no limit) or a positive number of bytes, found integer 0"),
    ("namespace_array.conf", "1:13: `namespace`: expected a string, found an array of 1 item"),
    ("pids_limit_negative.conf", "1:14: `pids_limit`: expected -1 or 0 (no limit) or a positive number of processes, found integer -5"),
    ("no_pivot_root_string.conf", r#"1:17: `no_pivot_root`: expected a boolean (true or false), found string "yes""#),
    ("runtime_path_empty.conf", "1:16: `runtime_path`: expected a list of at least one absolute path, found an empty array"),
    ("runtime_path_string.conf", r#"1:16: `runtime_path`: expected an array of absolute paths, found string "/usr/bin/runc""#),
    ("signature_policy_relative.conf", r#"1:25: `signature_policy_path`: expected an absolute path (relative paths are not allowed), found string "policy.json""#),
    ("static_dir_relative.conf", r#"1:14: `static_dir`: expected an absolute path (relative paths are not allowed), found string "var/lib/berth""#),
    ("storage_driver_unknown.conf", r#"2:10: `storage.driver`: expected "overlay" or "vfs", found string "btrfs""#),
    ("storage_not_table.conf", r#"1:11: `storage`: expected a table, found string "overlay""#),
    ("syntax_duplicate_key.conf", r#"2:1: not valid TOML: duplicate key (in `static_dir = "/b"`)"#),
    ("syntax_unquoted.conf", "2:11: not valid TOML: string values must be quoted, expected literal string (in `tmp_dir = /run/berth`)"),
    ("transport_bad.conf", r#"1:27: `image_default_transport`: expected an image transport prefix such as "docker://", found string "docker""#),
];

#[test]
fn every_broken_fixture_fails_with_file_line_column_key_and_expectation() {
    let dir = fixture("broken");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = BROKEN.iter().map(|(f, _)| *f).collect();
    listed.sort_unstable();
    assert_eq!(
        on_disk, listed,
        "every broken fixture has an expected message"
    );

    for (name, expected) in BROKEN {
        let path = dir.join(name);
        let err = RuntimeConfig::from_file(&path, &Environment::new(0).with_root("/nonexistent"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}:{expected}", path.display()),
            "{name}"
        );
        match err {
            Error::InvalidValue { path: p, .. } | Error::Syntax { path: p, .. } => {
                assert_eq!(p, path);
            }
            other => panic!("{name}: unexpected error kind {other:?}"),
        }
    }
}

#[test]
fn invalid_value_error_carries_its_parts() {
    let err = ConfigFile::parse("cgroup_manager = \"foo\"\n", Path::new("/x.conf")).unwrap_err();
    match err {
        Error::InvalidValue {
            path,
            line,
            column,
            key,
            expected,
            found,
        } => {
            assert_eq!(path, PathBuf::from("/x.conf"));
            assert_eq!((line, column), (1, 18));
            assert_eq!(key, "cgroup_manager");
            assert_eq!(expected, r#""cgroupfs" or "systemd""#);
            assert_eq!(found, r#"string "foo""#);
        }
        other => panic!("unexpected {other:?}"),
    }
}

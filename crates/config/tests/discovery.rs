//! Discovery order, overlay and origins, with a temporary directory as the
//! filesystem root: no global environment changes, no root needed.

use std::fs;
use std::path::{Path, PathBuf};

use berth_config::{
    discover_config_file, CgroupManager, ConfigLoader, ConfigOptions, Environment, Error, Key,
    Origin, RuntimeConfig, StateType,
};

struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, path: &str, text: &str) -> PathBuf {
        let host = self.dir.path().join(path.trim_start_matches('/'));
        fs::create_dir_all(host.parent().unwrap()).unwrap();
        fs::write(&host, text).unwrap();
        host
    }

    fn env(&self, uid: u32) -> Environment {
        Environment::new(uid).with_root(self.dir.path())
    }
}

#[test]
fn root_without_files_uses_builtins() {
    let root = Root::new();
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    assert_eq!(loaded.file, None);
    assert_eq!(
        loaded.config,
        RuntimeConfig::defaults(&Environment::new(0)).unwrap()
    );
    assert!(Key::ALL
        .iter()
        .all(|k| loaded.origin(*k) == &Origin::Default));
}

#[test]
fn root_uses_vendor_file_then_admin_file_in_its_place() {
    let root = Root::new();
    root.write(
        "/usr/share/berth/berth.conf",
        "namespace = \"vendor\"\nmax_log_size = 100\n",
    );
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    assert_eq!(
        loaded.file,
        Some(PathBuf::from("/usr/share/berth/berth.conf"))
    );
    assert_eq!(loaded.config.namespace, "vendor");
    assert_eq!(
        loaded.origin(Key::Namespace),
        &Origin::File("/usr/share/berth/berth.conf".into())
    );

    root.write("/etc/berth/berth.conf", "namespace = \"admin\"\n");
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    assert_eq!(loaded.file, Some(PathBuf::from("/etc/berth/berth.conf")));
    assert_eq!(loaded.config.namespace, "admin");
    // The admin file replaces the vendor file; it does not layer on it.
    assert_eq!(loaded.config.max_log_size, -1);
    assert_eq!(loaded.origin(Key::MaxLogSize), &Origin::Default);
}

#[test]
fn rootless_reads_xdg_config_home_else_dot_config_and_never_etc() {
    let root = Root::new();
    root.write("/etc/berth/berth.conf", "namespace = \"admin\"\n");
    let env = root
        .env(1000)
        .with_var("HOME", "/home/alice")
        .with_var("XDG_RUNTIME_DIR", "/run/user/1000");
    assert_eq!(discover_config_file(&env), None);
    let loaded = RuntimeConfig::load(&env).unwrap();
    assert_eq!(loaded.config.namespace, "");

    root.write(
        "/home/alice/.config/berth/berth.conf",
        "namespace = \"home\"\n",
    );
    let loaded = RuntimeConfig::load(&env).unwrap();
    assert_eq!(
        loaded.file,
        Some(PathBuf::from("/home/alice/.config/berth/berth.conf"))
    );
    assert_eq!(loaded.config.namespace, "home");

    root.write("/xdg/berth/berth.conf", "namespace = \"xdg\"\n");
    let env = env.with_var("XDG_CONFIG_HOME", "/xdg");
    assert_eq!(
        discover_config_file(&env),
        Some(PathBuf::from("/xdg/berth/berth.conf"))
    );
    assert_eq!(RuntimeConfig::load(&env).unwrap().config.namespace, "xdg");
}

#[test]
fn rootless_with_xdg_config_home_does_not_fall_back_to_dot_config() {
    let root = Root::new();
    root.write(
        "/home/alice/.config/berth/berth.conf",
        "namespace = \"home\"\n",
    );
    let env = root
        .env(1000)
        .with_var("HOME", "/home/alice")
        .with_var("XDG_RUNTIME_DIR", "/run/user/1000")
        .with_var("XDG_CONFIG_HOME", "/xdg");
    assert_eq!(discover_config_file(&env), None);
}

#[test]
fn berth_config_variable_names_the_file_and_it_must_exist() {
    let root = Root::new();
    root.write("/etc/berth/berth.conf", "namespace = \"admin\"\n");
    let explicit = root.write("/elsewhere/my.conf", "namespace = \"env\"\n");
    let env = root
        .env(0)
        .with_var("BERTH_CONFIG", explicit.to_str().unwrap());
    let loaded = RuntimeConfig::load(&env).unwrap();
    assert_eq!(loaded.config.namespace, "env");
    assert_eq!(loaded.file, Some(explicit.clone()));

    let missing = root.dir.path().join("nope.conf");
    let env = root
        .env(0)
        .with_var("BERTH_CONFIG", missing.to_str().unwrap());
    let err = RuntimeConfig::load(&env).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "configuration file {} does not exist (it was given explicitly by BERTH_CONFIG); create it or point to another file",
            missing.display()
        )
    );
    assert!(matches!(err, Error::ConfigFileMissing { .. }));
}

#[test]
fn explicit_file_must_exist_and_beats_the_variable() {
    let root = Root::new();
    let a = root.write("/a.conf", "namespace = \"a\"\n");
    let b = root.write("/b.conf", "namespace = \"b\"\n");
    let env = root.env(0).with_var("BERTH_CONFIG", b.to_str().unwrap());
    assert_eq!(
        RuntimeConfig::from_file(&a, &env).unwrap().config.namespace,
        "a"
    );

    let missing = root.dir.path().join("missing.conf");
    let err = RuntimeConfig::from_file(&missing, &env).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "configuration file {} does not exist (it was given explicitly); create it or point to another file",
            missing.display()
        )
    );
}

#[test]
fn unreadable_file_is_a_read_error_naming_it() {
    let root = Root::new();
    let dir = root.dir.path().join("adir");
    fs::create_dir(&dir).unwrap();
    let err = RuntimeConfig::from_file(&dir, &root.env(0)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("cannot read {}: ", dir.display())),
        "{err}"
    );
}

#[test]
fn options_overlay_the_file_which_overlays_the_defaults() {
    let root = Root::new();
    let file = root.write(
        "/etc/berth/berth.conf",
        "cgroup_manager = \"systemd\"\nnamespace = \"file\"\n",
    );
    let options = ConfigOptions {
        namespace: Some("option".into()),
        state_type: Some(StateType::Memory),
        ..ConfigOptions::default()
    };
    let loaded = ConfigLoader::new(root.env(0))
        .options(options)
        .load()
        .unwrap();
    assert_eq!(loaded.config.namespace, "option");
    assert_eq!(loaded.config.cgroup_manager, CgroupManager::Systemd);
    assert_eq!(loaded.config.state_type, StateType::Memory);
    assert_eq!(loaded.origin(Key::Namespace), &Origin::Option);
    assert_eq!(loaded.origin(Key::StateType), &Origin::Option);
    assert_eq!(
        loaded.origin(Key::CgroupManager),
        &Origin::File("/etc/berth/berth.conf".into())
    );
    assert_eq!(loaded.origin(Key::TmpDir), &Origin::Default);
    assert!(file.exists());

    let described = loaded.describe();
    assert_eq!(described.len(), Key::ALL.len());
    let ns = described
        .iter()
        .find(|(k, _, _)| *k == Key::Namespace)
        .unwrap();
    assert_eq!((ns.1.as_str(), &ns.2), ("option", &Origin::Option));
    assert_eq!(Origin::File("/x".into()).to_string(), "file /x");
    assert_eq!(Origin::Option.to_string(), "option");
    assert_eq!(Origin::Default.to_string(), "default");
}

#[test]
fn hooks_dir_option_makes_a_missing_dir_fatal_unless_said_otherwise() {
    let root = Root::new();
    let set = |fatal: Option<bool>| {
        let o = ConfigOptions {
            hooks_dir: Some("/my/hooks".into()),
            hooks_dir_not_exist_fatal: fatal,
            ..ConfigOptions::default()
        };
        ConfigLoader::new(root.env(0))
            .options(o)
            .load()
            .unwrap()
            .config
    };
    assert!(set(None).hooks_dir_not_exist_fatal);
    assert!(!set(Some(false)).hooks_dir_not_exist_fatal);
    assert!(
        !RuntimeConfig::load(&root.env(0))
            .unwrap()
            .config
            .hooks_dir_not_exist_fatal
    );
}

#[test]
fn bad_options_are_errors_naming_the_key() {
    let root = Root::new();
    let cases: Vec<(ConfigOptions, &str)> = vec![
        (
            ConfigOptions {
                hooks_dir: Some(PathBuf::new()),
                ..Default::default()
            },
            r#"option `hooks_dir`: expected a hooks directory; an empty hooks_dir is not allowed (remove the key to use the default), found """#,
        ),
        (
            ConfigOptions {
                tmp_dir: Some("run/x".into()),
                ..Default::default()
            },
            r#"option `tmp_dir`: expected an absolute path (relative paths are not allowed), found "run/x""#,
        ),
        (
            ConfigOptions {
                runtime_path: Some(vec![]),
                ..Default::default()
            },
            "option `runtime_path`: expected a list of at least one absolute path, found []",
        ),
        (
            ConfigOptions {
                max_log_size: Some(-5),
                ..Default::default()
            },
            "option `max_log_size`: expected -1 (no limit) or a positive number of bytes, found -5",
        ),
        (
            ConfigOptions {
                conmon_env_vars: Some(vec!["X".into()]),
                ..Default::default()
            },
            r#"option `conmon_env_vars`: expected environment variables written as "KEY=VALUE", found "X""#,
        ),
        (
            ConfigOptions {
                cni_default_network: Some(String::new()),
                ..Default::default()
            },
            r#"option `cni_default_network`: expected a network name (letters, digits, '-', '_', '.', starting with a letter or digit), found """#,
        ),
        (
            ConfigOptions {
                image_default_transport: Some("docker".into()),
                ..Default::default()
            },
            r#"option `image_default_transport`: expected an image transport prefix such as "docker://", found "docker""#,
        ),
        (
            ConfigOptions {
                graph_root: Some("x".into()),
                ..Default::default()
            },
            r#"option `storage.graph_root`: expected an absolute path (relative paths are not allowed), found "x""#,
        ),
    ];
    for (options, expected) in cases {
        let err = ConfigLoader::new(root.env(0))
            .options(options)
            .load()
            .unwrap_err();
        assert_eq!(err.to_string(), expected);
        assert!(matches!(err, Error::InvalidOption { .. }));
    }
}

#[test]
fn rootless_defaults_that_cannot_be_computed_fail_only_if_still_needed() {
    let root = Root::new();
    // No HOME, no XDG_DATA_HOME: static_dir and graph_root have no default.
    let env = root.env(1000).with_var("XDG_RUNTIME_DIR", "/run/user/1000");
    let err = RuntimeConfig::load(&env).unwrap_err();
    assert!(err.to_string().contains("`static_dir`"), "{err}");

    let o = ConfigOptions {
        static_dir: Some("/srv/state".into()),
        ..Default::default()
    };
    let err = ConfigLoader::new(env.clone())
        .options(o.clone())
        .load()
        .unwrap_err();
    assert!(err.to_string().contains("`storage.graph_root`"), "{err}");

    let o = ConfigOptions {
        graph_root: Some("/srv/storage".into()),
        ..o
    };
    let loaded = ConfigLoader::new(env).options(o).load().unwrap();
    assert_eq!(loaded.config.tmp_dir, Path::new("/run/user/1000/berth/tmp"));
}

#[test]
fn rootless_runtime_dir_failure_is_reported_unless_tmp_dir_is_set() {
    let root = Root::new();
    fs::write(root.dir.path().join("run"), "").unwrap();
    fs::write(root.dir.path().join("tmp"), "").unwrap();
    // HOME points to a directory that does not exist: no runtime dir.
    let env = root
        .env(1000)
        .with_var("XDG_DATA_HOME", "/data")
        .with_var("HOME", "/nohome");
    let err = RuntimeConfig::load(&env).unwrap_err();
    assert!(
        matches!(err, Error::NoRuntimeDir { uid: 1000, .. }),
        "{err}"
    );

    let o = ConfigOptions {
        tmp_dir: Some("/t".into()),
        run_root: Some("/t/s".into()),
        ..Default::default()
    };
    let loaded = ConfigLoader::new(env).options(o).load().unwrap();
    assert_eq!(loaded.config.tmp_dir, Path::new("/t"));
    assert_eq!(loaded.config.static_dir, Path::new("/data/berth/state"));
}

//! Builder options: validation and precedence.

use std::path::PathBuf;

use berth_config::{Environment, StateType};

use crate::{Error, RuntimeBuilder};

fn builder() -> RuntimeBuilder {
    // An empty root so no real configuration file is found.
    let root = tempfile::tempdir().unwrap().keep();
    RuntimeBuilder::with_environment(Environment::new(0).with_root(root))
}

/// A builder whose every directory is under `d`, on its own bridge and subnet.
fn isolated(d: &std::path::Path, bridge: &str, subnet: &str) -> RuntimeBuilder {
    builder()
        .tmp_dir(d.join("tmp"))
        .static_dir(d.join("static"))
        .storage_config(berth_config::StorageConfig {
            graph_root: d.join("graph"),
            run_root: d.join("run"),
            driver: berth_config::StorageDriver::Vfs,
        })
        .cni_config_dir(d.join("cni"))
        .ipam_data_dir(d.join("ipam"))
        .default_bridge(bridge, subnet)
        .state_type(StateType::Memory)
}

fn option_error(b: RuntimeBuilder) -> (&'static str, String) {
    match b.resolve_config().unwrap_err() {
        Error::InvalidOption { option, reason } => (option, reason),
        other => panic!("expected InvalidOption, got {other}"),
    }
}

#[test]
fn each_option_validates_its_value() {
    let cases: Vec<(RuntimeBuilder, &str)> = vec![
        (builder().hooks_dir(""), "hooks_dir"),
        (builder().tmp_dir("relative/tmp"), "tmp_dir"),
        (builder().static_dir(""), "static_dir"),
        (builder().namespace("bad ns"), "namespace"),
        (builder().runtime_paths(&[]), "runtime_path"),
        (
            builder().conmon_paths(&[PathBuf::from("conmon")]),
            "conmon_path",
        ),
        (builder().cni_config_dir("x"), "cni_config_dir"),
        (builder().cni_plugin_dirs(&[]), "cni_plugin_dir"),
        (builder().default_network("-x"), "cni_default_network"),
        (
            builder().signature_policy_path("p.json"),
            "signature_policy_path",
        ),
        (builder().config_file(""), "config_file"),
        (builder().exit_command(vec![]), "exit_command"),
        (builder().exit_command(vec!["berth".into()]), "exit_command"),
        (
            builder().default_bridge("a-very-long-bridge-name", "10.0.0.0/24"),
            "default_bridge",
        ),
        (
            builder().storage_config(berth_config::StorageConfig {
                graph_root: "rel".into(),
                run_root: "/run/x".into(),
                driver: berth_config::StorageDriver::Vfs,
            }),
            "storage graph_root",
        ),
    ];
    for (b, want) in cases {
        let (option, reason) = option_error(b);
        assert_eq!(option, want, "{reason}");
        assert!(!reason.is_empty());
    }
    // The first invalid option wins.
    let (option, _) = option_error(builder().tmp_dir("a").static_dir("b"));
    assert_eq!(option, "tmp_dir");
}

#[test]
fn options_override_the_file_which_overrides_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("berth.conf");
    std::fs::write(
        &file,
        "tmp_dir = \"/from/file/tmp\"\nstatic_dir = \"/from/file/static\"\nnamespace = \"filens\"\n",
    )
    .unwrap();
    let loaded = builder()
        .config_file(&file)
        .static_dir("/from/option")
        .hooks_dir("/my/hooks")
        .state_type(StateType::Memory)
        .resolve_config()
        .unwrap();
    let c = loaded.config;
    assert_eq!(c.tmp_dir, PathBuf::from("/from/file/tmp"));
    assert_eq!(c.static_dir, PathBuf::from("/from/option"));
    assert_eq!(c.namespace, "filens");
    assert_eq!(c.hooks_dir, PathBuf::from("/my/hooks"));
    assert!(
        c.hooks_dir_not_exist_fatal,
        "setting hooks_dir makes a missing dir fatal"
    );
    assert_eq!(c.state_type, StateType::Memory);
    // Defaults stay where neither sets a value.
    assert!(!c.runtime_path.is_empty());
}

#[test]
fn a_missing_config_file_is_an_error_naming_it() {
    let err = builder()
        .config_file("/nonexistent/berth.conf")
        .resolve_config()
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/berth.conf"), "{err}");
}

#[test]
fn build_fails_clearly_without_a_runtime_binary_and_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let err = builder()
        .runtime_paths(&[PathBuf::from("/nonexistent/runc")])
        .tmp_dir(dir.path().join("tmp"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/runc"), "{err}");
    assert!(
        !dir.path().join("tmp").exists(),
        "nothing created before the binaries are found"
    );
}

#[test]
fn a_missing_hooks_dir_given_as_option_fails_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let err = isolated(d, "bthk0", "10.250.1.0/24")
        .hooks_dir(d.join("no-such-hooks"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("no-such-hooks"), "{err}");
}

#[test]
fn every_hooks_dir_of_several_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("hooks-a")).unwrap();
    let err = isolated(d, "bthk1", "10.250.2.0/24")
        .hooks_dirs(&[d.join("hooks-a"), d.join("hooks-b-missing")])
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("hooks-b-missing"), "{err}");
    let err = builder()
        .hooks_dirs(&[d.join("a"), PathBuf::from("relative")])
        .resolve_config()
        .unwrap_err()
        .to_string();
    assert!(err.contains("hooks_dir"), "{err}");
}

//! Hook file parsing, matching, directory precedence and injection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::container_spec::{BindMount, ContainerSpec};

fn p() -> PathBuf {
    PathBuf::from("/etc/hooks/x.json")
}

fn ann(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn v100_parses_with_all_fields() {
    let h = parse_hook(
        &p(),
        r#"{"version": "1.0.0", "hook": {"path": "/bin/true", "args": ["true", "-x"], "env": ["A=1"], "timeout": 5},
            "when": {"annotations": {"^com\\.example\\.gpu$": "^yes$"}, "commands": ["sh$"], "hasBindMounts": true},
            "stages": ["prestart", "poststop"]}"#,
    )
    .unwrap();
    assert_eq!(h.hook.path(), Path::new("/bin/true"));
    assert_eq!(h.hook.timeout(), Some(5));
    assert_eq!(h.stages, ["prestart", "poststop"]);
    assert!(h
        .when
        .matches(&ann(&[("com.example.gpu", "yes")]), "/bin/sh", true));
    assert!(
        !h.when
            .matches(&ann(&[("com.example.gpu", "yes")]), "/bin/sh", false),
        "all conditions must hold"
    );
    assert!(!h
        .when
        .matches(&ann(&[("com.example.gpu", "no")]), "/bin/sh", true));
    assert!(!h
        .when
        .matches(&ann(&[("com.example.gpu", "yes")]), "/bin/ls", true));
}

#[test]
fn v100_always_false_never_matches() {
    let h = parse_hook(&p(), r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": false}, "stages": ["prestart"]}"#).unwrap();
    assert!(!h.when.matches(&BTreeMap::new(), "x", true));
}

#[test]
fn v010_any_condition_matches_and_spellings_work() {
    let h = parse_hook(&p(), r#"{"hook": "/bin/true", "arguments": ["a"], "stage": ["prestart"], "cmd": ["^nginx$"], "annotation": ["gpu"]}"#).unwrap();
    assert_eq!(h.hook.args().as_ref().unwrap(), &["/bin/true", "a"]);
    assert!(h.when.matches(&BTreeMap::new(), "nginx", false));
    assert!(h.when.matches(&ann(&[("x", "gpu=1")]), "sh", false));
    assert!(!h.when.matches(&BTreeMap::new(), "sh", false));
    let h = parse_hook(&p(), r#"{"version": "0.1.0", "hook": "/bin/true", "stages": ["poststop"], "hasbindmounts": true}"#).unwrap();
    assert!(h.when.matches(&BTreeMap::new(), "sh", true));
    assert!(!h.when.matches(&BTreeMap::new(), "sh", false));
}

#[test]
fn invalid_files_name_the_file_and_field() {
    let cases = [
        ("{", "(file)"),
        ("[]", "(file)"),
        (r#"{"version": "2.0.0"}"#, "version"),
        (
            r#"{"version": "1.0.0", "when": {"always": true}, "stages": ["prestart"]}"#,
            "hook",
        ),
        (
            r#"{"version": "1.0.0", "hook": {}, "when": {"always": true}, "stages": ["prestart"]}"#,
            "hook.path",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "rel"}, "when": {"always": true}, "stages": ["prestart"]}"#,
            "hook.path",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/nonexistent/hook"}, "when": {"always": true}, "stages": ["prestart"]}"#,
            "hook.path",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true", "timeout": 0}, "when": {"always": true}, "stages": ["prestart"]}"#,
            "hook.timeout",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true", "args": "x"}, "when": {"always": true}, "stages": ["prestart"]}"#,
            "hook.args",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "stages": ["prestart"]}"#,
            "when",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {}, "stages": ["prestart"]}"#,
            "when",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": "yes"}, "stages": ["prestart"]}"#,
            "when.always",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"commands": ["("]}, "stages": ["prestart"]}"#,
            "when.commands",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"annotations": {"a": 1}}, "stages": ["prestart"]}"#,
            "when.annotations",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": true}}"#,
            "stages",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": true}, "stages": []}"#,
            "stages",
        ),
        (
            r#"{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": true}, "stages": ["later"]}"#,
            "stages",
        ),
        (r#"{"hook": "/bin/true"}"#, "stages"),
        (
            r#"{"hook": "/bin/true", "stage": ["prestart"], "stages": ["prestart"]}"#,
            "stages",
        ),
        (
            r#"{"hook": "/bin/true", "stages": ["prestart"], "cmd": ["a"], "cmds": ["b"]}"#,
            "cmds",
        ),
        (r#"{"stages": ["prestart"]}"#, "hook"),
    ];
    for (text, field) in cases {
        let e = parse_hook(&p(), text).unwrap_err();
        match &e {
            Error::InvalidHook { path, field: f, .. } => {
                assert_eq!(path, &p());
                assert_eq!(f, field, "{text}: {e}");
            }
            other => panic!("{text}: unexpected {other}"),
        }
        assert!(e.to_string().contains("/etc/hooks/x.json"), "{e}");
    }
}

fn write(dir: &Path, name: &str, stage: &str, arg: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join(name),
        format!(r#"{{"version": "1.0.0", "hook": {{"path": "/bin/echo", "args": ["echo", "{arg}"]}}, "when": {{"always": true}}, "stages": ["{stage}"]}}"#),
    )
    .unwrap();
}

#[test]
fn later_dirs_win_and_files_apply_in_name_order() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    write(&a, "20-x.json", "prestart", "a20");
    write(&a, "10-y.json", "prestart", "a10");
    write(&b, "20-x.json", "prestart", "b20");
    std::fs::write(a.join("README"), "not a hook").unwrap();
    let set = HookSet::load(&[a, b], true).unwrap();
    let args: Vec<String> = set
        .hooks()
        .iter()
        .map(|h| h.hook.args().as_ref().unwrap()[1].clone())
        .collect();
    assert_eq!(args, ["a10", "b20"]);
}

#[test]
fn missing_dir_is_fatal_only_when_asked() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("nope");
    assert!(HookSet::load(std::slice::from_ref(&missing), false)
        .unwrap()
        .hooks()
        .is_empty());
    let e = HookSet::load(&[missing], true).unwrap_err();
    assert!(matches!(e, Error::HooksDirMissing { .. }), "{e}");
}

#[test]
fn an_invalid_file_in_a_dir_fails_the_load() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("bad.json"), "{").unwrap();
    let e = HookSet::load(&[d.path().to_owned()], false).unwrap_err();
    assert!(e.to_string().contains("bad.json"), "{e}");
}

#[test]
fn inject_adds_matching_hooks_per_stage() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.json", "prestart", "one");
    write(d.path(), "b.json", "poststop", "two");
    std::fs::write(
        d.path().join("c.json"),
        r#"{"version": "1.0.0", "hook": {"path": "/bin/echo"}, "when": {"hasBindMounts": true}, "stages": ["createRuntime"]}"#,
    )
    .unwrap();
    let set = HookSet::load(&[d.path().to_owned()], true).unwrap();
    let mut spec = oci_spec::runtime::Spec::default();
    let input = ContainerSpec::new("id", "/r", "/b");
    set.inject(&mut spec, &input).unwrap();
    let hooks = spec.hooks().clone().unwrap();
    assert_eq!(hooks.prestart().as_ref().unwrap().len(), 1);
    assert_eq!(hooks.poststop().as_ref().unwrap().len(), 1);
    assert!(hooks.create_runtime().is_none());
    let mut input = input;
    input.mounts.push(BindMount {
        source: "/tmp".into(),
        destination: "/t".into(),
        ..BindMount::default()
    });
    let mut spec = oci_spec::runtime::Spec::default();
    set.inject(&mut spec, &input).unwrap();
    assert_eq!(
        spec.hooks()
            .clone()
            .unwrap()
            .create_runtime()
            .as_ref()
            .unwrap()
            .len(),
        1
    );
}

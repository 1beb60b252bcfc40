//! Parsers of outside input never panic: arbitrary text gives a value or a clear error.

use std::collections::BTreeSet;
use std::path::Path;

use berth_oci::driver::conmon::parse_sync;
use berth_oci::generate::seccomp::{convert, SeccompHost};
use berth_oci::hooks::parse_hook;
use proptest::prelude::*;

fn host() -> SeccompHost {
    SeccompHost {
        go_arch: "amd64".into(),
        scmp_arch: "SCMP_ARCH_X86_64".into(),
        kernel: (6, 1),
    }
}

/// JSON-ish text: mostly objects with the keys the parsers look at.
fn jsonish() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "version",
        "hook",
        "path",
        "args",
        "when",
        "always",
        "stages",
        "stage",
        "cmds",
        "annotations",
        "hasbindmounts",
        "defaultAction",
        "syscalls",
        "names",
        "action",
        "includes",
        "caps",
        "archMap",
        "data",
        "message",
    ]);
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-zA-Z0-9_/.()*]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("\"1.0.0\"".to_owned()),
        Just("\"/bin/true\"".to_owned()),
        Just("[\"prestart\"]".to_owned()),
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key.clone(), inner), 0..5).prop_map(|kv| format!(
                "{{{}}}",
                kv.iter()
                    .map(|(k, v)| format!("{k:?}:{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn hook_files_never_panic(text in prop_oneof![jsonish(), ".{0,64}"]) {
        let path = Path::new("/hooks/x.json");
        if let Err(e) = parse_hook(path, &text) {
            prop_assert!(e.to_string().contains("/hooks/x.json"));
        }
    }

    #[test]
    fn seccomp_profiles_never_panic(text in prop_oneof![jsonish(), ".{0,64}"]) {
        let _ = convert(&text, &BTreeSet::new(), &host());
    }

    #[test]
    fn sync_messages_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64), text in jsonish()) {
        let _ = parse_sync(&bytes);
        let _ = parse_sync(text.as_bytes());
    }
}

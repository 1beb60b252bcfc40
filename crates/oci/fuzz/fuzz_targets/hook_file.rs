//! OCI hook files (`/usr/share/containers/oci/hooks.d/*.json`, versions
//! 1.0.0 and 0.1.0): parsing never panics, and a hook that parses answers
//! whether it applies to a container, whatever its regexes are.
#![no_main]

use std::collections::BTreeMap;
use std::path::Path;

use berth_oci::hooks::parse_hook;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(hook) = parse_hook(Path::new("/fuzz/hooks.d/fuzz.json"), text) else {
        return;
    };
    let annotations = BTreeMap::from([
        ("io.example.a".to_owned(), "1".to_owned()),
        (String::new(), text.to_owned()),
    ]);
    for command in ["/bin/sh", "", text] {
        for binds in [false, true] {
            let _ = hook.when.matches(&annotations, command, binds);
        }
    }
});

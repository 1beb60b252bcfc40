//! Manifests as a registry serves them (OCI and Docker image manifests,
//! OCI indexes and Docker manifest lists): the first byte picks the
//! Content-Type, the rest is the body. Parsing never panics, and choosing a
//! platform from a parsed index gives an entry or an error.
#![no_main]

use berth_storage::registry::manifest::{self, Parsed, Platform};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &[&str] = &[
    "",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/json; charset=utf-8",
    "text/html",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(pick) % CONTENT_TYPES.len()];
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = Platform::parse(text);
    }
    match manifest::parse(body, content_type, "fuzz manifest") {
        Ok(Parsed::Index(entries)) => {
            for want in ["linux/amd64", "linux/arm64/v8", "windows/amd64"] {
                let want = Platform::parse(want).expect("a valid platform");
                let _ = manifest::choose(&entries, &want, "fuzz:latest");
            }
            let _ = manifest::choose(&entries, &Platform::host(), "fuzz:latest");
        }
        Ok(Parsed::Image(m)) => {
            let _ = format!("{m:?}");
        }
        Err(_) => {}
    }
});

//! `policy.json` (containers-policy.json): parsing never panics, and a
//! policy that parses answers `check` for references of every shape.
#![no_main]

use berth_storage::registry::Policy;
use berth_storage::Reference;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = Policy::parse(data, "/fuzz/policy.json") else {
        return;
    };
    for r in [
        "busybox",
        "quay.io/a/b:1",
        "localhost:5000/x/y@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "docker.io/library/alpine:3",
    ] {
        let r = Reference::parse(r).expect("a valid reference");
        for transport in ["docker", "docker-archive", ""] {
            let _ = policy.requirements_for(transport, &r);
            let _ = policy.check(transport, &r);
        }
    }
});

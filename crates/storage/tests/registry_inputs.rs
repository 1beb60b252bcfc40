//! Every document a registry, a token service or the user hands the
//! registry client is parsed without panicking, whatever the bytes.

use std::path::Path;

use berth_storage::registry::{
    manifest, parse_challenge, parse_token_response, AuthFile, Platform, Policy, RegistryRules,
};
use proptest::prelude::*;

fn json_ish() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        r#"\{"(schemaVersion|mediaType|manifests|config|layers|auths|default|transports|token)":[\[\{"0-9a-z:, ]{0,40}[\]\}]{0,3}"#,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn manifests_never_panic(doc in json_ish(), ct in "[a-z./+-]{0,60}") {
        let _ = manifest::parse(doc.as_bytes(), &ct, "m");
    }

    #[test]
    fn challenges_and_tokens_never_panic(h in ".{0,200}", t in json_ish()) {
        let _ = parse_challenge(&h);
        let _ = parse_token_response(t.as_bytes(), "realm");
    }

    #[test]
    fn auth_files_and_policies_never_panic(doc in json_ish(), host in "[a-z0-9.:/]{0,30}") {
        if let Ok(f) = AuthFile::parse(doc.as_bytes(), Path::new("/a.json")) {
            let _ = f.lookup(&host, "r/x");
        }
        let _ = Policy::parse(doc.as_bytes(), "p.json");
    }

    #[test]
    fn references_and_platforms_never_panic(r in ".{0,80}", p in ".{0,30}") {
        let rules = RegistryRules { search: vec!["docker.io".into(), "quay.io".into()], registries: vec![], ..RegistryRules::default() };
        if let Ok(c) = rules.candidates(&r) {
            for x in c {
                let _ = rules.pull_sources(&x);
            }
        }
        let _ = Platform::parse(&p);
    }
}

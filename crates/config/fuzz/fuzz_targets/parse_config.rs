//! Fuzzes the configuration and registries.conf parsers.
//!
//! Properties checked on every input:
//! - parsing never panics, whatever the bytes;
//! - a file that parses passes the same rules as code options;
//! - a parsed file applied to the defaults, written out with `to_toml` and
//!   parsed again gives the same configuration;
//! - registry lookups on a parsed registries.conf never panic.
#![no_main]

use std::path::Path;

use berth_config::{ConfigFile, Environment, Origin, Origins, RegistriesConfig, RuntimeConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/fuzz/berth.conf");
    if let Ok(file) = ConfigFile::parse(text, path) {
        file.options
            .validate()
            .expect("a parsed file passes option validation");
        let mut cfg = RuntimeConfig::defaults(&Environment::new(0)).expect("root defaults");
        cfg.apply(
            &file.options,
            &Origin::File(path.into()),
            &mut Origins::default(),
        );
        let written = cfg.to_toml();
        let again = ConfigFile::parse(&written, path).expect("written configuration parses");
        assert_eq!(
            again.options,
            cfg.to_options(),
            "round trip changed values:\n{written}"
        );
    }
    if let Ok(regs) = RegistriesConfig::parse(text, Path::new("/fuzz/registries.conf")) {
        // Lookups never panic, for references of every shape, including the text itself.
        for reference in [
            text,
            "docker.io/library/alpine:3",
            "a.b.example.com:5000/x@sha256:00",
            "",
        ] {
            if let Some(r) = regs.find_registry(reference) {
                let _ = r.rewrite(reference);
            }
        }
        let _ = (regs.insecure_registries(), regs.blocked_registries());
    }
});

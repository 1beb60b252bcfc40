//! Image config blobs: parsing never panics, and a config that parses
//! gives its runtime config and history.
#![no_main]

use berth_storage::oci::ConfigFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = ConfigFile::parse(data, "fuzz config") else {
        return;
    };
    let _ = config.image_config();
    let _ = config.history();
});

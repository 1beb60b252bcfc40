//! What a CNI plugin prints on stdout after ADD (a result, or an error
//! object): parsing never panics, a result that parses answers its
//! lookups, and writes out as JSON that reads back the same.
#![no_main]

use berth_cni::{CniResult, PluginErrorObject, VersionInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<PluginErrorObject>(data);
    let _ = serde_json::from_slice::<VersionInfo>(data);
    let Ok(result) = serde_json::from_slice::<CniResult>(data) else {
        return;
    };
    for ifname in ["eth0", ""] {
        let _ = result.sandbox_interface(ifname);
        for ip in result.ips_of(ifname) {
            let _ = ip.ip();
        }
    }
    let written = serde_json::to_vec(&result).expect("a result writes as JSON");
    let again: CniResult = serde_json::from_slice(&written).expect("written result reads back");
    assert_eq!(again, result);
});

//! CNI network configuration (a `.conflist` or a single-plugin `.conf`):
//! parsing never panics, and a network that parses renders the stdin of
//! each of its plugins.
#![no_main]

use std::path::Path;

use berth_cni::NetworkConfigList;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    for is_list in [true, false] {
        let Ok(list) = NetworkConfigList::from_value(value.clone(), is_list, Path::new("/fuzz/net.conflist")) else {
            continue;
        };
        let _ = (list.bridge_name(), list.subnets());
        let ports = berth_cni::PortMapping::parse("8080:80/tcp").expect("a valid port mapping");
        for index in 0..list.plugins.len() {
            let _ = list.plugin_stdin(index, &ports, Some(value.clone()));
        }
        let _ = NetworkConfigList::from_stored(&value);
    }
});

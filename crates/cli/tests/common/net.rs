//! A named network of one test: its own name, bridge and subnet (unique per test process
//! and call), its bridge deleted in Drop if the test left it.

use super::Berth;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A network name, bridge and subnet of this test process only; Drop
/// deletes the bridge if the test left it.
pub struct Net {
    pub name: String,
    pub bridge: String,
    pub subnet: String,
}

impl Net {
    pub fn new(tag: &str) -> Self {
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        Self {
            name: format!("{tag}{n}"),
            bridge: format!("bn{}y{n}", pid % 100_000),
            subnet: format!("10.{}.{}.0/24", 190 + (pid % 40), 100 + n),
        }
    }

    pub fn create(&self, b: &Berth) -> String {
        b.ok(&[
            "network",
            "create",
            "--subnet",
            &self.subnet,
            "-o",
            &format!("com.docker.network.bridge.name={}", self.bridge),
            &self.name,
        ])
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

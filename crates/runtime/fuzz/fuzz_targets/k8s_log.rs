//! conmon's k8s-file log format (`TIMESTAMP STREAM P|F TEXT`): reading a
//! log never panics, and every line it gives is text of the log.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = berth_runtime::read_log(&text);
    let bodies: usize = lines.iter().map(|l| l.text.len()).sum();
    assert!(bodies <= text.len(), "lines longer than the log");
});

//! conmon's k8s-file log format (`TIMESTAMP STREAM P|F TEXT`): parsing a
//! record never panics, whatever the bytes, and the text it gives is the
//! end of the record, unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for line in data.split_inclusive(|&b| b == b'\n') {
        let Some(record) = berth_runtime::parse_record(line) else {
            continue;
        };
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        assert!(body.ends_with(record.text), "the text is not the record's end");
        let _ = record.time.to_rfc3339();
    }
});

//! Feeds arbitrary bytes to the layer extractor as a tar stream (and as a
//! gzip/zstd one when the magic says so) in both whiteout modes, and checks
//! that a sibling directory of the extraction root never changes.
#![no_main]

use berth_storage::extract::{extract, ExtractOptions, WhiteoutMode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sandbox = tempfile::tempdir().unwrap();
    let root = sandbox.path().join("root");
    let outside = sandbox.path().join("outside");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("canary"), b"canary").unwrap();
    for mode in [WhiteoutMode::Overlay, WhiteoutMode::Delete] {
        let _ = extract(data, &root, ExtractOptions::layer(mode));
        let names: Vec<_> = std::fs::read_dir(&outside).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("canary")], "something was written outside the root");
        assert_eq!(std::fs::read(outside.join("canary")).unwrap(), b"canary");
    }
});

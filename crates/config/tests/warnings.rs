//! Unknown keys produce exactly one tracing warning each, naming key and file.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use berth_config::{Environment, RuntimeConfig};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_unknown_key_is_one_warning_naming_key_and_file() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libpod.conf");
    let loaded = tracing::subscriber::with_default(subscriber, || {
        RuntimeConfig::from_file(&path, &Environment::new(0).with_root("/nonexistent")).unwrap()
    });
    let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), loaded.unknown_keys.len(), "{out}");
    assert_eq!(lines.len(), 11, "{out}");
    for (line, unknown) in lines.iter().zip(&loaded.unknown_keys) {
        assert!(line.contains("WARN"), "{line}");
        assert!(line.contains("unknown configuration key ignored"), "{line}");
        assert!(line.contains(&format!("key={}", unknown.key)), "{line}");
        assert!(line.contains(&format!("file={}", path.display())), "{line}");
    }
    assert!(out.contains("key=infra_image"));
    assert!(out.contains("key=runtimes"));
}

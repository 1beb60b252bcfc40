//! The panic hook: a panic prints one `Error:` line and exits 125, never a
//! Rust debug dump. The test re-runs its own binary with a marker variable
//! so the panic happens in a child process.

use std::process::Command;

const CHILD: &str = "BERTH_CLI_PANIC_HOOK_CHILD";

#[test]
fn panic_prints_one_clean_line_and_exits_125() {
    if std::env::var_os(CHILD).is_some() {
        berth_cli::error::install_panic_hook();
        panic!("state file is corrupt");
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panic_prints_one_clean_line_and_exits_125",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("Error: "))
        .unwrap_or_else(|| panic!("no Error: line in {stderr}"));
    assert!(
        line.contains("internal error: state file is corrupt"),
        "{line}"
    );
    assert!(!stderr.contains("stack backtrace"), "{stderr}");
    assert!(!stderr.contains("panicked at"), "{stderr}");
}

//! Test helper for berth-state's multi-process and crash tests; not a user tool.
fn main() {}

//! Completions and man pages.
/// Placeholder replaced below.
pub fn _placeholder() {}

//! Progress bars.
/// Placeholder replaced below.
pub fn _placeholder() {}

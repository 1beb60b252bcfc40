//! Benchmarks of the state backends.
fn main() {}

//! Benchmark placeholder; filled in with the real setup/teardown comparison.

fn main() {
    divan::main();
}

//! Incompressible test data.

/// `n` incompressible bytes from a xorshift generator seeded with `seed`
/// (the same bytes for the same seed).
pub fn noise(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

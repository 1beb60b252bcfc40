//! sha256 digests and hashing helpers.

use std::io::{self, Read, Write};

use sha2::{Digest as _, Sha256};

use crate::{Error, Result};

/// Checks `sha256:<64 lowercase hex>` and returns the hex part.
pub fn parse_sha256(digest: &str) -> Result<&str> {
    match digest.strip_prefix("sha256:") {
        Some(hex) if is_hex64(hex) => Ok(hex),
        _ => Err(Error::InvalidDigest(digest.to_string())),
    }
}

/// True for 64 lowercase hex characters.
pub fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// `sha256:<hex>` of a byte slice.
pub fn sha256_digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// The chain id of a layer: its diff id for the bottom layer, else
/// `sha256(parent_chain + " " + diff_id)`.
pub fn chain_id(parent: Option<&str>, diff_id: &str) -> String {
    match parent {
        None => diff_id.to_string(),
        Some(p) => sha256_digest(format!("{p} {diff_id}").as_bytes()),
    }
}

/// A writer that hashes and counts everything passing through to `inner`.
#[derive(Debug)]
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }
    /// The digest and byte count so far, and the inner writer.
    pub fn finish(self) -> (String, u64, W) {
        (
            format!("sha256:{}", hex::encode(self.hasher.finalize())),
            self.count,
            self.inner,
        )
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes and counts everything read through it.
#[derive(Debug)]
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps a reader.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }
    /// The digest and byte count of what was read.
    pub fn finish(self) -> (String, u64) {
        (
            format!("sha256:{}", hex::encode(self.hasher.finalize())),
            self.count,
        )
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_chain_ids() {
        let d = sha256_digest(b"");
        assert_eq!(
            d,
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(chain_id(None, &d), d);
        assert_ne!(chain_id(Some(&d), &d), d);
        assert!(parse_sha256("sha256:abc").is_err());
        assert!(parse_sha256(&"sha256:".repeat(2)).is_err());
        assert_eq!(parse_sha256(&d).unwrap().len(), 64);
    }
}

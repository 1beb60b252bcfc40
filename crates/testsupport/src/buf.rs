//! An in-memory writer that a test hands to the code under test (as a
//! `Box<dyn Write + Send>`) and reads back afterwards through a clone.

use std::sync::{Arc, Mutex};

/// A cloneable writer: every clone appends to the same bytes.
#[derive(Debug, Clone, Default)]
pub struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    /// Everything written so far.
    ///
    /// # Panics
    /// When a writer panicked while holding the lock.
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }

    /// Everything written so far as text (invalid UTF-8 replaced).
    ///
    /// # Panics
    /// When a writer panicked while holding the lock.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("a writer of this SharedBuf panicked"))?
            .extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::SharedBuf;

    #[test]
    fn clones_share_the_bytes() {
        let buf = SharedBuf::default();
        let mut w = buf.clone();
        w.write_all(b"hello ").unwrap();
        write!(w, "world").unwrap();
        assert_eq!(buf.text(), "hello world");
        assert_eq!(buf.bytes(), b"hello world");
    }
}

//! Attaching the terminal to a container: writers that tell when the
//! runtime's streaming thread is done with them.

use berth_runtime::AttachIo;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

/// A writer that reports its drop: the attach thread drops its writers
/// when conmon closes the stream, i.e. all output has been written.
struct Tracked<W> {
    inner: W,
    _done: Sender<()>,
}

impl<W: Write> Write for Tracked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Waits until the streams of an [`AttachIo`] made by [`attach_io`] are done.
#[derive(Debug)]
pub struct Drained(Receiver<()>);

impl Drained {
    /// Blocks until the output has been written, or `limit` passes.
    pub fn wait(self, limit: Duration) {
        // Every sender dropped → Err(Disconnected); a timeout just returns.
        let _ = self.0.recv_timeout(limit);
    }
}

/// Set once the user typed the detach keys.
#[derive(Debug, Clone, Default)]
pub struct Detached(Arc<AtomicBool>);

impl Detached {
    /// Whether the user asked to detach.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Stdin that watches for the detach keys: bytes that start the sequence are
/// held back until it is complete (then nothing more is read, so the
/// container's stdin stays open) or broken (then they are passed on).
struct DetachingReader<R> {
    inner: R,
    keys: Vec<u8>,
    held: usize,
    pending: std::collections::VecDeque<u8>,
    detached: Detached,
}

impl<R: Read> DetachingReader<R> {
    /// Moves the bytes of one read of `inner` through the key matcher into `pending`; false
    /// at end of input.
    fn fill(&mut self, size: usize) -> std::io::Result<bool> {
        let mut chunk = vec![0u8; size.max(1)];
        let n = self.inner.read(&mut chunk)?;
        if n == 0 {
            return Ok(false);
        }
        for &b in &chunk[..n] {
            if b == self.keys[self.held] {
                self.held += 1;
                if self.held == self.keys.len() {
                    self.detached.0.store(true, Ordering::SeqCst);
                    // Never return: the process leaves without closing the stream.
                    loop {
                        std::thread::park();
                    }
                }
                continue;
            }
            self.pending.extend(&self.keys[..self.held]);
            self.held = 0;
            if b == self.keys[0] {
                self.held = 1;
            } else {
                self.pending.push_back(b);
            }
        }
        Ok(true)
    }
}

impl<R: Read> Read for DetachingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.keys.is_empty() {
            return self.inner.read(buf);
        }
        while self.pending.is_empty() {
            if !self.fill(buf.len())? {
                return Ok(0);
            }
        }
        let n = self.pending.len().min(buf.len());
        for (slot, b) in buf.iter_mut().zip(self.pending.drain(..n)) {
            *slot = b;
        }
        Ok(n)
    }
}

/// Streams for the local terminal: stdin when `stdin` (watching for
/// `detach_keys`), our stdout/stderr.
pub fn attach_io(stdin: bool, tty: bool, detach_keys: &[u8]) -> (AttachIo, Drained, Detached) {
    let (tx, rx) = channel();
    let detached = Detached::default();
    let io = AttachIo {
        stdin: if stdin {
            Some(Box::new(DetachingReader {
                inner: std::io::stdin(),
                keys: detach_keys.to_vec(),
                held: 0,
                pending: std::collections::VecDeque::new(),
                detached: detached.clone(),
            }))
        } else {
            None
        },
        stdout: Box::new(Tracked {
            inner: std::io::stdout(),
            _done: tx.clone(),
        }),
        stderr: Box::new(Tracked {
            inner: std::io::stderr(),
            _done: tx,
        }),
        size: if tty { crate::terminal::size() } else { None },
    };
    (io, Drained(rx), detached)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(input: &[u8], keys: &[u8]) -> DetachingReader<std::io::Cursor<Vec<u8>>> {
        DetachingReader {
            inner: std::io::Cursor::new(input.to_vec()),
            keys: keys.to_vec(),
            held: 0,
            pending: std::collections::VecDeque::new(),
            detached: Detached::default(),
        }
    }

    #[test]
    fn a_broken_sequence_passes_through() {
        let mut r = reader(b"ab\x10c\x10\x10d", &[0x10, 0x11]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ab\x10c\x10\x10d");
        assert!(!r.detached.is_set());
    }

    #[test]
    fn the_full_sequence_detaches_without_eof() {
        let mut r = reader(b"ls\x10\x11more", &[0x10, 0x11]);
        let flag = r.detached.clone();
        let t = std::thread::spawn(move || {
            let mut buf = [0u8; 2];
            let n = r.read(&mut buf).unwrap();
            assert_eq!(&buf[..n], b"ls");
            let _ = r.read(&mut buf); // parks forever
        });
        for _ in 0..200 {
            if flag.is_set() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(flag.is_set());
        assert!(!t.is_finished());
    }
}

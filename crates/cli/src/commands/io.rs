//! Attaching the terminal to a container: writers that tell when the
//! runtime's streaming thread is done with them.

use berth_runtime::AttachIo;
use std::io::Write;
use std::sync::mpsc::{channel, Receiver, Sender};
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

/// Streams for the local terminal: stdin when `stdin`, our stdout/stderr.
pub fn attach_io(stdin: bool, tty: bool) -> (AttachIo, Drained) {
    let (tx, rx) = channel();
    let io = AttachIo {
        stdin: if stdin {
            Some(Box::new(std::io::stdin()))
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
    (io, Drained(rx))
}

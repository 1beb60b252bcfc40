//! Progress bars for `import`, `load` (and later `pull`): drawn on stderr
//! only when stderr is a terminal; otherwise nothing extra is printed.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Read};

/// A byte-counting progress bar that may be hidden.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` bytes (unknown: a spinner) labelled `message`,
    /// visible only when stderr is a terminal.
    pub fn for_stderr(total: Option<u64>, message: &str) -> Self {
        Self::new(total, message, std::io::stderr().is_terminal())
    }

    /// A bar drawn on stderr when `visible`, else hidden.
    pub fn new(total: Option<u64>, message: &str, visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(total, target);
        let style = if total.is_some() {
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            )
        } else {
            ProgressStyle::with_template("{spinner} {msg} {bytes} ({bytes_per_sec})")
        };
        if let Ok(style) = style {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_owned());
        Self { bar }
    }

    /// True when the bar is drawn.
    pub fn is_visible(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// Counts `n` more bytes.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Bytes counted so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Wraps a reader so every byte read is counted.
    pub fn wrap_read<R: Read>(&self, reader: R) -> impl Read {
        self.bar.wrap_read(reader)
    }

    /// Ends the bar, leaving `message` in its place when visible.
    pub fn finish(&self, message: &str) {
        self.bar.finish_with_message(message.to_owned());
    }

    /// Ends the bar and erases it.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_bar_still_counts() {
        let p = Progress::new(Some(10), "import", false);
        assert!(!p.is_visible());
        let mut out = Vec::new();
        std::io::copy(&mut p.wrap_read(&b"0123456789"[..]), &mut out).unwrap();
        assert_eq!(out, b"0123456789");
        assert_eq!(p.position(), 10);
        p.inc(5);
        assert_eq!(p.position(), 15);
        p.finish("done");
    }

    #[test]
    fn spinner_for_unknown_length() {
        let p = Progress::new(None, "load", false);
        p.inc(3);
        assert_eq!(p.position(), 3);
        p.clear();
    }

    #[test]
    fn not_a_terminal_means_hidden() {
        // Test binaries under cargo may inherit a terminal; only check the
        // rule when stderr is not one.
        if !std::io::stderr().is_terminal() {
            assert!(!Progress::for_stderr(Some(1), "x").is_visible());
        }
    }
}

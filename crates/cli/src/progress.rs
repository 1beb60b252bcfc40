//! Progress bars for `import`, `load`, `pull` and `push`: drawn on stderr
//! only when stderr is a terminal. Registry transfers off a terminal print
//! one line per step instead, as podman does.

use berth_runtime::{ProgressFn, PullEvent, Resolution};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::sync::{Arc, Mutex};

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

/// What a registry transfer shows on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferView {
    /// Nothing (`-q`).
    Quiet,
    /// One line per step (stderr is not a terminal).
    Lines,
    /// A bar per blob.
    Bars,
}

impl TransferView {
    /// Bars on a terminal, lines elsewhere, nothing when `quiet`.
    pub fn for_stderr(quiet: bool) -> Self {
        if quiet {
            Self::Quiet
        } else if std::io::stderr().is_terminal() {
            Self::Bars
        } else {
            Self::Lines
        }
    }
}

/// The progress callback of a pull or push, drawing as `view` says.
pub fn transfer(view: TransferView) -> Option<ProgressFn> {
    let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let blobs: Mutex<HashMap<String, ProgressBar>> = Mutex::new(HashMap::new());
    let style = ProgressStyle::with_template(
        "Copying blob {msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})",
    )
    .ok()
    .map(|s| s.progress_chars("=> "));
    let line = |text: String| {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    };
    let short = |d: &str| {
        d.strip_prefix("sha256:")
            .unwrap_or(d)
            .chars()
            .take(12)
            .collect::<String>()
    };
    let f = move |ev: &PullEvent| match (view, ev) {
        (TransferView::Quiet, _) => {}
        (_, PullEvent::Resolved(Resolution::Alias { name, origin })) => {
            let text = format!("Resolved \"{name}\" as an alias ({origin})");
            match view {
                TransferView::Bars => {
                    let _ = bars.println(text);
                }
                _ => line(text),
            }
        }
        (_, PullEvent::Trying { reference, .. }) => match view {
            TransferView::Bars => {
                let _ = bars.println(format!("Trying to pull {reference}..."));
            }
            _ => line(format!("Trying to pull {reference}...")),
        },
        (TransferView::Lines, PullEvent::BlobDone { digest }) => {
            line(format!("Copying blob {} done", short(digest)));
        }
        (TransferView::Lines, PullEvent::BlobSkipped { digest }) => {
            line(format!(
                "Copying blob {} skipped: already exists",
                short(digest)
            ));
        }
        (TransferView::Lines, PullEvent::Committing) => {
            line("Writing manifest to image destination".into());
        }
        (TransferView::Bars, PullEvent::BlobStart { digest, size }) => {
            let bar = bars.add(ProgressBar::new(*size));
            if let Some(s) = &style {
                bar.set_style(s.clone());
            }
            bar.set_message(short(digest));
            lock(&blobs).insert(digest.clone(), bar);
        }
        (TransferView::Bars, PullEvent::BlobProgress { digest, bytes }) => {
            if let Some(b) = lock(&blobs).get(digest) {
                b.inc(*bytes);
            }
        }
        (TransferView::Bars, PullEvent::BlobDone { digest }) => {
            if let Some(b) = lock(&blobs).remove(digest) {
                b.finish_with_message(format!("{} done", short(digest)));
            }
        }
        (TransferView::Bars, PullEvent::BlobSkipped { digest }) => {
            let _ = bars.println(format!(
                "Copying blob {} skipped: already exists",
                short(digest)
            ));
        }
        (TransferView::Bars, PullEvent::Committing) => {
            let _ = bars.println("Writing manifest to image destination");
        }
        _ => {}
    };
    (view != TransferView::Quiet).then(|| ProgressFn(Arc::new(f)))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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

    #[test]
    fn quiet_transfers_have_no_callback() {
        assert!(transfer(TransferView::Quiet).is_none());
        assert_eq!(TransferView::for_stderr(true), TransferView::Quiet);
        let f = transfer(TransferView::Lines).unwrap();
        (f.0)(&PullEvent::BlobStart {
            digest: "sha256:ab".into(),
            size: 2,
        });
        (f.0)(&PullEvent::BlobDone {
            digest: "sha256:ab".into(),
        });
    }
}

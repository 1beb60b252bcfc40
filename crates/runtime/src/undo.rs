//! Undo lists: a multi-step operation records how to reverse each step it completed; on a
//! later failure the steps are reversed newest first, every one is tried, and their failures
//! travel with the original error.

use crate::error::{Error, Result};

type Step<'a> = (&'static str, Box<dyn FnOnce() -> Result<()> + 'a>);

/// The reversal steps of an operation in progress.
pub(crate) struct Undo<'a> {
    steps: Vec<Step<'a>>,
}

impl std::fmt::Debug for Undo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.steps.iter().map(|(n, _)| n))
            .finish()
    }
}

impl<'a> Undo<'a> {
    pub(crate) fn new() -> Self {
        Self { steps: Vec::new() }
    }

    /// Records how to reverse the step just done.
    pub(crate) fn push(&mut self, what: &'static str, f: impl FnOnce() -> Result<()> + 'a) {
        self.steps.push((what, Box::new(f)));
    }

    /// The operation succeeded: forget the steps.
    pub(crate) fn commit(mut self) {
        self.steps.clear();
    }

    /// Reverses every recorded step (newest first) and returns `err` with the failures.
    pub(crate) fn fail(mut self, err: Error) -> Error {
        let mut failures = Vec::new();
        while let Some((what, f)) = self.steps.pop() {
            if let Err(e) = f() {
                tracing::warn!(step = what, error = %e, "undo step failed");
                failures.push(e);
            }
        }
        err.with_undo(failures)
    }
}

impl Drop for Undo<'_> {
    /// Dropped without `commit`: an early return skipped `fail`, so reverse anyway.
    fn drop(&mut self) {
        while let Some((what, f)) = self.steps.pop() {
            if let Err(e) = f() {
                tracing::warn!(step = what, error = %e, "undo step failed");
            }
        }
    }
}

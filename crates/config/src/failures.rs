//! Failure injection shared by every layer's fake (feature `testing`).
//!
//! The fakes of the layers (`MemoryState`, `FakeStorage`, `FakeOciRuntime`,
//! `FakeNetworkPlugin`) fail on request the same way: a test says which
//! operation fails and when ([`Strike`]) through [`InjectFailures`], and the
//! fake asks its [`Failures`] plan on every call whether this one fails. The
//! operation type is the fake's own (a method name, an `Op` enum, a step);
//! the error is the layer's own `Injected` variant, which exists only with
//! the `testing` feature.

/// When an injected failure strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strike {
    /// The `n`th call of the operation from now (1 = the next), once.
    Nth(usize),
    /// Each of the next `n` calls.
    Times(usize),
    /// Every call, until the failure is cleared.
    Always,
}

#[derive(Debug, Clone)]
struct Planned<Op> {
    op: Op,
    /// Calls still to let through before this failure strikes.
    skip: usize,
    /// Failures left; `None` = until cleared.
    left: Option<usize>,
}

/// The failures planned for a fake, by operation. Several plans for the same
/// operation add up: two [`Strike::Nth`]`(1)` fail the next two calls.
#[derive(Debug, Clone)]
pub struct Failures<Op> {
    planned: Vec<Planned<Op>>,
}

impl<Op> Default for Failures<Op> {
    fn default() -> Self {
        Self {
            planned: Vec::new(),
        }
    }
}

impl<Op: PartialEq> Failures<Op> {
    /// No failures planned.
    pub fn new() -> Self {
        Self::default()
    }

    /// Plans a failure of `op`. `Nth(0)` and `Times(0)` plan nothing.
    pub fn add(&mut self, op: Op, strike: Strike) {
        let (skip, left) = match strike {
            Strike::Nth(0) | Strike::Times(0) => return,
            Strike::Nth(n) => (n - 1, Some(1)),
            Strike::Times(n) => (0, Some(n)),
            Strike::Always => (0, None),
        };
        self.planned.push(Planned { op, skip, left });
    }

    /// Forgets every failure planned for `op`.
    pub fn clear(&mut self, op: &Op) {
        self.planned.retain(|p| p.op != *op);
    }

    /// Counts a call of `op`; true when it must fail. The fake calls this once per call.
    pub fn strikes(&mut self, op: &Op) -> bool {
        let mut hit = None;
        for (i, p) in self.planned.iter_mut().enumerate() {
            if p.op != *op {
                continue;
            }
            if p.skip > 0 {
                p.skip -= 1;
            } else if hit.is_none() {
                hit = Some(i);
            }
        }
        let Some(i) = hit else {
            return false;
        };
        if let Some(left) = &mut self.planned[i].left {
            *left -= 1;
            if *left == 0 {
                self.planned.remove(i);
            }
        }
        true
    }

    /// Whether any failure is still planned for `op`.
    pub fn is_planned(&self, op: &Op) -> bool {
        self.planned.iter().any(|p| p.op == *op)
    }
}

/// The one way to make a fake fail: every layer's fake implements it.
pub trait InjectFailures {
    /// What the fake calls an operation (a method name, an `Op` enum, a step).
    type Op;

    /// Plans a failure of `op`; the call fails with the layer's `Injected` error.
    fn inject(&self, op: Self::Op, strike: Strike);

    /// Forgets every failure planned for `op`.
    fn clear_failure(&self, op: &Self::Op);

    /// The next call of `op` fails (once).
    fn fail_next(&self, op: Self::Op) {
        self.inject(op, Strike::Nth(1));
    }

    /// The `n`th call of `op` from now fails (1 = the next), once.
    fn fail_nth(&self, op: Self::Op, n: usize) {
        self.inject(op, Strike::Nth(n));
    }

    /// The next `n` calls of `op` fail.
    fn fail_times(&self, op: Self::Op, n: usize) {
        self.inject(op, Strike::Times(n));
    }

    /// Every call of `op` fails until [`InjectFailures::clear_failure`].
    fn fail_always(&self, op: Self::Op) {
        self.inject(op, Strike::Always);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: &mut Failures<&'static str>, calls: &[&'static str]) -> Vec<bool> {
        calls.iter().map(|op| f.strikes(op)).collect()
    }

    #[test]
    fn nothing_planned_never_fails() {
        let mut f = Failures::new();
        assert_eq!(run(&mut f, &["a", "b", "a"]), [false, false, false]);
    }

    #[test]
    fn next_fails_once_and_only_its_operation() {
        let mut f = Failures::new();
        f.add("a", Strike::Nth(1));
        assert_eq!(run(&mut f, &["b", "a", "a"]), [false, true, false]);
        assert!(!f.is_planned(&"a"));
    }

    #[test]
    fn nth_counts_calls_of_its_operation() {
        let mut f = Failures::new();
        f.add("save", Strike::Nth(3));
        assert_eq!(
            run(&mut f, &["save", "load", "save", "save", "save"]),
            [false, false, false, true, false]
        );
    }

    #[test]
    fn plans_add_up() {
        let mut f = Failures::new();
        f.add("a", Strike::Nth(1));
        f.add("a", Strike::Nth(1));
        assert_eq!(run(&mut f, &["a", "a", "a"]), [true, true, false]);
        f.add("a", Strike::Nth(2));
        f.add("a", Strike::Nth(1));
        assert_eq!(run(&mut f, &["a", "a", "a"]), [true, true, false]);
    }

    #[test]
    fn times_and_always() {
        let mut f = Failures::new();
        f.add("a", Strike::Times(2));
        assert_eq!(run(&mut f, &["a", "a", "a"]), [true, true, false]);
        f.add("b", Strike::Always);
        assert_eq!(run(&mut f, &["b", "b", "b"]), [true, true, true]);
        assert!(f.is_planned(&"b"));
        f.clear(&"b");
        assert_eq!(run(&mut f, &["b"]), [false]);
    }

    #[test]
    fn zero_plans_nothing() {
        let mut f = Failures::new();
        f.add("a", Strike::Nth(0));
        f.add("a", Strike::Times(0));
        assert!(!f.is_planned(&"a"));
        assert_eq!(run(&mut f, &["a"]), [false]);
    }

    #[test]
    fn the_trait_maps_each_helper_to_a_strike() {
        use std::sync::Mutex;
        #[derive(Default)]
        struct Fake(Mutex<Failures<u8>>);
        impl InjectFailures for Fake {
            type Op = u8;
            fn inject(&self, op: u8, strike: Strike) {
                self.0.lock().unwrap().add(op, strike);
            }
            fn clear_failure(&self, op: &u8) {
                self.0.lock().unwrap().clear(op);
            }
        }
        let fake = Fake::default();
        fake.fail_next(1);
        fake.fail_nth(2, 2);
        fake.fail_times(3, 2);
        fake.fail_always(4);
        let mut f = fake.0.lock().unwrap();
        assert_eq!(
            [1, 1, 2, 2, 3, 3, 3, 4, 4].map(|op| f.strikes(&op)),
            [true, false, false, true, true, true, false, true, true]
        );
        drop(f);
        fake.clear_failure(&4);
        assert!(!fake.0.lock().unwrap().strikes(&4));
    }
}

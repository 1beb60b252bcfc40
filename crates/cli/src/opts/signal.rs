//! Signal names and numbers for `--stop-signal`, `kill -s`, `pod kill -s`.

use crate::error::{CliError, Result};

/// Linux signal numbers by name (x86_64/aarch64 numbering), without `SIG`.
const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("IOT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("POLL", 29),
    ("PWR", 30),
    ("SYS", 31),
];

const SIGRTMIN: i32 = 34;
const SIGRTMAX: i32 = 64;

/// A signal, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(pub i32);

impl Signal {
    /// SIGTERM.
    pub const TERM: Signal = Signal(15);
    /// SIGKILL.
    pub const KILL: Signal = Signal(9);

    /// The canonical name, `SIGTERM`, or `SIGRTMIN+3`.
    pub fn name(self) -> String {
        if let Some((name, _)) = SIGNALS.iter().find(|(_, n)| *n == self.0) {
            return format!("SIG{name}");
        }
        if (SIGRTMIN..=SIGRTMAX).contains(&self.0) {
            return format!("SIGRTMIN+{}", self.0 - SIGRTMIN);
        }
        self.0.to_string()
    }
}

/// Parses a signal for `flag`: a number 1-64, or a name with or without
/// `SIG`, in any case (`TERM`, `sigkill`, `SIGRTMIN+3`, `RTMAX-1`).
pub fn parse_signal(flag: &str, value: &str) -> Result<Signal> {
    let bad = || {
        CliError::invalid(
            flag,
            value,
            "not a signal; use a name (TERM, SIGKILL, RTMIN+1) or a number 1-64",
        )
    };
    let text = value.trim();
    if let Ok(n) = text.parse::<i32>() {
        return if (1..=SIGRTMAX).contains(&n) {
            Ok(Signal(n))
        } else {
            Err(bad())
        };
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if let Some((_, n)) = SIGNALS.iter().find(|(s, _)| *s == name) {
        return Ok(Signal(*n));
    }
    let rt = |base: i32, rest: &str| -> Option<i32> {
        let n = if rest.is_empty() {
            base
        } else if let Some(off) = rest.strip_prefix('+') {
            base + off.parse::<i32>().ok()?
        } else if let Some(off) = rest.strip_prefix('-') {
            base - off.parse::<i32>().ok()?
        } else {
            return None;
        };
        (SIGRTMIN..=SIGRTMAX).contains(&n).then_some(n)
    };
    let n = if let Some(rest) = name.strip_prefix("RTMIN") {
        rt(SIGRTMIN, rest)
    } else if let Some(rest) = name.strip_prefix("RTMAX") {
        rt(SIGRTMAX, rest)
    } else {
        None
    };
    n.map(Signal).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse_signal("-s", "KILL").unwrap(), Signal::KILL);
        assert_eq!(parse_signal("-s", "SIGTERM").unwrap(), Signal::TERM);
        assert_eq!(parse_signal("-s", "sigint").unwrap(), Signal(2));
        assert_eq!(parse_signal("-s", "hup").unwrap(), Signal(1));
        assert_eq!(parse_signal("-s", "9").unwrap(), Signal(9));
        assert_eq!(parse_signal("-s", "RTMIN").unwrap(), Signal(34));
        assert_eq!(parse_signal("-s", "SIGRTMIN+3").unwrap(), Signal(37));
        assert_eq!(parse_signal("-s", "RTMAX-1").unwrap(), Signal(63));
        assert_eq!(parse_signal("-s", "64").unwrap(), Signal(64));
    }

    #[test]
    fn canonical_names() {
        assert_eq!(Signal(15).name(), "SIGTERM");
        assert_eq!(Signal(37).name(), "SIGRTMIN+3");
        assert_eq!(Signal(6).name(), "SIGABRT");
    }

    #[test]
    fn bad_signals_name_flag_and_value() {
        for bad in ["FOO", "0", "65", "-9", "", "RTMIN+40", "RTMINx", "SIG"] {
            let e = parse_signal("--stop-signal", bad).unwrap_err().to_string();
            assert!(e.contains("--stop-signal"), "{bad}: {e}");
            assert!(e.contains("not a signal"), "{bad}: {e}");
        }
    }
}

//! Signal names and numbers: the one parser for every signal berth reads, whether a user
//! typed it (`--stop-signal`, `kill -s`, `pod kill -s`) or an image carries it (`StopSignal`).
//!
//! A signal is a number 1-64 or a name with or without `SIG`, in any case (`TERM`,
//! `sigkill`, `SIGRTMIN+3`, `RTMAX-1`), with Linux's numbering (x86_64 and aarch64 agree).

use std::fmt;
use std::str::FromStr;

/// Linux signal numbers by name, without `SIG`. Aliases (`IOT`, `CLD`, `POLL`) follow the
/// name they alias, so [`Signal::name`] finds the usual one first.
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

/// The first real-time signal as glibc numbers it for programs (the kernel's 32 and 33
/// are taken by the C library).
const SIGRTMIN: i32 = 34;
/// The last real-time signal, and the highest signal number.
const SIGRTMAX: i32 = 64;

/// A signal, by number (1-64 when it came from [`str::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Signal(pub i32);

impl Signal {
    /// SIGTERM, what stops a container when neither the user nor the image names a signal.
    pub const TERM: Signal = Signal(libc::SIGTERM);
    /// SIGKILL.
    pub const KILL: Signal = Signal(libc::SIGKILL);

    /// The canonical name, `SIGTERM`, or `SIGRTMIN+3`; a number outside 1-64 as itself.
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

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// A text that names no signal; says what it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a signal name or number")]
pub struct InvalidSignal(pub String);

impl FromStr for Signal {
    type Err = InvalidSignal;

    /// A number 1-64, or a name with or without `SIG` in any case; surrounding white space is
    /// ignored. `RTMIN+n` and `RTMAX-n` name the real-time signals.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidSignal(value.to_owned());
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
                base.checked_add(off.parse::<i32>().ok()?)?
            } else if let Some(off) = rest.strip_prefix('-') {
                base.checked_sub(off.parse::<i32>().ok()?)?
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Signal, InvalidSignal> {
        s.parse()
    }

    #[test]
    fn names_and_numbers_in_every_spelling() {
        assert_eq!(parse("KILL").unwrap(), Signal::KILL);
        assert_eq!(parse("SIGTERM").unwrap(), Signal::TERM);
        assert_eq!(parse("sigint").unwrap(), Signal(libc::SIGINT));
        assert_eq!(parse("hup").unwrap(), Signal(libc::SIGHUP));
        assert_eq!(parse("quit").unwrap(), Signal(libc::SIGQUIT));
        assert_eq!(parse(" SIGQUIT ").unwrap(), Signal(libc::SIGQUIT));
        assert_eq!(parse("9").unwrap(), Signal(9));
        assert_eq!(parse("64").unwrap(), Signal(64));
        assert_eq!(parse("IOT").unwrap(), Signal(libc::SIGABRT));
        assert_eq!(parse("SIGCLD").unwrap(), Signal(libc::SIGCHLD));
        assert_eq!(parse("poll").unwrap(), Signal(libc::SIGIO));
    }

    #[test]
    fn real_time_signals_count_from_both_ends() {
        assert_eq!(parse("RTMIN").unwrap(), Signal(34));
        assert_eq!(parse("SIGRTMIN+3").unwrap(), Signal(37));
        assert_eq!(parse("sigrtmin+30").unwrap(), Signal(64));
        assert_eq!(parse("RTMAX").unwrap(), Signal(64));
        assert_eq!(parse("RTMAX-1").unwrap(), Signal(63));
        assert_eq!(parse("RTMAX-30").unwrap(), Signal(34));
    }

    #[test]
    fn the_table_agrees_with_the_c_library() {
        let libc_numbers = [
            ("HUP", libc::SIGHUP),
            ("INT", libc::SIGINT),
            ("QUIT", libc::SIGQUIT),
            ("ILL", libc::SIGILL),
            ("TRAP", libc::SIGTRAP),
            ("ABRT", libc::SIGABRT),
            ("IOT", libc::SIGIOT),
            ("BUS", libc::SIGBUS),
            ("FPE", libc::SIGFPE),
            ("KILL", libc::SIGKILL),
            ("USR1", libc::SIGUSR1),
            ("SEGV", libc::SIGSEGV),
            ("USR2", libc::SIGUSR2),
            ("PIPE", libc::SIGPIPE),
            ("ALRM", libc::SIGALRM),
            ("TERM", libc::SIGTERM),
            ("STKFLT", libc::SIGSTKFLT),
            ("CHLD", libc::SIGCHLD),
            ("CLD", libc::SIGCHLD),
            ("CONT", libc::SIGCONT),
            ("STOP", libc::SIGSTOP),
            ("TSTP", libc::SIGTSTP),
            ("TTIN", libc::SIGTTIN),
            ("TTOU", libc::SIGTTOU),
            ("URG", libc::SIGURG),
            ("XCPU", libc::SIGXCPU),
            ("XFSZ", libc::SIGXFSZ),
            ("VTALRM", libc::SIGVTALRM),
            ("PROF", libc::SIGPROF),
            ("WINCH", libc::SIGWINCH),
            ("IO", libc::SIGIO),
            ("POLL", libc::SIGPOLL),
            ("PWR", libc::SIGPWR),
            ("SYS", libc::SIGSYS),
        ];
        assert_eq!(SIGNALS, libc_numbers.as_slice());
        assert_eq!(SIGRTMIN, libc::SIGRTMIN());
        assert_eq!(SIGRTMAX, libc::SIGRTMAX());
    }

    #[test]
    fn canonical_names() {
        assert_eq!(Signal(15).name(), "SIGTERM");
        assert_eq!(Signal(37).name(), "SIGRTMIN+3");
        assert_eq!(Signal(6).name(), "SIGABRT");
        assert_eq!(Signal(17).to_string(), "SIGCHLD");
        assert_eq!(Signal(99).name(), "99");
    }

    #[test]
    fn bad_signals_are_refused_naming_the_text() {
        for bad in [
            "FOO",
            "0",
            "65",
            "-9",
            "",
            " ",
            "RTMIN+40",
            "RTMIN-1",
            "RTMAX+1",
            "RTMINx",
            "SIG",
            "SIGSIGTERM",
            "RTMIN+",
            "RTMIN+2147483647",
            "RTMAX-2147483648",
            "9x",
            "TERM KILL",
        ] {
            let e = parse(bad).unwrap_err();
            assert_eq!(e, InvalidSignal(bad.to_owned()));
            assert!(e.to_string().contains("is not a signal"), "{bad}: {e}");
        }
    }
}

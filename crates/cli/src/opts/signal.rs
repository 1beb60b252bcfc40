//! Signal flags (`--stop-signal`, `kill -s`, `pod kill -s`): berth-oci's parser, the one
//! every signal goes through, with the flag named in the error.

use crate::error::{CliError, Result};

pub use berth_runtime::Signal;

/// Parses a signal for `flag`: a number 1-64, or a name with or without
/// `SIG`, in any case (`TERM`, `sigkill`, `SIGRTMIN+3`, `RTMAX-1`).
pub fn parse_signal(flag: &str, value: &str) -> Result<Signal> {
    value.parse().map_err(|_| {
        CliError::invalid(
            flag,
            value,
            "not a signal; use a name (TERM, SIGKILL, RTMIN+1) or a number 1-64",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse_signal("-s", "KILL").unwrap(), Signal::KILL);
        assert_eq!(parse_signal("-s", "SIGTERM").unwrap(), Signal::TERM);
        assert_eq!(parse_signal("-s", "sigint").unwrap(), Signal(2));
        assert_eq!(parse_signal("-s", "RTMIN+3").unwrap(), Signal(37));
        assert_eq!(parse_signal("-s", "64").unwrap(), Signal(64));
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

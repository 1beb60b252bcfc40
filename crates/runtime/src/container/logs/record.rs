//! One record of conmon's k8s-file log: `TIMESTAMP STREAM P|F TEXT\n`, `P` marking a partial
//! line that the next record continues. The text is whatever bytes the container wrote, so
//! records are read as bytes; only the header has to be text.

use chrono::{DateTime, Utc};

/// Which output stream a log record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    /// stdout.
    Stdout,
    /// stderr.
    Stderr,
}

/// One parsed record, borrowing its text from the line it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRecord<'a> {
    /// When conmon read it.
    pub time: DateTime<Utc>,
    /// Its stream.
    pub stream: LogStream,
    /// Whether the next record continues the line (`P`), else the line ends here (`F`).
    pub partial: bool,
    /// The bytes the container wrote, without the newline.
    pub text: &'a [u8],
}

/// The longest header a record can have: an RFC 3339 time with nanoseconds and an offset
/// (35 bytes), ` stderr P ` and some slack. Enough to parse a record from its first bytes.
pub(crate) const HEADER_MAX: usize = 64;

/// Parses one record (with or without its trailing newline); `None` for a malformed one,
/// which readers skip, as podman does.
pub fn parse_record(line: &[u8]) -> Option<LogRecord<'_>> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let (time, rest) = split_word(line)?;
    let (stream, rest) = split_word(rest)?;
    let (flag, text) = match rest.iter().position(|&b| b == b' ') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b""[..]),
    };
    let time = DateTime::parse_from_rfc3339(std::str::from_utf8(time).ok()?)
        .ok()?
        .with_timezone(&Utc);
    let stream = match stream {
        b"stdout" => LogStream::Stdout,
        b"stderr" => LogStream::Stderr,
        _ => return None,
    };
    let partial = match flag {
        b"P" => true,
        b"F" => false,
        _ => return None,
    };
    Some(LogRecord {
        time,
        stream,
        partial,
        text,
    })
}

fn split_word(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let i = s.iter().position(|&b| b == b' ')?;
    Some((&s[..i], &s[i + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_parse_with_any_bytes_in_the_text() {
        let r = parse_record(b"2024-05-01T10:00:00.000000001+00:00 stderr P a\xff b\n").unwrap();
        assert_eq!(r.stream, LogStream::Stderr);
        assert!(r.partial);
        assert_eq!(r.text, b"a\xff b");
        let r = parse_record(b"2024-05-01T10:00:00Z stdout F").unwrap();
        assert_eq!(r.text, b"");
        assert!(!r.partial);
    }

    #[test]
    fn bad_records_are_none() {
        for bad in [
            &b""[..],
            b"x",
            b"2024-05-01T10:00:00Z",
            b"2024-05-01T10:00:00Z stdout",
            b"2024-05-01T10:00:00Z pipe F x",
            b"2024-05-01T10:00:00Z stdout X x",
            b"notatime stdout F x",
            b"\xff\xfe stdout F x",
        ] {
            assert!(parse_record(bad).is_none(), "{bad:?}");
        }
    }
}

//! Logs in conmon's k8s-file format: `TIMESTAMP STREAM P|F TEXT`, one record per line,
//! `P` marking a partial line continued by the next record.

use std::io::{BufRead, BufReader, Seek, Write};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// Which output stream a log line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    /// stdout.
    Stdout,
    /// stderr.
    Stderr,
}

/// One complete log line (partials joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When conmon read it (the first partial's time).
    pub time: DateTime<Utc>,
    /// Its stream.
    pub stream: LogStream,
    /// The text, without the newline.
    pub text: String,
}

/// `berth logs` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// Keep printing new lines until the container stops.
    pub follow: bool,
    /// Only the last N lines.
    pub tail: Option<usize>,
    /// Only lines at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only lines before this time.
    pub until: Option<DateTime<Utc>>,
    /// Prefix each line with its RFC 3339 time.
    pub timestamps: bool,
}

/// Parses one k8s-file record; `None` for a malformed one (skipped, as podman does).
fn parse_record(line: &str) -> Option<(DateTime<Utc>, LogStream, bool, &str)> {
    let mut parts = line.splitn(4, ' ');
    let time = DateTime::parse_from_rfc3339(parts.next()?)
        .ok()?
        .with_timezone(&Utc);
    let stream = match parts.next()? {
        "stdout" => LogStream::Stdout,
        "stderr" => LogStream::Stderr,
        _ => return None,
    };
    let partial = match parts.next()? {
        "P" => true,
        "F" => false,
        _ => return None,
    };
    Some((time, stream, partial, parts.next().unwrap_or("")))
}

/// Reads complete lines from a k8s-file log, joining partial records.
pub fn read_log(text: &str) -> Vec<LogLine> {
    let mut out = Vec::new();
    let mut pending: Option<LogLine> = None;
    for raw in text.lines() {
        let Some((time, stream, partial, body)) = parse_record(raw) else {
            continue;
        };
        let line = pending.get_or_insert_with(|| LogLine {
            time,
            stream,
            text: String::new(),
        });
        line.text.push_str(body);
        if !partial {
            out.extend(pending.take());
        }
    }
    out
}

fn select(lines: Vec<LogLine>, opts: &LogOptions) -> Vec<LogLine> {
    let mut lines: Vec<LogLine> = lines
        .into_iter()
        .filter(|l| opts.since.is_none_or(|s| l.time >= s))
        .filter(|l| opts.until.is_none_or(|u| l.time < u))
        .collect();
    if let Some(n) = opts.tail {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    lines
}

fn write_line(out: &mut dyn Write, l: &LogLine, opts: &LogOptions) -> std::io::Result<()> {
    if opts.timestamps {
        write!(
            out,
            "{} ",
            l.time.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        )?;
    }
    writeln!(out, "{}", l.text)
}

impl Runtime {
    /// Writes the container's log to `out` (both streams, in order).
    pub fn container_logs(
        &self,
        id_or_name: &str,
        opts: &LogOptions,
        out: &mut dyn Write,
    ) -> Result<()> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        let path = Path::new(&rec.config.log_path).to_path_buf();
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => Some(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("open log", &path, e)),
        };
        let mut text = String::new();
        if let Some(f) = &mut file {
            std::io::Read::read_to_string(f, &mut text)
                .map_err(|e| Error::io("read log", &path, e))?;
        }
        // Only complete records now; a trailing partial record waits for follow.
        let cut = text.rfind('\n').map_or(0, |i| i + 1);
        text.truncate(cut);
        let wio = |e| Error::io("write log output", "<output>", e);
        for l in select(read_log(&text), opts) {
            write_line(out, &l, opts).map_err(wio)?;
        }
        if !opts.follow {
            return Ok(());
        }
        let follow_opts = LogOptions {
            tail: None,
            ..opts.clone()
        };
        let mut pos = cut as u64;
        loop {
            let running = self.container(&rec.config.id)?.state.status.is_active();
            if file.is_none() {
                file = std::fs::File::open(&path).ok();
            }
            if let Some(f) = &mut file {
                f.seek(std::io::SeekFrom::Start(pos))
                    .map_err(|e| Error::io("seek log", &path, e))?;
                let mut reader = BufReader::new(&mut *f);
                let mut chunk = String::new();
                loop {
                    let mut line = String::new();
                    let n = reader
                        .read_line(&mut line)
                        .map_err(|e| Error::io("read log", &path, e))?;
                    // A partial last line is read again from `pos` next time.
                    if n == 0 || !line.ends_with('\n') {
                        break;
                    }
                    pos += n as u64;
                    chunk.push_str(&line);
                }
                for l in select(read_log(&chunk), &follow_opts) {
                    write_line(out, &l, opts).map_err(wio)?;
                }
                out.flush().map_err(wio)?;
            }
            if !running {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2024-05-01T10:00:00.000000001Z stdout F one\n\
        2024-05-01T10:00:01.5Z stderr P tw\n\
        2024-05-01T10:00:01.6Z stderr F o\n\
        garbage line\n\
        2024-05-01T10:00:02Z stdout F three\n\
        2024-05-01T10:00:03Z stdout F \n";

    #[test]
    fn records_are_joined_and_garbage_skipped() {
        let lines = read_log(LOG);
        let texts: Vec<_> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["one", "two", "three", ""]);
        assert_eq!(lines[1].stream, LogStream::Stderr);
    }

    #[test]
    fn tail_and_since_select() {
        let opts = LogOptions {
            tail: Some(2),
            ..LogOptions::default()
        };
        let t: Vec<_> = select(read_log(LOG), &opts)
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(t, ["three", ""]);
        let since = DateTime::parse_from_rfc3339("2024-05-01T10:00:01Z")
            .unwrap()
            .with_timezone(&Utc);
        let opts = LogOptions {
            since: Some(since),
            tail: Some(0),
            ..LogOptions::default()
        };
        assert!(select(read_log(LOG), &opts).is_empty());
        let opts = LogOptions {
            since: Some(since),
            ..LogOptions::default()
        };
        assert_eq!(select(read_log(LOG), &opts).len(), 3);
    }

    #[test]
    fn timestamps_prefix_lines() {
        let mut out = Vec::new();
        let l = &read_log(LOG)[0];
        write_line(
            &mut out,
            l,
            &LogOptions {
                timestamps: true,
                ..LogOptions::default()
            },
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2024-05-01T10:00:00.000000001Z one\n"
        );
    }

    #[test]
    fn bad_records_are_skipped_not_fatal() {
        for bad in [
            "",
            "x",
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00Z pipe F x",
            "2024-05-01T10:00:00Z stdout X x",
            "notatime stdout F x",
        ] {
            assert!(read_log(bad).is_empty(), "{bad}");
        }
    }
}

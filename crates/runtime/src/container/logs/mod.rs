//! `logs`: conmon's k8s-file log (see [`record`]) streamed to the caller in constant memory.
//! Records are written as podman writes them: the text's bytes unchanged (not necessarily
//! UTF-8), a newline after a full record only, with `--timestamps` each record's time first.
//! A line is a run of partial records ended by a full one; `--since`/`--until` and `--tail`
//! select whole lines by their first record's time, and `--tail` finds its start by reading
//! the file backwards from the end.

mod journal;
mod record;
mod tail;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::runtime::Runtime;

pub use record::{parse_record, LogRecord, LogStream};

/// A record longer than this is not conmon's (it writes at most a few KiB of text per
/// record): it is skipped without being held in memory.
const RECORD_MAX: usize = 1024 * 1024;

/// How often `logs -f` looks for new records.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

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
    /// Prefix each record with its RFC 3339 time.
    pub timestamps: bool,
    /// Written before each record (and before its time): the container's
    /// short id or name when several containers' logs are shown
    /// (`logs --names`, `--color` colours it).
    pub prefix: Option<String>,
}

impl LogOptions {
    fn keeps(&self, time: DateTime<Utc>) -> bool {
        self.since.is_none_or(|s| time >= s) && self.until.is_none_or(|u| time < u)
    }
}

/// Reads records forward from an offset, one at a time, remembering across calls where it
/// is (a record still being written is completed by a later call, for `--follow`).
struct LogReader {
    reader: BufReader<File>,
    /// The record being read, up to its newline.
    record: Vec<u8>,
    /// Inside a record too long to be one: dropping bytes up to the next newline.
    skipping: bool,
    /// Inside a line (after a partial record): whether that line is written.
    line_kept: Option<bool>,
}

impl LogReader {
    fn new(file: File) -> Self {
        Self {
            reader: BufReader::with_capacity(64 * 1024, file),
            record: Vec::new(),
            skipping: false,
            line_kept: None,
        }
    }

    /// Whether a whole record is in `self.record` (false at the end of the file for now).
    fn next_record(&mut self) -> std::io::Result<bool> {
        if self.record.last() == Some(&b'\n') {
            self.record.clear();
        }
        loop {
            let avail = self.reader.fill_buf()?;
            if avail.is_empty() {
                return Ok(false);
            }
            let (take, done) = match avail.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (avail.len(), false),
            };
            if !self.skipping {
                self.record.extend_from_slice(&avail[..take]);
            }
            self.reader.consume(take);
            if self.record.len() > RECORD_MAX {
                self.record.clear();
                self.skipping = true;
            }
            if done {
                if std::mem::take(&mut self.skipping) {
                    continue;
                }
                return Ok(true);
            }
        }
    }

    /// Writes every whole record up to the end of the file as it is now.
    fn pump(&mut self, out: &mut dyn Write, opts: &LogOptions, path: &Path) -> Result<()> {
        while self
            .next_record()
            .map_err(|e| Error::io("read log", path, e))?
        {
            let Some(rec) = parse_record(&self.record) else {
                continue;
            };
            let keep = *self.line_kept.get_or_insert_with(|| opts.keeps(rec.time));
            self.line_kept = if rec.partial { Some(keep) } else { None };
            if keep {
                write_record(out, &rec, opts).map_err(write_error)?;
            }
        }
        Ok(())
    }
}

fn write_record(
    out: &mut dyn Write,
    rec: &LogRecord<'_>,
    opts: &LogOptions,
) -> std::io::Result<()> {
    if let Some(p) = &opts.prefix {
        write!(out, "{p} ")?;
    }
    if opts.timestamps {
        write!(
            out,
            "{} ",
            rec.time.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
        )?;
    }
    out.write_all(rec.text)?;
    if !rec.partial {
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_error(e: std::io::Error) -> Error {
    Error::io("write log output", "<output>", e)
}

/// Opens the log at the offset `opts` asks for: the start, or where the last `--tail` lines
/// begin. `None` while conmon has not made the file yet.
fn open_log(path: &Path, opts: &LogOptions) -> Result<Option<LogReader>> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("open log", path, e)),
    };
    if let Some(n) = opts.tail {
        let end = file
            .metadata()
            .map_err(|e| Error::io("stat log", path, e))?
            .len();
        let start = tail::tail_start(&file, end, n, |t| opts.keeps(t))
            .map_err(|e| Error::io("read log", path, e))?;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| Error::io("seek log", path, e))?;
    }
    Ok(Some(LogReader::new(file)))
}

impl Runtime {
    /// Writes the container's log to `out` (both streams, in order), in constant memory
    /// whatever the log's size; with `follow`, until the container stops.
    pub fn container_logs(
        &self,
        id_or_name: &str,
        opts: &LogOptions,
        out: &mut dyn Write,
    ) -> Result<()> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        let driver = crate::options::RunSettings::from_extra(&rec.config.extra)
            .log
            .driver;
        match driver {
            d if d.writes_file() => {}
            crate::options::LogDriver::Journald => {
                return journal::write_journal(&rec.config.id, opts, out);
            }
            // podman's words, which scripts match.
            _ => {
                return Err(Error::invalid(
                    "log driver",
                    driver.name(),
                    format!(
                        "this container is using the '{}' log driver, cannot read logs",
                        driver.name()
                    ),
                ));
            }
        }
        let id = rec.config.id;
        let path = PathBuf::from(&rec.config.log_path);
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        let mut reader = open_log(&path, opts)?;
        // A file that appears while following is new: all of it is new lines.
        let later = LogOptions {
            tail: None,
            ..opts.clone()
        };
        loop {
            // Looked at before reading, so the lines written before it stopped are read.
            let running = opts.follow
                && match self.container(&id) {
                    Ok(r) => r.state.status.is_active(),
                    // Removed meanwhile (`run --rm`): it has stopped.
                    Err(e) if e.is_not_found() => false,
                    Err(e) => return Err(e),
                };
            if reader.is_none() {
                reader = open_log(&path, &later)?;
            }
            if let Some(r) = &mut reader {
                r.pump(&mut out, opts, &path)?;
            }
            out.flush().map_err(write_error)?;
            if !running {
                return Ok(());
            }
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &[u8] = b"2024-05-01T10:00:00.000000001Z stdout F one\n\
        2024-05-01T10:00:01.5Z stderr P tw\n\
        2024-05-01T10:00:01.6Z stderr F o\n\
        garbage line\n\
        2024-05-01T10:00:02Z stdout F thr\xffee\n\
        2024-05-01T10:00:03Z stdout F \n\
        2024-05-01T10:00:04Z stdout P par";

    fn logs(log: &[u8], opts: &LogOptions) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ctr.log");
        std::fs::write(&path, log).unwrap();
        let mut out = Vec::new();
        if let Some(mut r) = open_log(&path, opts).unwrap() {
            r.pump(&mut out, opts, &path).unwrap();
        }
        out
    }

    fn time(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn records_pass_through_byte_for_byte() {
        // The last record has no newline yet: it is still being written.
        assert_eq!(
            logs(LOG, &LogOptions::default()),
            b"one\ntwo\nthr\xffee\n\n".to_vec()
        );
        let done = [LOG, b"\n"].concat();
        assert_eq!(
            logs(&done, &LogOptions::default()),
            b"one\ntwo\nthr\xffee\n\npar".to_vec()
        );
    }

    #[test]
    fn tail_and_since_select_lines() {
        let tail = |n| LogOptions {
            tail: Some(n),
            ..LogOptions::default()
        };
        assert_eq!(logs(LOG, &tail(2)), b"thr\xffee\n\n".to_vec());
        assert_eq!(logs(LOG, &tail(3)), b"two\nthr\xffee\n\n".to_vec());
        assert!(logs(LOG, &tail(0)).is_empty());
        let since = LogOptions {
            since: Some(time("2024-05-01T10:00:01Z")),
            ..LogOptions::default()
        };
        assert_eq!(logs(LOG, &since), b"two\nthr\xffee\n\n".to_vec());
        let window = LogOptions {
            since: Some(time("2024-05-01T10:00:01Z")),
            until: Some(time("2024-05-01T10:00:03Z")),
            tail: Some(1),
            ..LogOptions::default()
        };
        assert_eq!(logs(LOG, &window), b"thr\xffee\n".to_vec());
        let none = LogOptions {
            since: Some(time("2024-05-01T10:00:01Z")),
            tail: Some(0),
            ..LogOptions::default()
        };
        assert!(logs(LOG, &none).is_empty());
    }

    #[test]
    fn timestamps_prefix_each_record_as_podman_does() {
        let opts = LogOptions {
            timestamps: true,
            tail: Some(4),
            ..LogOptions::default()
        };
        assert_eq!(
            String::from_utf8_lossy(&logs(LOG, &opts)),
            "2024-05-01T10:00:00.000000001Z one\n\
             2024-05-01T10:00:01.500000000Z tw2024-05-01T10:00:01.600000000Z o\n\
             2024-05-01T10:00:02.000000000Z thr\u{fffd}ee\n\
             2024-05-01T10:00:03.000000000Z \n"
        );
    }

    #[test]
    fn an_overlong_record_is_skipped_not_held() {
        let mut log = b"2024-05-01T10:00:00Z stdout F ".to_vec();
        log.extend(std::iter::repeat_n(b'x', RECORD_MAX + 10));
        log.extend_from_slice(b"\n2024-05-01T10:00:01Z stdout F after\n");
        let out = logs(&log, &LogOptions::default());
        assert!(out == b"after\n", "{} bytes", out.len());
    }

    #[test]
    fn a_record_is_completed_by_a_later_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ctr.log");
        std::fs::write(&path, b"2024-05-01T10:00:00Z stdout P he").unwrap();
        let opts = LogOptions::default();
        let mut r = open_log(&path, &opts).unwrap().unwrap();
        let mut out = Vec::new();
        r.pump(&mut out, &opts, &path).unwrap();
        assert!(out.is_empty());
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"llo\n2024-05-01T10:00:01Z stdout F !\n")
            .unwrap();
        r.pump(&mut out, &opts, &path).unwrap();
        assert_eq!(out, b"hello!\n".to_vec());
    }
}

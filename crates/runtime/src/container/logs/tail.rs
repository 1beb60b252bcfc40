//! `logs --tail N` without reading the whole log: the file is scanned backwards in blocks for
//! record boundaries until the last N lines (that pass `--since`/`--until`) are found; the
//! caller then streams forward from there. Memory stays one block whatever the file's size.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

use chrono::{DateTime, Utc};

use super::record::{parse_record, HEADER_MAX};

/// Bytes read per step backwards.
const BLOCK: usize = 64 * 1024;

/// Yields the complete records of `file[..end]` newest first, as `(start, end)` offsets.
struct Backwards<'f> {
    file: &'f File,
    /// A window of the file: `buf` holds the bytes at `buf_start..buf_start + buf.len()`.
    buf: Vec<u8>,
    buf_start: u64,
    /// End (after its newline) of the next record to yield; 0 when done.
    pos: u64,
}

impl<'f> Backwards<'f> {
    fn new(file: &'f File, end: u64) -> Self {
        Self {
            file,
            buf: Vec::new(),
            buf_start: 0,
            pos: end,
        }
    }

    /// Makes the window end at `end` (exclusive), reaching back at most one block.
    fn load(&mut self, end: u64) -> io::Result<()> {
        let start = end.saturating_sub(BLOCK as u64);
        self.buf
            .resize(usize::try_from(end - start).unwrap_or(BLOCK), 0);
        self.file.read_exact_at(&mut self.buf, start)?;
        self.buf_start = start;
        Ok(())
    }

    /// The offset of the last newline in `file[..limit]`, if any.
    fn newline_before(&mut self, limit: u64) -> io::Result<Option<u64>> {
        let mut search_end = limit;
        while search_end > 0 {
            let buf_end = self.buf_start + self.buf.len() as u64;
            if search_end <= self.buf_start || search_end > buf_end {
                self.load(search_end)?;
            }
            let upto = usize::try_from(search_end - self.buf_start).unwrap_or(0);
            match self.buf[..upto].iter().rposition(|&b| b == b'\n') {
                Some(i) => return Ok(Some(self.buf_start + i as u64)),
                None => search_end = self.buf_start,
            }
        }
        Ok(None)
    }

    /// Drops a record still being written (no newline yet) from the end.
    fn skip_incomplete(&mut self) -> io::Result<()> {
        self.pos = self.newline_before(self.pos)?.map_or(0, |i| i + 1);
        Ok(())
    }

    fn next_record(&mut self) -> io::Result<Option<(u64, u64)>> {
        if self.pos == 0 {
            return Ok(None);
        }
        let end = self.pos;
        // The record's own newline is at end - 1; the one before it ends the previous record.
        let start = self.newline_before(end - 1)?.map_or(0, |i| i + 1);
        self.pos = start;
        Ok(Some((start, end)))
    }

    /// The first bytes of the record at `start..end`, enough to parse its header (the
    /// text may be cut short; only the header is used).
    fn head(&self, start: u64, end: u64, out: &mut Vec<u8>) -> io::Result<()> {
        let want = (end - start).min(HEADER_MAX as u64);
        let buf_end = self.buf_start + self.buf.len() as u64;
        out.clear();
        if start >= self.buf_start && start + want <= buf_end {
            let from = usize::try_from(start - self.buf_start).unwrap_or(0);
            out.extend_from_slice(&self.buf[from..from + want as usize]);
        } else {
            out.resize(want as usize, 0);
            self.file.read_exact_at(out, start)?;
        }
        Ok(())
    }
}

/// The offset from which a forward read of `file[..end]` (a record being written at the end
/// is left out) yields exactly the last `n` lines
/// whose time passes `keep` (a line is a run of partial records ended by a full one, or by
/// the end of the file; its time is its first record's). Malformed records are skipped.
pub(crate) fn tail_start(
    file: &File,
    end: u64,
    n: usize,
    keep: impl Fn(DateTime<Utc>) -> bool,
) -> io::Result<u64> {
    let mut back = Backwards::new(file, end);
    back.skip_incomplete()?;
    if n == 0 {
        return Ok(back.pos);
    }
    let mut head = Vec::with_capacity(HEADER_MAX);
    let mut count = 0;
    // The time of the earliest record seen so far of the line being walked through.
    let mut line_time: Option<DateTime<Utc>> = None;
    while let Some((start, rec_end)) = back.next_record()? {
        back.head(start, rec_end, &mut head)?;
        let Some(rec) = parse_record(&head) else {
            continue;
        };
        if !rec.partial {
            // A full record ends the line before the one walked through so far.
            if line_time.take().is_some_and(&keep) {
                count += 1;
                if count == n {
                    return Ok(rec_end);
                }
            }
        }
        line_time = Some(rec.time);
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(text: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(text).unwrap();
        f
    }

    const LOG: &[u8] = b"2024-05-01T10:00:00Z stdout F one\n\
        2024-05-01T10:00:01Z stderr P tw\n\
        2024-05-01T10:00:02Z stderr F o\n\
        garbage\n\
        2024-05-01T10:00:03Z stdout F three\n\
        2024-05-01T10:00:04Z stdout P fo\n";

    fn start_of(n: usize, keep: impl Fn(DateTime<Utc>) -> bool) -> usize {
        let f = file_with(LOG);
        tail_start(&f, LOG.len() as u64, n, keep).unwrap() as usize
    }

    fn rest(from: usize) -> &'static str {
        std::str::from_utf8(&LOG[from..]).unwrap()
    }

    #[test]
    fn tail_counts_lines_not_records() {
        let all = |_| true;
        assert_eq!(start_of(0, all), LOG.len());
        assert!(rest(start_of(1, all)).starts_with("2024-05-01T10:00:04Z"));
        assert!(rest(start_of(2, all)).starts_with("garbage"));
        assert!(rest(start_of(3, all)).starts_with("2024-05-01T10:00:01Z"));
        assert_eq!(start_of(4, all), 0);
        assert_eq!(start_of(40, all), 0);
    }

    #[test]
    fn tail_counts_only_kept_lines() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Lines before 10:00:02 by their first record: "one" (0s) and "two" (1s).
        let before = t("2024-05-01T10:00:02Z");
        assert_eq!(start_of(2, |x| x < before), 0);
        let r = rest(start_of(1, |x| x < before));
        assert!(r.starts_with("2024-05-01T10:00:01Z"), "{r}");
    }

    #[test]
    fn records_longer_than_a_block_are_found() {
        let long = vec![b'x'; BLOCK * 2 + 17];
        let mut log = b"2024-05-01T10:00:00Z stdout F a\n".to_vec();
        let second = log.len();
        log.extend_from_slice(b"2024-05-01T10:00:01Z stdout F ");
        log.extend_from_slice(&long);
        log.push(b'\n');
        let third = log.len();
        log.extend_from_slice(b"2024-05-01T10:00:02Z stdout F c\n");
        let f = file_with(&log);
        let end = log.len() as u64;
        assert_eq!(tail_start(&f, end, 1, |_| true).unwrap(), third as u64);
        assert_eq!(tail_start(&f, end, 2, |_| true).unwrap(), second as u64);
        assert_eq!(tail_start(&f, end, 3, |_| true).unwrap(), 0);
    }
}

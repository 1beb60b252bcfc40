//! The `file` backend: one JSON line per event, appended by whichever berth process did the
//! work (no daemon). Writers take `events.log.lock` (flock) and append with `O_APPEND` in
//! one `write`; at the size limit the older half is dropped (podman's rotation: the newer
//! half from the first line break after the middle, written to a temporary file and renamed
//! over the log, then a `system log-rotation` event). Readers never lock: they read whole
//! lines, follow the file by polling, and after a rotation go on after the last line they
//! had seen.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::filter::EventFilters;
use super::types::{Event, EventStatus, EventType};
use crate::error::{Error, Result};
use crate::lock::LockGuard;

/// How often a follower looks for new lines.
const POLL: Duration = Duration::from_millis(100);

/// What `events` reads.
#[derive(Debug, Clone, Default)]
pub struct EventReadOptions {
    /// Conditions every event shown must meet.
    pub filters: EventFilters,
    /// Only events after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time; a follower stops once it has passed.
    pub until: Option<DateTime<Utc>>,
    /// Follow the log for new events (podman's `--stream`, default on).
    pub stream: bool,
}

impl EventReadOptions {
    /// podman starts at the end of the log when it streams without `--since`/`--until`.
    fn reads_from_start(&self) -> bool {
        !self.stream || self.since.is_some() || self.until.is_some()
    }

    fn wants(&self, e: &Event) -> bool {
        self.since.is_none_or(|s| e.time > s)
            && self.until.is_none_or(|u| e.time < u)
            && self.filters.matches(e)
    }
}

/// The events log file and its size limit (0 = never rotated).
#[derive(Debug, Clone)]
pub struct EventLog {
    path: PathBuf,
    max_size: u64,
}

impl EventLog {
    /// The log at `path`, rotated when a write would take it to `max_size` bytes.
    pub fn new(path: impl Into<PathBuf>, max_size: u64) -> Self {
        Self {
            path: path.into(),
            max_size,
        }
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(".lock");
        p.into()
    }

    /// Appends `e` (rotating first when the limit would be reached).
    pub fn write(&self, e: &Event) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            if !dir.exists() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|err| Error::io("create events dir", dir, err))?;
            }
        }
        let _lock = LockGuard::exclusive(&self.lock_path())?;
        let mut line = e.to_json();
        line.push('\n');
        if self.rotate_for(line.len() as u64)? {
            let mut r = Event::new(EventType::System, EventStatus::Rotate);
            r.name = self.path.to_string_lossy().into_owned();
            let mut rl = r.to_json();
            rl.push('\n');
            self.append(&rl)?;
        }
        self.append(&line)
    }

    fn append(&self, line: &str) -> Result<()> {
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.path)
            .map_err(|err| Error::io("open events log", &self.path, err))?;
        f.write_all(line.as_bytes())
            .map_err(|err| Error::io("write events log", &self.path, err))
    }

    /// Drops the older half of the log when `incoming` more bytes would reach the limit;
    /// whether it did. Called under the lock.
    fn rotate_for(&self, incoming: u64) -> Result<bool> {
        if self.max_size == 0 {
            return Ok(false);
        }
        let size = match std::fs::metadata(&self.path) {
            Ok(m) => m.len(),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(err) => return Err(Error::io("stat events log", &self.path, err)),
        };
        if size + incoming < self.max_size {
            return Ok(false);
        }
        let data = std::fs::read(&self.path)
            .map_err(|err| Error::io("read events log", &self.path, err))?;
        let half = data.len() / 2;
        let keep = match data[half..].iter().position(|&b| b == b'\n') {
            Some(nl) => &data[half + nl + 1..],
            None => &[][..],
        };
        let tmp = self
            .path
            .with_extension(format!("log.rotate-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            f.write_all(keep)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        };
        write().map_err(|err| {
            let _ = std::fs::remove_file(&tmp);
            Error::io("rotate events log", &self.path, err)
        })?;
        Ok(true)
    }

    /// Reads the events `opts` selects, oldest first, handing each to `sink` (which returns
    /// `false` to stop). Without `stream` it returns at the end of the log; with it, it
    /// follows the log until `keep_going` says no (checked about ten times a second) or
    /// `until` has passed.
    pub fn read(
        &self,
        opts: &EventReadOptions,
        keep_going: &dyn Fn() -> bool,
        sink: &mut dyn FnMut(&Event) -> bool,
    ) -> Result<()> {
        let mut reader = Reader {
            log: self,
            file: None,
            pos: 0,
            partial: Vec::new(),
            last_line: None,
        };
        reader.open(!opts.reads_from_start())?;
        loop {
            let more = reader.read_new(&mut |line| match serde_json::from_slice::<Event>(line) {
                Ok(e) => !opts.wants(&e) || sink(&e),
                Err(err) => {
                    tracing::debug!(error = %err, "skipping an events log line that does not decode");
                    true
                }
            })?;
            if !more {
                return Ok(());
            }
            if !opts.stream || opts.until.is_some_and(|u| Utc::now() >= u) || !keep_going() {
                return Ok(());
            }
            std::thread::sleep(POLL);
            reader.follow_rotation()?;
        }
    }
}

/// A reader's place in the log.
struct Reader<'a> {
    log: &'a EventLog,
    file: Option<File>,
    pos: u64,
    partial: Vec<u8>,
    /// The last whole line handed on, to find the place again after a rotation.
    last_line: Option<Vec<u8>>,
}

impl Reader<'_> {
    /// Opens the log (a missing one reads as empty until it appears), at its end or start.
    fn open(&mut self, at_end: bool) -> Result<()> {
        self.partial.clear();
        self.pos = 0;
        self.file = match File::open(&self.log.path) {
            Ok(f) => Some(f),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(Error::io("open events log", &self.log.path, err)),
        };
        if at_end {
            if let Some(f) = &self.file {
                self.pos = f
                    .metadata()
                    .map_err(|err| Error::io("stat events log", &self.log.path, err))?
                    .len();
            }
        }
        Ok(())
    }

    /// Hands on the whole lines written since the last read; `false` once the line handler
    /// said stop.
    fn read_new(&mut self, on_line: &mut dyn FnMut(&[u8]) -> bool) -> Result<bool> {
        let Some(f) = &self.file else {
            return Ok(true);
        };
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = f
                .read_at(&mut buf, self.pos)
                .map_err(|err| Error::io("read events log", &self.log.path, err))?;
            if n == 0 {
                return Ok(true);
            }
            self.pos += n as u64;
            self.partial.extend_from_slice(&buf[..n]);
            while let Some(nl) = self.partial.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.partial.drain(..=nl).collect();
                let line = &line[..line.len() - 1];
                if line.is_empty() {
                    continue;
                }
                self.last_line = Some(line.to_vec());
                if !on_line(line) {
                    return Ok(false);
                }
            }
        }
    }

    /// When the log was rotated (another file at the path, or a shorter one), reopens it
    /// at the line after the last one seen (the start when that line is gone).
    fn follow_rotation(&mut self) -> Result<()> {
        let now = match std::fs::metadata(&self.log.path) {
            Ok(m) => Some((m.dev(), m.ino(), m.len())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(Error::io("stat events log", &self.log.path, err)),
        };
        let ours = match &self.file {
            Some(f) => f.metadata().ok().map(|m| (m.dev(), m.ino())),
            None => None,
        };
        let replaced = match (now, ours) {
            (Some((dev, ino, len)), Some(o)) => (dev, ino) != o || len < self.pos,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if !replaced {
            return Ok(());
        }
        self.open(false)?;
        if let (Some(_), Some(last)) = (&self.file, &self.last_line) {
            let data = std::fs::read(&self.log.path)
                .map_err(|err| Error::io("read events log", &self.log.path, err))?;
            let mut start = 0usize;
            let mut after = None;
            for line in data.split_inclusive(|&b| b == b'\n') {
                start += line.len();
                if line.strip_suffix(b"\n") == Some(last.as_slice()) {
                    after = Some(start);
                }
            }
            if let Some(a) = after {
                self.pos = a as u64;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(name: &str) -> Event {
        let mut e = Event::new(EventType::Volume, EventStatus::Create);
        e.name = name.into();
        e
    }

    fn all(log: &EventLog) -> Vec<Event> {
        let mut out = Vec::new();
        log.read(&EventReadOptions::default(), &|| true, &mut |e| {
            out.push(e.clone());
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn writes_read_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events/events.log"), 0);
        assert!(all(&log).is_empty(), "a missing log reads empty");
        for i in 0..5 {
            log.write(&ev(&format!("v{i}"))).unwrap();
        }
        let names: Vec<_> = all(&log).into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["v0", "v1", "v2", "v3", "v4"]);
    }

    #[test]
    fn many_writers_lose_no_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.log"), 0);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        log.write(&ev(&format!("t{t}-{i}"))).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(all(&log).len(), 400);
    }

    #[test]
    fn rotation_keeps_the_newer_half_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let log = EventLog::new(dir.path().join("events.log"), 4000);
        for i in 0..100 {
            log.write(&ev(&format!("v{i:03}"))).unwrap();
        }
        let size = std::fs::metadata(log.path()).unwrap().len();
        assert!(size < 4000, "{size}");
        let got = all(&log);
        assert!(got.iter().any(|e| e.status == EventStatus::Rotate));
        let last = got.last().unwrap();
        assert_eq!(last.name, "v099");
        // What is kept is a run of the newest events, in order.
        let vols: Vec<u32> = got
            .iter()
            .filter(|e| e.kind == EventType::Volume)
            .map(|e| e.name[1..].parse().unwrap())
            .collect();
        assert!(vols.windows(2).all(|w| w[1] == w[0] + 1), "{vols:?}");
    }

    #[test]
    fn a_follower_sees_new_lines_across_a_rotation_once() {
        let dir = tempfile::tempdir().unwrap();
        // Big enough that the writer rotates about every half second: a follower polls ten
        // times a second, and one that falls behind by more than half the log loses lines
        // (as podman's does), which is not what this checks.
        let log = EventLog::new(dir.path().join("events.log"), 6000);
        log.write(&ev("before")).unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let since = Utc::now();
        let writer = {
            let log = log.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                for i in 0..60 {
                    log.write(&ev(&format!("w{i:02}"))).unwrap();
                    std::thread::sleep(Duration::from_millis(30));
                }
            })
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        // From `since` (not the end): the test does not race the writer's start.
        let opts = EventReadOptions {
            stream: true,
            since: Some(since),
            ..Default::default()
        };
        log.read(&opts, &|| std::time::Instant::now() < deadline, &mut |e| {
            if e.kind == EventType::Volume {
                seen.push(e.name.clone());
            }
            seen.len() < 60
        })
        .unwrap();
        writer.join().unwrap();
        let want: Vec<String> = (0..60).map(|i| format!("w{i:02}")).collect();
        assert_eq!(seen, want, "a rotation repeats nothing and loses nothing");
        let kept = std::fs::read_to_string(log.path()).unwrap();
        assert!(
            !kept.contains("\"before\""),
            "the log was rotated at least once"
        );
    }
}

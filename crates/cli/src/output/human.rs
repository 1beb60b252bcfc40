//! Human forms podman prints: relative times ("2 hours ago"), container
//! status ("Up 3 seconds ago", "Exited (0) 2 minutes ago"), sizes
//! ("1.23 MB"), and 12-character IDs.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// go-units' `HumanDuration`: "Less than a second", "1 second",
/// "About a minute", "3 hours", "2 weeks", ...
pub fn human_duration(d: Duration) -> String {
    let seconds = d.as_secs();
    if seconds < 1 {
        return "Less than a second".into();
    }
    if seconds == 1 {
        return "1 second".into();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = seconds / 60;
    if minutes == 1 {
        return "About a minute".into();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (d.as_secs_f64() / 3600.0 + 0.5) as u64;
    if hours == 1 {
        return "About an hour".into();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", seconds / 3600 / 24 / 365)
}

/// "3 seconds ago" for a time before `now` (a time in the future counts
/// as now).
pub fn time_ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = (now - then).to_std().unwrap_or(Duration::ZERO);
    format!("{} ago", human_duration(d))
}

/// The state of a container, as podman's STATUS column needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusView {
    /// Created (or configured), never started.
    Created,
    /// Running since the time.
    Running {
        /// When it started.
        started: DateTime<Utc>,
    },
    /// Paused.
    Paused,
    /// Being stopped.
    Stopping,
    /// Exited (or stopped) with the code at the time.
    Exited {
        /// Its exit code.
        code: i32,
        /// When it exited.
        finished: DateTime<Utc>,
    },
    /// Being removed.
    Removing,
    /// The state cannot be read.
    Unknown,
    /// A root filesystem in storage that is no container of berth's
    /// (`ps --external`).
    Storage,
}

impl StatusView {
    /// The state as one lowercase word (`running`, `exited`, ...): the
    /// `State` of `ps --format json` and what `--filter status=` matches.
    pub fn word(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Running { .. } => "running",
            Self::Paused => "paused",
            Self::Stopping => "stopping",
            Self::Exited { .. } => "exited",
            Self::Removing => "removing",
            Self::Unknown => "unknown",
            Self::Storage => "storage",
        }
    }
}

/// podman's STATUS text: "Up 3 seconds ago", "Exited (0) 2 minutes ago",
/// "Created", "Paused".
pub fn status_text(status: StatusView, now: DateTime<Utc>) -> String {
    match status {
        StatusView::Created => "Created".into(),
        StatusView::Running { started } => format!("Up {}", time_ago(started, now)),
        StatusView::Paused => "Paused".into(),
        StatusView::Stopping => "Stopping".into(),
        StatusView::Exited { code, finished } => {
            format!("Exited ({code}) {}", time_ago(finished, now))
        }
        StatusView::Removing => "Removing".into(),
        StatusView::Unknown => "Unknown".into(),
        StatusView::Storage => "Storage".into(),
    }
}

/// go-units' `HumanSizeWithPrecision(size, 3)`, decimal units: "2 MB",
/// "1.23 GB", "703 kB", "0 B".
pub fn human_size(bytes: u64) -> String {
    let (size, unit) = decimal_units(bytes);
    format!("{} {unit}", significant(size, 3))
}

/// go-units' `HumanSize` (four significant digits, no space): "1.997MB",
/// "512B", as `image tree` prints sizes.
pub fn human_size_compact(bytes: u64) -> String {
    let (size, unit) = decimal_units(bytes);
    format!("{}{unit}", significant(size, 4))
}

/// A byte count in go-units' decimal units: the value (below 1000 up to
/// `kB`..`YB`) and the unit's name.
pub(super) fn decimal_units(bytes: u64) -> (f64, &'static str) {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    (size, UNITS[unit])
}

/// A non-negative value below 1000 as Go's `%.Ng` prints it there: `digits`
/// significant digits, trailing zeros after the point dropped (`0`, `12.5`,
/// `1.23`).
pub(super) fn significant(v: f64, digits: i32) -> String {
    let whole = if v < 1.0 {
        1
    } else {
        v.log10().floor() as i32 + 1
    };
    let decimals = (digits - whole).max(0) as usize;
    let mut s = format!("{v:.decimals$}");
    // Rounding may carry into one more digit (999.5 -> "1000"); Go prints
    // "1e+03" there, which podman never shows since the unit moves first.
    trim_fraction_zeros(&mut s);
    s
}

/// Drops the zeros that end a decimal fraction, and the point when
/// nothing is left after it (`1.500` -> `1.5`, `2.000` -> `2`); a number
/// without a point is left as it is (`1000`).
pub(super) fn trim_fraction_zeros(s: &mut String) {
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
}

/// The first 12 characters of an ID, as podman shows IDs unless
/// `--no-trunc`.
pub fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    match id.char_indices().nth(12) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// podman's COMMAND column: the words joined, cut to 17 characters and
/// `...` unless `no_trunc`.
pub fn command_text(command: &[String], no_trunc: bool) -> String {
    let joined = command.join(" ");
    if !no_trunc && joined.chars().count() > 17 {
        let cut: String = joined.chars().take(17).collect();
        format!("{cut}...")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn secs(s: u64) -> String {
        human_duration(Duration::from_secs(s))
    }

    #[test]
    fn durations_follow_go_units() {
        assert_eq!(
            human_duration(Duration::from_millis(400)),
            "Less than a second"
        );
        assert_eq!(secs(1), "1 second");
        assert_eq!(secs(3), "3 seconds");
        assert_eq!(secs(59), "59 seconds");
        assert_eq!(secs(60), "About a minute");
        assert_eq!(secs(119), "About a minute");
        assert_eq!(secs(120), "2 minutes");
        assert_eq!(secs(59 * 60 + 59), "59 minutes");
        assert_eq!(secs(3600), "About an hour");
        assert_eq!(secs(5399), "About an hour");
        assert_eq!(secs(5400), "2 hours");
        assert_eq!(secs(47 * 3600), "47 hours");
        assert_eq!(secs(48 * 3600), "2 days");
        assert_eq!(secs(13 * 86400), "13 days");
        assert_eq!(secs(14 * 86400), "2 weeks");
        assert_eq!(secs(59 * 86400), "8 weeks");
        assert_eq!(secs(60 * 86400), "2 months");
        assert_eq!(secs(729 * 86400), "24 months");
        assert_eq!(secs(730 * 86400), "2 years");
    }

    #[test]
    fn statuses_match_podman_4_3() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let ago = |s: i64| now - chrono::Duration::seconds(s);
        assert_eq!(status_text(StatusView::Created, now), "Created");
        assert_eq!(
            status_text(StatusView::Running { started: ago(3) }, now),
            "Up 3 seconds ago"
        );
        assert_eq!(
            status_text(StatusView::Running { started: ago(0) }, now),
            "Up Less than a second ago"
        );
        assert_eq!(
            status_text(
                StatusView::Exited {
                    code: 0,
                    finished: ago(150)
                },
                now
            ),
            "Exited (0) 2 minutes ago"
        );
        assert_eq!(
            status_text(
                StatusView::Exited {
                    code: 137,
                    finished: ago(90)
                },
                now
            ),
            "Exited (137) About a minute ago"
        );
        assert_eq!(status_text(StatusView::Paused, now), "Paused");
        assert_eq!(StatusView::Running { started: now }.word(), "running");
        assert_eq!(
            StatusView::Exited {
                code: 1,
                finished: now
            }
            .word(),
            "exited"
        );
        assert_eq!(StatusView::Unknown.word(), "unknown");
        assert_eq!(
            time_ago(now + chrono::Duration::seconds(5), now),
            "Less than a second ago"
        );
    }

    #[test]
    fn sizes_like_podman() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1000), "1 kB");
        assert_eq!(human_size(703_000), "703 kB");
        assert_eq!(human_size(1_997_895), "2 MB");
        assert_eq!(human_size(1_234_567), "1.23 MB");
        assert_eq!(human_size(12_345_678), "12.3 MB");
        assert_eq!(human_size(5_500_000_000), "5.5 GB");
        assert_eq!(decimal_units(1_500), (1.5, "kB"));
        assert_eq!(decimal_units(u64::MAX).1, "EB");
        assert_eq!(significant(0.0, 3), "0");
        assert_eq!(significant(12.5, 4), "12.5");
        assert_eq!(significant(1.2345, 3), "1.23");
        assert_eq!(significant(703.0, 3), "703");
        for (raw, trimmed) in [
            ("1.500", "1.5"),
            ("2.000", "2"),
            ("1000", "1000"),
            ("0.0", "0"),
        ] {
            let mut s = raw.to_owned();
            trim_fraction_zeros(&mut s);
            assert_eq!(s, trimmed);
        }
    }

    #[test]
    fn ids_and_commands() {
        assert_eq!(short_id("65c3dba0d2724aaec27bc2a1cb52"), "65c3dba0d272");
        assert_eq!(short_id("sha256:5a4a530fe686df2c7565"), "5a4a530fe686");
        assert_eq!(short_id("abc"), "abc");
        let cmd: Vec<String> = ["sh", "-c", "echo a very long command line here"]
            .map(String::from)
            .to_vec();
        assert_eq!(command_text(&cmd, false), "sh -c echo a very...");
        assert_eq!(
            command_text(&cmd, true),
            "sh -c echo a very long command line here"
        );
        assert_eq!(
            command_text(&["sleep".into(), "1000".into()], false),
            "sleep 1000"
        );
    }
}

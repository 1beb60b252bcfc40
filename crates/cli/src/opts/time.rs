//! Durations and points in time given on the command line: `wait
//! --interval`, `logs --since/--until`, `--filter until=`.

use crate::error::{CliError, Result};
use chrono::{DateTime, TimeZone, Utc};
use std::time::Duration;

/// Parses a Go-style duration (`250ms`, `1h30m`, `2.5s`, units h, m, s,
/// ms, us, ns). A bare number is taken in `bare_unit`.
pub fn parse_duration(flag: &str, value: &str, bare_unit: Duration) -> Result<Duration> {
    let bad = || CliError::invalid(flag, value, "expected a duration such as 250ms, 10s, 1h30m");
    let text = value.trim();
    if let Ok(n) = text.parse::<f64>() {
        if n.is_finite() && n >= 0.0 {
            // A number too large for a Duration is refused, never a panic.
            return Duration::try_from_secs_f64(bare_unit.as_secs_f64() * n).map_err(|_| bad());
        }
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = text;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return Err(bad()),
        };
        total += n * seconds;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > 1e12 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(total))
}

/// Parses a point in time: RFC 3339 (`2026-01-01T00:00:00Z`), a Unix time
/// in seconds (decimals allowed), or a duration before `now` (`10m`).
pub fn parse_time(flag: &str, value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() {
            let whole = secs.trunc() as i64;
            let nanos = ((secs - secs.trunc()) * 1e9) as u32;
            if let Some(t) = Utc.timestamp_opt(whole, nanos).single() {
                return Ok(t);
            }
        }
    }
    let ago = parse_duration(flag, value, Duration::from_secs(1)).map_err(|_| {
        CliError::invalid(
            flag,
            value,
            "expected an RFC 3339 time, a Unix time, or a duration before now (10m, 2h)",
        )
    })?;
    let ago = chrono::Duration::from_std(ago)
        .map_err(|_| CliError::invalid(flag, value, "the duration is too long"))?;
    Ok(now - ago)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = Duration::from_millis(1);
        assert_eq!(
            parse_duration("-i", "250ms", ms).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            parse_duration("-i", "250", ms).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(
            parse_duration("-i", "1h30m", ms).unwrap(),
            Duration::from_secs(5400)
        );
        assert_eq!(
            parse_duration("-i", "2.5s", ms).unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            parse_duration("-i", "10us", ms).unwrap(),
            Duration::from_micros(10)
        );
        for bad in ["", "s", "10x", "-1s", "1h30", "ms10", "1e400"] {
            let e = parse_duration("--interval", bad, ms)
                .unwrap_err()
                .to_string();
            assert!(e.contains("--interval"), "{bad}: {e}");
        }
    }

    #[test]
    fn times() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        assert_eq!(
            parse_time("--since", "10m", now).unwrap(),
            now - chrono::Duration::minutes(10)
        );
        assert_eq!(parse_time("--since", "0", now).unwrap().timestamp(), 0);
        assert_eq!(
            parse_time("--since", "1.5", now)
                .unwrap()
                .timestamp_millis(),
            1500
        );
        assert_eq!(
            parse_time("--since", "2026-05-31T23:00:00+01:00", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 5, 31, 22, 0, 0).unwrap()
        );
        for bad in ["yesterday", "", "10 m"] {
            let e = parse_time("--since", bad, now).unwrap_err().to_string();
            assert!(e.contains("--since"), "{bad}: {e}");
        }
    }
}

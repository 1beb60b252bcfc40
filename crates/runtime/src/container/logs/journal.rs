//! `logs` of a container whose driver is journald: conmon tags each record with the
//! container's full id (`CONTAINER_ID_FULL`), and `journalctl` reads them back.

use std::io::Write;
use std::process::{Command, Stdio};

use super::LogOptions;
use crate::error::{Error, Result};

/// `journalctl`'s arguments for the records of container `id` under `opts`.
pub(super) fn journalctl_args(id: &str, opts: &LogOptions) -> Vec<String> {
    let mut a = vec!["--no-pager".to_owned(), "--output".into(), "cat".into()];
    if let Some(n) = opts.tail {
        a.push(format!("--lines={n}"));
    }
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    if let Some(s) = opts.since {
        a.push(format!("--since={}", time(s)));
    }
    if let Some(u) = opts.until {
        a.push(format!("--until={}", time(u)));
    }
    a.push(format!("CONTAINER_ID_FULL={id}"));
    a
}

/// Copies the journal's records of container `id` to `out`.
pub(super) fn write_journal(id: &str, opts: &LogOptions, out: &mut dyn Write) -> Result<()> {
    let args = journalctl_args(id, opts);
    let output = Command::new("journalctl")
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io("run", "journalctl", e))?;
    if !output.status.success() {
        return Err(Error::invalid(
            "log driver",
            "journald",
            format!(
                "journalctl failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        ));
    }
    let prefix = opts.prefix.as_deref().unwrap_or("");
    for line in output.stdout.split_inclusive(|b| *b == b'\n') {
        out.write_all(prefix.as_bytes())
            .and_then(|()| out.write_all(line))
            .map_err(super::write_error)?;
    }
    out.flush().map_err(super::write_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_select_the_container_and_the_window() {
        let opts = LogOptions {
            tail: Some(3),
            since: Some(chrono::DateTime::from_timestamp(0, 0).unwrap()),
            ..LogOptions::default()
        };
        assert_eq!(
            journalctl_args("abc", &opts),
            [
                "--no-pager",
                "--output",
                "cat",
                "--lines=3",
                "--since=1970-01-01 00:00:00 UTC",
                "CONTAINER_ID_FULL=abc"
            ]
        );
    }
}

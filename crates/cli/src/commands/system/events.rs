//! `events` (`system events`): the runtime reads the events log; this file
//! turns the flags into [`EventReadOptions`] and prints each event as podman
//! does (its one-line form, `json`, or a Go template). Streaming follows the
//! log until SIGINT or SIGTERM (exit 0) or `--until` passes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::cli::EventsArgs;
use crate::error::CliError;
use crate::opts::filter::filter_error;
use crate::opts::time::{parse_duration, parse_time};
use berth_runtime::{Event, EventReadOptions, Runtime};
use berth_template::Template;

/// How each event prints.
#[derive(Debug)]
pub enum EventFormat {
    /// podman's line; `truncate` shortens ids (`--no-trunc=false`).
    Human {
        /// Shorten ids to 12 characters.
        truncate: bool,
    },
    /// One JSON object per line.
    Json,
    /// A Go template per event.
    Template(Template),
}

/// `events` parsed: what to read and how to print it.
#[derive(Debug)]
pub struct Parsed {
    /// The selection.
    pub read: EventReadOptions,
    /// The output.
    pub format: EventFormat,
}

/// Checks the flags before the runtime opens: a bad filter, time or
/// template is refused (exit 125).
pub fn parse(a: &EventsArgs) -> anyhow::Result<Parsed> {
    let now = Utc::now();
    let filters = berth_runtime::parse_event_filters(&a.filter).map_err(filter_error)?;
    let since = a
        .since
        .as_deref()
        .map(|v| parse_time("--since", v, now))
        .transpose()?;
    let until = a
        .until
        .as_deref()
        .map(|v| parse_until(v, now))
        .transpose()?;
    let format = match a.format.as_deref().map(str::trim) {
        None | Some("") => EventFormat::Human {
            truncate: !a.no_trunc,
        },
        Some("json") => EventFormat::Json,
        Some(_) => {
            let raw = a.format.as_deref().unwrap_or_default();
            let text = raw.replace("\\t", "\t").replace("\\n", "\n");
            let t = Template::parse(&text)
                .map_err(|e| CliError::invalid("--format", raw, e.to_string()))?;
            EventFormat::Template(t)
        }
    };
    Ok(Parsed {
        read: EventReadOptions {
            filters,
            since,
            until,
            stream: a.stream,
        },
        format,
    })
}

/// `--until`: as `--since`, except that a duration is a time after now
/// (podman's rule: `--until 10s` follows for ten more seconds).
fn parse_until(value: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(d) = parse_duration("--until", value, std::time::Duration::from_secs(1)) {
        if value.parse::<f64>().is_err() {
            let d = chrono::Duration::from_std(d)
                .map_err(|_| CliError::invalid("--until", value, "the duration is too long"))?;
            return Ok(now + d);
        }
    }
    Ok(parse_time("--until", value, now)?)
}

/// Reads and prints the events.
pub fn run(rt: &Runtime, p: &Parsed) -> anyhow::Result<u8> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, Arc::clone(&stop))
            .map_err(|e| anyhow::Error::new(e).context("catching SIGINT and SIGTERM"))?;
    }
    let mut failed: Option<anyhow::Error> = None;
    let mut out = std::io::stdout().lock();
    rt.read_events(
        &p.read,
        &|| !stop.load(Ordering::SeqCst),
        &mut |e| match print(&mut out, e, &p.format) {
            Ok(()) => true,
            Err(err) => {
                failed = Some(err);
                false
            }
        },
    )?;
    match failed {
        Some(e) => match e.downcast_ref::<std::io::Error>() {
            // A reader that went away (`| head`) ends the listing quietly.
            Some(io) if io.kind() == std::io::ErrorKind::BrokenPipe => Ok(0),
            _ => Err(e),
        },
        None => Ok(0),
    }
}

fn print(out: &mut impl std::io::Write, e: &Event, format: &EventFormat) -> anyhow::Result<()> {
    let mut line = match format {
        EventFormat::Human { truncate } => e.to_human(*truncate),
        EventFormat::Json => e.to_json(),
        EventFormat::Template(t) => t.render(&e.to_row()).map_err(|err| {
            CliError::invalid("--format", "template", format!("rendering an event: {err}"))
        })?,
    };
    if !line.ends_with('\n') {
        line.push('\n');
    }
    out.write_all(line.as_bytes())?;
    out.flush()?;
    Ok(())
}

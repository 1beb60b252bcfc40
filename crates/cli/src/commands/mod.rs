//! The command handlers: each group over berth-runtime (images over the
//! storage layer), printing podman's output.

pub mod containers;
pub mod convert;
pub mod generate;
pub mod healthcheck;
pub mod images;
pub mod inspect;
pub mod io;
pub mod manifests;
pub mod networks;
pub mod pods;
pub mod registry;
pub mod secrets;
pub mod system;
pub mod version;
pub mod volumes;

use crate::cli::GlobalOptions;
use crate::error::{CliError, Coded};
use crate::output::{format::to_inspect_json, quiet_ids, render_listing, Listing, OutputFormat};
use berth_runtime::{ContainerRecord, ListOptions, PruneReport, Runtime};
use serde_json::Value;
use std::io::Write;

/// Opens the runtime, runs `f` on it and shuts the runtime down again,
/// whatever `f` returned; `f`'s result is the command's.
pub fn with_runtime(
    g: &GlobalOptions,
    f: impl FnOnce(&Runtime) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    let rt = crate::engine::runtime(g)?;
    let r = f(&rt);
    let _ = rt.shutdown(false);
    r
}

/// Writes `text` to stdout (a closed pipe is not an error worth a panic).
pub fn out(text: &str) -> anyhow::Result<()> {
    let mut o = std::io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// Every container, running or not (the set `ps -a` lists).
pub fn all_containers(rt: &Runtime) -> berth_runtime::Result<Vec<ContainerRecord>> {
    rt.list_containers(&ListOptions {
        all: true,
        pod: None,
    })
}

/// The ID of the most recently created container, if there is any: what
/// `--latest` acts on.
pub fn newest_container(rt: &Runtime) -> berth_runtime::Result<Option<String>> {
    Ok(all_containers(rt)?
        .into_iter()
        .max_by_key(|r| r.config.created)
        .map(|r| r.config.id))
}

/// The output of a listing's `--quiet`: the rows' IDs, one a line, short
/// unless `no_trunc` ([`quiet_ids`]); the command's exit code.
pub fn print_quiet_ids<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    no_trunc: bool,
) -> anyhow::Result<u8> {
    out(&quiet_ids(ids, no_trunc))?;
    Ok(0)
}

/// Prints a listing in the `--format` asked for ([`render_listing`]); the
/// command's exit code.
pub fn print_listing(
    format: &OutputFormat,
    listing: &Listing,
    template_rows: &[Value],
    json_rows: &[Value],
    noheading: bool,
) -> anyhow::Result<u8> {
    out(&render_listing(
        format,
        listing,
        template_rows,
        json_rows,
        noheading,
    )?)?;
    Ok(0)
}

/// `inspect`-style output in a `--format` parsed with the command:
/// `json` (four-space array) or a template per object.
pub fn render_objects_as(format: &OutputFormat, objs: &[Value]) -> anyhow::Result<u8> {
    match format {
        OutputFormat::Json | OutputFormat::Default => out(&to_inspect_json(objs))?,
        OutputFormat::Template(t) | OutputFormat::Table(t) => {
            let mut s = String::new();
            for o in objs {
                let line = t
                    .render(&crate::output::go_field_aliases(o))
                    .map_err(CliError::from)?;
                s.push_str(&line);
                if !line.ends_with('\n') {
                    s.push('\n');
                }
            }
            out(&s)?;
        }
    }
    Ok(0)
}

/// A runtime error with its exit code: 125, or 126/127 for a command that
/// cannot be run (as `run` reports them).
pub fn run_error(e: berth_runtime::Error) -> anyhow::Error {
    with_exit_code(e, crate::error::run_exit_code)
}

/// As [`run_error`], with exec's classification.
pub fn exec_error(e: berth_runtime::Error) -> anyhow::Error {
    with_exit_code(e, crate::error::exec_exit_code)
}

/// `e` carrying the exit code `code` gives its kind when that is not 125.
fn with_exit_code(
    e: berth_runtime::Error,
    code: fn(berth_runtime::ErrorKind) -> u8,
) -> anyhow::Error {
    match code(e.kind()) {
        crate::error::EXIT_BERTH => e.into(),
        c => Coded::wrap(c, e),
    }
}

/// A container's exit code as a process exit code.
pub fn exit_byte(code: i32) -> u8 {
    u8::try_from(code.rem_euclid(256)).unwrap_or(125)
}

/// Runs `f` on each of several targets and reports their errors as
/// [`finish`] does.
pub fn each(ids: &[String], mut f: impl FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<u8> {
    finish(ids.iter().filter_map(|id| f(id).err()).collect())
}

/// Reports the errors of several targets: all but the last are printed,
/// the last is returned (podman's behaviour for `rm a b c`).
pub fn finish(errors: Vec<anyhow::Error>) -> anyhow::Result<u8> {
    let n = errors.len();
    for (i, e) in errors.into_iter().enumerate() {
        if i + 1 == n {
            return Err(e);
        }
        eprintln!("{}", crate::error::render(&e));
    }
    Ok(0)
}

/// Asks podman's `[y/N]` question `warning` on stdout; whether the answer was yes.
pub fn confirm(warning: &str) -> anyhow::Result<bool> {
    let mut input = std::io::stdin().lock();
    let mut o = std::io::stdout();
    let yes = crate::prompt::confirm(warning, &mut input, &mut o)?;
    o.flush()?;
    Ok(yes)
}

/// Prints the IDs (volume names) a prune removed, one a line, then its
/// failures as [`finish`] reports them.
pub fn print_prune_report(report: PruneReport) -> anyhow::Result<u8> {
    let mut text = String::new();
    for id in report.ids() {
        text.push_str(id);
        text.push('\n');
    }
    out(&text)?;
    finish(
        report
            .errors
            .into_iter()
            .map(|f| anyhow::Error::new(f.error))
            .collect(),
    )
}

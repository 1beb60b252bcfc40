//! `top`: the processes of a container.

use super::select::names;
use super::Parsed;
use crate::cli::TopArgs;
use crate::commands::print_listing;
use crate::opts::targets::Selection;
use crate::output::OutputFormat;
use berth_runtime::{Runtime, TopRow};
use serde_json::Value;
use std::time::Duration;

/// Parses `top`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: &TopArgs) -> anyhow::Result<Parsed> {
    let words = if a.latest {
        &a.args[..]
    } else {
        &a.args[1.min(a.args.len())..]
    };
    Ok(Parsed::Top {
        sel: Selection::latest_or_named(a.latest, &a.args[..a.args.len().min(1)])?,
        format: descriptors(words)?,
    })
}

/// The ps(1) descriptors (and their AIX `%` forms) berth can show, with the
/// field of `top`'s rows each is.
const DESCRIPTORS: [(&str, &str, &str); 8] = [
    ("user", "%U", "User"),
    ("pid", "%p", "PID"),
    ("ppid", "%P", "PPID"),
    ("pcpu", "%C", "CPU"),
    ("etime", "%t", "Elapsed"),
    ("tty", "%y", "TTY"),
    ("time", "%x", "Time"),
    ("args", "%a", "Command"),
];

/// podman's (psgo's) descriptors the table cannot show yet.
const NOT_YET: [&str; 22] = [
    "capamb", "capbnd", "capeff", "capinh", "capprm", "comm", "group", "groups", "hgroup",
    "hgroups", "hpid", "huser", "label", "nice", "pgid", "rgroup", "rss", "ruser", "seccomp",
    "state", "stime", "vsz",
];

/// The table the ps descriptors after the container (or pod) choose, words
/// split at commas as podman does (shared with `pod top`); none is the
/// default table. A descriptor berth cannot show, or ps(1) options (`-eo`),
/// are refused by name.
pub(crate) fn descriptors(words: &[String]) -> anyhow::Result<OutputFormat> {
    let mut fields = Vec::new();
    for d in words
        .iter()
        .flat_map(|w| w.split(','))
        .filter(|d| !d.is_empty())
    {
        if let Some((_, _, f)) = DESCRIPTORS.iter().find(|(n, a, _)| *n == d || *a == d) {
            fields.push(format!("{{{{.{f}}}}}"));
        } else if NOT_YET.contains(&d) || d.starts_with('-') {
            anyhow::bail!("ps descriptor {d:?} is not supported yet");
        } else {
            anyhow::bail!("'{d}': unknown descriptor");
        }
    }
    if fields.is_empty() {
        return Ok(OutputFormat::Default);
    }
    Ok(crate::output::parse_format(
        "--format",
        Some(&format!("table {}", fields.join("\t"))),
    )?)
}

/// Runs `top`.
pub(super) fn run(rt: &Runtime, sel: &Selection, format: &OutputFormat) -> anyhow::Result<u8> {
    let names = names(rt, sel)?;
    print_top(&rt.container_top(&names[0])?, format)
}

/// Prints processes in podman's `top` table, or the columns `format`
/// chose (shared with `pod top`).
pub(crate) fn print_top(rows: &[TopRow], format: &OutputFormat) -> anyhow::Result<u8> {
    let t: Vec<Value> = rows
        .iter()
        .map(|r| {
            crate::output::stats::TopSummary {
                user: r.user.clone(),
                pid: i32::try_from(r.pid).unwrap_or(0),
                ppid: i32::try_from(r.ppid).unwrap_or(0),
                cpu: 0.0,
                elapsed: Duration::ZERO,
                tty: "?".into(),
                time: r.cpu_time,
                command: r.command.clone(),
            }
            .template_row()
        })
        .collect();
    print_listing(format, &crate::output::stats::TOP, &t, &t, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn descriptors_choose_columns() {
        assert!(matches!(descriptors(&[]).unwrap(), OutputFormat::Default));
        assert!(matches!(
            descriptors(&words(&["pid,user", "%a"])).unwrap(),
            OutputFormat::Table(_)
        ));
        let e = descriptors(&words(&["pid", "bogus"])).unwrap_err();
        assert_eq!(e.to_string(), "'bogus': unknown descriptor");
        let e = descriptors(&words(&["-eo", "pid"])).unwrap_err();
        assert!(e.to_string().contains("not supported yet"), "{e}");
    }
}

//! `secret ls` and `secret inspect`: podman's rows, JSON objects and `--pretty` text.

use crate::cli::SecretInspectArgs;
use crate::commands::{out, print_listing, render_objects_as};
use crate::output::{parse_format, time_ago, Listing, OutputFormat};
use berth_runtime::{Runtime, Secret};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// `secret ls`: ID, NAME, DRIVER, CREATED, UPDATED.
const SECRETS: Listing = Listing {
    default_template: "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}",
    headers: &[("CreatedAt", "CREATED"), ("UpdatedAt", "UPDATED")],
};

/// podman's `--pretty` template.
const PRETTY: &str = "ID:              {{.ID}}\nName:              {{.Spec.Name}}\n\
{{- if .Spec.Labels }}\nLabels:\n{{- range $k, $v := .Spec.Labels }}\n - {{ $k }}{{if $v }}={{ $v }}{{ end }}\n{{- end }}{{ end }}\n\
Driver:            {{.Spec.Driver.Name}}\nCreated at:        {{.CreatedAt}}\nUpdated at:        {{.UpdatedAt}}";

/// Runs `secret ls`.
pub(super) fn list(
    rt: &Runtime,
    filters: &[(String, String)],
    format: &OutputFormat,
    noheading: bool,
    quiet: bool,
) -> anyhow::Result<u8> {
    let secrets = rt.list_secrets_filtered(filters)?;
    if quiet {
        for s in &secrets {
            out(&format!("{}\n", s.id))?;
        }
        return Ok(0);
    }
    let now = Utc::now();
    let rows: Vec<Value> = secrets
        .iter()
        .map(|s| {
            json!({
                "ID": s.id,
                "Name": s.name,
                "Driver": s.driver,
                "CreatedAt": time_ago(s.created_at, now),
                "UpdatedAt": time_ago(s.updated_at, now),
            })
        })
        .collect();
    print_listing(format, &SECRETS, &rows, &rows, noheading)
}

/// Runs `secret inspect`: the secrets found are printed, then the first missing one is the
/// error (the others on stderr), as podman.
pub(super) fn inspect(
    rt: &Runtime,
    a: &SecretInspectArgs,
    format: &OutputFormat,
) -> anyhow::Result<u8> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for n in &a.secrets {
        match rt.inspect_secret(n) {
            Ok(s) => found.push(s),
            Err(e) if e.kind() == berth_runtime::ErrorKind::NotFound => errors.push(e),
            Err(e) => return Err(e.into()),
        }
    }
    if a.pretty {
        let pretty = parse_format("--pretty", Some(PRETTY))?;
        let objs: Vec<Value> = found.iter().map(|s| object(s, go_time)).collect();
        render_objects_as(&pretty, &objs)?;
    } else if matches!(format, OutputFormat::Template(_) | OutputFormat::Table(_)) {
        let objs: Vec<Value> = found.iter().map(|s| object(s, go_time)).collect();
        render_objects_as(format, &objs)?;
    } else {
        let objs: Vec<Value> = found.iter().map(|s| object(s, rfc3339)).collect();
        render_objects_as(&OutputFormat::Json, &objs)?;
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(0),
        Some(first) => {
            for e in errors {
                eprintln!("error inspecting secret: {e}");
            }
            Err(anyhow::Error::from(first).context("inspecting secret"))
        }
    }
}

fn go_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.9f %z %Z").to_string()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// podman's inspect object of a secret.
fn object(s: &Secret, time: fn(DateTime<Utc>) -> String) -> Value {
    json!({
        "ID": s.id,
        "CreatedAt": time(s.created_at),
        "UpdatedAt": time(s.updated_at),
        "Spec": {
            "Name": s.name,
            "Driver": {"Name": s.driver, "Options": s.driver_options},
            "Labels": s.labels,
        },
    })
}

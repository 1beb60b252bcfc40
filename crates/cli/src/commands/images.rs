//! The image commands, over the storage layer: `images`, `import`, `load`,
//! `save`, `rmi`, `tag`, `untag`, `image inspect/history/prune/exists`.

use super::{out, print_listing, print_quiet_ids, render_objects};
use crate::cli::{GlobalOptions, ImageCommand, ImageListArgs, ImportArgs};
use crate::engine;
use crate::error::CliError;
use crate::opts::{filter::parse_filters, FilterTarget};
use crate::output::{
    human::{human_size, short_id, time_ago},
    parse_format,
    rows::{ImageSummary, IMAGES, IMAGES_DIGESTS},
    Matcher,
};
use berth_storage::{ImageRecord, ImportOptions, Store};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Runs an image command.
pub fn run(g: &GlobalOptions, c: &ImageCommand) -> anyhow::Result<u8> {
    use crate::cli::RegistryCommand;
    match c {
        ImageCommand::Pull(a) => return super::registry::run(g, &RegistryCommand::Pull(a.clone())),
        ImageCommand::Push(a) => return super::registry::run(g, &RegistryCommand::Push(a.clone())),
        _ => {}
    }
    let store = engine::store(g)?;
    match c {
        ImageCommand::List(a) => list(&store, a),
        ImageCommand::Import(a) => import(&store, a),
        ImageCommand::Load(a) => {
            let input = a.input.clone().ok_or_else(|| {
                CliError::invalid("--input", "", "give the archive to load with -i FILE")
            })?;
            let images = store.load(&input)?;
            for i in images {
                if i.names.is_empty() {
                    out(&format!("Loaded image: sha256:{}\n", i.id))?;
                }
                for n in &i.names {
                    out(&format!("Loaded image: {n}\n"))?;
                }
            }
            Ok(0)
        }
        ImageCommand::Save(a) => {
            let output = a.output.clone().ok_or_else(|| {
                CliError::invalid("--output", "", "give the archive to write with -o FILE")
            })?;
            let format: berth_storage::ArchiveFormat = a.format.parse()?;
            let names: Vec<&str> = a.images.iter().map(String::as_str).collect();
            store.save(&names, format, &output)?;
            Ok(0)
        }
        ImageCommand::Rm(a) => {
            let targets: Vec<String> = if a.all {
                store.images()?.into_iter().map(|i| i.id).collect()
            } else {
                a.images.clone()
            };
            let mut failed = None;
            for t in &targets {
                match store.remove_image(t, a.force) {
                    Ok(r) => {
                        for n in &r.untagged {
                            out(&format!("Untagged: {n}\n"))?;
                        }
                        if r.deleted {
                            out(&format!("Deleted: {}\n", r.id))?;
                        }
                    }
                    Err(e) if a.ignore && is_unknown(&e) => {}
                    Err(e) => {
                        if failed.is_some() {
                            eprintln!("Error: {e}");
                        }
                        failed = Some(e);
                    }
                }
            }
            match failed {
                Some(e) => Err(e.into()),
                None => Ok(0),
            }
        }
        ImageCommand::Tag(a) => {
            for t in &a.targets {
                store.tag_image(&a.image, t)?;
            }
            Ok(0)
        }
        ImageCommand::Untag(a) => {
            let img = store.image(&a.image)?;
            let names = if a.names.is_empty() {
                img.names.clone()
            } else {
                a.names.clone()
            };
            for n in &names {
                store.untag_image(&img.id, n)?;
            }
            Ok(0)
        }
        ImageCommand::Inspect(a) => {
            let mut objs = Vec::new();
            for i in &a.images {
                objs.push(inspect_json(&store.inspect_image(i)?));
            }
            render_objects(&a.format, &objs)
        }
        ImageCommand::History(a) => history(&store, a),
        ImageCommand::Prune(a) => prune(g, a),
        ImageCommand::Pull(_) | ImageCommand::Push(_) => Ok(0), // handled above
        ImageCommand::Exists(a) => match store.image(&a.image) {
            Ok(_) => Ok(0),
            Err(e) if is_unknown(&e) => Ok(1),
            Err(e) => Err(e.into()),
        },
    }
}

/// `image prune`: the runtime removes the images no container uses that are
/// dangling (or any, with `--all`) and pass the `--filter`s; their IDs.
fn prune(g: &GlobalOptions, a: &crate::cli::ImagePruneArgs) -> anyhow::Result<u8> {
    let filters = crate::opts::filter::parse_prune_filters(&a.filter)?;
    super::with_runtime(g, |rt| {
        let report = rt.prune_images(&berth_runtime::ImagePruneOptions {
            all: a.all,
            filters,
        })?;
        super::system::print_prune_report(report)
    })
}

/// A "no such image" error.
fn is_unknown(e: &berth_storage::Error) -> bool {
    matches!(e, berth_storage::Error::ImageNotFound(_))
}

fn created(i: &ImageRecord) -> DateTime<Utc> {
    i.created
        .as_deref()
        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
        .map_or(DateTime::UNIX_EPOCH, |d| d.with_timezone(&Utc))
}

/// The `images` row of a stored image.
pub fn summary(i: &ImageRecord) -> ImageSummary {
    ImageSummary {
        id: i.id.clone(),
        names: i.names.clone(),
        digest: i.manifest_digest.clone(),
        created: created(i),
        size: i.size,
        labels: i.config.labels.clone(),
        containers: 0,
        read_only: false,
    }
}

fn list(store: &Store, a: &ImageListArgs) -> anyhow::Result<u8> {
    let filters = parse_filters(FilterTarget::Images, &a.filter)?;
    let format = parse_format("--format", a.format.as_deref())?;
    let now = Utc::now();
    let images = store.images()?;
    let lookup = |r: &str| store.image(r).ok().map(|i| created(&i));
    let matcher = Matcher::new(&filters, now, &lookup)?;
    let mut rows: Vec<ImageSummary> = images
        .iter()
        .map(summary)
        .filter(|s| matcher.image(s))
        .filter(|s| {
            a.image.as_ref().is_none_or(|want| {
                s.names.iter().any(|n| {
                    n == want
                        || crate::output::rows::split_reference(n)
                            .0
                            .ends_with(want.as_str())
                })
            })
        })
        .collect();
    crate::output::sort::sort_images(&mut rows, &a.sort);
    if a.quiet {
        return print_quiet_ids(rows.iter().map(|r| r.id.as_str()), a.no_trunc);
    }
    let template: Vec<Value> = rows
        .iter()
        .flat_map(|r| r.template_rows(now, a.no_trunc))
        .collect();
    let json_rows: Vec<Value> = rows.iter().map(ImageSummary::json).collect();
    let listing = if a.digests { IMAGES_DIGESTS } else { IMAGES };
    print_listing(&format, &listing, &template, &json_rows, a.noheading)
}

/// `--change` instructions import understands.
fn apply_change(opts: &mut ImportOptions, change: &str) -> anyhow::Result<()> {
    let (word, rest) = change.trim().split_once([' ', '=']).unwrap_or((change, ""));
    let rest = rest.trim();
    let words = || -> Vec<String> {
        serde_json::from_str::<Vec<String>>(rest)
            .unwrap_or_else(|_| vec!["/bin/sh".into(), "-c".into(), rest.to_owned()])
    };
    match word.to_ascii_uppercase().as_str() {
        "CMD" => opts.cmd = Some(words()),
        "ENTRYPOINT" => opts.entrypoint = Some(words()),
        "ENV" => opts
            .env
            .push(rest.replacen(' ', "=", usize::from(!rest.contains('=')))),
        "WORKDIR" => opts.working_dir = Some(rest.to_owned()),
        "USER" => opts.user = Some(rest.to_owned()),
        "STOPSIGNAL" => opts.stop_signal = Some(rest.to_owned()),
        "EXPOSE" => opts
            .exposed_ports
            .extend(rest.split_whitespace().map(|p| {
                if p.contains('/') {
                    p.to_owned()
                } else {
                    format!("{p}/tcp")
                }
            })),
        "VOLUME" => opts.volumes.extend(
            serde_json::from_str::<Vec<String>>(rest)
                .unwrap_or_else(|_| rest.split_whitespace().map(str::to_owned).collect()),
        ),
        "LABEL" => {
            for pair in label_pairs(rest) {
                let (k, v) = pair.split_once('=').ok_or_else(|| {
                    CliError::invalid("--change", change, "LABEL takes KEY=VALUE pairs")
                })?;
                opts.labels.insert(k.to_owned(), v.to_owned());
            }
        }
        _ => {
            return Err(CliError::invalid(
                "--change",
                change,
                "import understands CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR",
            )
            .into())
        }
    }
    Ok(())
}

/// `KEY=VALUE` words of a LABEL line; double quotes group spaces and are dropped.
fn label_pairs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn import(store: &Store, a: &ImportArgs) -> anyhow::Result<u8> {
    let mut opts = ImportOptions {
        names: a.reference.iter().cloned().collect(),
        message: a.message.clone(),
        ..ImportOptions::default()
    };
    for c in &a.change {
        apply_change(&mut opts, c)?;
    }
    let rec = if a.path == "-" {
        store.import(&mut std::io::stdin().lock(), &opts)?
    } else {
        let file = std::fs::File::open(&a.path)
            .map_err(|e| anyhow::Error::new(e).context(format!("opening {}", a.path)))?;
        let len = file.metadata().map(|m| m.len()).ok();
        let bar = crate::progress::Progress::for_stderr(len, "Importing");
        let mut r = bar.wrap_read(file);
        let rec = store.import(&mut r, &opts)?;
        bar.clear();
        rec
    };
    out(&format!("sha256:{}\n", rec.id))?;
    Ok(0)
}

fn history(store: &Store, a: &crate::cli::HistoryArgs) -> anyhow::Result<u8> {
    let format = parse_format("--format", a.format.as_deref())?;
    let img = store.image(&a.image)?;
    let now = Utc::now();
    let entries = store.image_history(&a.image)?;
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for (n, h) in entries.iter().rev().enumerate() {
        let created = h
            .created
            .as_deref()
            .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
            .map_or(DateTime::UNIX_EPOCH, |d| d.with_timezone(&Utc));
        let id = if n == 0 {
            img.id.clone()
        } else {
            "<missing>".to_owned()
        };
        let layer_size = if h.empty_layer { 0 } else { img.size };
        rows.push(json!({
            "ID": if a.no_trunc || id.len() < 12 { id.clone() } else { short_id(&id).to_owned() },
            "Created": time_ago(created, now),
            "CreatedBy": h.created_by.clone().unwrap_or_default(),
            "Size": human_size(layer_size),
            "Comment": h.comment.clone().unwrap_or_default(),
        }));
        json_rows.push(json!({
            "id": id,
            "created": h.created,
            "CreatedBy": h.created_by,
            "size": layer_size,
            "comment": h.comment,
        }));
    }
    if a.quiet {
        for r in &rows {
            out(&format!("{}\n", r["ID"].as_str().unwrap_or_default()))?;
        }
        return Ok(0);
    }
    let listing = crate::output::format::Listing {
        default_template: "{{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
        headers: &[("ID", "ID"), ("CreatedBy", "CREATED BY")],
    };
    print_listing(&format, &listing, &rows, &json_rows, false)
}

/// podman's `image inspect` object for a stored image.
pub fn inspect_json(i: &ImageRecord) -> Value {
    let repo_digests: Vec<String> = i
        .names
        .iter()
        .map(|n| {
            format!(
                "{}@{}",
                crate::output::rows::split_reference(n).0,
                i.manifest_digest
            )
        })
        .collect();
    json!({
        "Id": i.id,
        "Digest": i.manifest_digest,
        "RepoTags": i.names,
        "RepoDigests": repo_digests,
        "Created": i.created,
        "Config": {
            "User": i.config.user,
            "Env": i.config.env,
            "Cmd": i.config.cmd,
            "Entrypoint": i.config.entrypoint,
            "WorkingDir": i.config.working_dir,
            "Labels": i.config.labels,
            "StopSignal": i.config.stop_signal,
        },
        "Architecture": i.architecture,
        "Os": i.os,
        "Size": i.size,
        "VirtualSize": i.size,
        "RootFS": {"Type": "layers", "Layers": i.diff_ids},
        "History": i.history,
        "NamesHistory": i.names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_changes_cover_podmans_instructions() {
        let mut o = ImportOptions::default();
        for c in [
            "CMD [\"sh\"]",
            "ENV A=1",
            "ENV B 2",
            "EXPOSE 80 53/udp",
            "VOLUME [\"/data\"]",
            "VOLUME /logs /cache",
            "LABEL a=1 \"b=two words\"",
            "USER nobody",
            "STOPSIGNAL SIGQUIT",
            "WORKDIR /srv",
        ] {
            apply_change(&mut o, c).unwrap();
        }
        assert_eq!(o.cmd, Some(vec!["sh".to_owned()]));
        assert_eq!(o.env, ["A=1", "B=2"]);
        assert_eq!(o.exposed_ports, ["80/tcp", "53/udp"]);
        assert_eq!(o.volumes, ["/data", "/logs", "/cache"]);
        assert_eq!(o.labels["b"], "two words");
        assert_eq!(o.user.as_deref(), Some("nobody"));
        assert_eq!(o.stop_signal.as_deref(), Some("SIGQUIT"));
        for bad in ["ONBUILD RUN x", "LABEL novalue", "FROM x"] {
            let e = apply_change(&mut o, bad).unwrap_err().to_string();
            assert!(e.contains("--change"), "{bad}: {e}");
        }
    }
}

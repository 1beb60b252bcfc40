//! The image commands over the runtime's image API: `images`, `import`,
//! `load`, `save`, `rmi`, `tag`, `untag`, `image inspect/history/exists/prune`.

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
use berth_runtime::{
    ArchiveFormat, ImageListOptions, ImageRemoveOptions, ImageSaveOptions, ImportOptions, Runtime,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::io::IsTerminal;

/// Runs an image command.
pub fn run(g: &GlobalOptions, c: &ImageCommand) -> anyhow::Result<u8> {
    use crate::cli::RegistryCommand;
    match c {
        ImageCommand::Pull(a) => super::registry::run(g, &RegistryCommand::Pull(a.clone())),
        ImageCommand::Push(a) => super::registry::run(g, &RegistryCommand::Push(a.clone())),
        ImageCommand::List(a) => with_images(g, |rt| list(rt, a)),
        ImageCommand::Import(a) => {
            let opts = import_options(a)?;
            with_images(g, |rt| import(rt, a, &opts))
        }
        ImageCommand::Load(a) => {
            let input = a.input.clone().ok_or_else(|| {
                CliError::invalid("--input", "", "give the archive to load with -i FILE")
            })?;
            with_images(g, |rt| {
                for i in rt.load_images(&input)? {
                    if i.names.is_empty() {
                        out(&format!("Loaded image: sha256:{}\n", i.id))?;
                    }
                    for n in &i.names {
                        out(&format!("Loaded image: {n}\n"))?;
                    }
                }
                Ok(0)
            })
        }
        ImageCommand::Save(a) => {
            let output = a.output.clone().ok_or_else(|| {
                CliError::invalid("--output", "", "give the archive to write with -o FILE")
            })?;
            let opts = ImageSaveOptions {
                images: a.images.clone(),
                format: a.format.parse::<ArchiveFormat>()?,
                output,
            };
            with_images(g, |rt| {
                rt.save_images(&opts)?;
                Ok(0)
            })
        }
        ImageCommand::Rm(a) => with_images(g, |rt| {
            let report = rt.remove_images(&ImageRemoveOptions {
                images: a.images.clone(),
                all: a.all,
                force: a.force,
                ignore_missing: a.ignore,
            })?;
            for n in &report.untagged {
                out(&format!("Untagged: {n}\n"))?;
            }
            for id in &report.deleted {
                out(&format!("Deleted: {id}\n"))?;
            }
            let mut errors = report.errors;
            let last = errors.pop();
            for e in &errors {
                eprintln!("Error: {e}");
            }
            last.map_or(Ok(0), |e| Err(e.into()))
        }),
        ImageCommand::Tag(a) => with_images(g, |rt| {
            rt.tag_image(&a.image, &a.targets)?;
            Ok(0)
        }),
        ImageCommand::Untag(a) => with_images(g, |rt| {
            rt.untag_image(&a.image, &a.names)?;
            Ok(0)
        }),
        ImageCommand::Inspect(a) => with_images(g, |rt| {
            let mut objs = Vec::new();
            for i in &a.images {
                objs.push(serde_json::to_value(rt.inspect_image(i)?)?);
            }
            render_objects(&a.format, &objs)
        }),
        ImageCommand::History(a) => with_images(g, |rt| history(rt, a)),
        ImageCommand::Prune(a) => prune(g, a),
        ImageCommand::Exists(a) => with_images(g, |rt| Ok(u8::from(!rt.image_exists(&a.image)?))),
    }
}

/// Opens the image runtime, runs `f` on it and shuts it down again.
fn with_images(
    g: &GlobalOptions,
    f: impl FnOnce(&Runtime) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    let rt = engine::image_runtime(g)?;
    let r = f(&rt);
    let _ = rt.shutdown(false);
    r
}

/// `image prune`: the runtime removes the images no container uses that are
/// dangling (or any, with `--all`) and pass the `--filter`s; their IDs.
fn prune(g: &GlobalOptions, a: &crate::cli::ImagePruneArgs) -> anyhow::Result<u8> {
    let filters = crate::opts::filter::parse_prune_filters(&a.filter)?;
    let warning = if a.all {
        crate::prompt::IMAGE_PRUNE_ALL
    } else {
        crate::prompt::IMAGE_PRUNE
    };
    if !a.force && !super::system::confirm(warning)? {
        return Ok(0);
    }
    super::with_runtime(g, |rt| {
        let report = rt.prune_images(&berth_runtime::ImagePruneOptions {
            all: a.all,
            filters,
        })?;
        super::system::print_prune_report(report)
    })
}

/// The `images` row of an image the runtime listed.
fn row(i: &berth_runtime::ImageSummary) -> ImageSummary {
    ImageSummary {
        id: i.id.clone(),
        names: i.names.clone(),
        digest: i.digest.clone(),
        created: i.created.unwrap_or(DateTime::UNIX_EPOCH),
        size: i.size,
        labels: i.labels.clone(),
        containers: 0,
        read_only: false,
    }
}

fn list(rt: &Runtime, a: &ImageListArgs) -> anyhow::Result<u8> {
    let filters = parse_filters(FilterTarget::Images, &a.filter)?;
    let format = parse_format("--format", a.format.as_deref())?;
    let now = Utc::now();
    let images = rt.list_images(&ImageListOptions {
        name: a.image.clone(),
    })?;
    let lookup = |r: &str| rt.image_summary(r).ok().map(|i| row(&i).created);
    let matcher = Matcher::new(&filters, now, &lookup)?;
    let mut rows: Vec<ImageSummary> = images
        .iter()
        .map(row)
        .filter(|s| matcher.image(s))
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

/// Import options for these flags; a bad `--change` is refused before
/// anything is opened.
fn import_options(a: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let mut opts = ImportOptions {
        names: a.reference.iter().cloned().collect(),
        message: a.message.clone(),
        architecture: a.arch.clone(),
        os: a.os.clone(),
        variant: a.variant.clone(),
        ..ImportOptions::default()
    };
    for c in &a.change {
        berth_runtime::apply_import_change(&mut opts, c).map_err(|e| match e {
            berth_runtime::Error::InvalidArgument { reason, .. } => {
                CliError::invalid("--change", c, reason).into()
            }
            e => anyhow::Error::new(e),
        })?;
    }
    Ok(opts)
}

fn import(rt: &Runtime, a: &ImportArgs, opts: &ImportOptions) -> anyhow::Result<u8> {
    let rec = if a.path == "-" {
        rt.import_image(&mut std::io::stdin().lock(), opts)?
    } else {
        let file = std::fs::File::open(&a.path)
            .map_err(|e| anyhow::Error::new(e).context(format!("opening {}", a.path)))?;
        let len = file.metadata().map(|m| m.len()).ok();
        // `-q`: no progress bar even on a terminal.
        let bar = crate::progress::Progress::new(
            len,
            "Importing",
            !a.quiet && std::io::stderr().is_terminal(),
        );
        let mut r = bar.wrap_read(file);
        let rec = rt.import_image(&mut r, opts)?;
        bar.clear();
        rec
    };
    out(&format!("sha256:{}\n", rec.id))?;
    Ok(0)
}

fn history(rt: &Runtime, a: &crate::cli::HistoryArgs) -> anyhow::Result<u8> {
    let format = parse_format("--format", a.format.as_deref())?;
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for h in rt.image_history(&a.image)? {
        let created = h.created_time().unwrap_or(DateTime::UNIX_EPOCH);
        let id = h.id.clone().unwrap_or_else(|| "<missing>".to_owned());
        rows.push(json!({
            "ID": if a.no_trunc || id.len() < 12 { id.clone() } else { short_id(&id).to_owned() },
            // `--human=false`: podman's RFC 3339 times and sizes in bytes.
            "Created": if a.human { time_ago(created, now) } else { created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) },
            "CreatedBy": h.created_by.clone().unwrap_or_default(),
            "Size": if a.human { human_size(h.size) } else { h.size.to_string() },
            "Comment": h.comment.clone().unwrap_or_default(),
        }));
        json_rows.push(json!({
            "id": id,
            "created": h.created,
            "CreatedBy": h.created_by,
            "size": h.size,
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

//! The image commands over the runtime's image API: `images`, `import`,
//! `load`, `save`, `rmi`, `tag`, `untag`, `image inspect/history/exists/prune`.

use super::{out, print_listing, print_quiet_ids, render_objects_as};
use crate::cli::{GlobalOptions, HistoryArgs, ImageCommand, ImageListArgs, ImportArgs};
use crate::engine;
use crate::error::CliError;
use crate::opts::filter::{parse_filters, parse_prune_filters};
use crate::opts::{FilterTarget, Filters};
use crate::output::{
    human::{human_size, short_id, time_ago},
    parse_format,
    rows::{ImageSummary, IMAGES, IMAGES_DIGESTS},
    Matcher, OutputFormat,
};
use berth_runtime::{
    ArchiveFormat, ImageListOptions, ImageRemoveOptions, ImageSaveOptions, ImportOptions,
    PruneFilters, Runtime,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::path::PathBuf;

/// An image command with its arguments parsed once, before the runtime is
/// opened ([`parse`]); [`run`] acts on it.
#[allow(clippy::large_enum_variant)] // built once per process
#[derive(Debug)]
pub enum Parsed {
    /// `image pull`/`image push`: the registry commands.
    Registry(super::registry::Parsed),
    /// `images`.
    List {
        /// The flags as given.
        args: ImageListArgs,
        /// `--filter`.
        filters: Filters,
        /// `--format`.
        format: OutputFormat,
    },
    /// `import`.
    Import {
        /// The archive (`-` for stdin).
        path: String,
        /// The name, `--change`s and `--message`.
        opts: ImportOptions,
    },
    /// `load`.
    Load {
        /// `--input`.
        input: PathBuf,
    },
    /// `save`.
    Save(ImageSaveOptions),
    /// `rmi`.
    Rm(ImageRemoveOptions),
    /// `tag`.
    Tag {
        /// The image.
        image: String,
        /// The new names.
        targets: Vec<String>,
    },
    /// `untag`.
    Untag {
        /// The image.
        image: String,
        /// The names to remove (all when empty).
        names: Vec<String>,
    },
    /// `image inspect`.
    Inspect {
        /// The images.
        images: Vec<String>,
        /// `--format`.
        format: OutputFormat,
    },
    /// `history`.
    History {
        /// The flags as given.
        args: HistoryArgs,
        /// `--format`.
        format: OutputFormat,
    },
    /// `image prune`.
    Prune {
        /// `--all`: every unused image, not only dangling ones.
        all: bool,
        /// `--filter`.
        filters: PruneFilters,
    },
    /// `image exists`.
    Exists {
        /// The name or ID.
        image: String,
    },
}

/// Parses an image command: bad input is refused before the runtime opens.
pub fn parse(c: ImageCommand) -> anyhow::Result<Parsed> {
    use crate::cli::RegistryCommand;
    Ok(match c {
        ImageCommand::Pull(a) => {
            Parsed::Registry(super::registry::parse(RegistryCommand::Pull(a))?)
        }
        ImageCommand::Push(a) => {
            Parsed::Registry(super::registry::parse(RegistryCommand::Push(a))?)
        }
        ImageCommand::List(a) => Parsed::List {
            filters: parse_filters(FilterTarget::Images, &a.filter)?,
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        },
        ImageCommand::Import(a) => Parsed::Import {
            opts: import_options(&a)?,
            path: a.path,
        },
        ImageCommand::Load(a) => Parsed::Load {
            input: a.input.ok_or_else(|| {
                CliError::invalid("--input", "", "give the archive to load with -i FILE")
            })?,
        },
        ImageCommand::Save(a) => {
            let output = a.output.ok_or_else(|| {
                CliError::invalid("--output", "", "give the archive to write with -o FILE")
            })?;
            Parsed::Save(ImageSaveOptions {
                format: a.format.parse::<ArchiveFormat>()?,
                images: a.images,
                output,
            })
        }
        ImageCommand::Rm(a) => Parsed::Rm(ImageRemoveOptions {
            images: a.images,
            all: a.all,
            force: a.force,
            ignore_missing: a.ignore,
        }),
        ImageCommand::Tag(a) => Parsed::Tag {
            image: a.image,
            targets: a.targets,
        },
        ImageCommand::Untag(a) => Parsed::Untag {
            image: a.image,
            names: a.names,
        },
        ImageCommand::Inspect(a) => Parsed::Inspect {
            format: parse_format("--format", Some(&a.format))?,
            images: a.images,
        },
        ImageCommand::History(a) => Parsed::History {
            format: parse_format("--format", a.format.as_deref())?,
            args: a,
        },
        ImageCommand::Prune(a) => Parsed::Prune {
            filters: parse_prune_filters(&a.filter)?,
            all: a.all,
        },
        ImageCommand::Exists(a) => Parsed::Exists { image: a.image },
    })
}

/// Runs a parsed image command.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    match c {
        Parsed::Registry(r) => super::registry::run(g, r),
        Parsed::List {
            args,
            filters,
            format,
        } => with_images(g, |rt| list(rt, &args, &filters, &format)),
        Parsed::Import { path, opts } => with_images(g, |rt| import(rt, &path, &opts)),
        Parsed::Load { input } => with_images(g, |rt| {
            for i in rt.load_images(&input)? {
                if i.names.is_empty() {
                    out(&format!("Loaded image: sha256:{}\n", i.id))?;
                }
                for n in &i.names {
                    out(&format!("Loaded image: {n}\n"))?;
                }
            }
            Ok(0)
        }),
        Parsed::Save(opts) => with_images(g, |rt| {
            rt.save_images(&opts)?;
            Ok(0)
        }),
        Parsed::Rm(opts) => with_images(g, |rt| {
            let report = rt.remove_images(&opts)?;
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
        Parsed::Tag { image, targets } => with_images(g, |rt| {
            rt.tag_image(&image, &targets)?;
            Ok(0)
        }),
        Parsed::Untag { image, names } => with_images(g, |rt| {
            rt.untag_image(&image, &names)?;
            Ok(0)
        }),
        Parsed::Inspect { images, format } => with_images(g, |rt| {
            let mut objs = Vec::new();
            for i in &images {
                objs.push(serde_json::to_value(rt.inspect_image(i)?)?);
            }
            render_objects_as(&format, &objs)
        }),
        Parsed::History { args, format } => with_images(g, |rt| history(rt, &args, &format)),
        Parsed::Prune { all, filters } => prune(g, all, filters),
        Parsed::Exists { image } => with_images(g, |rt| Ok(u8::from(!rt.image_exists(&image)?))),
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
fn prune(g: &GlobalOptions, all: bool, filters: PruneFilters) -> anyhow::Result<u8> {
    super::with_runtime(g, |rt| {
        let report = rt.prune_images(&berth_runtime::ImagePruneOptions { all, filters })?;
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

fn list(
    rt: &Runtime,
    a: &ImageListArgs,
    filters: &Filters,
    format: &OutputFormat,
) -> anyhow::Result<u8> {
    let now = Utc::now();
    let images = rt.list_images(&ImageListOptions {
        name: a.image.clone(),
    })?;
    let lookup = |r: &str| rt.image_summary(r).ok().map(|i| row(&i).created);
    let matcher = Matcher::new(filters, now, &lookup)?;
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
    print_listing(format, &listing, &template, &json_rows, a.noheading)
}

/// Import options for these flags; a bad `--change` is refused before
/// anything is opened.
fn import_options(a: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let mut opts = ImportOptions {
        names: a.reference.iter().cloned().collect(),
        message: a.message.clone(),
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

fn import(rt: &Runtime, path: &str, opts: &ImportOptions) -> anyhow::Result<u8> {
    let rec = if path == "-" {
        rt.import_image(&mut std::io::stdin().lock(), opts)?
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| anyhow::Error::new(e).context(format!("opening {path}")))?;
        let len = file.metadata().map(|m| m.len()).ok();
        let bar = crate::progress::Progress::for_stderr(len, "Importing");
        let mut r = bar.wrap_read(file);
        let rec = rt.import_image(&mut r, opts)?;
        bar.clear();
        rec
    };
    out(&format!("sha256:{}\n", rec.id))?;
    Ok(0)
}

fn history(rt: &Runtime, a: &HistoryArgs, format: &OutputFormat) -> anyhow::Result<u8> {
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for h in rt.image_history(&a.image)? {
        let created = h.created_time().unwrap_or(DateTime::UNIX_EPOCH);
        let id = h.id.clone().unwrap_or_else(|| "<missing>".to_owned());
        rows.push(json!({
            "ID": if a.no_trunc || id.len() < 12 { id.clone() } else { short_id(&id).to_owned() },
            "Created": time_ago(created, now),
            "CreatedBy": h.created_by.clone().unwrap_or_default(),
            "Size": human_size(h.size),
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
    print_listing(format, &listing, &rows, &json_rows, false)
}

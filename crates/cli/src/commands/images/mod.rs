//! The image commands over the runtime's image API: `images`, `import`,
//! `load`, `save`, `rmi`, `tag`, `untag`, `image inspect/history/exists/prune`.

mod history;
mod import;
mod inspect;
mod list;
mod load;
mod mount;
mod prune;
mod rm;
mod save;
mod search;
mod tag;
mod tree;

use crate::cli::{GlobalOptions, HistoryArgs, ImageCommand, ImageListArgs};
use crate::engine;
use crate::error::CliError;
use crate::opts::filter::{parse_filters, parse_prune_filters};
use crate::opts::{FilterTarget, Filters};
use crate::output::{parse_format, OutputFormat};
use berth_runtime::{
    ArchiveFormat, ImageRemoveOptions, ImageSaveOptions, ImportOptions, PruneFilters, Runtime,
};
use import::import_options;
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
        /// `--quiet`: no progress bar.
        quiet: bool,
    },
    /// `load`.
    Load {
        /// `--input`; `None` = standard input.
        input: Option<PathBuf>,
    },
    /// `save`.
    Save {
        /// What to save; `output` is unset when `to_stdout`.
        opts: ImageSaveOptions,
        /// No `--output`: the archive goes to standard output.
        to_stdout: bool,
    },
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
        /// `--force`: no confirmation.
        force: bool,
    },
    /// `image exists`.
    Exists {
        /// The name or ID.
        image: String,
    },
    /// `image mount`.
    Mount(mount::MountCommand),
    /// `image unmount`.
    Unmount(mount::UnmountCommand),
    /// `search`.
    Search(search::SearchCommand),
    /// `image tree`.
    Tree {
        /// The image.
        image: String,
        /// `--whatrequires`.
        what_requires: bool,
    },
}

/// Parses an image command: bad input is refused before the runtime opens.
pub fn parse(c: ImageCommand) -> anyhow::Result<Parsed> {
    use crate::cli::RegistryCommand;
    Ok(match c {
        // `ImageCommand::into_group` makes it a container command (one diff for both).
        ImageCommand::Diff(_) => {
            anyhow::bail!("image diff runs as a container command: fold it with into_group")
        }
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
            quiet: a.quiet,
            path: a.path,
        },
        ImageCommand::Load(a) => Parsed::Load { input: a.input },
        ImageCommand::Save(a) => {
            let format = a.format.parse::<ArchiveFormat>()?;
            // Without -o the archive goes to standard output, as podman; a directory cannot.
            if a.output.is_none() && format == ArchiveFormat::OciDir {
                return Err(CliError::invalid(
                    "--output",
                    "",
                    "the oci-dir format writes a directory: name it with -o DIR",
                )
                .into());
            }
            Parsed::Save {
                to_stdout: a.output.is_none(),
                opts: ImageSaveOptions {
                    format,
                    images: a.images,
                    output: a.output.unwrap_or_default(),
                },
            }
        }
        ImageCommand::Rm(a) => Parsed::Rm(ImageRemoveOptions {
            images: a.images,
            all: a.all,
            force: a.force,
            // podman's `rmi --force` passes over a missing image as `--ignore` does.
            ignore_missing: a.ignore || a.force,
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
            force: a.force,
        },
        ImageCommand::Exists(a) => Parsed::Exists { image: a.image },
        ImageCommand::Mount(a) => Parsed::Mount(mount::parse_mount(a)?),
        ImageCommand::Unmount(a) => Parsed::Unmount(mount::parse_unmount(a)?),
        ImageCommand::Search(a) => Parsed::Search(search::parse(a)?),
        ImageCommand::Tree(a) => Parsed::Tree {
            image: a.image,
            what_requires: a.whatrequires,
        },
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
        } => with_images(g, |rt| list::run(rt, &args, &filters, &format)),
        Parsed::Import { path, opts, quiet } => {
            with_images(g, |rt| import::run(rt, &path, &opts, quiet))
        }
        Parsed::Load { input } => with_images(g, |rt| load::run(rt, g, input.as_deref())),
        Parsed::Save { opts, to_stdout } => with_images(g, |rt| save::run(rt, g, opts, to_stdout)),
        Parsed::Rm(opts) => with_images(g, |rt| rm::run(rt, &opts)),
        Parsed::Tag { image, targets } => with_images(g, |rt| tag::tag(rt, &image, &targets)),
        Parsed::Untag { image, names } => with_images(g, |rt| tag::untag(rt, &image, &names)),
        Parsed::Inspect { images, format } => with_images(g, |rt| inspect::run(rt, images, format)),
        Parsed::History { args, format } => with_images(g, |rt| history::run(rt, &args, &format)),
        Parsed::Prune {
            all,
            filters,
            force,
        } => prune::run(g, all, filters, force),
        Parsed::Exists { image } => with_images(g, |rt| Ok(u8::from(!rt.image_exists(&image)?))),
        Parsed::Mount(c) => with_images(g, |rt| mount::mount(rt, &c)),
        Parsed::Unmount(c) => with_images(g, |rt| mount::unmount(rt, &c)),
        Parsed::Search(c) => with_images(g, |rt| search::run(rt, &c)),
        Parsed::Tree {
            image,
            what_requires,
        } => with_images(g, |rt| tree::run(rt, &image, what_requires)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parsed(args: &[&str]) -> anyhow::Result<Parsed> {
        let mut argv = vec!["berth"];
        argv.extend_from_slice(args);
        let cli = crate::cli::Cli::try_parse_from(argv).unwrap();
        match cli.command.into_group() {
            crate::cli::Group::Image(c) => parse(c),
            other => panic!("not an image command: {other:?}"),
        }
    }

    #[test]
    fn flags_are_parsed_once_into_the_command() {
        let Parsed::List {
            filters, format, ..
        } = parsed(&["images", "--filter", "dangling=true", "--format", "json"]).unwrap()
        else {
            panic!()
        };
        assert_ne!(filters, Filters::default());
        assert_eq!(format, OutputFormat::Json);
        let Parsed::Save { opts: o, to_stdout } =
            parsed(&["save", "--format", "oci-archive", "-o", "/t", "a"]).unwrap()
        else {
            panic!()
        };
        assert_eq!(o.format, ArchiveFormat::OciArchive);
        assert_eq!(o.output, PathBuf::from("/t"));
        assert!(!to_stdout);
        let Parsed::Save { to_stdout, .. } = parsed(&["save", "a"]).unwrap() else {
            panic!()
        };
        assert!(to_stdout, "no -o: standard output, as podman");
        let Parsed::Load { input } = parsed(&["load"]).unwrap() else {
            panic!()
        };
        assert_eq!(input, None, "no -i: standard input, as podman");
        let Parsed::Import { path, opts, .. } =
            parsed(&["import", "-c", "CMD [\"sh\"]", "-m", "m", "f.tar", "x"]).unwrap()
        else {
            panic!()
        };
        assert_eq!(path, "f.tar");
        assert_eq!(opts.names, ["x"]);
        let Parsed::Rm(o) = parsed(&["rmi", "-f", "-i", "a"]).unwrap() else {
            panic!()
        };
        assert!(o.force && o.ignore_missing && !o.all);
        let Parsed::Rm(o) = parsed(&["rmi", "-f", "a"]).unwrap() else {
            panic!()
        };
        assert!(o.ignore_missing, "--force passes over a missing image");
    }

    #[test]
    fn bad_values_name_their_flag() {
        for (args, flag) in [
            (&["save", "--format", "oci-dir", "a"][..], "--output"),
            (&["images", "--format", "{{.ID"][..], "--format"),
            (
                &["image", "prune", "--filter", "dangling=maybe"][..],
                "--filter",
            ),
            (&["history", "--format", "{{", "a"][..], "--format"),
        ] {
            let e = parsed(args).unwrap_err().to_string();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
    }
}

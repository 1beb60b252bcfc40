//! `manifest create/add/annotate/inspect/push/remove/rm/exists` over the
//! runtime's manifest-list API.

use crate::cli::{GlobalOptions, InstanceFlags, ManifestCommand, ManifestPushArgs};
use crate::commands::out;
use crate::engine;
use crate::error::{CliError, Coded};
use crate::opts::registry::parse_creds;
use berth_runtime::{Credentials, Error as RtError, InstanceEdit, ManifestList, Runtime};
use std::collections::BTreeMap;

/// A manifest command, parsed.
#[derive(Debug)]
pub enum Parsed {
    /// `create`.
    Create {
        /// The list's name.
        list: String,
        /// Images to add.
        images: Vec<String>,
        /// `--amend`.
        amend: bool,
    },
    /// `add`.
    Add {
        /// The list.
        list: String,
        /// Images.
        images: Vec<String>,
        /// Overrides.
        edit: InstanceEdit,
        /// How an image not in local storage is pulled.
        pull: PullFlags,
    },
    /// `annotate`.
    Annotate {
        /// The list.
        list: String,
        /// The instance digest.
        digest: String,
        /// Overrides.
        edit: InstanceEdit,
    },
    /// `inspect`.
    Inspect(String),
    /// `exists`.
    Exists(String),
    /// `remove`.
    Remove {
        /// The list.
        list: String,
        /// The instance digest.
        digest: String,
    },
    /// `rm`.
    Rm(Vec<String>),
    /// `push`.
    Push {
        /// The flags.
        args: ManifestPushArgs,
        /// `--creds`.
        creds: Option<Credentials>,
        /// `--format oci`.
        oci: bool,
    },
}

/// `manifest add`'s registry flags, for an image it pulls.
#[derive(Debug, Default)]
pub struct PullFlags {
    tls_verify: Option<bool>,
    authfile: Option<std::path::PathBuf>,
    cert_dir: Option<std::path::PathBuf>,
    creds: Option<Credentials>,
}

fn edit(f: &InstanceFlags, os_features: Vec<String>) -> Result<InstanceEdit, CliError> {
    let mut annotations = BTreeMap::new();
    for a in &f.annotation {
        let (k, v) = a.split_once('=').ok_or_else(|| {
            CliError::invalid(
                "--annotation",
                a,
                "no value given for annotation: use KEY=VALUE",
            )
        })?;
        annotations.insert(k.to_owned(), v.to_owned());
    }
    Ok(InstanceEdit {
        architecture: f.arch.clone(),
        os: f.os.clone(),
        os_version: f.os_version.clone(),
        os_features,
        variant: f.variant.clone(),
        features: f.features.clone(),
        annotations,
    })
}

/// Parses a manifest command: bad input is refused before the runtime opens.
pub fn parse(c: ManifestCommand) -> anyhow::Result<Parsed> {
    Ok(match c {
        ManifestCommand::Create(a) => Parsed::Create {
            list: a.list,
            images: a.images,
            amend: a.amend,
        },
        ManifestCommand::Add(a) => Parsed::Add {
            edit: edit(&a.instance, Vec::new())?,
            pull: PullFlags {
                tls_verify: a.tls_verify,
                authfile: a.authfile,
                cert_dir: a.cert_dir,
                creds: a.creds.as_deref().map(parse_creds).transpose()?,
            },
            list: a.list,
            images: a.images,
        },
        ManifestCommand::Annotate(a) => Parsed::Annotate {
            edit: edit(&a.instance, a.os_features)?,
            list: a.list,
            digest: a.image,
        },
        ManifestCommand::Inspect(a) => Parsed::Inspect(a.list),
        ManifestCommand::Exists(a) => Parsed::Exists(a.list),
        ManifestCommand::Remove(a) => Parsed::Remove {
            list: a.list,
            digest: a.image,
        },
        ManifestCommand::Rm(a) => Parsed::Rm(a.lists),
        ManifestCommand::Push(a) => {
            let oci = match a.format.as_deref() {
                None | Some("v2s2") => false,
                Some("oci") => true,
                Some(f) => {
                    return Err(CliError::invalid("--format", f, "use oci or v2s2").into());
                }
            };
            Parsed::Push {
                creds: a.creds.as_deref().map(parse_creds).transpose()?,
                oci,
                args: a,
            }
        }
    })
}

fn print_id(l: &ManifestList) -> anyhow::Result<u8> {
    out(&format!("{}\n", l.id))?;
    Ok(0)
}

/// JSON indented by four spaces, as podman prints a list.
fn pretty4<T: serde::Serialize>(v: &T) -> anyhow::Result<String> {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut buf,
        serde_json::ser::PrettyFormatter::with_indent(b"    "),
    );
    v.serialize(&mut ser)?;
    Ok(String::from_utf8(buf)? + "\n")
}

fn push(
    rt: &Runtime,
    args: &ManifestPushArgs,
    creds: Option<Credentials>,
    oci: bool,
) -> anyhow::Result<u8> {
    let mut opts = rt.push_options()?;
    opts.tls_verify = args.tls_verify;
    opts.certs_dir.clone_from(&args.cert_dir);
    opts.auth.authfile.clone_from(&args.authfile);
    opts.auth.credentials = creds;
    let report = rt.manifest_push(&args.list, &args.destination, &opts, args.all, oci)?;
    if let Some(f) = &args.digestfile {
        std::fs::write(f, &report.manifest_digest).map_err(|e| {
            anyhow::Error::new(e).context(format!("writing --digestfile {}", f.display()))
        })?;
    }
    if args.rm {
        rt.manifest_rm(&args.list)?;
    }
    Ok(0)
}

fn rm(rt: &Runtime, lists: &[String]) -> anyhow::Result<u8> {
    let mut errors = Vec::new();
    for l in lists {
        match rt.manifest_rm(l) {
            Ok(m) => {
                let mut s = String::new();
                for n in &m.names {
                    s.push_str("Untagged: ");
                    s.push_str(n);
                    s.push('\n');
                }
                s.push_str("Deleted: ");
                s.push_str(&m.id);
                s.push('\n');
                out(&s)?;
            }
            // A missing list is exit 1, as podman's.
            Err(e @ RtError::NoSuchImage(_)) => errors.push(Coded::wrap(1, e)),
            Err(e) => errors.push(e.into()),
        }
    }
    crate::commands::finish(errors)
}

/// Runs a parsed manifest command.
pub fn run(g: &GlobalOptions, c: Parsed) -> anyhow::Result<u8> {
    let rt = engine::image_runtime(g)?;
    let r = match c {
        Parsed::Create {
            list,
            images,
            amend,
        } => rt
            .manifest_create(&list, &images, amend)
            .map_err(Into::into)
            .and_then(|l| print_id(&l)),
        Parsed::Add {
            list,
            images,
            edit,
            pull,
        } => (|| {
            let mut last = None;
            for i in &images {
                last = Some(rt.manifest_add_pulling(&list, i, &edit, || {
                    let mut o = rt.pull_options()?;
                    o.tls_verify = pull.tls_verify;
                    o.certs_dir.clone_from(&pull.cert_dir);
                    o.auth.authfile.clone_from(&pull.authfile);
                    o.auth.credentials.clone_from(&pull.creds);
                    Ok(o)
                })?);
            }
            last.map_or(Ok(0), |l| print_id(&l))
        })(),
        Parsed::Annotate { list, digest, edit } => rt
            .manifest_annotate(&list, &digest, &edit)
            .map_err(Into::into)
            .and_then(|l| print_id(&l)),
        Parsed::Remove { list, digest } => rt
            .manifest_remove(&list, &digest)
            .map_err(Into::into)
            .and_then(|l| print_id(&l)),
        Parsed::Inspect(list) => rt
            .manifest_inspect(&list)
            .map_err(Into::into)
            .and_then(|l| {
                out(&pretty4(&l.document(false))?)?;
                Ok(0)
            }),
        Parsed::Exists(list) => rt
            .manifest_exists(&list)
            .map(|e| u8::from(!e))
            .map_err(Into::into),
        Parsed::Rm(lists) => rm(&rt, &lists),
        Parsed::Push { args, creds, oci } => push(&rt, &args, creds, oci),
    };
    let _ = rt.shutdown(false);
    r
}

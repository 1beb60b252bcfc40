//! Archives: `import` (a root filesystem tar as a one-layer image), `load` and `save`
//! (OCI layouts and docker archives), and the `--change` instructions import applies.

use std::io::Read;
use std::path::Path;

use berth_storage::{ImageRecord, ImportOptions};

use super::image_error;
use super::types::ImageSaveOptions;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Imports a root filesystem tar (plain, gzip or zstd) as a one-layer image.
    pub fn import_image(&self, tar: &mut dyn Read, options: &ImportOptions) -> Result<ImageRecord> {
        self.check()?;
        let img = self.storage.import_rootfs(tar, options)?;
        let name = img.names.first().map_or("", String::as_str);
        self.image_event(&img.id, name, crate::EventStatus::Import);
        Ok(img)
    }

    /// Loads every image of an OCI layout directory, an `oci-archive` or a `docker-archive`
    /// tar (told apart by their content); returns the images loaded.
    pub fn load_images(&self, input: &Path) -> Result<Vec<ImageRecord>> {
        self.check()?;
        let images = self.storage.load_images(input).map_err(image_error)?;
        for img in &images {
            let name = img.names.first().map_or("", String::as_str);
            self.image_event(&img.id, name, crate::EventStatus::LoadFromArchive);
        }
        Ok(images)
    }

    /// Saves images to an archive.
    pub fn save_images(&self, opts: &ImageSaveOptions) -> Result<()> {
        self.check()?;
        let names: Vec<&str> = opts.images.iter().map(String::as_str).collect();
        // The ids for the events, looked up before the save (which checks the names).
        let ids: Vec<String> = names
            .iter()
            .map(|n| {
                self.storage
                    .resolve_image(n)
                    .map(|i| i.id)
                    .unwrap_or_default()
            })
            .collect();
        self.storage
            .save_images(&names, opts.format, &opts.output)
            .map_err(image_error)?;
        for (n, id) in names.iter().zip(&ids) {
            self.image_event(id, n, crate::EventStatus::Save);
        }
        Ok(())
    }
}

/// Applies one `--change` instruction of `import` to `opts`: `CMD`, `ENTRYPOINT` (a JSON
/// list, else run by `/bin/sh -c`), `ENV`, `EXPOSE` (`/tcp` by default), `LABEL`,
/// `STOPSIGNAL`, `USER`, `VOLUME`, `WORKDIR`. Anything else is [`Error::InvalidArgument`]
/// (`what` = `--change`), before anything is written.
pub fn apply_import_change(opts: &mut ImportOptions, change: &str) -> Result<()> {
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
                    Error::invalid("--change", change, "LABEL takes KEY=VALUE pairs")
                })?;
                opts.labels.insert(k.to_owned(), v.to_owned());
            }
        }
        _ => {
            return Err(Error::invalid(
                "--change",
                change,
                "import understands CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR",
            ))
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

//! `load`: the images of an archive, read from `-i FILE` or, as podman, standard input.

use crate::cli::GlobalOptions;
use crate::commands::out;
use berth_runtime::Runtime;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs `load`.
pub(super) fn run(rt: &Runtime, g: &GlobalOptions, input: Option<&Path>) -> anyhow::Result<u8> {
    let spooled;
    let input = if let Some(url) = input.and_then(|p| p.to_str()).filter(|p| is_url(p)) {
        // podman downloads an archive named by URL first.
        spooled = spool_file(g, "load")?;
        download(url, spooled.path())?;
        spooled.path()
    } else if let Some(p) = input {
        p
    } else {
        let mut stdin = std::io::stdin().lock();
        if stdin.is_terminal() {
            return Err(crate::error::CliError::invalid(
                "--input",
                "",
                "cannot read from terminal, use command-line redirection or the --input flag",
            )
            .into());
        }
        spooled = spool_file(g, "load")?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(spooled.path())
            .map_err(|e| anyhow::anyhow!("opening {}: {e}", spooled.path().display()))?;
        std::io::copy(&mut stdin, &mut f)
            .map_err(|e| anyhow::anyhow!("reading the archive from standard input: {e}"))?;
        spooled.path()
    };
    let images = rt.load_images(input).map_err(|e| {
        // podman's words for an archive it cannot read, then berth's reason.
        let bad = e.kind() == berth_runtime::ErrorKind::InvalidInput;
        let e = anyhow::Error::from(e);
        if bad {
            e.context("payload does not match any of the supported image formats")
        } else {
            e
        }
    })?;
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

/// Whether `-i` names an archive by `http://` or `https://` URL.
fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}

/// Downloads `url` into the file `to`.
fn download(url: &str, to: &Path) -> anyhow::Result<()> {
    let fail = |e: &dyn std::fmt::Display| anyhow::anyhow!("downloading {url}: {e}");
    let mut response = ureq::get(url).call().map_err(|e| fail(&e))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(to)
        .map_err(|e| fail(&e))?;
    std::io::copy(&mut response.body_mut().as_reader(), &mut file).map_err(|e| fail(&e))?;
    Ok(())
}

/// A new empty private file in berth's temporary directory (`--tmpdir`, else `/var/tmp`),
/// removed when dropped.
pub(super) struct Spool(PathBuf);

impl Spool {
    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Makes a [`Spool`] named after `what`.
pub(super) fn spool_file(g: &GlobalOptions, what: &str) -> anyhow::Result<Spool> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = g
        .tmpdir
        .clone()
        .unwrap_or_else(|| PathBuf::from("/var/tmp"));
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", dir.display()))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = dir.join(format!("berth-{what}-{}-{nanos}.tar", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
    Ok(Spool(path))
}

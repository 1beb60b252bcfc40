//! Small filesystem helpers: atomic writes, directory fsync, random ids.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngExt as _;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::IoContext;
use crate::{Error, Result};

/// Writes `data` to `path` atomically: a temp file beside it, fsync, rename,
/// fsync of the directory. Readers see the old content or the new, never a part.
pub fn atomic_write(path: &Path, data: &[u8]) -> Result<()> {
    write_replacing(path, data, true)
}

/// [`atomic_write`] without the fsyncs, for files under the run root: they live
/// for one boot only, so durability across a power cut buys nothing.
pub fn atomic_write_volatile(path: &Path, data: &[u8]) -> Result<()> {
    write_replacing(path, data, false)
}

fn write_replacing(path: &Path, data: &[u8], durable: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".tmp-{}-{}", name, random_hex(8)));
    let res = (|| {
        let mut f = File::create(&tmp).ctx("create", &tmp)?;
        f.write_all(data).ctx("write", &tmp)?;
        if durable {
            f.sync_all().ctx("fsync", &tmp)?;
        }
        fs::rename(&tmp, path).ctx("rename", path)?;
        if durable {
            fsync_dir(dir)?;
        }
        Ok(())
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

/// Serializes `value` as JSON and writes it atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let data = serde_json::to_vec_pretty(value).map_err(|source| Error::Json {
        what: path.display().to_string(),
        source,
    })?;
    atomic_write(path, &data)
}

/// Reads a JSON file.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let data = fs::read(path).ctx("read", path)?;
    serde_json::from_slice(&data).map_err(|source| Error::Json {
        what: path.display().to_string(),
        source,
    })
}

/// fsyncs a directory so renames and creations in it are durable.
pub fn fsync_dir(dir: &Path) -> Result<()> {
    File::open(dir).and_then(|d| d.sync_all()).ctx("fsync", dir)
}

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    let bytes: Vec<u8> = (0..n).map(|_| rng.random::<u8>()).collect();
    hex::encode(bytes)
}

/// Creates a directory and its parents.
pub fn mkdir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).ctx("create directory", path)
}

/// Removes a directory tree if it exists.
pub fn remove_tree(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path).ctx("remove", path),
        Ok(_) => fs::remove_file(path).ctx("remove", path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("stat", path, e)),
    }
}

/// Names of the entries of a directory (empty when it does not exist).
pub fn list_dir(path: &Path) -> Result<Vec<String>> {
    let rd = match fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read directory", path, e)),
    };
    let mut out = Vec::new();
    for e in rd {
        let e = e.ctx("read directory", path)?;
        out.push(e.file_name().to_string_lossy().into_owned());
    }
    out.sort();
    Ok(out)
}

/// Total size in bytes of the regular files under `path` (hard links counted once).
pub fn tree_size(path: &Path) -> Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack: Vec<PathBuf> = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = fs::symlink_metadata(&p).ctx("stat", &p)?;
        if m.is_dir() {
            for e in fs::read_dir(&p).ctx("read directory", &p)? {
                stack.push(e.ctx("read directory", &p)?.path());
            }
        } else if m.is_file() && (m.nlink() == 1 || seen.insert((m.dev(), m.ino()))) {
            total += m.len();
        }
    }
    Ok(total)
}

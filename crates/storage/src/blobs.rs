//! The content-addressed blob store: `blobs/sha256/<hex>`, verified on write.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::PathBuf;

use crate::digest::{parse_sha256, HashingWriter};
use crate::error::IoContext;
use crate::fsutil::{fsync_dir, random_hex};
use crate::{Error, Result};

/// Blobs by sha256 digest. Content is written to `tmp/`, fsynced, verified
/// and renamed into place, so a blob file, once visible, is complete.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
    tmp: PathBuf,
}

/// A blob being written: hash while writing, then [`BlobWriter::commit`].
#[derive(Debug)]
pub struct BlobWriter {
    inner: HashingWriter<io::BufWriter<File>>,
    tmp: PathBuf,
    store: BlobStore,
}

impl BlobStore {
    /// A blob store in `dir`, staging in `tmp` (same filesystem).
    pub fn new(dir: PathBuf, tmp: PathBuf) -> Self {
        BlobStore { dir, tmp }
    }

    /// Where the blob with `digest` lives.
    pub fn path(&self, digest: &str) -> Result<PathBuf> {
        Ok(self.dir.join(parse_sha256(digest)?))
    }

    /// Whether the blob exists.
    pub fn exists(&self, digest: &str) -> bool {
        self.path(digest).is_ok_and(|p| p.exists())
    }

    /// Reads a whole blob.
    pub fn get(&self, digest: &str) -> Result<Vec<u8>> {
        let p = self.path(digest)?;
        fs::read(&p).ctx("read blob", &p)
    }

    /// Stores bytes, checking them against `expected` if given; returns the digest.
    pub fn put(&self, data: &[u8], expected: Option<&str>) -> Result<String> {
        let mut w = self.writer()?;
        w.write_all(data).ctx("write blob", &w.tmp)?;
        w.commit(expected).map(|(d, _)| d)
    }

    /// Starts writing a blob of unknown digest.
    pub fn writer(&self) -> Result<BlobWriter> {
        let tmp = self.tmp.join(format!("blob-{}", random_hex(12)));
        let f = File::create(&tmp).ctx("create", &tmp)?;
        Ok(BlobWriter {
            inner: HashingWriter::new(io::BufWriter::with_capacity(256 * 1024, f)),
            tmp,
            store: self.clone(),
        })
    }

    /// Removes a blob (no error if missing).
    pub fn remove(&self, digest: &str) -> Result<()> {
        let p = self.path(digest)?;
        match fs::remove_file(&p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io("remove blob", &p, e)),
            _ => Ok(()),
        }
    }

    /// Digests of all stored blobs.
    pub fn list(&self) -> Result<Vec<String>> {
        Ok(crate::fsutil::list_dir(&self.dir)?
            .into_iter()
            .filter(|n| crate::digest::is_hex64(n))
            .map(|n| format!("sha256:{n}"))
            .collect())
    }
}

impl BlobWriter {
    /// Flushes, fsyncs, verifies against `expected` and renames into place.
    /// On mismatch the temp file is removed and nothing becomes visible.
    pub fn commit(self, expected: Option<&str>) -> Result<(String, u64)> {
        let BlobWriter { inner, tmp, store } = self;
        let (digest, size, buf) = inner.finish();
        let res = (|| {
            let f = buf
                .into_inner()
                .map_err(|e| Error::io("write blob", &tmp, e.into_error()))?;
            f.sync_all().ctx("fsync", &tmp)?;
            if let Some(exp) = expected {
                parse_sha256(exp)?;
                if exp != digest {
                    return Err(Error::DigestMismatch {
                        what: "blob".into(),
                        expected: exp.to_string(),
                        actual: digest.clone(),
                    });
                }
            }
            let dest = store.path(&digest)?;
            fs::rename(&tmp, &dest).ctx("rename", &dest)?;
            fsync_dir(&store.dir)
        })();
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res.map(|()| (digest, size))
    }
}

impl BlobWriter {
    /// Drops the partial blob.
    pub fn abort(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_verified_and_atomic() {
        let d = tempfile::tempdir().unwrap();
        let (dir, tmp) = (d.path().join("b"), d.path().join("t"));
        fs::create_dir_all(&dir).unwrap();
        fs::create_dir_all(&tmp).unwrap();
        let s = BlobStore::new(dir, tmp.clone());
        let dg = s.put(b"hello", None).unwrap();
        assert_eq!(s.get(&dg).unwrap(), b"hello");
        let wrong = crate::digest::sha256_digest(b"other");
        let err = s.put(b"hello!", Some(&wrong)).unwrap_err();
        assert!(matches!(err, Error::DigestMismatch { .. }), "{err}");
        assert!(
            fs::read_dir(&tmp).unwrap().next().is_none(),
            "temp file left behind"
        );
        assert_eq!(s.list().unwrap(), vec![dg.clone()]);
        assert!(s.path("sha256:zz").is_err());
    }
}

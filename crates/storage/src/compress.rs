//! Compression detection from magic bytes: plain tar, gzip, zstd.

use std::io::{BufRead, BufReader, Read};

use crate::{Error, Result};

/// The compression of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// No compression.
    None,
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

/// Looks at the first bytes of `r` and returns a reader of the decompressed
/// stream and what was detected. bzip2 and xz get a clear error.
pub fn decompress<'a>(r: impl Read + 'a) -> Result<(Box<dyn Read + 'a>, Compression)> {
    let mut br = BufReader::with_capacity(256 * 1024, r);
    let head = br.fill_buf().map_err(Error::Archive)?.to_vec();
    if head.starts_with(&[0x1f, 0x8b]) {
        return Ok((
            Box::new(flate2::bufread::MultiGzDecoder::new(br)),
            Compression::Gzip,
        ));
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let d = zstd::stream::read::Decoder::with_buffer(br).map_err(Error::Archive)?;
        return Ok((Box::new(d), Compression::Zstd));
    }
    if head.starts_with(b"BZh") {
        return Err(Error::InvalidArchive {
            what: "layer".into(),
            reason: "bzip2 compression is not supported; use plain tar, gzip or zstd".into(),
        });
    }
    if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Err(Error::InvalidArchive {
            what: "layer".into(),
            reason: "xz compression is not supported; use plain tar, gzip or zstd".into(),
        });
    }
    Ok((Box::new(br), Compression::None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn detects_from_content() {
        let data = b"plain data".to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data).unwrap();
        let gz = gz.finish().unwrap();
        let zs = zstd::encode_all(&data[..], 1).unwrap();
        for (input, kind) in [
            (data.clone(), Compression::None),
            (gz, Compression::Gzip),
            (zs, Compression::Zstd),
        ] {
            let (mut r, k) = decompress(&input[..]).unwrap();
            assert_eq!(k, kind);
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
        }
        assert!(decompress(&b"BZh91AY"[..])
            .err()
            .unwrap()
            .to_string()
            .contains("bzip2"));
        let (_, k) = decompress(&b""[..]).unwrap();
        assert_eq!(k, Compression::None);
    }
}

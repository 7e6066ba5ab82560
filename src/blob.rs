//! Random-access byte sources: the only input abstraction for files. Natively a file, in the
//! browser a `Blob` read with `FileReaderSync`, in tests a byte slice.

use crate::error::{Error, Result};

/// Bytes that can be read at any offset. Reads are synchronous so the core stays free of async:
/// a web worker can read a `File` synchronously, and a native file with `pread`.
pub trait BlobSource {
    /// Total length in bytes.
    fn len(&self) -> u64;
    /// Reads up to `buf.len()` bytes at `offset`; returns how many were read (0 only at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize>;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` completely or fails with a `malformed` error naming the truncation.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.read_at(offset + done as u64, &mut buf[done..])?;
            if n == 0 {
                return Err(Error::malformed(format!(
                    "file ends at byte {} but {} more bytes were expected",
                    offset + done as u64,
                    buf.len() - done
                ))
                .at_offset(offset + done as u64));
            }
            done += n;
        }
        Ok(())
    }
}

/// Reads `reader` to its end in pieces of up to `buf.len()` bytes, handing each to `each`
/// (interrupted reads are retried): how a stream that can be read only once (stdin, a
/// registry's answer) is fed to the core.
pub fn read_pieces(mut reader: impl std::io::Read, buf: &mut [u8], mut each: impl FnMut(&[u8])) -> std::io::Result<()> {
    loop {
        match reader.read(buf) {
            Ok(0) => return Ok(()),
            Ok(n) => each(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

impl BlobSource for [u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let total = <[u8]>::len(self) as u64;
        if offset >= total {
            return Ok(0);
        }
        let start = offset as usize;
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

impl BlobSource for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        self.as_slice().read_at(offset, buf)
    }
}

#[cfg(unix)]
impl BlobSource for std::fs::File {
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        use std::os::unix::fs::FileExt;
        loop {
            match FileExt::read_at(self, buf, offset) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("read failed: {e}")).at_offset(offset)),
            }
        }
    }
}

/// A file whose length is fixed at open time (a file's metadata is read once, not per call).
#[cfg(unix)]
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

#[cfg(unix)]
impl FileSource {
    pub fn open(path: &std::path::Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(format!("cannot open {}: {e}", path.display())))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("cannot stat {}: {e}", path.display())))?
            .len();
        Ok(FileSource { file, len })
    }
}

#[cfg(unix)]
impl BlobSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let max = ((self.len - offset).min(buf.len() as u64)) as usize;
        BlobSource::read_at(&self.file, offset, &mut buf[..max])
    }
}

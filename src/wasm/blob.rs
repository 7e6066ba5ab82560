//! A dropped `File` (or any `Blob`) as a [`BlobSource`], read synchronously by slices.

use crate::blob::BlobSource;
use crate::error::{Error, Result};

/// A `File` or `Blob`, read synchronously by slices (only possible inside a worker). Each
/// `FileReaderSync` call costs about a millisecond, so reads go through a read-ahead window.
pub(super) struct BlobReader {
    blob: web_sys::Blob,
    len: u64,
    reader: web_sys::FileReaderSync,
    /// The last window read: (offset, bytes).
    window: std::cell::RefCell<(u64, Vec<u8>)>,
}

/// Read-ahead size: large enough that the per-call cost vanishes, small for wasm memory.
const READ_AHEAD: u64 = 4 << 20;
/// The window after a seek (a tar header, a small JSON entry): reading 4 MiB there costs ~15 ms
/// where 64 KiB costs ~1 ms. Sequential reads double it up to READ_AHEAD.
const READ_AHEAD_MIN: u64 = 64 << 10;

impl BlobReader {
    /// A reader of `blob` (a `File` or a fetched `Blob`), with its own `FileReaderSync`.
    pub(super) fn of(blob: web_sys::Blob) -> std::result::Result<Self, wasm_bindgen::JsValue> {
        let len = blob.size() as u64;
        Ok(BlobReader::new(blob, len, web_sys::FileReaderSync::new()?))
    }

    pub(super) fn new(blob: web_sys::Blob, len: u64, reader: web_sys::FileReaderSync) -> Self {
        BlobReader {
            blob,
            len,
            reader,
            window: std::cell::RefCell::new((0, Vec::new())),
        }
    }

    /// Reads `[offset, offset+want)` straight from the blob into `buf`.
    fn read_direct(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let end = (offset + buf.len() as u64).min(self.len);
        let slice = self
            .blob
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|e| Error::io(format!("Blob.slice failed: {e:?}")).at_offset(offset))?;
        let ab = self
            .reader
            .read_as_array_buffer(&slice)
            .map_err(|e| Error::io(format!("FileReaderSync failed: {e:?}")).at_offset(offset))?;
        let arr = js_sys::Uint8Array::new(&ab);
        let n = (arr.length() as usize).min(buf.len());
        arr.subarray(0, n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }
}

impl BlobSource for BlobReader {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        // Big reads go straight through; small ones are served from the window.
        if buf.len() as u64 >= READ_AHEAD {
            return self.read_direct(offset, buf);
        }
        let mut w = self.window.borrow_mut();
        let (start, bytes) = &mut *w;
        if offset < *start || offset >= *start + bytes.len() as u64 {
            let sequential = !bytes.is_empty() && offset == *start + bytes.len() as u64;
            let want = if sequential {
                (bytes.len() as u64 * 2).clamp(READ_AHEAD_MIN, READ_AHEAD)
            } else {
                READ_AHEAD_MIN.max(buf.len() as u64)
            };
            let size = want.min(self.len - offset) as usize;
            bytes.resize(size, 0);
            let n = self.read_direct(offset, bytes)?;
            bytes.truncate(n);
            *start = offset;
        }
        let from = (offset - *start) as usize;
        let n = buf.len().min(bytes.len() - from);
        buf[..n].copy_from_slice(&bytes[from..from + n]);
        Ok(n)
    }
}

//! Indexes a tar held in a random-access source: reads each header and seeks past the body.

use super::header::{self, BLOCK, Block, Pending, TarEntry};
use crate::blob::BlobSource;
use crate::error::{Error, Result};

/// One entry of an indexed tar, with where its body lies.
#[derive(Debug, Clone)]
pub struct IndexedEntry {
    pub entry: TarEntry,
    /// Offset of the first body byte in the source.
    pub data_offset: u64,
}

/// The entries found, plus the error that stopped indexing early (a truncated tail), if any.
#[derive(Debug, Default)]
pub struct TarIndex {
    pub entries: Vec<IndexedEntry>,
    pub error: Option<Error>,
}

/// Reads all headers of the tar at `[start, start+len)` of `source`.
pub fn index(source: &(impl BlobSource + ?Sized), max_meta: u64, max_entries: u64) -> TarIndex {
    let mut out = TarIndex::default();
    if let Err(e) = walk(source, max_meta, max_entries, &mut out.entries) {
        out.error = Some(e);
    }
    out
}

fn walk(
    source: &(impl BlobSource + ?Sized),
    max_meta: u64,
    max_entries: u64,
    out: &mut Vec<IndexedEntry>,
) -> Result<()> {
    let len = source.len();
    let mut offset = 0u64;
    let mut pending = Pending::default();
    let mut block = [0u8; BLOCK];
    loop {
        if offset == len {
            return Ok(()); // ended without the end-of-archive marker
        }
        if len - offset < BLOCK as u64 {
            return Err(Error::malformed(format!(
                "tar is truncated: {} bytes left where a 512-byte header should be",
                len - offset
            ))
            .at_offset(offset));
        }
        source.read_exact_at(offset, &mut block)?;
        let body = offset + BLOCK as u64;
        let (size, record) = match header::parse(&block, offset)? {
            Block::Zero => return Ok(()),
            Block::Meta { flag, size } => {
                if size > max_meta {
                    return Err(Error::limit(format!(
                        "tar metadata record of {size} bytes exceeds the limit of {max_meta} bytes"
                    ))
                    .at_offset(offset));
                }
                check_body(len, body, size, "metadata record", offset)?;
                let mut buf = vec![0u8; size as usize];
                source.read_exact_at(body, &mut buf)?;
                pending.absorb(flag, &buf);
                (size, None)
            }
            Block::Entry(mut entry) => {
                pending.apply(&mut entry);
                check_body(len, body, entry.size, &entry.path_lossy(), offset)?;
                (entry.size, Some(entry))
            }
        };
        if let Some(entry) = record {
            if out.len() as u64 >= max_entries {
                return Err(Error::limit(format!("more than {max_entries} entries in the tar")).at_offset(offset));
            }
            out.push(IndexedEntry {
                entry,
                data_offset: body,
            });
        }
        offset = body
            .checked_add(size)
            .and_then(|o| o.checked_add(header::padding(size)))
            .ok_or_else(|| Error::malformed("tar entry size overflows").at_offset(offset))?;
        if offset > len {
            // Only the padding is missing: the entry itself is complete.
            return Ok(());
        }
    }
}

fn check_body(len: u64, body: u64, size: u64, what: &str, header_at: u64) -> Result<()> {
    if size > len.saturating_sub(body) {
        return Err(Error::malformed(format!(
            "tar is truncated: entry {what:?} claims {size} bytes but the file ends {} bytes after its header",
            len.saturating_sub(body)
        ))
        .at_offset(header_at));
    }
    Ok(())
}

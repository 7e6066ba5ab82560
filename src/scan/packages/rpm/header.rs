//! rpm header blobs, as the package databases store them (the on-disk header without its
//! 8-byte magic): a big-endian entry count and data length, 16-byte index entries (tag, type,
//! offset, count), then the data store the offsets point into.

/// Tags read from a header.
pub mod tag {
    pub const NAME: u32 = 1000;
    pub const VERSION: u32 = 1001;
    pub const RELEASE: u32 = 1002;
    pub const EPOCH: u32 = 1003;
    pub const LICENSE: u32 = 1014;
    pub const ARCH: u32 = 1022;
    pub const SOURCERPM: u32 = 1044;
}

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own ceilings (`HEADER_TAGS_MAX`, `HEADER_DATA_MAX`): anything larger is not a header.
const MAX_ENTRIES: usize = 0xffff;
const MAX_DATA: usize = 256 << 20;

/// A parsed view of one header blob.
pub struct Header<'a> {
    index: &'a [u8],
    store: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> Header<'a> {
    /// Checks the counts against the blob's length; entries are checked when read.
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        if blob.len() < 8 {
            return Err(format!("a {}-byte header blob is too short", blob.len()));
        }
        let il = be32(blob, 0) as usize;
        let dl = be32(blob, 4) as usize;
        if il == 0 || il > MAX_ENTRIES || dl > MAX_DATA {
            return Err(format!("header blob claims {il} entries and {dl} data bytes"));
        }
        let index_end = 8 + il * 16;
        if index_end + dl > blob.len() {
            return Err(format!(
                "header blob claims {il} entries and {dl} data bytes but holds {} bytes",
                blob.len()
            ));
        }
        Ok(Header {
            index: &blob[8..index_end],
            store: &blob[index_end..index_end + dl],
        })
    }

    /// `(type, offset, count)` of a tag's first entry.
    fn entry(&self, tag: u32) -> Option<(u32, usize, u32)> {
        self.index
            .chunks_exact(16)
            .find(|e| be32(e, 0) == tag)
            .map(|e| (be32(e, 4), be32(e, 8) as usize, be32(e, 12)))
    }

    /// A string tag (the first string of an array or i18n table).
    pub fn string(&self, tag: u32) -> Option<String> {
        let (ty, off, count) = self.entry(tag)?;
        if !matches!(ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) || count == 0 {
            return None;
        }
        let rest = self.store.get(off..)?;
        let end = memchr::memchr(0, rest)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    }

    /// An INT32 tag's first value.
    pub fn int32(&self, tag: u32) -> Option<u32> {
        let (ty, off, count) = self.entry(tag)?;
        if ty != TYPE_INT32 || count == 0 {
            return None;
        }
        let b = self.store.get(off..off.checked_add(4)?)?;
        Some(be32(b, 0))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob from `(tag, value)` pairs (strings, or INT32 for the epoch).
    pub fn blob(entries: &[(u32, &str)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store = Vec::new();
        for (t, v) in entries {
            if *t == tag::EPOCH {
                while store.len() % 4 != 0 {
                    store.push(0);
                }
                index.extend_from_slice(&t.to_be_bytes());
                index.extend_from_slice(&TYPE_INT32.to_be_bytes());
                index.extend_from_slice(&(store.len() as u32).to_be_bytes());
                index.extend_from_slice(&1u32.to_be_bytes());
                store.extend_from_slice(&v.parse::<u32>().unwrap().to_be_bytes());
            } else {
                index.extend_from_slice(&t.to_be_bytes());
                index.extend_from_slice(&TYPE_STRING.to_be_bytes());
                index.extend_from_slice(&(store.len() as u32).to_be_bytes());
                index.extend_from_slice(&1u32.to_be_bytes());
                store.extend_from_slice(v.as_bytes());
                store.push(0);
            }
        }
        let mut out = Vec::new();
        out.extend_from_slice(&((index.len() / 16) as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&store);
        out
    }

    #[test]
    fn reads_tags_and_refuses_lies() {
        let b = blob(&[(tag::NAME, "bash"), (tag::EPOCH, "3"), (tag::VERSION, "5.2.26")]);
        let h = Header::parse(&b).unwrap();
        assert_eq!(h.string(tag::NAME).as_deref(), Some("bash"));
        assert_eq!(h.int32(tag::EPOCH), Some(3));
        assert_eq!(h.string(tag::VERSION).as_deref(), Some("5.2.26"));
        assert_eq!(h.string(tag::RELEASE), None);
        assert_eq!(h.int32(tag::NAME), None, "a string is not an int");
        assert!(Header::parse(&b[..b.len() - 1]).is_err());
        let mut lie = b.clone();
        lie[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(Header::parse(&lie).is_err());
        // An offset past the store reads as absent, never panics.
        let mut far = b.clone();
        far[8 + 8..8 + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(Header::parse(&far).unwrap().string(tag::NAME), None);
    }
}

//! A layer's entries, stored compactly: fixed-size records and one text buffer holding every
//! path and link target back to back. An image of 100k files keeps 100k of these records for
//! as long as it is explored, so no entry owns an allocation of its own.

use super::entry::Marker;
use crate::error::{Error, Result};
use crate::tar::EntryKind;
use serde::{Deserialize, Serialize};

/// [`Record::flags`]: the entry has a link target (in [`EntryList::links`]).
const HAS_LINK: u8 = 1;
/// [`Record::flags`]: the owner ids do not fit 32 bits (they are in [`EntryList::wide_ids`]).
const WIDE_IDS: u8 = 2;

/// One tar entry of a layer, borrowed from its [`EntryList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Absolute, normalised (`/etc/passwd`); lossy UTF-8 if the name was not valid UTF-8.
    pub path: &'a str,
    /// The original name bytes, only when they were not valid UTF-8.
    pub path_raw: Option<&'a [u8]>,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: i64,
    /// Symlink target as written (never followed), or the normalised hardlink target.
    pub link_target: Option<&'a str>,
    pub marker: Option<Marker>,
    /// Where the entry's tar header starts in the uncompressed layer: identifies the entry
    /// when the layer is read again (for a file preview).
    pub header_offset: u64,
}

/// 48 bytes: what most entries need. Link targets and owner ids past 32 bits, which few
/// entries have, live in side tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Record {
    path: u32,
    path_len: u32,
    size: u64,
    mtime: i64,
    header_offset: u64,
    uid: u32,
    gid: u32,
    mode: u32,
    kind: EntryKind,
    marker: Option<Marker>,
    flags: u8,
}

/// The entries of one layer, in tar order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryList {
    text: String,
    records: Vec<Record>,
    /// Link targets in `text` (start, length), by entry index.
    links: Vec<(u32, (u32, u32))>,
    /// Owner ids (uid, gid) that do not fit 32 bits, by entry index (rare).
    wide_ids: Vec<(u32, (u64, u64))>,
    /// Original name bytes of the entries whose names are not UTF-8, by entry index (rare).
    raw: Vec<(u32, Box<[u8]>)>,
}

/// The value a side table holds for entry `i`.
fn side<T>(table: &[(u32, T)], i: usize) -> Option<&T> {
    let j = table.binary_search_by_key(&(i as u32), |(k, _)| *k).ok()?;
    Some(&table[j].1)
}

impl EntryList {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Appends an entry. Fails (kind `limit`) only past 4 GiB of path text or 2^32 entries in
    /// one layer, which the offsets cannot address.
    pub fn push(&mut self, e: &Entry<'_>) -> Result<()> {
        let too_much = || Error::limit("one layer's paths exceed 4 GiB or 2^32 entries");
        let index = u32::try_from(self.records.len()).map_err(|_| too_much())?;
        let mut add = |s: &str| -> Result<(u32, u32)> {
            let start = u32::try_from(self.text.len()).map_err(|_| too_much())?;
            let len = u32::try_from(s.len()).map_err(|_| too_much())?;
            start.checked_add(len).ok_or_else(too_much)?;
            self.text.push_str(s);
            Ok((start, len))
        };
        let (path, path_len) = add(e.path)?;
        let mut flags = 0;
        if let Some(t) = e.link_target {
            let (start, len) = add(t)?;
            self.links.push((index, (start, len)));
            flags |= HAS_LINK;
        }
        let (uid, gid) = match (u32::try_from(e.uid), u32::try_from(e.gid)) {
            (Ok(u), Ok(g)) => (u, g),
            _ => {
                self.wide_ids.push((index, (e.uid, e.gid)));
                flags |= WIDE_IDS;
                (0, 0)
            }
        };
        if let Some(raw) = e.path_raw {
            self.raw.push((index, raw.into()));
        }
        self.records.push(Record {
            path,
            path_len,
            size: e.size,
            mtime: e.mtime,
            header_offset: e.header_offset,
            uid,
            gid,
            mode: e.mode,
            kind: e.kind,
            marker: e.marker,
            flags,
        });
        Ok(())
    }

    /// Entry `i` (tar order). Panics if `i` is out of range, like slice indexing: indices come
    /// from this list, never from the input.
    pub fn get(&self, i: usize) -> Entry<'_> {
        let r = &self.records[i];
        let text = |start: u32, len: u32| &self.text[start as usize..start as usize + len as usize];
        let (uid, gid) = match side(&self.wide_ids, i) {
            Some(&ids) if r.flags & WIDE_IDS != 0 => ids,
            _ => (r.uid.into(), r.gid.into()),
        };
        Entry {
            path: text(r.path, r.path_len),
            path_raw: side(&self.raw, i).map(|b| &**b),
            kind: r.kind,
            size: r.size,
            mode: r.mode,
            uid,
            gid,
            mtime: r.mtime,
            link_target: if r.flags & HAS_LINK != 0 {
                side(&self.links, i).map(|&(start, len)| text(start, len))
            } else {
                None
            },
            marker: r.marker,
            header_offset: r.header_offset,
        }
    }

    /// The path of entry `i` (see [`EntryList::get`]).
    pub fn path(&self, i: usize) -> &str {
        let r = &self.records[i];
        &self.text[r.path as usize..r.path as usize + r.path_len as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Gives back the spare capacity once the layer is read (the list is kept, not grown).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.records.shrink_to_fit();
        self.links.shrink_to_fit();
        self.wide_ids.shrink_to_fit();
        self.raw.shrink_to_fit();
    }

    /// Whether every offset lies in the text on character boundaries and the side tables are
    /// sorted and name existing entries: a list decoded from another worker's bytes is
    /// checked before use, since [`EntryList::get`] trusts it.
    pub fn is_consistent(&self) -> bool {
        let span = |start: u32, len: u32| {
            let (start, end) = (start as usize, start as usize + len as usize);
            self.text.get(start..end).is_some()
        };
        let sorted = |keys: &mut dyn Iterator<Item = u32>| {
            let mut last: Option<u32> = None;
            for k in keys {
                if (k as usize) >= self.records.len() || last.is_some_and(|l| l >= k) {
                    return false;
                }
                last = Some(k);
            }
            true
        };
        let flagged = |flag: u8| self.records.iter().filter(|r| r.flags & flag != 0).count();
        self.records.iter().all(|r| span(r.path, r.path_len))
            && self.links.iter().all(|&(_, (start, len))| span(start, len))
            && sorted(&mut self.links.iter().map(|(k, _)| *k))
            && sorted(&mut self.wide_ids.iter().map(|(k, _)| *k))
            && sorted(&mut self.raw.iter().map(|(k, _)| *k))
            && flagged(HAS_LINK) == self.links.len()
            && flagged(WIDE_IDS) == self.wide_ids.len()
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.records.capacity() * std::mem::size_of::<Record>()
            + self.links.capacity() * 12
            + self.wide_ids.capacity() * 24
            + self.raw.iter().map(|(_, r)| r.len() + 24).sum::<usize>()
    }
}

impl<'a> FromIterator<Entry<'a>> for EntryList {
    /// For tests and fixtures: entries past the offsets' reach are dropped.
    fn from_iter<I: IntoIterator<Item = Entry<'a>>>(iter: I) -> Self {
        let mut list = EntryList::default();
        for e in iter {
            if list.push(&e).is_err() {
                break;
            }
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(path: &'a str, link: Option<&'a str>, raw: Option<&'a [u8]>) -> Entry<'a> {
        Entry {
            path,
            path_raw: raw,
            kind: EntryKind::Symlink,
            size: 7,
            mode: 0o4755,
            uid: if link.is_some() { u64::MAX } else { 1000 },
            gid: 3,
            mtime: -1,
            link_target: link,
            marker: None,
            header_offset: 1 << 40,
        }
    }

    #[test]
    fn entries_read_back_as_pushed() {
        let pushed = [
            entry("/a", Some("b"), None),
            entry("/bad\u{fffd}", None, Some(b"/bad\xff")),
            entry("/", Some(""), None),
            entry("/c", None, None),
        ];
        let list: EntryList = pushed.iter().copied().collect();
        assert_eq!(list.len(), 4);
        let back: Vec<Entry> = list.iter().collect();
        assert_eq!(back, pushed, "an empty link target is kept apart from none");
        let bytes = postcard::to_allocvec(&list).unwrap();
        let again: EntryList = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(again, list);
        assert!(again.is_consistent());
        let mut bad = list.clone();
        bad.records[0].path_len += 100;
        assert!(!bad.is_consistent(), "a path past the text");
        let mut bad = list.clone();
        bad.text = "/a\u{e9}".into();
        bad.records[0].path_len = 3;
        assert!(!bad.is_consistent(), "a path ending inside a character");
        let mut bad = list.clone();
        bad.links.reverse();
        assert!(!bad.is_consistent(), "side table out of order");
    }

    #[test]
    fn a_record_is_small() {
        assert_eq!(std::mem::size_of::<Record>(), 48);
    }
}

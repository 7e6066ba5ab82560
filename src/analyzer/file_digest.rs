//! Hashes every regular file's contents (sha256) as the layer streams by, so that two images
//! can be compared by content and not by name and size alone (a same-size edit is a change).
//! Runs only when [`Limits::file_digests`] is set (`porthole diff`, the page's Compare): a
//! plain inspection does not pay for a second hash of every byte.

use super::{EntryMeta, Findings, LayerAnalyzer, Want};
use crate::digest::Hasher;

/// The sha256 of one regular file of a layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileDigest {
    /// Index into the layer's entries.
    pub entry: usize,
    /// The digest's 32 bytes (kept raw: an image may hold a million files).
    pub sha256: [u8; 32],
}

#[derive(Default)]
pub(super) struct FileDigests {
    found: Vec<FileDigest>,
    current: Option<Hasher>,
}

impl LayerAnalyzer for FileDigests {
    fn id(&self) -> &'static str {
        "file-digests"
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        if e.is_file() {
            self.current = Some(Hasher::new());
            Want::Body
        } else {
            self.current = None;
            Want::Skip
        }
    }

    fn content(&mut self, chunk: &[u8]) -> Want {
        if let Some(h) = &mut self.current {
            h.update(chunk);
        }
        Want::Body
    }

    fn end_entry(&mut self, e: &EntryMeta) {
        if let Some(h) = self.current.take() {
            // A body cut short (a truncated layer) hashes what was there; the layer's own
            // error says it was cut.
            self.found.push(FileDigest {
                entry: e.index,
                sha256: h.finish_raw(),
            });
        }
    }

    fn finish(self: Box<Self>, out: &mut Findings) {
        out.extend(self.found);
    }
}

//! Reads executables and archives for the modules they say they were built from, one
//! [`ModuleProbe`] per toolchain (Go's build info, `cargo auditable`'s dependency tree, the
//! Maven coordinates in Java archives). A probe picks its files by their metadata and, for
//! executables, by their first four bytes, so other files cost no more than that.

use super::{BinaryModules, EntryMeta, Findings, LayerAnalyzer, Want};
use crate::scan::packages::Found;

/// Searches one file, fed chunk by chunk, for the modules it was built from.
pub(super) trait ModuleProbe: Sized {
    /// The analyzer's id.
    const ID: &'static str;
    /// The package `type` of what it finds.
    const KIND: &'static str;
    /// What the file must start with (checked as its first bytes arrive), if anything.
    const MAGIC: Option<&'static [u8; 4]>;
    /// A probe for this entry, if it is one to read (decided by its metadata alone).
    fn start(e: &EntryMeta) -> Option<Self>;
    fn feed(&mut self, data: &[u8]);
    fn modules(self) -> Vec<Found>;
}

/// The analyzer running one [`ModuleProbe`] over every file of a layer it picks.
pub(super) struct Modules<P: ModuleProbe> {
    head: [u8; 4],
    head_len: usize,
    probe: Option<P>,
    found: Vec<BinaryModules>,
}

impl<P: ModuleProbe> Modules<P> {
    pub(super) fn new() -> Self {
        Modules {
            head: [0; 4],
            head_len: 0,
            probe: None,
            found: Vec::new(),
        }
    }

    /// Whether the file starts as the probe requires: `None` until enough bytes arrived.
    fn starts_right(&mut self, data: &[u8]) -> Option<bool> {
        let Some(magic) = P::MAGIC else { return Some(true) };
        if self.head_len == 4 {
            return Some(true);
        }
        let n = (4 - self.head_len).min(data.len());
        self.head[self.head_len..self.head_len + n].copy_from_slice(&data[..n]);
        self.head_len += n;
        (self.head_len == 4).then(|| &self.head == magic)
    }
}

impl<P: ModuleProbe> LayerAnalyzer for Modules<P> {
    fn id(&self) -> &'static str {
        P::ID
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        self.head_len = 0;
        self.probe = P::start(e);
        if self.probe.is_some() { Want::Body } else { Want::Skip }
    }

    fn content(&mut self, data: &[u8]) -> Want {
        match self.starts_right(data) {
            // Chunks before the magic is complete are not fed (a probe looks far past them).
            None => return Want::Body,
            Some(false) => {
                self.probe = None;
                return Want::Skip;
            }
            Some(true) => {}
        }
        if let Some(p) = &mut self.probe {
            p.feed(data);
        }
        Want::Body
    }

    fn end_entry(&mut self, e: &EntryMeta) {
        if let Some(found) = self
            .probe
            .take()
            .and_then(|p| BinaryModules::of(e, P::KIND, p.modules()))
        {
            self.found.push(found);
        }
    }

    fn finish(self: Box<Self>, out: &mut Findings) {
        out.extend(self.found);
    }
}

/// Files worth reading as executables: big enough to be one, and not Java archives.
pub(super) fn maybe_executable(e: &EntryMeta) -> bool {
    e.is_file() && e.size >= 1024 && !crate::scan::packages::java::wants(e.path)
}

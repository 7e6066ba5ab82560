//! Reads ELF executables for the modules they say they were built from, one [`ModuleProbe`]
//! per toolchain (Go's build info, `cargo auditable`'s dependency tree). Whether a file is an
//! executable is decided on its first four bytes, so other files cost no more than that.

use super::{BinaryModules, EntryMeta, Findings, LayerAnalyzer, Want};
use crate::scan::packages::{Found, java};

/// Searches one executable, fed chunk by chunk, for the modules it was built from.
pub(super) trait ModuleProbe: Default {
    /// The analyzer's id.
    const ID: &'static str;
    /// The package `type` of what it finds.
    const KIND: &'static str;
    fn feed(&mut self, data: &[u8]);
    fn modules(self) -> Vec<Found>;
}

/// The analyzer running one [`ModuleProbe`] over every executable of a layer.
#[derive(Default)]
pub(super) struct Executables<P: ModuleProbe> {
    head: [u8; 4],
    head_len: usize,
    probe: Option<P>,
    found: Vec<BinaryModules>,
}

impl<P: ModuleProbe> LayerAnalyzer for Executables<P> {
    fn id(&self) -> &'static str {
        P::ID
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        self.head_len = 0;
        self.probe = None;
        // Big enough to be an executable, and not a Java archive (read by its own analyzer).
        if e.is_file() && e.size >= 1024 && !java::wants(e.path) {
            Want::Body
        } else {
            Want::Skip
        }
    }

    fn content(&mut self, data: &[u8]) -> Want {
        if self.probe.is_none() {
            let n = (4 - self.head_len).min(data.len());
            self.head[self.head_len..self.head_len + n].copy_from_slice(&data[..n]);
            self.head_len += n;
            if self.head_len < 4 {
                return Want::Body;
            }
            if &self.head != b"\x7fELF" {
                return Want::Skip;
            }
            self.probe = Some(P::default());
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

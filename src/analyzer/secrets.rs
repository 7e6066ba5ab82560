//! Scans the first bytes of every file ([`Limits::scan_file_bytes`]) for secrets with the
//! rule set of [`crate::scan::secrets`]. Files a later layer deletes are scanned too: their
//! bytes still ship in this layer.

use super::{EntryMeta, Findings, LayerAnalyzer, Want};
use crate::limits::Limits;
use crate::scan::secrets::{Hit, looks_binary, rules};

/// A secret found in one file of a layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileSecret {
    /// Index into the layer's entries.
    pub entry: usize,
    pub hit: Hit,
    /// The value looks like a placeholder (`changeme`, `xxxx`): listed apart, never a secret.
    pub placeholder: bool,
}

pub(super) struct SecretScan {
    found: Vec<FileSecret>,
    scan_bytes: usize,
    /// The current file's first bytes (reused between files).
    buf: Vec<u8>,
}

impl SecretScan {
    /// `Limits::scan_file_bytes` 0 turns the scan off.
    pub(super) fn new(limits: &Limits) -> Self {
        SecretScan {
            found: Vec::new(),
            scan_bytes: usize::try_from(limits.scan_file_bytes).unwrap_or(usize::MAX),
            buf: Vec::new(),
        }
    }
}

impl LayerAnalyzer for SecretScan {
    fn id(&self) -> &'static str {
        "secret-scan"
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        self.buf.clear();
        if self.scan_bytes > 0 && e.is_file() && e.size > 0 {
            Want::Body
        } else {
            Want::Skip
        }
    }

    fn content(&mut self, data: &[u8]) -> Want {
        let room = self.scan_bytes.saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&data[..room.min(data.len())]);
        if self.buf.len() < self.scan_bytes {
            Want::Body
        } else {
            Want::Skip
        }
    }

    fn end_entry(&mut self, e: &EntryMeta) {
        if self.buf.is_empty() {
            return;
        }
        let binary = looks_binary(&self.buf);
        let scanned = rules().scan_all(&self.buf, Some(e.path), binary);
        for (hit, placeholder) in scanned
            .secrets
            .into_iter()
            .map(|h| (h, false))
            .chain(scanned.placeholders.into_iter().map(|h| (h, true)))
        {
            self.found.push(FileSecret {
                entry: e.index,
                hit,
                placeholder,
            });
        }
    }

    fn finish(self: Box<Self>, out: &mut Findings) {
        out.extend(self.found);
    }
}

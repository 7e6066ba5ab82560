//! Keeps the contents of the files the image passes read after the merge: os-release and
//! every package database a cataloger wants ([`crate::scan::packages`]). A database is parsed
//! as soon as its file ends, so only its package list is kept; all captures of a layer share
//! one byte budget ([`Limits::capture_total_bytes`]).

use super::{EntryMeta, Findings, LayerAnalyzer, Want};
use crate::limits::Limits;
use crate::scan::packages;

/// The captured contents of one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Capture {
    /// Index into the layer's entries.
    pub entry: usize,
    pub bytes: Vec<u8>,
    /// The file was longer than the capture limit.
    pub truncated: bool,
    /// For a package database: what its cataloger read, parsed as soon as the file ended so
    /// that only the package list is kept (`bytes` is then emptied).
    pub parsed: Option<packages::Parsed>,
}

/// Paths whose contents are captured.
fn wanted(path: &str) -> bool {
    matches!(path, "/etc/os-release" | "/usr/lib/os-release") || packages::wants(path)
}

pub(super) struct CaptureFiles {
    captures: Vec<Capture>,
    max_file: u64,
    /// What is left of the layer's capture budget (a parsed database gives its bytes back).
    budget: u64,
}

impl CaptureFiles {
    pub(super) fn new(limits: &Limits) -> Self {
        CaptureFiles {
            captures: Vec::new(),
            max_file: limits.capture_file_bytes,
            budget: limits.capture_total_bytes,
        }
    }
}

impl LayerAnalyzer for CaptureFiles {
    fn id(&self) -> &'static str {
        "capture-files"
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        if !(e.is_file() && wanted(e.path) && self.budget > 0) {
            return Want::Skip;
        }
        self.captures.push(Capture {
            entry: e.index,
            bytes: Vec::new(),
            truncated: false,
            parsed: None,
        });
        Want::Body
    }

    fn content(&mut self, data: &[u8]) -> Want {
        let Some(c) = self.captures.last_mut() else {
            return Want::Skip;
        };
        let room = self.max_file.saturating_sub(c.bytes.len() as u64).min(self.budget) as usize;
        let n = room.min(data.len());
        c.bytes.extend_from_slice(&data[..n]);
        self.budget -= n as u64;
        if n < data.len() {
            c.truncated = true;
            return Want::Skip;
        }
        Want::Body
    }

    fn end_entry(&mut self, e: &EntryMeta) {
        if let Some(c) = self.captures.last_mut()
            && let Some(cat) = packages::catalogers().iter().find(|k| k.wants(e.path))
        {
            c.parsed = Some(cat.read(e.path, &c.bytes));
            self.budget += c.bytes.len() as u64;
            c.bytes = Vec::new();
        }
    }

    fn finish(self: Box<Self>, out: &mut Findings) {
        out.extend(self.captures);
    }
}

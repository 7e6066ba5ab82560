//! The walk of one layer: turns tar entries into the layer's [`EntryList`] (paths normalised,
//! whiteouts resolved) and hands each entry, and the body pieces they ask for, to the layer
//! analyzers ([`crate::analyzer`]). It knows none of them by name.

use crate::analyzer::{EntryMeta, Findings, LayerAnalyzer, Want};
use crate::error::{Error, Result};
use crate::fs::entry::{normalize, normalize_bytes, parent};
use crate::fs::{Entry, EntryList, Marker};
use crate::tar::stream::{EntrySink, Flow};
use crate::tar::{EntryKind, TarEntry};

/// Where an analyzer is in the current entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Not reading this entry.
    Idle,
    /// Takes the body's pieces.
    Reading,
    /// Took part of the body and wants no more; still told when it ends.
    Skipped,
    /// Wants nothing more of this layer.
    Done,
}

/// The current entry, kept for the analyzers' `end_entry`.
struct Current {
    path: String,
    index: usize,
    kind: EntryKind,
    size: u64,
    mode: u32,
    marker: Option<Marker>,
}

impl Current {
    fn meta(&self) -> EntryMeta<'_> {
        EntryMeta {
            index: self.index,
            path: &self.path,
            kind: self.kind,
            size: self.size,
            mode: self.mode,
            marker: self.marker,
        }
    }
}

/// Records a layer's entries and runs its analyzers over them.
pub struct LayerWalker {
    entries: EntryList,
    analyzers: Vec<Box<dyn LayerAnalyzer>>,
    /// Parallel to `analyzers`.
    turns: Vec<Turn>,
    /// How many are `Reading`.
    reading: usize,
    current: Option<Current>,
}

impl LayerWalker {
    pub fn new(analyzers: Vec<Box<dyn LayerAnalyzer>>) -> Self {
        LayerWalker {
            entries: EntryList::default(),
            turns: vec![Turn::Idle; analyzers.len()],
            analyzers,
            reading: 0,
            current: None,
        }
    }

    /// The entries, and what the analyzers found.
    pub fn finish(mut self) -> (EntryList, Findings) {
        self.entries.shrink_to_fit();
        let mut findings = Findings::default();
        for a in self.analyzers {
            a.finish(&mut findings);
        }
        (self.entries, findings)
    }
}

impl EntrySink for LayerWalker {
    fn entry(&mut self, t: &TarEntry) -> Result<Want> {
        self.current = None;
        let (lossy, raw) = match std::str::from_utf8(&t.path) {
            Ok(s) => (s.to_string(), None),
            Err(_) => (
                String::from_utf8_lossy(&t.path).into_owned(),
                Some(normalize_bytes(&t.path)),
            ),
        };
        let mut path = normalize(&lossy);
        // AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`) is not part of the filesystem.
        if path
            .split('/')
            .any(|c| c.starts_with(".wh..wh.") && c != ".wh..wh..opq")
        {
            return Ok(Want::Skip);
        }
        let name = path.rsplit('/').next().unwrap_or("");
        let marker = if name == ".wh..wh..opq" {
            path = parent(&path).to_string();
            Some(Marker::Opaque)
        } else if let Some(hidden) = name.strip_prefix(".wh.") {
            if hidden.is_empty() {
                return Err(Error::malformed("whiteout entry names no file"));
            }
            path = format!("{}/{}", parent(&path).trim_end_matches('/'), hidden);
            Some(Marker::Whiteout)
        } else {
            None
        };
        let link_target = match t.kind {
            EntryKind::Symlink => Some(String::from_utf8_lossy(&t.link).into_owned()),
            EntryKind::Hardlink => Some(normalize(&String::from_utf8_lossy(&t.link))),
            _ => None,
        };
        self.entries.push(&Entry {
            path: &path,
            path_raw: raw.as_deref(),
            kind: t.kind,
            size: t.size,
            mode: t.mode,
            uid: t.uid,
            gid: t.gid,
            mtime: t.mtime,
            link_target: link_target.as_deref(),
            marker,
            header_offset: t.header_offset,
        })?;
        let current = self.current.insert(Current {
            path,
            index: self.entries.len() - 1,
            kind: t.kind,
            size: t.size,
            mode: t.mode,
            marker,
        });
        let meta = current.meta();
        self.reading = 0;
        for (a, turn) in self.analyzers.iter_mut().zip(&mut self.turns) {
            if *turn == Turn::Done {
                continue;
            }
            *turn = match a.entry(&meta) {
                Want::Body => Turn::Reading,
                Want::Skip => Turn::Idle,
                Want::Stop => Turn::Done,
            };
            self.reading += usize::from(*turn == Turn::Reading);
        }
        Ok(if self.reading > 0 { Want::Body } else { Want::Skip })
    }

    fn content(&mut self, _t: &TarEntry, data: &[u8]) -> Result<Want> {
        for (a, turn) in self.analyzers.iter_mut().zip(&mut self.turns) {
            if *turn != Turn::Reading {
                continue;
            }
            match a.content(data) {
                Want::Body => continue,
                Want::Skip => *turn = Turn::Skipped,
                Want::Stop => *turn = Turn::Done,
            }
            self.reading -= 1;
        }
        Ok(if self.reading > 0 { Want::Body } else { Want::Skip })
    }

    fn end(&mut self, _t: &TarEntry) -> Result<Flow> {
        if let Some(current) = &self.current {
            let meta = current.meta();
            for (a, turn) in self.analyzers.iter_mut().zip(&mut self.turns) {
                if matches!(*turn, Turn::Reading | Turn::Skipped) {
                    a.end_entry(&meta);
                    *turn = Turn::Idle;
                }
            }
        }
        self.reading = 0;
        Ok(Flow::Continue)
    }
}

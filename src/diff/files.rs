//! The merged filesystems compared path by path: both views are sorted by path, so one merge
//! walk finds every path added, removed or changed. Contents compare by the sha256 the
//! `file-digests` analyzer recorded for each regular file in the layer's single pass.

use super::{FileChange, FileState};
use crate::analyzer::FileDigest;
use crate::fs::{EntryList, MergedView};
use crate::inspect::ImageState;
use crate::tar::EntryKind;
use std::cmp::Ordering;

/// Per layer: the digests of its regular files, sorted by entry (the order they were found).
struct Digests<'a> {
    layers: Vec<Vec<&'a FileDigest>>,
    /// Whether every layer was hashed (else contents cannot be compared).
    complete: bool,
}

impl<'a> Digests<'a> {
    fn of(state: &'a ImageState) -> Self {
        let mut complete = true;
        let layers = state
            .layers
            .iter()
            .map(|l| {
                let mut d: Vec<&FileDigest> = l.findings.of::<FileDigest>().collect();
                d.sort_by_key(|d| d.entry);
                // A layer with files but no digests was read without hashing (or not read).
                if d.is_empty() && l.entries.iter().any(|e| e.kind == EntryKind::Regular && e.size > 0) {
                    complete = false;
                }
                d
            })
            .collect();
        Digests { layers, complete }
    }

    fn get(&self, layer: usize, entry: usize) -> Option<&[u8; 32]> {
        let list = self.layers.get(layer)?;
        let i = list.binary_search_by_key(&entry, |d| d.entry).ok()?;
        list.get(i).map(|d| &d.sha256)
    }
}

fn state(view: &MergedView, digests: &Digests, v: usize) -> FileState {
    let e = view.entry(v);
    let version = view.tree.version(v);
    let layer = version.map_or(0, |v| v.layer());
    let sha256 = match e.kind {
        EntryKind::Regular => version.and_then(|ver| digests.get(ver.layer(), ver.entry())),
        // A hardlink's bytes are its target's: the target's latest version at or below it.
        EntryKind::Hardlink => version.and_then(|ver| {
            let target = view
                .versions_of(e.link_target.unwrap_or_default())
                .iter()
                .rev()
                .filter_map(|&t| view.tree.version(t as usize))
                .find(|t| t.layer() <= ver.layer())?;
            digests.get(target.layer(), target.entry())
        }),
        _ => None,
    }
    .map(|d| format!("sha256:{}", crate::digest::hex(d)));
    FileState {
        kind: e.kind.as_str(),
        size: e.size,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        mtime: e.mtime,
        link_target: e.link_target.map(str::to_string),
        sha256,
        layer,
    }
}

/// What differs between two versions of one path.
fn what_differs(a: &FileState, b: &FileState, semantic: bool, contents: bool) -> Vec<&'static str> {
    let mut what = Vec::new();
    // Under --semantic a hardlink and a copy with the same bytes are the same file (tar
    // writers differ in whether they link duplicates).
    let same_file = semantic && a.sha256.is_some() && a.sha256 == b.sha256;
    if a.kind != b.kind && !same_file {
        what.push("type");
    }
    let file = |k: &str| k == "file" || k == "hardlink";
    if file(a.kind) && file(b.kind) {
        if contents && a.sha256 != b.sha256 {
            what.push("content");
        }
        if a.kind == b.kind && a.size != b.size {
            what.push("size");
        }
    }
    // A symlink's mode means nothing.
    if a.kind != "symlink" && b.kind != "symlink" && a.mode & 0o7777 != b.mode & 0o7777 {
        what.push("mode");
    }
    if (a.uid, a.gid) != (b.uid, b.gid) {
        what.push("owner");
    }
    if a.link_target != b.link_target && !(same_file && (a.kind == "hardlink" || b.kind == "hardlink")) {
        what.push("link");
    }
    if !semantic && a.mtime != b.mtime {
        what.push("mtime");
    }
    what
}

/// Changes listed at most (the counts stay exact): two unrelated images of millions of files
/// would otherwise make a list of gigabytes.
pub const MAX_LISTED: usize = 100_000;

/// What differs between the two filesystems.
#[derive(Default)]
pub(super) struct Changes {
    /// The first [`MAX_LISTED`] paths that differ, sorted by path.
    pub listed: Vec<FileChange>,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

impl Changes {
    /// Counts a change of kind `change`; `make` builds its listing only while there is room.
    fn push(&mut self, change: &'static str, make: impl FnOnce() -> FileChange) {
        match change {
            "added" => self.added += 1,
            "removed" => self.removed += 1,
            _ => self.changed += 1,
        }
        if self.listed.len() < MAX_LISTED {
            self.listed.push(make());
        }
    }

    pub fn total(&self) -> usize {
        self.added + self.removed + self.changed
    }
}

/// Every path whose visible version differs between A and B, sorted by path.
pub(super) fn changes(sa: &ImageState, sb: &ImageState, semantic: bool, not_compared: &mut Vec<String>) -> Changes {
    let (la, lb): (Vec<&EntryList>, Vec<&EntryList>) = (sa.entry_lists(), sb.entry_lists());
    let (va, vb) = (sa.tree.view(&la), sb.tree.view(&lb));
    let (da, db) = (Digests::of(sa), Digests::of(sb));
    let contents = da.complete && db.complete;
    if !contents {
        not_compared.push(
            "file contents: a layer was read without hashing its files (or not read); files compare by size, \
mode, owner and link only"
                .to_string(),
        );
    }
    let mut out = Changes::default();
    let mut ia = va.visible_iter().peekable();
    let mut ib = vb.visible_iter().peekable();
    loop {
        let order = match (ia.peek(), ib.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((pa, _)), Some((pb, _))) => pa.cmp(pb),
        };
        match order {
            Ordering::Less => {
                if let Some((p, v)) = ia.next() {
                    out.push("removed", || FileChange {
                        path: p.to_string(),
                        change: "removed",
                        what: Vec::new(),
                        a: Some(state(&va, &da, v)),
                        b: None,
                    });
                }
            }
            Ordering::Greater => {
                if let Some((p, v)) = ib.next() {
                    out.push("added", || FileChange {
                        path: p.to_string(),
                        change: "added",
                        what: Vec::new(),
                        a: None,
                        b: Some(state(&vb, &db, v)),
                    });
                }
            }
            Ordering::Equal => {
                if let (Some((p, a)), Some((_, b))) = (ia.next(), ib.next()) {
                    let (fa, fb) = (state(&va, &da, a), state(&vb, &db, b));
                    let what = what_differs(&fa, &fb, semantic, contents);
                    if !what.is_empty() {
                        out.push("changed", || FileChange {
                            path: p.to_string(),
                            change: "changed",
                            what,
                            a: Some(fa),
                            b: Some(fb),
                        });
                    }
                }
            }
        }
    }
    out
}

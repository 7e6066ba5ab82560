//! The merged view: layers applied in order, whiteouts and opaque directories hiding what lower
//! layers added. Every version of every path is kept with its fate, because a file hidden by a
//! later layer still ships in the image.
//!
//! The tree is kept for as long as an image is explored, so it holds no strings: paths are
//! read from the layers' [`EntryList`]s, and the index is a few flat arrays of `u32` sorted by
//! path (about 32 bytes per version), searched by bisection through a [`MergedView`].

use super::entries::{Entry, EntryList};
use super::entry::Marker;
use crate::tar::EntryKind;
use std::collections::BTreeMap;
use std::ops::Bound::{Included, Unbounded};

/// Not set (no layer, no version).
const NONE: u32 = u32::MAX;

fn opt(x: u32) -> Option<usize> {
    (x != NONE).then_some(x as usize)
}

/// One version of a path: the entry a layer added, and what later happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    layer: u32,
    entry: u32,
    deleted_in: u32,
    overwritten_in: u32,
}

impl Version {
    /// The layer that added this version.
    pub fn layer(self) -> usize {
        self.layer as usize
    }
    /// Index into that layer's entries.
    pub fn entry(self) -> usize {
        self.entry as usize
    }
    /// The layer whose whiteout (or opaque directory) hid this version.
    pub fn deleted_in(self) -> Option<usize> {
        opt(self.deleted_in)
    }
    /// The layer that replaced this version with its own.
    pub fn overwritten_in(self) -> Option<usize> {
        opt(self.overwritten_in)
    }
    /// Deleted or replaced by a later layer (its bytes still ship).
    pub fn hidden(self) -> bool {
        self.deleted_in != NONE || self.overwritten_in != NONE
    }
}

/// Per-layer change counts against the merged view below it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerChanges {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
    /// Bytes of regular files written where nothing lower was visible (a new path, one a
    /// lower layer deleted, or a repeat within this layer: each write counted once).
    pub bytes_added: u64,
    /// Bytes of regular files written over a lower layer's visible version.
    pub bytes_modified: u64,
}

/// The merged filesystem of an image.
#[derive(Debug, Default)]
pub struct MergedTree {
    /// Every version, in layer order then tar order.
    versions: Vec<Version>,
    /// Version indices grouped by path (paths in byte order), oldest first within a path.
    by_path: Vec<u32>,
    /// Per distinct path (a "slot", in byte order): where its versions start in `by_path`.
    starts: Vec<u32>,
    /// Per slot: its visible version, or [`NONE`].
    shown: Vec<u32>,
    /// The slots with a visible version, in path order.
    visible_slots: Vec<u32>,
    pub changes: Vec<LayerChanges>,
}

fn remove_subtree(visible: &mut BTreeMap<&str, u32>, dir: &str, include_self: bool) -> Vec<u32> {
    let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
    let keys: Vec<&str> = visible
        .range::<str, _>((Included(prefix.as_str()), Unbounded))
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| *k)
        .collect();
    let mut out: Vec<u32> = keys.iter().filter_map(|k| visible.remove(k)).collect();
    if include_self && let Some(v) = visible.remove(dir) {
        out.push(v);
    }
    out
}

impl MergedTree {
    /// Applies layers in order. `layers[i]` are the entries of layer `i` in tar order.
    pub fn build<'a>(layers: &[&'a EntryList]) -> MergedTree {
        let mut versions: Vec<Version> = Vec::new();
        // Visible path → version while the layers are applied; paths borrowed, not copied.
        let mut visible: BTreeMap<&'a str, u32> = BTreeMap::new();
        let mut changes = Vec::with_capacity(layers.len());
        for (l, entries) in layers.iter().enumerate() {
            let l = l as u32;
            let mut ch = LayerChanges::default();
            // Whiteouts apply to lower layers only, so they go first.
            for e in entries.iter() {
                let hidden = match e.marker {
                    Some(Marker::Opaque) => remove_subtree(&mut visible, e.path, false),
                    Some(Marker::Whiteout) => remove_subtree(&mut visible, e.path, true),
                    None => continue,
                };
                ch.deleted += hidden.len() as u64;
                for v in hidden {
                    versions[v as usize].deleted_in = l;
                }
            }
            for (i, e) in entries.iter().enumerate() {
                if e.marker.is_some() || e.path == "/" {
                    continue;
                }
                // Indices are u32 (NONE is u32::MAX). Four billion versions would need hundreds
                // of GB for their entries; past that, further entries are left out, not wrapped.
                if versions.len() >= NONE as usize {
                    break;
                }
                let idx = versions.len() as u32;
                versions.push(Version {
                    layer: l,
                    entry: i as u32,
                    deleted_in: NONE,
                    overwritten_in: NONE,
                });
                let bytes = if e.kind == EntryKind::Regular { e.size } else { 0 };
                match visible.insert(e.path, idx) {
                    None => {
                        ch.added += 1;
                        ch.bytes_added = ch.bytes_added.saturating_add(bytes);
                    }
                    Some(old) => {
                        let old_v = versions[old as usize];
                        versions[old as usize].overwritten_in = l;
                        if old_v.layer != l {
                            ch.modified += 1;
                            ch.bytes_modified = ch.bytes_modified.saturating_add(bytes);
                        } else {
                            ch.bytes_added = ch.bytes_added.saturating_add(bytes);
                        }
                        // A directory replaced by something else takes its contents with it.
                        let was_dir = layers[old_v.layer()].get(old_v.entry()).kind == EntryKind::Directory;
                        if was_dir && e.kind != EntryKind::Directory {
                            for v in remove_subtree(&mut visible, e.path, false) {
                                versions[v as usize].deleted_in = l;
                                ch.deleted += 1;
                            }
                        }
                    }
                }
            }
            changes.push(ch);
        }

        let path = |v: u32| {
            let ver = versions[v as usize];
            layers[ver.layer()].path(ver.entry())
        };
        let mut is_visible = vec![false; versions.len()];
        for &v in visible.values() {
            is_visible[v as usize] = true;
        }
        // All versions by path, each path's oldest first (by index: versions are numbered in
        // layer order). The visible ones come sorted out of the map; only the hidden ones
        // (overwritten, deleted: usually few) need sorting, and the two lists are merged.
        let mut hidden: Vec<u32> = (0..versions.len() as u32)
            .filter(|&v| !is_visible[v as usize])
            .collect();
        hidden.sort_by(|&a, &b| path(a).cmp(path(b)).then(a.cmp(&b)));
        let mut by_path = Vec::with_capacity(versions.len());
        let mut hidden = hidden.into_iter().peekable();
        for (&p, &v) in &visible {
            while let Some(&h) = hidden.peek()
                && (path(h), h) < (p, v)
            {
                by_path.push(h);
                hidden.next();
            }
            by_path.push(v);
        }
        by_path.extend(hidden);
        let (mut starts, mut shown, mut visible_slots) = (Vec::new(), Vec::new(), Vec::new());
        for (i, &v) in by_path.iter().enumerate() {
            if i == 0 || path(by_path[i - 1]) != path(v) {
                starts.push(i as u32);
                shown.push(NONE);
            }
            if is_visible[v as usize] {
                let slot = shown.len() - 1;
                shown[slot] = v;
                visible_slots.push(slot as u32);
            }
        }
        MergedTree {
            versions,
            by_path,
            starts,
            shown,
            visible_slots,
            changes,
        }
    }

    /// Every version, in layer order then tar order.
    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// Version `v`, if there is one.
    pub fn version(&self, v: usize) -> Option<Version> {
        self.versions.get(v).copied()
    }

    /// How many paths were ever added (visible or not).
    pub fn path_count(&self) -> usize {
        self.starts.len()
    }

    /// Bytes held on the heap by the index.
    pub fn heap_bytes(&self) -> usize {
        self.versions.capacity() * std::mem::size_of::<Version>()
            + 4 * (self.by_path.capacity()
                + self.starts.capacity()
                + self.shown.capacity()
                + self.visible_slots.capacity())
    }

    /// The tree with the entry lists it was built from, for lookups by path.
    pub fn view<'a>(&'a self, layers: &'a [&'a EntryList]) -> MergedView<'a> {
        MergedView { tree: self, layers }
    }
}

/// A [`MergedTree`] with its layers' entries: paths are looked up by bisection over the
/// sorted slots. A slot is one distinct path; a version is one entry that added it.
#[derive(Clone, Copy)]
pub struct MergedView<'a> {
    pub tree: &'a MergedTree,
    pub layers: &'a [&'a EntryList],
}

impl<'a> MergedView<'a> {
    /// The entry of version `v`.
    pub fn entry(&self, v: usize) -> Entry<'a> {
        let ver = self.tree.versions[v];
        self.layers[ver.layer()].get(ver.entry())
    }

    /// The path of slot `s`.
    pub fn slot_path(&self, s: usize) -> &'a str {
        let ver = self.tree.versions[self.tree.by_path[self.tree.starts[s] as usize] as usize];
        self.layers[ver.layer()].path(ver.entry())
    }

    /// The first slot whose path is not less than `key` (the number of slots if none).
    pub fn lower_bound(&self, key: &str) -> usize {
        let (mut lo, mut hi) = (0, self.tree.starts.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.slot_path(mid) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The slot of `path`.
    pub fn find(&self, path: &str) -> Option<usize> {
        let s = self.lower_bound(path);
        (s < self.tree.starts.len() && self.slot_path(s) == path).then_some(s)
    }

    /// The versions of slot `s`, oldest first.
    pub fn versions_at(&self, s: usize) -> &'a [u32] {
        let t = self.tree;
        let end = t.starts.get(s + 1).map_or(t.by_path.len(), |&e| e as usize);
        &t.by_path[t.starts[s] as usize..end]
    }

    /// The visible version of slot `s`.
    pub fn shown_at(&self, s: usize) -> Option<usize> {
        opt(self.tree.shown[s])
    }

    /// The visible version at `path`.
    pub fn visible(&self, path: &str) -> Option<usize> {
        self.find(path).and_then(|s| self.shown_at(s))
    }

    /// Every version of `path`, oldest first (empty if no layer added it).
    pub fn versions_of(&self, path: &str) -> &'a [u32] {
        self.find(path).map_or(&[], |s| self.versions_at(s))
    }

    /// Visible paths with their versions, in path order.
    pub fn visible_iter(self) -> impl Iterator<Item = (&'a str, usize)> + 'a {
        self.tree
            .visible_slots
            .iter()
            .map(move |&s| (self.slot_path(s as usize), self.tree.shown[s as usize] as usize))
    }

    /// Every path ever added, with its slot, from the first not less than `key`, in order.
    pub fn paths_from(self, key: &str) -> impl Iterator<Item = (&'a str, usize)> + 'a {
        (self.lower_bound(key)..self.tree.starts.len()).map(move |s| (self.slot_path(s), s))
    }

    /// Whether a visible path starts with `prefix`.
    pub fn any_visible_under(&self, prefix: &str) -> bool {
        let from = self.lower_bound(prefix) as u32;
        let i = self.tree.visible_slots.partition_point(|&s| s < from);
        self.tree
            .visible_slots
            .get(i)
            .is_some_and(|&s| self.slot_path(s as usize).starts_with(prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &'static str, kind: EntryKind, size: u64) -> Entry<'static> {
        Entry {
            path,
            path_raw: None,
            kind,
            size,
            mode: 0o644,
            uid: 0,
            gid: 0,
            mtime: 0,
            link_target: None,
            marker: None,
            header_offset: 0,
        }
    }
    fn f(path: &'static str, size: u64) -> Entry<'static> {
        e(path, EntryKind::Regular, size)
    }
    fn d(path: &'static str) -> Entry<'static> {
        e(path, EntryKind::Directory, 0)
    }
    fn wh(path: &'static str, m: Marker) -> Entry<'static> {
        Entry {
            marker: Some(m),
            ..f(path, 0)
        }
    }
    /// Builds the tree of `layers` and lists its visible paths.
    fn merge(layers: &[Vec<Entry<'static>>]) -> (MergedTree, Vec<String>) {
        let lists: Vec<EntryList> = layers.iter().map(|l| l.iter().copied().collect()).collect();
        let refs: Vec<&EntryList> = lists.iter().collect();
        let t = MergedTree::build(&refs);
        let visible = t.view(&refs).visible_iter().map(|(p, _)| p.to_string()).collect();
        (t, visible)
    }

    #[test]
    fn whiteout_of_a_directory_hides_its_subtree() {
        let l0 = vec![d("/a"), f("/a/x", 5), d("/a/b"), f("/a/b/y", 7), f("/ab", 1)];
        let l1 = vec![wh("/a", Marker::Whiteout)];
        let (t, visible) = merge(&[l0, l1]);
        assert_eq!(visible, vec!["/ab"], "the sibling /ab shares a prefix but stays");
        assert_eq!(t.changes[1].deleted, 4);
        assert!(t.versions()[..4].iter().all(|v| v.deleted_in() == Some(1)));
    }

    #[test]
    fn opaque_directory_hides_lower_contents_but_keeps_its_own() {
        let l0 = vec![d("/a"), f("/a/old", 3)];
        let l1 = vec![d("/a"), wh("/a", Marker::Opaque), f("/a/new", 4)];
        let (t, visible) = merge(&[l0, l1]);
        assert_eq!(visible, vec!["/a", "/a/new"]);
        assert_eq!(t.versions()[1].deleted_in(), Some(1));
        assert_eq!(t.versions()[0].overwritten_in(), Some(1));
    }

    #[test]
    fn opaque_root_hides_everything_below() {
        let l0 = vec![f("/x", 1), d("/y"), f("/y/z", 1)];
        let l1 = vec![wh("/", Marker::Opaque), f("/n", 1)];
        let (_, visible) = merge(&[l0, l1]);
        assert_eq!(visible, vec!["/n"]);
    }

    #[test]
    fn directory_replaced_by_a_file_takes_its_contents() {
        let l0 = vec![d("/a"), f("/a/x", 9)];
        let l1 = vec![f("/a", 2)];
        let (t, visible) = merge(&[l0, l1]);
        assert_eq!(visible, vec!["/a"]);
        assert_eq!(t.versions()[1].deleted_in(), Some(1));
        assert_eq!(t.versions()[0].overwritten_in(), Some(1));
        assert_eq!(
            t.changes[1],
            LayerChanges {
                added: 0,
                modified: 1,
                deleted: 1,
                bytes_added: 0,
                bytes_modified: 2,
            }
        );
    }

    #[test]
    fn whiteout_applies_to_lower_layers_only() {
        // A layer that re-adds a path it also whites out keeps its own copy.
        let l0 = vec![f("/a", 1)];
        let l1 = vec![f("/a", 2), wh("/a", Marker::Whiteout)];
        let (t, visible) = merge(&[l0, l1]);
        assert_eq!(visible, vec!["/a"]);
        assert_eq!(t.versions()[0].deleted_in(), Some(1));
        assert_eq!(t.versions()[1].layer(), 1);
    }

    #[test]
    fn a_file_deleted_then_re_added_is_visible_again() {
        let l0 = vec![f("/s", 10)];
        let l1 = vec![wh("/s", Marker::Whiteout)];
        let l2 = vec![f("/s", 20)];
        let (t, visible) = merge(&[l0, l1, l2]);
        assert_eq!(visible, vec!["/s"]);
        assert_eq!(t.changes[2].added, 1);
        assert_eq!(t.versions()[0].deleted_in(), Some(1));
    }

    #[test]
    fn versions_are_ordered_by_path_then_age_whatever_hides_them() {
        // Overwritten, whited out, re-added, a directory replaced, a path twice in one layer.
        let l0 = vec![
            d("/a"),
            f("/a/x", 1),
            f("/b", 1),
            f("/c", 1),
            f("/b", 2),
            d("/d"),
            f("/d/e", 1),
        ];
        let l1 = vec![wh("/c", Marker::Whiteout), f("/a/x", 2), f("/d", 3), f("/a-", 1)];
        let l2 = vec![f("/c", 4), wh("/a", Marker::Whiteout), f("/a/x", 5), f("/0", 1)];
        let lists: Vec<EntryList> = [l0, l1, l2].iter().map(|l| l.iter().copied().collect()).collect();
        let refs: Vec<&EntryList> = lists.iter().collect();
        let t = MergedTree::build(&refs);
        let path = |v: u32| {
            let ver = t.versions()[v as usize];
            refs[ver.layer()].path(ver.entry())
        };
        let mut expected: Vec<u32> = (0..t.versions().len() as u32).collect();
        expected.sort_by(|&a, &b| path(a).cmp(path(b)));
        assert_eq!(t.by_path, expected);
    }

    #[test]
    fn paths_are_found_by_bisection_with_their_versions_oldest_first() {
        let l0 = vec![d("/a"), f("/a/x", 1), f("/a-b", 2), f("/a/y", 3), f("/z", 4)];
        let l1 = vec![f("/a/x", 5), wh("/a/y", Marker::Whiteout), f("/a.c", 6)];
        let lists: Vec<EntryList> = [l0, l1].iter().map(|l| l.iter().copied().collect()).collect();
        let refs: Vec<&EntryList> = lists.iter().collect();
        let t = MergedTree::build(&refs);
        let view = t.view(&refs);
        let paths: Vec<&str> = view.paths_from("").map(|(p, _)| p).collect();
        assert_eq!(paths, vec!["/a", "/a-b", "/a.c", "/a/x", "/a/y", "/z"], "byte order");
        assert_eq!(t.path_count(), 6);
        let x: Vec<(usize, u64)> = view
            .versions_of("/a/x")
            .iter()
            .map(|&v| (t.versions()[v as usize].layer(), view.entry(v as usize).size))
            .collect();
        assert_eq!(x, vec![(0, 1), (1, 5)]);
        assert_eq!(view.visible("/a/x").map(|v| view.entry(v).size), Some(5));
        assert_eq!(view.visible("/a/y"), None, "deleted");
        assert_eq!(view.versions_of("/a/y").len(), 1, "but its version is kept");
        assert_eq!(view.find("/a/"), None);
        assert_eq!(view.find("/b"), None);
        assert_eq!(view.lower_bound("/b"), 5);
        assert!(view.any_visible_under("/a/"));
        assert!(!view.any_visible_under("/a/y/"));
        assert!(!view.any_visible_under("/zz"));
    }
}

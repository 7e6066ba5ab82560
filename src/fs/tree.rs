//! The merged view: layers applied in order, whiteouts and opaque directories hiding what lower
//! layers added. Every version of every path is kept with its fate, because a file hidden by a
//! later layer still ships in the image.

use super::entry::{FileEntry, Marker};
use crate::tar::EntryKind;
use std::collections::BTreeMap;

/// One version of a path: the entry a layer added, and what later happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub layer: usize,
    /// Index into that layer's entries.
    pub entry: usize,
    /// The layer whose whiteout (or opaque directory) hid this version.
    pub deleted_in: Option<usize>,
    /// The layer that replaced this version with its own.
    pub overwritten_in: Option<usize>,
}

/// Per-layer change counts against the merged view below it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerChanges {
    pub added: u64,
    pub modified: u64,
    pub deleted: u64,
}

/// The merged filesystem of an image.
#[derive(Debug, Default)]
pub struct MergedTree {
    /// Every version, in layer order then tar order.
    pub versions: Vec<Version>,
    /// Visible path → index into `versions`.
    pub visible: BTreeMap<String, usize>,
    /// Every path ever added (visible or not) → its versions, oldest first.
    pub paths: BTreeMap<String, Vec<usize>>,
    pub changes: Vec<LayerChanges>,
}

fn remove_subtree(visible: &mut BTreeMap<String, usize>, dir: &str, include_self: bool) -> Vec<usize> {
    let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
    let keys: Vec<String> = visible
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    let mut out: Vec<usize> = keys.iter().filter_map(|k| visible.remove(k)).collect();
    if include_self && let Some(v) = visible.remove(dir) {
        out.push(v);
    }
    out
}

impl MergedTree {
    /// Applies layers in order. `layers[i]` are the entries of layer `i` in tar order.
    pub fn build(layers: &[&[FileEntry]]) -> MergedTree {
        let mut t = MergedTree::default();
        for (l, entries) in layers.iter().enumerate() {
            let mut ch = LayerChanges::default();
            // Whiteouts apply to lower layers only, so they go first.
            for e in entries.iter() {
                let hidden = match e.marker {
                    Some(Marker::Opaque) => remove_subtree(&mut t.visible, &e.path, false),
                    Some(Marker::Whiteout) => remove_subtree(&mut t.visible, &e.path, true),
                    None => continue,
                };
                ch.deleted += hidden.len() as u64;
                for v in hidden {
                    t.versions[v].deleted_in = Some(l);
                }
            }
            for (i, e) in entries.iter().enumerate() {
                if e.marker.is_some() || e.path == "/" {
                    continue;
                }
                let idx = t.versions.len();
                t.versions.push(Version {
                    layer: l,
                    entry: i,
                    deleted_in: None,
                    overwritten_in: None,
                });
                t.paths.entry(e.path.clone()).or_default().push(idx);
                match t.visible.insert(e.path.clone(), idx) {
                    None => ch.added += 1,
                    Some(old) => {
                        let old_v = t.versions[old];
                        t.versions[old].overwritten_in = Some(l);
                        if old_v.layer != l {
                            ch.modified += 1;
                        }
                        // A directory replaced by something else takes its contents with it.
                        let was_dir = layers[old_v.layer][old_v.entry].kind == EntryKind::Directory;
                        if was_dir && e.kind != EntryKind::Directory {
                            for v in remove_subtree(&mut t.visible, &e.path, false) {
                                t.versions[v].deleted_in = Some(l);
                                ch.deleted += 1;
                            }
                        }
                    }
                }
            }
            t.changes.push(ch);
        }
        t
    }

    /// The entry of a version.
    pub fn entry<'a>(&self, layers: &[&'a [FileEntry]], v: usize) -> &'a FileEntry {
        let v = self.versions[v];
        &layers[v.layer][v.entry]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, kind: EntryKind, size: u64) -> FileEntry {
        FileEntry {
            path: path.into(),
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
    fn f(path: &str, size: u64) -> FileEntry {
        e(path, EntryKind::Regular, size)
    }
    fn d(path: &str) -> FileEntry {
        e(path, EntryKind::Directory, 0)
    }
    fn wh(path: &str, m: Marker) -> FileEntry {
        FileEntry {
            marker: Some(m),
            ..f(path, 0)
        }
    }
    fn visible(t: &MergedTree) -> Vec<&str> {
        t.visible.keys().map(String::as_str).collect()
    }

    #[test]
    fn whiteout_of_a_directory_hides_its_subtree() {
        let l0 = vec![d("/a"), f("/a/x", 5), d("/a/b"), f("/a/b/y", 7), f("/ab", 1)];
        let l1 = vec![wh("/a", Marker::Whiteout)];
        let t = MergedTree::build(&[&l0, &l1]);
        assert_eq!(visible(&t), vec!["/ab"], "the sibling /ab shares a prefix but stays");
        assert_eq!(t.changes[1].deleted, 4);
        assert!(t.versions[..4].iter().all(|v| v.deleted_in == Some(1)));
    }

    #[test]
    fn opaque_directory_hides_lower_contents_but_keeps_its_own() {
        let l0 = vec![d("/a"), f("/a/old", 3)];
        let l1 = vec![d("/a"), wh("/a", Marker::Opaque), f("/a/new", 4)];
        let t = MergedTree::build(&[&l0, &l1]);
        assert_eq!(visible(&t), vec!["/a", "/a/new"]);
        assert_eq!(t.versions[1].deleted_in, Some(1));
        assert_eq!(t.versions[0].overwritten_in, Some(1));
    }

    #[test]
    fn opaque_root_hides_everything_below() {
        let l0 = vec![f("/x", 1), d("/y"), f("/y/z", 1)];
        let l1 = vec![wh("/", Marker::Opaque), f("/n", 1)];
        let t = MergedTree::build(&[&l0, &l1]);
        assert_eq!(visible(&t), vec!["/n"]);
    }

    #[test]
    fn directory_replaced_by_a_file_takes_its_contents() {
        let l0 = vec![d("/a"), f("/a/x", 9)];
        let l1 = vec![f("/a", 2)];
        let t = MergedTree::build(&[&l0, &l1]);
        assert_eq!(visible(&t), vec!["/a"]);
        assert_eq!(t.versions[1].deleted_in, Some(1));
        assert_eq!(t.versions[0].overwritten_in, Some(1));
        assert_eq!(
            t.changes[1],
            LayerChanges {
                added: 0,
                modified: 1,
                deleted: 1
            }
        );
    }

    #[test]
    fn whiteout_applies_to_lower_layers_only() {
        // A layer that re-adds a path it also whites out keeps its own copy.
        let l0 = vec![f("/a", 1)];
        let l1 = vec![f("/a", 2), wh("/a", Marker::Whiteout)];
        let t = MergedTree::build(&[&l0, &l1]);
        assert_eq!(visible(&t), vec!["/a"]);
        assert_eq!(t.versions[0].deleted_in, Some(1));
        assert_eq!(t.versions[1].layer, 1);
    }

    #[test]
    fn a_file_deleted_then_re_added_is_visible_again() {
        let l0 = vec![f("/s", 10)];
        let l1 = vec![wh("/s", Marker::Whiteout)];
        let l2 = vec![f("/s", 20)];
        let t = MergedTree::build(&[&l0, &l1, &l2]);
        assert_eq!(visible(&t), vec!["/s"]);
        assert_eq!(t.changes[2].added, 1);
        assert_eq!(t.versions[0].deleted_in, Some(1));
    }
}

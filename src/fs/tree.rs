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

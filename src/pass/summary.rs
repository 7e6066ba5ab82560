//! What the merged filesystem holds: per layer the files it added, changed and deleted and
//! their bytes; for the image, the visible entries and their size, and the bytes that ship but are hidden.

use super::{ImagePass, ImageView};
use crate::report::ImageReport;
use crate::tar::EntryKind;

pub(super) struct Summary;

impl ImagePass for Summary {
    fn id(&self) -> &'static str {
        "summary"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        let view = image.view;
        for (layer, ch) in out.layers.iter_mut().zip(&view.tree.changes) {
            layer.files_added = ch.added;
            layer.files_modified = ch.modified;
            layer.files_deleted = ch.deleted;
        }
        let s = &mut out.summary;
        for (_, v) in view.visible_iter() {
            let e = view.entry(v);
            s.entries += 1;
            if matches!(e.kind, EntryKind::Regular | EntryKind::Hardlink) {
                s.regular_files += 1;
            }
            if e.kind == EntryKind::Regular {
                s.total_size += e.size;
            }
        }
        // Per layer, the bytes of regular files it writes: at a new path or over a lower
        // layer's version (by each path's versions, oldest first), and those the image hides.
        for slot in 0..view.tree.path_count() {
            for (i, &v) in view.versions_at(slot).iter().enumerate() {
                let ver = view.tree.versions()[v as usize];
                let e = view.entry(v as usize);
                if e.kind != EntryKind::Regular {
                    continue;
                }
                let Some(layer) = out.layers.get_mut(ver.layer()) else {
                    continue;
                };
                if i == 0 {
                    layer.bytes_added = layer.bytes_added.saturating_add(e.size);
                } else {
                    layer.bytes_modified = layer.bytes_modified.saturating_add(e.size);
                }
                if ver.hidden() {
                    layer.bytes_wasted = layer.bytes_wasted.saturating_add(e.size);
                    out.summary.wasted_bytes = out.summary.wasted_bytes.saturating_add(e.size);
                }
            }
        }
    }
}

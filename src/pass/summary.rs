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
            layer.bytes_added = ch.bytes_added;
            layer.bytes_modified = ch.bytes_modified;
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
        // What each layer ships that the image hides: the layers' sum is the image's waste.
        for v in view.tree.versions() {
            let e = view.layers[v.layer()].get(v.entry());
            if e.kind == EntryKind::Regular && v.hidden() {
                out.summary.wasted_bytes = out.summary.wasted_bytes.saturating_add(e.size);
                if let Some(layer) = out.layers.get_mut(v.layer()) {
                    layer.bytes_wasted = layer.bytes_wasted.saturating_add(e.size);
                }
            }
        }
    }
}

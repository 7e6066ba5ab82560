//! What the merged filesystem holds: per layer the files it added, changed and deleted; for
//! the image, the visible entries and their size, and the bytes that ship but are hidden.

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
        for v in view.tree.versions() {
            let e = view.layers[v.layer()].get(v.entry());
            if e.kind == EntryKind::Regular && v.hidden() {
                s.wasted_bytes += e.size;
            }
        }
    }
}

//! Every file version of the image as a record (`--files`), in layer order then path order.

use super::{ImagePass, ImageView};
use crate::fs::MergedView;
use crate::report::{FileRecord, ImageReport};
use crate::tar::EntryKind;
use base64::Engine as _;

pub(super) struct Files;

impl ImagePass for Files {
    fn id(&self) -> &'static str {
        "files"
    }

    fn run(&self, image: &ImageView, out: &mut ImageReport) {
        if image.opts.files {
            out.files = file_records(image.view);
        }
    }
}

/// The records of every file version of a merged view (also made later, when a page that
/// kept none exports the report with its files).
pub fn file_records(view: MergedView) -> Vec<FileRecord> {
    let versions = view.tree.versions();
    let path = |v: &crate::fs::Version| view.layers[v.layer()].path(v.entry());
    let mut order: Vec<usize> = (0..versions.len()).collect();
    order.sort_by(|&a, &b| {
        let (va, vb) = (&versions[a], &versions[b]);
        (va.layer(), path(va), va.entry()).cmp(&(vb.layer(), path(vb), vb.entry()))
    });
    order
        .into_iter()
        .map(|i| {
            let v = versions[i];
            let e = view.entry(i);
            FileRecord {
                path: e.path.to_string(),
                path_raw: e.path_raw.map(|r| base64::engine::general_purpose::STANDARD.encode(r)),
                kind: e.kind.as_str().to_string(),
                size: e.size,
                mode: e.mode,
                uid: e.uid,
                gid: e.gid,
                mtime: e.mtime,
                layer: v.layer(),
                link_target: e.link_target.map(str::to_string),
                deleted_in: v.deleted_in(),
                overwritten_in: v.overwritten_in(),
                setuid: e.mode & 0o4000 != 0,
                setgid: e.mode & 0o2000 != 0,
                sticky: e.mode & 0o1000 != 0,
                world_writable: e.mode & 0o002 != 0 && e.kind != EntryKind::Symlink,
            }
        })
        .collect()
}

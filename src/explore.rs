//! Exploring an inspected image after its report is made: list a directory of the merged view
//! (lazily, one level at a time, so a page never needs the whole tree), search paths, and read
//! a file's bytes on demand by walking its layer again (nothing of the image is kept).

use crate::blob::BlobSource;
use crate::error::{Error, Result};
use crate::fs::MergedView;
use crate::image::pipeline::{self, LayerPipeline};
use crate::inspect::{ImageState, Inspection};
use crate::limits::Limits;
use crate::tar::stream::{EntrySink, Flow, Want};
use crate::tar::{EntryKind, TarEntry};
use serde::Serialize;

/// One path as the file view shows it: its visible version, or (deleted) its last version.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub path: String,
    /// The version shown (an id for [`read_file`]); `null` for a directory that no layer lists
    /// itself but that holds listed paths.
    pub version: Option<usize>,
    #[serde(rename = "type")]
    pub kind: String,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: i64,
    pub layer: Option<usize>,
    pub link_target: Option<String>,
    pub deleted_in: Option<usize>,
    pub overwritten_in: Option<usize>,
    /// Whether this path is in the merged view.
    pub visible: bool,
    /// Whether any path lies below this one.
    pub has_children: bool,
    /// How many versions of this path the layers hold.
    pub versions: usize,
}

/// Which paths a listing shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Also paths that a later layer deleted (their bytes still ship).
    pub show_deleted: bool,
    /// Only paths added, changed or deleted in this layer (and the directories leading there).
    pub changed_in: Option<usize>,
}

/// The node of `path` (whose slot is `slot`, if any layer added it itself): its visible
/// version; else, when visible paths lie below it (a later layer filled a deleted directory
/// again without listing the directory), an implied directory, so that they can be reached;
/// else its last, deleted, version.
fn node(view: MergedView, path: &str, slot: Option<usize>) -> Option<Node> {
    let shown = slot.and_then(|s| {
        view.shown_at(s).or_else(|| {
            if view.any_visible_under(&format!("{path}/")) {
                None
            } else {
                view.versions_at(s).last().map(|&v| v as usize)
            }
        })
    });
    node_at(view, path, slot, shown)
}

/// The node of `path` showing version `shown` (or an implied directory when `None`).
fn node_at(view: MergedView, path: &str, slot: Option<usize>, shown: Option<usize>) -> Option<Node> {
    let versions = slot.map_or(0, |s| view.versions_at(s).len());
    let name = path.rsplit('/').next().unwrap_or("").to_string();
    let below = format!("{path}/");
    let has_children = view
        .paths_from(&below)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&below));
    match shown {
        Some(v) => {
            let ver = view.tree.versions()[v];
            let e = view.entry(v);
            Some(Node {
                name,
                path: path.to_string(),
                version: Some(v),
                kind: e.kind.as_str().to_string(),
                size: e.size,
                mode: e.mode,
                uid: e.uid,
                gid: e.gid,
                mtime: e.mtime,
                layer: Some(ver.layer()),
                link_target: e.link_target.map(str::to_string),
                deleted_in: ver.deleted_in(),
                overwritten_in: ver.overwritten_in(),
                visible: slot.and_then(|s| view.shown_at(s)) == Some(v),
                has_children,
                versions,
            })
        }
        // An implied directory: only its contents are listed.
        None if has_children => Some(Node {
            name,
            path: path.to_string(),
            version: None,
            kind: "dir".into(),
            size: 0,
            mode: 0o755,
            uid: 0,
            gid: 0,
            mtime: 0,
            layer: None,
            link_target: None,
            deleted_in: None,
            overwritten_in: None,
            visible: view.any_visible_under(&below),
            has_children,
            versions,
        }),
        None => None,
    }
}

/// Whether `path` or anything below it was touched by `layer`.
fn touched(view: MergedView, path: &str, layer: usize) -> bool {
    let hit = |vs: &[u32]| {
        vs.iter().any(|&v| {
            let ver = view.tree.versions()[v as usize];
            ver.layer() == layer || ver.deleted_in() == Some(layer)
        })
    };
    if hit(view.versions_of(path)) {
        return true;
    }
    let below = format!("{path}/");
    view.paths_from(&below)
        .take_while(|(k, _)| k.starts_with(&below))
        .any(|(_, s)| hit(view.versions_at(s)))
}

/// Whether a filter lets node `n` (at `path`) through.
fn passes(view: MergedView, n: &Node, filter: Filter) -> bool {
    (n.visible || filter.show_deleted) && filter.changed_in.is_none_or(|l| touched(view, &n.path, l))
}

/// The direct children of directory `dir` (`/` for the root), in name order.
pub fn list_dir(state: &ImageState, dir: &str, filter: Filter) -> Vec<Node> {
    let lists = state.entry_lists();
    let view = state.tree.view(&lists);
    let dir = crate::fs::entry::normalize(dir);
    let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut s = view.lower_bound(&prefix);
    while s < view.tree.path_count() {
        let key = view.slot_path(s);
        if !key.starts_with(&prefix) {
            break;
        }
        let rest = &key[prefix.len()..];
        let child = match rest.find('/') {
            // Inside a child's subtree: everything below `child/` sorts before `child0`
            // ('0' is '/' + 1), so jump past it. Siblings like `child-x` or `child.x` sort
            // before `child/` and were already visited.
            Some(i) => {
                let child = &rest[..i];
                s = view.lower_bound(&format!("{prefix}{child}0"));
                child
            }
            None => {
                s += 1;
                rest
            }
        };
        if !seen.insert(child) {
            continue;
        }
        let path = format!("{prefix}{child}");
        let Some(n) = node(view, &path, view.find(&path)) else {
            continue;
        };
        if passes(view, &n, filter) {
            out.push(n);
        }
    }
    // Implied directories surface at their first child's key: restore name order.
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Every version of `path`, oldest first (so a page can show what an earlier layer held).
pub fn versions(state: &ImageState, path: &str) -> Vec<Node> {
    let lists = state.entry_lists();
    let view = state.tree.view(&lists);
    let path = crate::fs::entry::normalize(path);
    let slot = view.find(&path);
    view.versions_of(&path)
        .iter()
        .filter_map(|&v| node_at(view, &path, slot, Some(v as usize)))
        .collect()
}

/// One child of a directory as the size picture shows it: the bytes of the regular files
/// visible below it, and the bytes shipped below it that the image hides.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SizeNode {
    pub name: String,
    pub path: String,
    /// `dir`, `file`, …, as the visible entry's; `dir` for a directory no layer lists itself.
    #[serde(rename = "type")]
    pub kind: String,
    /// Bytes of the visible regular files at or below this path.
    pub size: u64,
    /// How many visible regular files that is.
    pub files: u64,
    /// Bytes of regular file versions at or below this path that a layer ships but the image
    /// hides (deleted or overwritten): what is wasted here.
    pub wasted: u64,
    /// No visible version: everything here was deleted (only `wasted` is left).
    pub deleted: bool,
}

/// The children of `dir` in the merged view with their sizes, largest first (one pass over the
/// paths below `dir`: a page asks for one directory at a time, however many files the image
/// holds). Their `size`s add up to the bytes below `dir`; at `/`, to `summary.total_size`,
/// and their `wasted` to `summary.wasted_bytes`.
pub fn sizes(state: &ImageState, dir: &str) -> Vec<SizeNode> {
    let lists = state.entry_lists();
    let view = state.tree.view(&lists);
    let dir = crate::fs::entry::normalize(dir);
    let prefix = if dir == "/" { "/".to_string() } else { format!("{dir}/") };
    let mut out: Vec<SizeNode> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (key, slot) in view.paths_from(&prefix) {
        let Some(rest) = key.strip_prefix(prefix.as_str()) else {
            break;
        };
        let child = rest.split('/').next().unwrap_or(rest);
        let at = *index.entry(child.to_string()).or_insert_with(|| {
            out.push(SizeNode {
                name: child.to_string(),
                path: format!("{prefix}{child}"),
                kind: "dir".to_string(),
                size: 0,
                files: 0,
                wasted: 0,
                deleted: true,
            });
            out.len() - 1
        });
        let Some(n) = out.get_mut(at) else { continue };
        let shown = view.shown_at(slot);
        if rest == child
            && let Some(v) = shown
        {
            n.kind = view.entry(v).kind.as_str().to_string();
        }
        if shown.is_some() || view.any_visible_under(&format!("{}/", n.path)) {
            n.deleted = false;
        }
        for &v in view.versions_at(slot) {
            let e = view.entry(v as usize);
            if e.kind != EntryKind::Regular {
                continue;
            }
            if Some(v as usize) == shown {
                n.size = n.size.saturating_add(e.size);
                n.files += 1;
            } else {
                n.wasted = n.wasted.saturating_add(e.size);
            }
        }
    }
    out.sort_by(|a, b| {
        (b.size + b.wasted)
            .cmp(&(a.size + a.wasted))
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}

/// Paths containing `query` (case-insensitive), at most `limit`, and how many matched.
pub fn search(state: &ImageState, query: &str, filter: Filter, limit: usize) -> (Vec<Node>, usize) {
    let lists = state.entry_lists();
    let view = state.tree.view(&lists);
    let q = query.to_lowercase();
    let mut out = Vec::new();
    let mut total = 0;
    for s in 0..view.tree.path_count() {
        let path = view.slot_path(s);
        if !path.to_lowercase().contains(&q) {
            continue;
        }
        let Some(n) = node(view, path, Some(s)) else { continue };
        if !passes(view, &n, filter) {
            continue;
        }
        total += 1;
        if out.len() < limit {
            out.push(n);
        }
    }
    (out, total)
}

/// Captures `[skip, skip+want)` of the body of the entry whose header is at `header_offset`.
struct Grab {
    header_offset: u64,
    skip: u64,
    want: usize,
    seen: u64,
    found: bool,
    buf: Vec<u8>,
}

impl EntrySink for Grab {
    fn entry(&mut self, e: &TarEntry) -> Result<Want> {
        self.found = e.header_offset == self.header_offset;
        Ok(if self.found { Want::Body } else { Want::Skip })
    }
    fn content(&mut self, _: &TarEntry, data: &[u8]) -> Result<Want> {
        let start = self.seen;
        self.seen += data.len() as u64;
        if self.seen <= self.skip {
            return Ok(Want::Body);
        }
        let from = self.skip.saturating_sub(start) as usize;
        let n = (self.want - self.buf.len()).min(data.len() - from);
        self.buf.extend_from_slice(&data[from..from + n]);
        Ok(if self.buf.len() == self.want {
            Want::Stop
        } else {
            Want::Body
        })
    }
    fn end(&mut self, _: &TarEntry) -> Result<Flow> {
        Ok(if self.found { Flow::Stop } else { Flow::Continue })
    }
}

/// Reads up to `len` bytes at `offset` of a file version, by walking its layer again (from
/// the random-access source, or by streaming a compressed tarball again). Hardlinks read
/// their target as it was in that layer.
pub fn read_file(
    source: &(impl BlobSource + ?Sized),
    ins: &Inspection,
    image: usize,
    version: usize,
    offset: u64,
    len: usize,
    limits: &Limits,
) -> Result<Vec<u8>> {
    let state = ins
        .images
        .get(image)
        .ok_or_else(|| Error::malformed(format!("no image {image}")))?;
    let lists = state.entry_lists();
    let view = state.tree.view(&lists);
    let mut v = state
        .tree
        .version(version)
        .ok_or_else(|| Error::malformed(format!("no file version {version}")))?;
    let mut e = lists[v.layer()].get(v.entry());
    if e.kind == EntryKind::Hardlink {
        let target = e.link_target.unwrap_or_default();
        let found = view
            .versions_of(target)
            .iter()
            .rev()
            .map(|&i| state.tree.versions()[i as usize])
            .find(|t| t.layer() <= v.layer())
            .ok_or_else(|| {
                Error::malformed(format!("hardlink target {target:?} is not in the image")).at_path(e.path)
            })?;
        v = found;
        e = lists[v.layer()].get(v.entry());
    }
    if e.kind != EntryKind::Regular {
        return Err(Error::unsupported(format!(
            "{} is a {}, not a regular file",
            e.path,
            e.kind.as_str()
        )));
    }
    let place = state.blobs[v.layer()]
        .as_ref()
        .ok_or_else(|| Error::malformed("the layer holding this file could not be read").in_layer(v.layer()))?;
    let want = len.min(e.size.saturating_sub(offset) as usize);
    let grab = Grab {
        header_offset: e.header_offset,
        skip: offset,
        want,
        seen: 0,
        found: false,
        buf: Vec::new(),
    };
    if want == 0 {
        return Ok(Vec::new());
    }
    let mut p = LayerPipeline::with_sink(limits, limits.layer_uncompressed_bytes, grab);
    match (place.range, ins.streamed) {
        (Some((start, size)), _) => pipeline::feed_range(
            source,
            start,
            size,
            crate::source::archive::CHUNK,
            &mut p.feeder(),
            &mut |_| {},
        )?,
        (None, Some(c)) => crate::source::stream::feed_entry(source, c, &place.name, &mut p, limits)?,
        (None, None) => return Err(Error::unsupported("this source cannot be read again")),
    }
    let (digests, grab) = p.finish_with_sink();
    let grab = grab.ok_or_else(|| Error::malformed("the layer could not be read again"))?;
    if grab.buf.len() < want {
        return Err(digests
            .error
            .unwrap_or_else(|| Error::malformed("the file was not found when reading its layer again"))
            .at_path(e.path)
            .in_layer(v.layer()));
    }
    Ok(grab.buf)
}

//! Where an image's bytes come from. Each source answers the same small questions (does an
//! entry exist, give me this JSON document, run this layer through the pipeline) so the
//! formats ([`layout`]) and the assembly ([`crate::inspect`]) are written once. A source
//! returns data, never a report: an [`Opened`] (its [`Store`], what the input was, what went
//! wrong with it as a whole, and notes for the checks).
//!
//! - [`archive`]: a tar in a random-access source, indexed once (headers only);
//! - [`stream`]: a tar that can only be read once, front to back (a gzipped tarball, stdin);
//! - `dir` (native only): an unpacked OCI layout directory.

pub mod archive;
#[cfg(not(target_arch = "wasm32"))]
pub mod dir;
pub mod layout;
pub mod memory;
pub mod registry;
pub mod stream;

use crate::blob::{BlobSource, read_pieces};
use crate::compress::{self, Compression, SNIFF_LEN, Sniffed};
use crate::error::{Error, Result};
use crate::image::LayerResult;
use crate::image::pipeline::feed_range;
use crate::limits::Limits;
use crate::options::Options;

/// What the input was, for the report's `source`.
#[derive(Debug, Clone)]
pub struct Origin {
    /// `file`, `stdin`, `directory` or `registry`.
    pub kind: &'static str,
    /// The file's base name, `-`, the directory's name or the image reference.
    pub path: Option<String>,
    /// Compression of the whole input.
    pub compression: Compression,
    /// Whether the input could only be read once, front to back.
    pub streamed: bool,
    /// A format the source itself names (`registry`), over the one the layout finds.
    pub format: Option<&'static str>,
}

impl Origin {
    pub fn new(kind: &'static str, path: &str) -> Self {
        Origin {
            kind,
            path: Some(path.to_string()),
            compression: Compression::None,
            streamed: false,
            format: None,
        }
    }
}

/// Where a registry's expected manifest digest came from, for the manifest check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestDigestOrigin {
    /// Named by the reference or by the registry's `Docker-Content-Digest` header: which.
    Named(String),
    /// The tag was resolved without a digest header: nothing to compare with.
    Unnamed,
}

/// What a source hands the inspection.
pub struct Opened<'a> {
    pub origin: Origin,
    /// The images' documents and layers; `None` when nothing describable was read.
    pub store: Option<Box<dyn Store + 'a>>,
    /// What went wrong with the input as a whole (what was read is still described).
    pub errors: Vec<Error>,
    /// For a registry image: where the expected manifest digest came from.
    pub manifest_digest: Option<ManifestDigestOrigin>,
    /// How to read a file back: stream the input again with this compression (`None`: the
    /// source is read at random, or cannot be read again).
    pub reread: Option<Compression>,
    /// What a registry fetch could not look up of the signatures and attestations.
    pub attached_notes: Vec<String>,
}

impl<'a> Opened<'a> {
    /// An input with nothing describable, and why.
    pub fn failed(origin: Origin, error: Error) -> Self {
        Opened {
            origin,
            store: None,
            errors: vec![error],
            manifest_digest: None,
            reread: None,
            attached_notes: Vec::new(),
        }
    }

    /// An input whose images are behind `store`.
    pub fn with(origin: Origin, store: impl Store + 'a) -> Self {
        Opened {
            origin,
            store: Some(Box::new(store)),
            errors: Vec::new(),
            manifest_digest: None,
            reread: None,
            attached_notes: Vec::new(),
        }
    }
}

/// Opens a file held in a random-access source, recognised by its first bytes: a tar is
/// indexed (headers only) and read at random later; a gzip- or zstd-compressed tarball is read
/// now, in one streaming pass (`progress` gets the bytes read). `name` is the base name shown.
pub fn open_file<'a>(
    source: &'a (impl BlobSource + ?Sized),
    name: &str,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Opened<'a> {
    let origin = Origin::new("file", name);
    let mut head = vec![0u8; SNIFF_LEN.min(source.len() as usize)];
    if let Err(e) = source.read_exact_at(0, &mut head) {
        return Opened::failed(origin, e);
    }
    if head.is_empty() {
        return Opened::failed(origin, Error::malformed("not an image: the file is empty"));
    }
    match compress::sniff(&head) {
        sniffed @ (Sniffed::Gzip | Sniffed::Zstd) => {
            let c = if sniffed == Sniffed::Gzip {
                Compression::Gzip
            } else {
                Compression::Zstd
            };
            let mut s = stream::StreamInspector::new(Some(c), opts);
            let mut push = |chunk: &[u8]| {
                s.push(chunk);
                true
            };
            if let Err(e) = feed_range(source, 0, source.len(), archive::CHUNK, &mut push, progress) {
                s.fail(e);
            }
            let mut opened = s.finish(origin);
            opened.reread = Some(c);
            opened
        }
        Sniffed::Tar => Opened::with(origin, archive::ArchiveStore::open(source, &opts.limits)),
        Sniffed::Foreign(what) => Opened::failed(origin, Error::malformed(format!("not an image: the file is {what}"))),
        Sniffed::Unknown => Opened::failed(
            origin,
            Error::malformed("not an image: the file is not a tar archive (nor gzip- or zstd-compressed)"),
        ),
    }
}

/// Reads a stream that can be read only once (stdin), in one pass, keeping only small JSON
/// documents and layer results. `name` is the name shown (`-`).
pub fn read_stream(
    reader: impl std::io::Read,
    name: &str,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
) -> Opened<'static> {
    let mut s = stream::StreamInspector::new(None, opts);
    let mut buf = vec![0u8; archive::CHUNK];
    let read = read_pieces(reader, &mut buf, |piece| {
        s.push(piece);
        progress(piece.len() as u64);
    });
    if let Err(e) = read {
        s.fail(Error::io(format!("read failed: {e}")));
    }
    s.finish(Origin::new("stdin", name))
}

/// The questions every source answers. Names are `/`-separated paths relative to the archive
/// or directory root, already normalised (no `./`), with links resolved by the source.
pub trait Store {
    /// Whether a regular file with this name exists.
    fn has(&self, name: &str) -> bool;
    /// A small document, read whole (bounded by `limits.json_bytes`).
    fn read_small(&mut self, name: &str, limits: &Limits) -> Result<Vec<u8>>;
    /// Runs the named blob through the layer pipeline.
    fn layer(
        &mut self,
        name: &str,
        limits: &Limits,
        max_uncompressed: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LayerResult>;
    /// The error for a blob the image names but the source does not hold.
    fn missing(&self, name: &str) -> crate::Error {
        archive::missing(name)
    }
    /// Where the named blob lies in a random-access source: `(offset, length)`.
    fn locate(&self, name: &str) -> Option<(u64, u64)> {
        let _ = name;
        None
    }
    /// The name `name` finally resolves to through links, if it differs.
    fn canonical(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }
    /// Errors about the container itself (duplicate entries, a truncated tail).
    fn errors(&self) -> Vec<crate::Error> {
        Vec::new()
    }
}

/// Follows `links` (symlinks and hardlinks of the outer archive, bounded) from `name` to a
/// regular file for which `is_file` holds.
pub fn follow_links(
    name: &str,
    is_file: impl Fn(&str) -> bool,
    links: &std::collections::HashMap<String, String>,
) -> Option<String> {
    let mut name = name.to_string();
    for _ in 0..16 {
        if is_file(&name) {
            return Some(name);
        }
        name = links.get(&name)?.clone();
    }
    None
}

/// Normalises an entry name of the outer archive: `./a//b` → `a/b`.
pub fn entry_name(raw: &str) -> String {
    crate::fs::entry::normalize(raw).trim_start_matches('/').to_string()
}

/// Resolves a symlink target written in the entry `link_name` to an archive name.
pub fn resolve_link(link_name: &str, target: &str) -> String {
    if target.starts_with('/') {
        return entry_name(target);
    }
    let dir = match link_name.rfind('/') {
        Some(i) => &link_name[..i],
        None => "",
    };
    entry_name(&format!("{dir}/{target}"))
}

//! Where an image's bytes come from. Each source answers the same small questions (does an
//! entry exist, give me this JSON document, run this layer through the pipeline) so the
//! formats ([`layout`]) and the assembly ([`crate::inspect`]) are written once.
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

use crate::error::Result;
use crate::image::LayerResult;
use crate::limits::Limits;

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

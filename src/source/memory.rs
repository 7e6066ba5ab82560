//! Blobs already in memory: small documents kept whole and layers already run through the
//! pipeline. What a one-pass stream or a registry fetch leaves for the assembly step.

use super::Store;
use crate::error::{Error, Result};
use crate::image::LayerResult;
use crate::limits::Limits;
use std::collections::HashMap;

/// Documents and layer results already read (by a single pass over a stream, or from a
/// registry), answering the [`Store`] questions.
#[derive(Default)]
pub struct MemoryStore {
    pub small: HashMap<String, Vec<u8>>,
    pub layers: HashMap<String, LayerResult>,
    pub sizes: HashMap<String, u64>,
    pub links: HashMap<String, String>,
    pub errors: Vec<Error>,
    /// Says why a blob is missing, instead of the archive wording (a registry fetch that
    /// stopped early).
    pub missing_note: Option<String>,
}

impl MemoryStore {
    fn follow(&self, name: &str) -> Option<String> {
        super::follow_links(name, |n| self.sizes.contains_key(n), &self.links)
    }
}

impl Store for MemoryStore {
    fn has(&self, name: &str) -> bool {
        self.follow(name).is_some()
    }
    fn canonical(&self, name: &str) -> Option<String> {
        self.follow(name)
    }
    fn read_small(&mut self, name: &str, limits: &Limits) -> Result<Vec<u8>> {
        let n = self.follow(name).ok_or_else(|| self.missing(name))?;
        match self.small.get(&n) {
            Some(b) if b.len() as u64 <= limits.json_bytes => Ok(b.clone()),
            Some(b) => Err(Error::limit(format!("{name} is {} bytes, over the limit", b.len())).in_entry(name)),
            None => Err(Error::unsupported(format!(
                "{name} was not kept while streaming (it did not look like JSON)"
            ))
            .in_entry(name)),
        }
    }
    fn layer(&mut self, name: &str, _: &Limits, _: u64, _: &mut dyn FnMut(u64)) -> Result<LayerResult> {
        let n = self.follow(name).ok_or_else(|| self.missing(name))?;
        self.layers
            .remove(&n)
            .ok_or_else(|| Error::malformed(format!("{name} is not a tar, gzip or zstd layer")).in_entry(name))
    }
    fn errors(&self) -> Vec<Error> {
        self.errors.clone()
    }
    fn missing(&self, name: &str) -> Error {
        match &self.missing_note {
            Some(note) => Error::malformed(note.clone()).in_entry(name),
            None => super::archive::missing(name),
        }
    }
}

//! A tar held in a random-access source (a file, a browser `Blob`, a byte slice): indexed once
//! by reading headers only, then each blob read exactly once when needed.

use super::{Store, entry_name, resolve_link};
use crate::blob::BlobSource;
use crate::error::{Error, Result};
use crate::image::{LayerResult, pipeline};
use crate::limits::Limits;
use crate::tar::{EntryKind, index};
use std::collections::HashMap;

/// Chunk size for reading layers: large enough for throughput, small enough that one call
/// into wasm stays short.
pub const CHUNK: usize = 1 << 20;

/// An indexed tar archive.
pub struct ArchiveStore<'a, S: BlobSource + ?Sized> {
    source: &'a S,
    /// name → (data offset, size), for regular files (last entry of a name wins, as in tar).
    files: HashMap<String, (u64, u64)>,
    /// name → target name, for symlinks and hardlinks.
    links: HashMap<String, String>,
    errors: Vec<Error>,
}

impl<'a, S: BlobSource + ?Sized> ArchiveStore<'a, S> {
    pub fn open(source: &'a S, limits: &Limits) -> Self {
        let idx = index::index(source, limits.tar_meta_bytes, limits.layer_entries);
        let mut store = ArchiveStore {
            source,
            files: HashMap::new(),
            links: HashMap::new(),
            errors: Vec::new(),
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for e in &idx.entries {
            let name = entry_name(&e.entry.path_lossy());
            match e.entry.kind {
                EntryKind::Regular => {
                    store.files.insert(name.clone(), (e.data_offset, e.entry.size));
                    store.links.remove(&name);
                }
                EntryKind::Symlink => {
                    let target = resolve_link(&name, &String::from_utf8_lossy(&e.entry.link));
                    store.links.insert(name.clone(), target);
                }
                EntryKind::Hardlink => {
                    store
                        .links
                        .insert(name.clone(), entry_name(&String::from_utf8_lossy(&e.entry.link)));
                }
                _ => continue,
            }
            *seen.entry(name).or_default() += 1;
        }
        let mut dups: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
        dups.sort();
        for (name, n) in dups {
            store.errors.push(
                Error::malformed(format!(
                    "the archive holds {n} entries named {name:?}; the last one is used"
                ))
                .in_entry(&name),
            );
        }
        if let Some(e) = idx.error {
            store.errors.push(e);
        }
        store
    }

    /// Follows links (bounded) to a regular file.
    fn resolve(&self, name: &str) -> Option<(u64, u64)> {
        self.files.get(&self.follow(name)?).copied()
    }

    fn follow(&self, name: &str) -> Option<String> {
        super::follow_links(name, |n| self.files.contains_key(n), &self.links)
    }
}

impl<S: BlobSource + ?Sized> Store for ArchiveStore<'_, S> {
    fn has(&self, name: &str) -> bool {
        self.resolve(name).is_some()
    }

    fn read_small(&mut self, name: &str, limits: &Limits) -> Result<Vec<u8>> {
        let (off, size) = self.resolve(name).ok_or_else(|| missing(name))?;
        if size > limits.json_bytes {
            return Err(Error::limit(format!(
                "{name} is {size} bytes, over the limit of {}",
                limits.json_bytes
            ))
            .in_entry(name));
        }
        let mut buf = vec![0u8; size as usize];
        self.source.read_exact_at(off, &mut buf).map_err(|e| e.in_entry(name))?;
        Ok(buf)
    }

    fn layer(
        &mut self,
        name: &str,
        limits: &Limits,
        max_uncompressed: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LayerResult> {
        let (off, size) = self.resolve(name).ok_or_else(|| missing(name))?;
        pipeline::process_range(self.source, off, size, limits, max_uncompressed, CHUNK, progress)
            .map_err(|e| e.in_entry(name))
    }

    fn canonical(&self, name: &str) -> Option<String> {
        self.follow(name)
    }

    fn locate(&self, name: &str) -> Option<(u64, u64)> {
        self.resolve(name)
    }

    fn errors(&self) -> Vec<Error> {
        self.errors.clone()
    }
}

pub fn missing(name: &str) -> Error {
    Error::malformed(format!("the manifest names {name:?} but the archive has no such entry")).in_entry(name)
}

//! An unpacked OCI image layout directory (native only).

use super::Store;
use crate::blob::FileSource;
use crate::error::{Error, Result};
use crate::image::{LayerResult, pipeline};
use crate::limits::Limits;
use std::path::{Path, PathBuf};

pub struct DirStore {
    root: PathBuf,
}

impl DirStore {
    pub fn new(root: &Path) -> Self {
        DirStore {
            root: root.to_path_buf(),
        }
    }

    /// Opens the directory `root`; `name` is the name shown (its base name).
    pub fn open(root: &Path, name: &str) -> super::Opened<'static> {
        super::Opened::with(super::Origin::new("directory", name), DirStore::new(root))
    }
    /// Names are normalised (no `..`), so the joined path stays under the root.
    fn path(&self, name: &str) -> PathBuf {
        self.root.join(super::entry_name(name))
    }
}

impl Store for DirStore {
    fn has(&self, name: &str) -> bool {
        self.path(name).is_file()
    }
    fn read_small(&mut self, name: &str, limits: &Limits) -> Result<Vec<u8>> {
        let size = std::fs::metadata(self.path(name))
            .map_err(|_| super::archive::missing(name))?
            .len();
        if size > limits.json_bytes {
            return Err(Error::limit(format!(
                "{name} is {size} bytes, over the limit of {}",
                limits.json_bytes
            ))
            .in_entry(name));
        }
        std::fs::read(self.path(name)).map_err(|e| Error::io(format!("cannot read {name}: {e}")).in_entry(name))
    }
    fn layer(
        &mut self,
        name: &str,
        limits: &Limits,
        max_uncompressed: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LayerResult> {
        let f = FileSource::open(&self.path(name))?;
        let len = crate::BlobSource::len(&f);
        pipeline::process_range(&f, 0, len, limits, max_uncompressed, super::archive::CHUNK, progress)
    }
}

//! A database named by paths (the CLI's `--vuln-db`): each a zip, a JSON file, or a directory
//! searched for them (osv.dev's export layout is a directory of `<Ecosystem>/all.zip`).

use super::database::{DbFile, VulnDb};
use crate::blob::FileSource;
use crate::error::Error;
use std::path::{Path, PathBuf};

/// The most files a directory may contribute: a directory of one JSON file per record
/// (a checkout of an advisory repository) has hundreds of thousands.
const MAX_FILES: usize = 1_000_000;

/// Reads the databases at `paths` into one. A path that cannot be read at all is an error
/// (the user named it); files inside a directory that cannot be read are counted as skipped.
pub fn open_paths(paths: &[PathBuf], progress: &mut dyn FnMut(u64, u64, usize)) -> Result<VulnDb, Error> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| Error::io(format!("cannot read the vulnerability database {}: {e}", p.display())))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            found.sort();
            for f in found {
                let name = f.strip_prefix(p).unwrap_or(&f).display().to_string();
                // Zips are few and read in many small pieces: kept open. JSON files may be
                // a million: opened when read.
                let source: Box<dyn super::database::DbSource> = if name.to_ascii_lowercase().ends_with(".zip") {
                    Box::new(FileSource::open(&f)?)
                } else {
                    Box::new(LazyFile::new(f))
                };
                files.push(DbFile { name, source });
            }
        } else {
            files.push(DbFile {
                name: p.display().to_string(),
                source: Box::new(FileSource::open(p)?),
            });
        }
    }
    Ok(VulnDb::open(files, progress))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(format!("cannot list {}: {e}", dir.display())))?;
    for e in entries.flatten() {
        let p = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk(&p, out)?;
        } else if kind.is_file() {
            let name = p.to_string_lossy().to_ascii_lowercase();
            if name.ends_with(".zip") || name.ends_with(".json") {
                if out.len() >= MAX_FILES {
                    return Err(Error::limit(format!(
                        "{} holds more than {MAX_FILES} database files",
                        dir.display()
                    )));
                }
                out.push(p);
            }
        }
    }
    Ok(())
}

/// A file opened for each read: a directory of a million records must not hold a million
/// open files.
struct LazyFile {
    path: PathBuf,
    len: std::sync::OnceLock<u64>,
}

impl LazyFile {
    fn new(path: PathBuf) -> Self {
        LazyFile {
            path,
            len: std::sync::OnceLock::new(),
        }
    }
}

impl crate::blob::BlobSource for LazyFile {
    fn len(&self) -> u64 {
        *self
            .len
            .get_or_init(|| std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0))
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> crate::error::Result<usize> {
        FileSource::open(&self.path)?.read_at(offset, buf)
    }
}

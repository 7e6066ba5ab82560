//! A database named by paths (the CLI's `--vuln-db`): each a zip, a JSON file, or a directory
//! searched for them (osv.dev's export layout is a directory of `<Ecosystem>/all.zip`).

use super::database::{DbFile, INDEX_FILE, VulnDb};
use crate::blob::FileSource;
use crate::error::Error;
use std::path::{Path, PathBuf};

/// The most files a directory may contribute: a directory of one JSON file per record
/// (a checkout of an advisory repository) has hundreds of thousands.
const MAX_FILES: usize = 1_000_000;

/// Reads the databases at `paths` into one. A path that cannot be read at all is an error
/// (the user named it); files inside a directory that cannot be read are counted as skipped.
/// One directory with a current index file ([`INDEX_FILE`], `porthole db index DIR`) is not
/// read record by record: its index is loaded. The notes say when an index was not current.
pub fn open_paths(
    paths: &[PathBuf],
    progress: &mut dyn FnMut(u64, u64, usize),
) -> Result<(VulnDb, Vec<String>), Error> {
    let mut notes = Vec::new();
    if let [dir] = paths
        && let Ok(saved) = std::fs::read(dir.join(INDEX_FILE))
    {
        match VulnDb::load_index(db_files(paths)?, &saved) {
            Ok(db) => return Ok((db, notes)),
            Err(e) => notes.push(format!(
                "{} was not used ({}); the database was read again — run porthole db index {} to refresh it",
                dir.join(INDEX_FILE).display(),
                e.message,
                dir.display()
            )),
        }
    }
    Ok((VulnDb::open(db_files(paths)?, progress), notes))
}

/// Writes the index of the database in `dir` into it ([`INDEX_FILE`]); returns the database.
pub fn write_index(dir: &Path, progress: &mut dyn FnMut(u64, u64, usize)) -> Result<VulnDb, Error> {
    let db = VulnDb::open(db_files(&[dir.to_path_buf()])?, progress);
    let path = dir.join(INDEX_FILE);
    let tmp = dir.join(format!("{INDEX_FILE}.tmp"));
    std::fs::write(&tmp, db.save_index())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))?;
    Ok(db)
}

/// The database files the paths name, directories searched.
fn db_files(paths: &[PathBuf]) -> Result<Vec<DbFile>, Error> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| Error::io(format!("cannot read the vulnerability database {}: {e}", p.display())))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            // The page's list of the files a host placed beside it (docs/hosting.md) is not
            // a database file.
            found.retain(|f| *f != p.join("index.json"));
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
            // Named as the page names a chosen file (and the report its image): the base name.
            files.push(DbFile {
                name: p
                    .file_name()
                    .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()),
                source: Box::new(FileSource::open(p)?),
            });
        }
    }
    Ok(files)
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

//! An OSV database as porthole holds it: the files the user gave (kept as byte sources, never
//! loaded whole) and a compact index from (ecosystem, package name) to where each record is.
//! Every record is parsed once to build the index and dropped; matching reads again only the
//! records of the packages an image has.
//!
//! Accepted: osv.dev's export layout (`<Ecosystem>/all.zip` of `<ID>.json`), any zip of OSV
//! JSON files, and plain JSON files; a JSON document is one record or an array of them.

use super::ecosystem::normalize_name;
use super::osv::{self, MAX_RECORD_BYTES, Record};
use crate::blob::BlobSource;
use crate::error::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom};

/// A byte source a database can keep: shared between threads natively; in the browser a
/// `Blob`, which is neither (and needs not be: the page runs one wasm instance per worker).
#[cfg(not(target_arch = "wasm32"))]
pub trait DbSource: BlobSource + Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: BlobSource + Send + Sync + ?Sized> DbSource for T {}
#[cfg(target_arch = "wasm32")]
pub trait DbSource: BlobSource {}
#[cfg(target_arch = "wasm32")]
impl<T: BlobSource + ?Sized> DbSource for T {}

/// One file of a database as given: a zip or a JSON document, with the name the user knows it
/// by (a path, or `PyPI/all.zip`).
pub struct DbFile {
    pub name: String,
    pub source: Box<dyn DbSource>,
}

/// The name of the index file `porthole db index DIR` writes into a database directory.
pub const INDEX_FILE: &str = "porthole-index.bin";
/// How an index file starts (the version changes when the index's layout does).
const INDEX_MAGIC: &[u8] = b"porthole-vulndb-index 1\n";

/// The largest JSON document read whole (a plain JSON file, or one zip member): an array of
/// all of osv.dev's Debian records is about this size.
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;
/// The most records one database indexes (about 100 bytes of index each).
pub const MAX_RECORDS: usize = 2_000_000;
/// Errors kept per database (the rest are counted).
const MAX_ERRORS: usize = 50;

/// How a record's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Stored {
    /// As they are, in a JSON file or a stored zip member.
    Plain,
    /// A deflated zip member, with its length and CRC-32 once inflated.
    Deflated { size: u32, crc: u32 },
}

/// Where one record is: a byte range of one of the files, and for a document holding an array,
/// which element (arrays in plain files are indexed by element ranges instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Location {
    file: u32,
    offset: u64,
    len: u32,
    stored: Stored,
    /// For an array inside a deflated member: the element; `u32::MAX` for a whole document.
    element: u32,
}

/// What reading a database found: counts, what each file held, and what was skipped.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DbStats {
    /// The files read, in order, with how many records each gave.
    pub files: Vec<DbFileStats>,
    /// Records indexed (withdrawn ones included: matching skips them).
    pub records: usize,
    /// Records (or documents) that could not be read, each counted once.
    pub skipped: usize,
    /// Indexed records by ecosystem as the records name it (`Debian:12`, `PyPI`).
    pub ecosystems: BTreeMap<String, usize>,
    /// What went wrong, naming the file and record (the first few; `skipped` counts all).
    pub errors: Vec<Error>,
    /// The newest `modified` time among the records: how fresh the database is.
    pub newest_modified: Option<String>,
    /// Bytes the index takes on a 64-bit machine (see `VulnDb::index_bytes`).
    pub index_bytes: usize,
}

/// One file of the database, as read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DbFileStats {
    pub name: String,
    pub records: usize,
    pub skipped: usize,
    /// The file's size: an index saved with [`VulnDb::save_index`] is used only for files of
    /// the same names and sizes.
    pub bytes: u64,
}

/// A database ready for matching.
pub struct VulnDb {
    files: Vec<DbFile>,
    /// Whether [`MAX_RECORDS`] was reached while reading (said once).
    capped: bool,
    /// `ecosystem \0 normalised name` → the records that name the package.
    index: HashMap<Box<str>, Vec<Location>>,
    stats: DbStats,
}

impl std::fmt::Debug for VulnDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VulnDb")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// Records' stored bytes read ahead of matching ([`VulnDb::read_ahead`]); each is handed out
/// once.
#[derive(Debug, Default)]
pub struct ReadAhead {
    raw: HashMap<Location, Vec<u8>>,
    /// The last deflated member holding an array, inflated: (file, offset) and its bytes.
    member: Option<((u32, u64), Vec<u8>)>,
}

/// Records at most this far apart are read in one piece…
const READ_AHEAD_GAP: u64 = 256 << 10;
/// …of at most this many bytes.
const READ_AHEAD_WINDOW: u64 = 4 << 20;

/// A record read back from the database, with the file it came from.
#[derive(Debug, Clone)]
pub struct Found {
    pub record: Record,
    pub file: String,
}

fn key(ecosystem: &str, name: &str) -> Box<str> {
    format!("{ecosystem}\0{}", normalize_name(ecosystem, name)).into_boxed_str()
}

impl VulnDb {
    /// Reads every file once into the index. `progress` gets (bytes read so far of the file
    /// being read, its length, its index) now and then. What cannot be read is counted in the
    /// stats with its error; what was read before it is kept.
    pub fn open(files: Vec<DbFile>, progress: &mut dyn FnMut(u64, u64, usize)) -> VulnDb {
        let mut db = VulnDb {
            files: Vec::new(),
            capped: false,
            index: HashMap::new(),
            stats: DbStats::default(),
        };
        for (i, file) in files.into_iter().enumerate() {
            let mut fs = DbFileStats {
                name: file.name.clone(),
                bytes: file.source.len(),
                ..DbFileStats::default()
            };
            let mut ix = Indexer {
                db: &mut db,
                file: i as u32,
                name: &file.name,
                stats: &mut fs,
            };
            ix.read(&*file.source, &mut |done, total| progress(done, total, i));
            db.stats.files.push(fs);
            db.files.push(file);
        }
        db.stats.index_bytes = db.index_bytes();
        db
    }

    pub fn stats(&self) -> &DbStats {
        &self.stats
    }

    /// Whether any record names this ecosystem (as records spell it: `Debian:12`).
    pub fn has_ecosystem(&self, ecosystem: &str) -> bool {
        self.stats.ecosystems.contains_key(ecosystem)
    }

    /// Hands every record that names the package to `each`, one at a time (a package may
    /// have thousands: they are never all held). Records read ahead (see
    /// [`VulnDb::read_ahead`]) are taken from `ahead`. A record that cannot be read back (the
    /// file changed since) is an error, not a panic.
    pub fn for_each_record(
        &self,
        ecosystem: &str,
        name: &str,
        ahead: &mut ReadAhead,
        mut each: impl FnMut(std::result::Result<Found, Error>),
    ) {
        for l in self.index.get(&key(ecosystem, name)).into_iter().flatten() {
            let raw = ahead.raw.remove(l);
            each(self.read(l, raw, ahead));
        }
    }

    /// Reads the stored bytes of every record of these packages, in file order, nearby records
    /// in one read: a browser `Blob` read costs about a millisecond whatever its size, and a
    /// package's records lie all over a zip. Keeps at most `budget` bytes; the records beyond
    /// are read one by one when asked for.
    pub fn read_ahead<'k>(&self, packages: impl Iterator<Item = (&'k str, &'k str)>, budget: usize) -> ReadAhead {
        let mut wanted: Vec<Location> = packages
            .filter_map(|(eco, name)| self.index.get(&key(eco, name)))
            .flatten()
            .copied()
            .collect();
        wanted.sort_by_key(|l| (l.file, l.offset, l.element));
        wanted.dedup();
        let mut ahead = ReadAhead::default();
        let mut kept = 0usize;
        let mut i = 0;
        while i < wanted.len() && kept < budget {
            let first = wanted[i]; // ok: i < len
            let start = first.offset;
            let mut end = start.saturating_add(u64::from(first.len));
            let mut j = i + 1;
            while let Some(next) = wanted.get(j) {
                let next_end = next.offset.saturating_add(u64::from(next.len));
                if next.file != first.file || next.offset > end + READ_AHEAD_GAP || next_end - start > READ_AHEAD_WINDOW
                {
                    break;
                }
                end = end.max(next_end);
                j += 1;
            }
            let Some(file) = self.files.get(first.file as usize) else {
                break;
            };
            if end - start > READ_AHEAD_WINDOW.max(MAX_DOCUMENT_BYTES) {
                i = j;
                continue;
            }
            let mut buf = vec![0u8; (end - start) as usize];
            if file.source.read_exact_at(start, &mut buf).is_ok() {
                for l in &wanted[i..j] {
                    let from = (l.offset - start) as usize;
                    if let Some(raw) = buf.get(from..from + l.len as usize) {
                        kept += raw.len();
                        ahead.raw.insert(*l, raw.to_vec());
                    }
                }
            }
            i = j;
        }
        ahead
    }

    fn read(&self, at: &Location, raw: Option<Vec<u8>>, ahead: &mut ReadAhead) -> std::result::Result<Found, Error> {
        let file = self
            .files
            .get(at.file as usize)
            .ok_or_else(|| Error::malformed("the index names a database file that is not there"))?;
        let fail = |m: String| Error::malformed(m).in_entry(&file.name).at_offset(at.offset);
        let raw = match raw {
            Some(r) => r,
            None => {
                let mut r = vec![0u8; at.len as usize];
                file.source.read_exact_at(at.offset, &mut r)?;
                r
            }
        };
        let bytes = match at.stored {
            Stored::Plain => raw,
            // The records of one array in a deflated member share it: inflated once.
            Stored::Deflated { .. }
                if at.element != u32::MAX && ahead.member.as_ref().is_some_and(|(k, _)| *k == (at.file, at.offset)) =>
            {
                ahead.member.take().map(|(_, b)| b).unwrap_or_default()
            }
            Stored::Deflated { size, crc } => {
                let mut out = Vec::with_capacity((size as usize).min(MAX_DOCUMENT_BYTES as usize));
                flate2::read::DeflateDecoder::new(raw.as_slice())
                    .take(u64::from(size) + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| fail(format!("cannot inflate a record: {e}")))?;
                if out.len() != size as usize || crc32fast::hash(&out) != crc {
                    return Err(fail("a record changed since the database was read".into()));
                }
                out
            }
        };
        let record = if at.element == u32::MAX {
            osv::parse_record(&bytes)
        } else {
            // Only the element wanted is parsed; the member is kept for its next element.
            let record = osv::element_spans(&bytes).and_then(|spans| {
                spans
                    .get(at.element as usize)
                    .and_then(|span| bytes.get(span.clone()))
                    .ok_or_else(|| "the record is gone".to_string())
                    .and_then(osv::parse_record)
            });
            if matches!(at.stored, Stored::Deflated { .. }) {
                ahead.member = Some(((at.file, at.offset), bytes));
            }
            record
        };
        record
            .map(|record| Found {
                record,
                file: file.name.clone(),
            })
            .map_err(fail)
    }

    /// The index and stats, to hand to another worker with the same files: the page indexes a
    /// database once, in one worker, and each inspection's worker imports it ([`VulnDb::import`]).
    pub fn export(&self) -> Vec<u8> {
        let entries: Vec<(&str, &[Location])> = self.index.iter().map(|(k, v)| (&**k, v.as_slice())).collect();
        postcard::to_allocvec(&(&self.stats, entries)).unwrap_or_default()
    }

    /// A database from the files it was read from (the same ones, in the same order) and what
    /// [`VulnDb::export`] wrote.
    pub fn import(files: Vec<DbFile>, exported: &[u8]) -> Result<VulnDb, Error> {
        type Exported = (DbStats, Vec<(String, Vec<Location>)>);
        let (stats, entries): Exported = postcard::from_bytes(exported)
            .map_err(|e| Error::malformed(format!("not an exported vulnerability index: {e}")))?;
        // The same files, in any order: put them in the index's.
        let mut given: Vec<Option<DbFile>> = files.into_iter().map(Some).collect();
        let mut files = Vec::with_capacity(given.len());
        for s in &stats.files {
            let found = given
                .iter_mut()
                .find(|f| {
                    f.as_ref()
                        .is_some_and(|f| f.name == s.name && f.source.len() == s.bytes)
                })
                .and_then(Option::take);
            match found {
                Some(f) => files.push(f),
                None => {
                    return Err(Error::malformed(format!(
                        "the index was made from other files ({} of {} bytes is not among them)",
                        s.name, s.bytes
                    )));
                }
            }
        }
        if given.iter().any(Option::is_some) {
            return Err(Error::malformed("the index was made from fewer files than given"));
        }
        // Every location within its file and the limits, so that no read back can ask for
        // more than a record may be.
        let fits = |l: &Location| {
            let in_file = files.get(l.file as usize).is_some_and(|f| {
                l.offset
                    .checked_add(u64::from(l.len))
                    .is_some_and(|end| end <= f.source.len())
            });
            let size = match l.stored {
                Stored::Plain => u64::from(l.len),
                Stored::Deflated { size, .. } => u64::from(size),
            };
            in_file && u64::from(l.len) <= MAX_DOCUMENT_BYTES && size <= MAX_DOCUMENT_BYTES
        };
        if !entries.iter().all(|(_, list)| list.iter().all(fits)) {
            return Err(Error::malformed("the index names records outside its files"));
        }
        let index = entries.into_iter().map(|(k, v)| (k.into_boxed_str(), v)).collect();
        Ok(VulnDb {
            files,
            index,
            stats,
            capped: false,
        })
    }

    /// The index as a file to keep beside the database ([`INDEX_FILE`]): reading it back
    /// ([`VulnDb::load_index`]) skips reading every record again.
    pub fn save_index(&self) -> Vec<u8> {
        let mut out = INDEX_MAGIC.to_vec();
        out.extend(self.export());
        out
    }

    /// A database from its files and an index file [`VulnDb::save_index`] wrote for them.
    pub fn load_index(files: Vec<DbFile>, saved: &[u8]) -> Result<VulnDb, Error> {
        let exported = saved
            .strip_prefix(INDEX_MAGIC)
            .ok_or_else(|| Error::malformed("not a porthole vulnerability index (or one of another version)"))?;
        VulnDb::import(files, exported)
    }

    /// What the index takes on a 64-bit machine, in bytes: per package name its key, the
    /// key's and the list's headers and a table slot (56 bytes), per record naming it a
    /// location. Counted from the contents (not the allocations), so the page and the CLI
    /// report the same number; wasm32's smaller headers take a little less.
    fn index_bytes(&self) -> usize {
        self.index
            .iter()
            .map(|(k, v)| k.len() + 56 + v.len() * size_of::<Location>())
            .sum()
    }
}

/// Reads one file into the index.
struct Indexer<'a> {
    db: &'a mut VulnDb,
    file: u32,
    name: &'a str,
    stats: &'a mut DbFileStats,
}

impl Indexer<'_> {
    fn read(&mut self, source: &dyn DbSource, progress: &mut dyn FnMut(u64, u64)) {
        let mut magic = [0u8; 4];
        let n = source.read_at(0, &mut magic).unwrap_or(0);
        if magic[..n].starts_with(b"PK") {
            self.read_zip(source, progress);
        } else {
            self.read_json_file(source);
            progress(source.len(), source.len());
        }
    }

    fn error(&mut self, e: Error) {
        self.stats.skipped += 1;
        self.db.stats.skipped += 1;
        if self.db.stats.errors.len() < MAX_ERRORS {
            self.db.stats.errors.push(e);
        }
    }

    fn read_json_file(&mut self, source: &dyn DbSource) {
        let len = source.len();
        if len > MAX_DOCUMENT_BYTES {
            let e = Error::limit(format!(
                "{len} bytes is more than a JSON document may have ({MAX_DOCUMENT_BYTES}); split it or zip it"
            ))
            .in_entry(self.name);
            return self.error(e);
        }
        let mut bytes = vec![0u8; len as usize];
        if let Err(e) = source.read_exact_at(0, &mut bytes) {
            return self.error(e.in_entry(self.name));
        }
        let spans = match osv::element_spans(&bytes) {
            Ok(s) => s,
            Err(m) => return self.error(Error::malformed(m).in_entry(self.name)),
        };
        let array = osv::is_array(&bytes);
        for (n, span) in spans.into_iter().enumerate() {
            let at = Location {
                file: self.file,
                offset: span.start as u64,
                len: span.len() as u32,
                stored: Stored::Plain,
                element: u32::MAX,
            };
            let parsed = match bytes.get(span.clone()) {
                Some(b) if span.len() as u64 <= MAX_RECORD_BYTES => osv::parse_record(b),
                _ => Err(format!("a record of {} bytes is too large", span.len())),
            };
            match parsed {
                Ok(r) => self.add(&r, at),
                Err(m) => {
                    let m = if array { format!("element {n}: {m}") } else { m };
                    self.error(Error::malformed(m).in_entry(self.name).at_offset(span.start as u64))
                }
            }
        }
    }

    fn read_zip(&mut self, source: &dyn DbSource, progress: &mut dyn FnMut(u64, u64)) {
        let total = source.len();
        let mut zip = match zip::ZipArchive::new(BlobCursor { source, pos: 0 }) {
            Ok(z) => z,
            Err(e) => return self.error(Error::malformed(format!("not a readable zip: {e}")).in_entry(self.name)),
        };
        for i in 0..zip.len() {
            let mut member = match zip.by_index(i) {
                Ok(m) => m,
                Err(e) => {
                    self.error(Error::malformed(format!("zip member {i}: {e}")).in_entry(self.name));
                    continue;
                }
            };
            let member_name = String::from_utf8_lossy(member.name_raw()).into_owned();
            if member.is_dir() || !member_name.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            let file_name = self.name;
            let fail = |m: String| Error::malformed(m).in_entry(file_name).at_path(&member_name);
            let deflated = match member.compression() {
                zip::CompressionMethod::Stored => false,
                zip::CompressionMethod::Deflated => true,
                other => {
                    let e = Error::unsupported(format!(
                        "zip member compressed with {other}; only stored and deflate are read"
                    ));
                    self.error(e.in_entry(self.name).at_path(&member_name));
                    continue;
                }
            };
            // The sizes the directory claims are not trusted: reading stops past the limit.
            let mut bytes = Vec::new();
            let read = (&mut member).take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut bytes);
            let (offset, len) = (member.data_start(), member.compressed_size());
            drop(member);
            if let Err(e) = read {
                self.error(fail(format!("cannot read: {e}")));
                continue;
            }
            if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
                let e = Error::limit(format!(
                    "inflates to more than {MAX_DOCUMENT_BYTES} bytes (a zip bomb?)"
                ));
                self.error(e.in_entry(self.name).at_path(&member_name));
                continue;
            }
            let (Some(offset), Ok(len)) = (offset, u32::try_from(len)) else {
                self.error(fail("its data cannot be located".into()));
                continue;
            };
            // What was inflated, not what the directory claims, is what a read back checks.
            let stored = if deflated {
                Stored::Deflated {
                    size: bytes.len() as u32, // ok: at most MAX_DOCUMENT_BYTES
                    crc: crc32fast::hash(&bytes),
                }
            } else {
                Stored::Plain
            };
            let at = Location {
                file: self.file,
                offset,
                len,
                stored,
                element: u32::MAX,
            };
            match osv::parse_document(&bytes) {
                Ok(_) if !osv::is_array(&bytes) && bytes.len() as u64 > MAX_RECORD_BYTES => {
                    self.error(fail(format!("a record of {} bytes is too large", bytes.len())));
                }
                Ok(records) if !osv::is_array(&bytes) => match records.into_iter().next() {
                    Some(Ok(r)) => self.add(&r, at),
                    Some(Err(m)) => self.error(fail(m)),
                    None => {}
                },
                Ok(records) => {
                    for (n, r) in records.into_iter().enumerate() {
                        match r {
                            Ok(r) => self.add(
                                &r,
                                Location {
                                    element: n as u32,
                                    ..at
                                },
                            ),
                            Err(m) => self.error(fail(m)),
                        }
                    }
                }
                Err(m) => self.error(fail(m)),
            }
            if i % 256 == 0 {
                progress(offset, total);
            }
        }
        progress(total, total);
    }

    fn add(&mut self, r: &Record, at: Location) {
        if self.db.stats.records >= MAX_RECORDS {
            if !self.db.capped {
                self.db.capped = true;
                let e = Error::limit(format!("more than {MAX_RECORDS} records; the rest are not indexed"));
                self.error(e.in_entry(self.name));
            }
            return;
        }
        let mut keys: Vec<Box<str>> = r
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter(|p| !p.ecosystem.is_empty() && !p.name.is_empty())
            .map(|p| key(&p.ecosystem, &p.name))
            .collect();
        keys.sort();
        keys.dedup();
        let mut ecosystems: Vec<&str> = keys.iter().map(|k| k.split('\0').next().unwrap_or_default()).collect();
        ecosystems.dedup(); // keys are sorted: a record counts once per ecosystem
        for eco in ecosystems {
            *self.db.stats.ecosystems.entry(eco.to_string()).or_default() += 1;
        }
        for k in keys {
            self.db.index.entry(k).or_default().push(at);
        }
        if let Some(m) = &r.modified
            && self.db.stats.newest_modified.as_ref().is_none_or(|n| m > n)
        {
            self.db.stats.newest_modified = Some(m.clone());
        }
        self.db.stats.records += 1;
        self.stats.records += 1;
    }
}

/// A byte source as `Read + Seek`, for the zip reader.
struct BlobCursor<'a> {
    source: &'a dyn DbSource,
    pos: u64,
}

impl Read for BlobCursor<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.source.read_at(self.pos, buf).map_err(std::io::Error::other)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for BlobCursor<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let len = self.source.len();
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

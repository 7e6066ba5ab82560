//! What the best-practice rules need from file contents, read as the layer streams by: the
//! account files (`/etc/passwd`, `/etc/shadow`, `/etc/group`, kept whole up to a cap) and the
//! content rules' matches (malware indicators) in every file. Contents are matched piece by
//! piece with a short overlap carried between pieces, so no file is buffered whole.

use super::{EntryMeta, Findings, LayerAnalyzer, Want};
use crate::limits::Limits;
use crate::scan::practices::{Place, rules};
use crate::scan::secrets::looks_binary;

/// Account files kept for the rules; bigger ones are cut at `Limits::account_file_bytes`
/// (their first bytes still count).
const ACCOUNT_FILES: [&str; 3] = ["/etc/passwd", "/etc/shadow", "/etc/group"];
/// Bytes of what was matched kept before the next new bytes: a match up to `CARRY - MARGIN`
/// long that spans two windows is still found whole.
const CARRY: usize = 4096;
/// A match ending this close to a window's end may continue past it: left for the next one.
const MARGIN: usize = 1024;
/// New bytes gathered before matching (small pieces are not matched one by one).
const BATCH: usize = 64 << 10;
/// Bytes of a file's start that decide whether it is binary (as the secret scan decides).
const HEAD: usize = 8192;

/// A content rule's match in one file of a layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContentMatch {
    /// Index into the layer's entries.
    pub entry: usize,
    /// The rule's id.
    pub rule: String,
    /// 1-based line of the match (text files only).
    pub line: Option<usize>,
    /// The matched text, short and printable.
    pub excerpt: String,
}

/// An account file's contents (the first `Limits::account_file_bytes`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountFile {
    pub entry: usize,
    pub bytes: Vec<u8>,
}

pub(super) struct PracticeScan {
    found: Vec<ContentMatch>,
    accounts: Vec<AccountFile>,
    text_bytes: u64,
    /// How far an executable is read (`Limits::scan_executable_bytes`).
    executable_bytes: u64,
    /// How much of an account file is kept (`Limits::account_file_bytes`).
    account_bytes: usize,
    /// Matches kept per layer (`Limits::content_matches`).
    max_matches: usize,
    /// The current entry: its index, whether it is an account file, what was kept of it.
    entry: usize,
    account: Option<Vec<u8>>,
    scanning: bool,
    /// The first bytes are being kept to tell a binary file from a text file.
    deciding: bool,
    place: Place,
    cap: u64,
    seen: u64,
    /// Newlines in every byte seen before `window`'s new piece.
    lines: usize,
    /// The carried tail, then the new piece (reused between pieces and files).
    window: Vec<u8>,
    /// How many bytes at the start of `window` were matched already.
    carried: usize,
    /// Rules already matched in this file (one match per rule and file is enough).
    matched: Vec<usize>,
}

impl PracticeScan {
    pub(super) fn new(limits: &Limits) -> Self {
        PracticeScan {
            found: Vec::new(),
            accounts: Vec::new(),
            text_bytes: limits.scan_file_bytes,
            executable_bytes: limits.scan_executable_bytes,
            account_bytes: usize::try_from(limits.account_file_bytes).unwrap_or(usize::MAX),
            max_matches: usize::try_from(limits.content_matches).unwrap_or(usize::MAX),
            entry: 0,
            account: None,
            scanning: false,
            deciding: false,
            place: Place::TextFile,
            cap: 0,
            seen: 0,
            lines: 0,
            window: Vec::new(),
            carried: 0,
            matched: Vec::new(),
        }
    }

    /// Takes the next piece of the file: kept until the first `HEAD` bytes say whether the
    /// file is binary, then matched (with the carried tail of what came before) once enough
    /// new bytes are in, or the read ends.
    fn piece(&mut self, data: &[u8]) {
        // An executable is read further: known from its first piece when that holds the magic.
        if self.seen == 0 && data.starts_with(b"\x7fELF") {
            self.cap = self.text_bytes.max(self.executable_bytes);
        }
        let room = usize::try_from(self.cap.saturating_sub(self.seen)).unwrap_or(usize::MAX);
        let data = data.get(..room.min(data.len())).unwrap_or(data);
        self.seen = self.seen.saturating_add(data.len() as u64);
        self.window.extend_from_slice(data);
        let last = self.seen >= self.cap;
        if self.deciding {
            if self.window.len() < HEAD && !last {
                return;
            }
            self.decide();
        }
        if last || self.window.len() - self.carried >= BATCH {
            self.match_window(self.seen >= self.cap);
        }
    }

    /// Whether the file is binary, and how far to read it, from its first bytes.
    fn decide(&mut self) {
        self.deciding = false;
        self.place = if looks_binary(&self.window) {
            Place::BinaryFile
        } else {
            Place::TextFile
        };
        if self.window.starts_with(b"\x7fELF") {
            self.cap = self.text_bytes.max(self.executable_bytes);
        }
    }

    /// Matches the window (`carried` bytes seen before, then new ones) and keeps its tail.
    /// Unless it is the `last` window of the file, a match that ends near the window's end may
    /// be cut short: it is left for the next window, which starts with it.
    fn match_window(&mut self, last: bool) {
        let carried = self.carried;
        let carried_lines = memchr::memchr_iter(b'\n', self.window.get(..carried).unwrap_or(&[])).count();
        let open_from = self.window.len().saturating_sub(MARGIN);
        for hit in rules().scan(&self.window, self.place) {
            if self.matched.contains(&hit.rule)
                || self.found.len() >= self.max_matches
                || (!last && hit.end > open_from)
            {
                continue;
            }
            self.matched.push(hit.rule);
            let line = (self.place == Place::TextFile).then(|| {
                let before = self.window.get(..hit.start).unwrap_or(&[]);
                self.lines.saturating_sub(carried_lines) + memchr::memchr_iter(b'\n', before).count() + 1
            });
            self.found.push(ContentMatch {
                entry: self.entry,
                rule: rules().rules[hit.rule].spec.id.clone(),
                line,
                excerpt: hit.excerpt,
            });
        }
        self.lines += memchr::memchr_iter(b'\n', self.window.get(carried..).unwrap_or(&[])).count();
        let keep = self.window.len().saturating_sub(CARRY);
        self.window.drain(..keep);
        self.carried = self.window.len();
    }
}

impl LayerAnalyzer for PracticeScan {
    fn id(&self) -> &'static str {
        "practice-scan"
    }

    fn entry(&mut self, e: &EntryMeta) -> Want {
        self.window.clear();
        self.carried = 0;
        self.deciding = true;
        self.matched.clear();
        self.account = None;
        self.seen = 0;
        self.lines = 0;
        self.entry = e.index;
        self.cap = self.text_bytes;
        if !e.is_file() || e.size == 0 {
            self.scanning = false;
            return Want::Skip;
        }
        self.scanning = self.text_bytes > 0;
        if ACCOUNT_FILES.contains(&e.path) {
            self.account = Some(Vec::new());
        }
        if self.scanning || self.account.is_some() {
            Want::Body
        } else {
            Want::Skip
        }
    }

    fn content(&mut self, data: &[u8]) -> Want {
        if let Some(kept) = &mut self.account {
            let room = self.account_bytes.saturating_sub(kept.len());
            kept.extend_from_slice(data.get(..room.min(data.len())).unwrap_or(data));
        }
        if self.scanning {
            self.piece(data);
            if self.seen >= self.cap {
                self.scanning = false;
            }
        }
        let account_wants = self.account.as_ref().is_some_and(|k| k.len() < self.account_bytes);
        if self.scanning || account_wants {
            Want::Body
        } else {
            Want::Skip
        }
    }

    fn end_entry(&mut self, e: &EntryMeta) {
        if let Some(bytes) = self.account.take() {
            self.accounts.push(AccountFile { entry: e.index, bytes });
        }
        // What is left (a short file, the last new bytes, a match left open) is matched when
        // the file ends.
        if self.scanning && !self.window.is_empty() {
            if self.deciding {
                self.decide();
            }
            self.match_window(true);
        }
        self.scanning = false;
    }

    fn finish(self: Box<Self>, out: &mut Findings) {
        out.extend(self.found);
        out.extend(self.accounts);
    }
}

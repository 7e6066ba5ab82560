//! One layer's entries as the walk sees them, with paths normalised.

use super::entries::{Entry, EntryList};
use crate::error::{Error, Result};
use crate::image::pipeline::wants_capture;
use crate::scan::secrets::Hit;
use crate::tar::stream::EntrySink;
use crate::tar::{EntryKind, TarEntry};

/// Whiteout markers, which delete paths of lower layers instead of adding a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Marker {
    /// `.wh.NAME`: the entry's `path` is the path being deleted.
    Whiteout,
    /// `.wh..wh..opq`: the entry's `path` is the directory whose lower contents are hidden.
    Opaque,
}

/// Normalises a path inside a layer: `./x`, `/x` and `x` are the same; `.` and empty parts
/// vanish; `..` never climbs above the root. Returns `/` for the root itself.
pub fn normalize(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(raw.len() + 1);
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// [`normalize`] on raw bytes, for names that are not valid UTF-8 (kept as `path_raw`).
pub fn normalize_bytes(raw: &[u8]) -> Vec<u8> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in raw.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = Vec::with_capacity(raw.len() + 1);
    for p in &parts {
        out.push(b'/');
        out.extend_from_slice(p);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    out
}

/// The parent of a normalised path (`/a/b` → `/a`, `/a` → `/`).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The captured contents of one file (for os-release and, later, package databases).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Capture {
    /// Index into the layer's entries.
    pub entry: usize,
    pub bytes: Vec<u8>,
    /// The file was longer than the capture limit.
    pub truncated: bool,
    /// For a package database: what its cataloger read, parsed as soon as the file ended so
    /// that only the package list is kept (`bytes` is then emptied).
    pub parsed: Option<crate::scan::packages::Parsed>,
}

/// A secret found in one file of a layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileSecret {
    /// Index into the layer's entries.
    pub entry: usize,
    pub hit: Hit,
}

/// What a walk of one layer records.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct WalkOutput {
    /// Entries in tar order.
    pub entries: EntryList,
    /// Contents of captured files.
    pub captures: Vec<Capture>,
    /// Secrets found in file contents.
    pub secrets: Vec<FileSecret>,
    /// Modules that executables say they were built from (Go build info).
    pub binaries: Vec<BinaryModules>,
}

/// The modules an executable of a layer was built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BinaryModules {
    /// Index into the layer's entries.
    pub entry: usize,
    /// The package `type` of the modules (`go`, `maven`, `cargo`).
    pub kind: String,
    pub modules: Vec<crate::scan::packages::Found>,
}

/// Turns tar entries into an [`EntryList`], captures the contents of wanted files, and scans
/// file contents for secrets (the first `scan_bytes` of each regular file).
pub struct LayerWalker {
    out: WalkOutput,
    capturing: bool,
    max_file: u64,
    budget: u64,
    scan_bytes: u64,
    /// The current file's first bytes, for the secret scan (reused between files).
    scan_buf: Vec<u8>,
    scanning: bool,
    /// Executables are streamed through a build-info probe (decided on their first bytes).
    probing: bool,
    head: Vec<u8>,
    probe: Option<crate::scan::packages::golang::GoProbe>,
    /// The same executable searched for a `cargo auditable` dependency tree.
    auditable: Option<crate::scan::packages::cargo::AuditableProbe>,
    /// A Java archive being read for the Maven coordinates inside.
    jar: Option<crate::scan::packages::java::JarProbe>,
}

impl LayerWalker {
    /// `scan_bytes` 0 turns the secret scan off.
    pub fn new(max_file: u64, budget: u64, scan_bytes: u64) -> Self {
        LayerWalker {
            out: WalkOutput::default(),
            capturing: false,
            max_file,
            budget,
            scan_bytes,
            scan_buf: Vec::new(),
            scanning: false,
            probing: false,
            head: Vec::new(),
            probe: None,
            auditable: None,
            jar: None,
        }
    }

    pub fn into_output(mut self) -> WalkOutput {
        self.out.entries.shrink_to_fit();
        self.out
    }

    /// Feeds an executable's bytes to the build-info probe; other files stop being probed
    /// after their first four bytes.
    fn probe_content(&mut self, data: &[u8]) {
        if let Some(p) = &mut self.probe {
            p.feed(data);
            if let Some(a) = &mut self.auditable {
                a.feed(data);
            }
            return;
        }
        let need = 4 - self.head.len();
        self.head.extend_from_slice(&data[..need.min(data.len())]);
        if self.head.len() < 4 {
            return;
        }
        if self.head.as_slice() == b"\x7fELF" {
            let mut p = crate::scan::packages::golang::GoProbe::default();
            p.feed(data);
            self.probe = Some(p);
            let mut a = crate::scan::packages::cargo::AuditableProbe::default();
            a.feed(data);
            self.auditable = Some(a);
        } else {
            self.probing = false;
        }
    }
}

impl EntrySink for LayerWalker {
    fn entry(&mut self, t: &TarEntry) -> Result<bool> {
        let (lossy, raw) = match std::str::from_utf8(&t.path) {
            Ok(s) => (s.to_string(), None),
            Err(_) => (
                String::from_utf8_lossy(&t.path).into_owned(),
                Some(normalize_bytes(&t.path)),
            ),
        };
        let mut path = normalize(&lossy);
        // AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`) is not part of the filesystem.
        if path
            .split('/')
            .any(|c| c.starts_with(".wh..wh.") && c != ".wh..wh..opq")
        {
            return Ok(false);
        }
        let name = path.rsplit('/').next().unwrap_or("");
        let marker = if name == ".wh..wh..opq" {
            path = parent(&path).to_string();
            Some(Marker::Opaque)
        } else if let Some(hidden) = name.strip_prefix(".wh.") {
            if hidden.is_empty() {
                return Err(Error::malformed("whiteout entry names no file"));
            }
            path = format!("{}/{}", parent(&path).trim_end_matches('/'), hidden);
            Some(Marker::Whiteout)
        } else {
            None
        };
        let link_target = match t.kind {
            EntryKind::Symlink => Some(String::from_utf8_lossy(&t.link).into_owned()),
            EntryKind::Hardlink => Some(normalize(&String::from_utf8_lossy(&t.link))),
            _ => None,
        };
        let capture = marker.is_none() && t.kind == EntryKind::Regular && wants_capture(&path) && self.budget > 0;
        self.out.entries.push(&Entry {
            path: &path,
            path_raw: raw.as_deref(),
            kind: t.kind,
            size: t.size,
            mode: t.mode,
            uid: t.uid,
            gid: t.gid,
            mtime: t.mtime,
            link_target: link_target.as_deref(),
            marker,
            header_offset: t.header_offset,
        })?;
        if capture {
            self.out.captures.push(Capture {
                entry: self.out.entries.len() - 1,
                bytes: Vec::new(),
                truncated: false,
                parsed: None,
            });
        }
        self.capturing = capture;
        self.scanning = self.scan_bytes > 0 && t.kind == EntryKind::Regular && t.size > 0 && marker.is_none();
        self.scan_buf.clear();
        let regular = t.kind == EntryKind::Regular && marker.is_none();
        self.jar = (regular && t.size >= 22 && crate::scan::packages::java::wants(&path))
            .then(|| crate::scan::packages::java::JarProbe::new(&path));
        self.probing = regular && t.size >= 1024 && self.jar.is_none();
        self.head.clear();
        self.probe = None;
        self.auditable = None;
        Ok(capture || self.scanning || self.probing || self.jar.is_some())
    }

    fn content(&mut self, _t: &TarEntry, data: &[u8]) -> Result<()> {
        if let Some(j) = &mut self.jar {
            j.feed(data);
        }
        if self.probing {
            self.probe_content(data);
        }
        if self.scanning {
            let room = (self.scan_bytes as usize).saturating_sub(self.scan_buf.len());
            self.scan_buf.extend_from_slice(&data[..room.min(data.len())]);
        }
        if !self.capturing {
            return Ok(());
        }
        if let Some(c) = self.out.captures.last_mut() {
            let room = self.max_file.saturating_sub(c.bytes.len() as u64).min(self.budget) as usize;
            let n = room.min(data.len());
            c.bytes.extend_from_slice(&data[..n]);
            self.budget -= n as u64;
            if n < data.len() {
                c.truncated = true;
            }
        }
        Ok(())
    }

    fn end(&mut self, _t: &TarEntry) -> Result<()> {
        if std::mem::take(&mut self.capturing)
            && let Some(c) = self.out.captures.last_mut()
        {
            let path = self.out.entries.get(c.entry).path;
            if let Some(cat) = crate::scan::packages::catalogers().iter().find(|k| k.wants(path)) {
                c.parsed = Some(cat.read(path, &c.bytes));
                self.budget += c.bytes.len() as u64;
                c.bytes = Vec::new();
            }
        }
        self.probing = false;
        let found = [
            ("go", self.probe.take().and_then(|p| p.finish()).map(|i| i.modules)),
            ("cargo", self.auditable.take().map(|a| a.finish())),
            ("maven", self.jar.take().map(|j| j.finish())),
        ];
        for (kind, modules) in found {
            if let Some(modules) = modules.filter(|m| !m.is_empty()) {
                let entry = self.out.entries.len() - 1;
                self.out.binaries.push(BinaryModules {
                    entry,
                    kind: kind.into(),
                    modules,
                });
            }
        }
        if std::mem::take(&mut self.scanning) && !self.scan_buf.is_empty() {
            let entry = self.out.entries.len() - 1;
            let path = self.out.entries.get(entry).path;
            let binary = crate::scan::secrets::looks_binary(&self.scan_buf);
            for hit in crate::scan::secrets::rules().scan(&self.scan_buf, Some(path), binary) {
                self.out.secrets.push(FileSecret { entry, hit });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("./a/b"), "/a/b");
        assert_eq!(normalize("/a//b/"), "/a/b");
        assert_eq!(normalize("../../etc/passwd"), "/etc/passwd");
        assert_eq!(normalize("a/../../b"), "/b");
        assert_eq!(normalize("./"), "/");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
    }
}

//! Java archives (`.jar`, `.war`, `.ear`, Jenkins `.hpi`/`.jpi`): Maven coordinates from
//! `META-INF/maven/**/pom.properties`, else from `META-INF/MANIFEST.MF` or the file name; nested
//! archives (`WEB-INF/lib/*.jar`, Spring Boot's `BOOT-INF/lib/*.jar`) are read the same way.
//!
//! A zip's directory is at its end, but a layer is a stream: archives are read front to back
//! by their local headers, like a streaming unzip, and only the small files wanted are kept.
//! Members written with a data descriptor (sizes after the data, as `jar` and Java's
//! `ZipOutputStream` write deflated members) are inflated to find their end. A stored member
//! with a data descriptor has no findable end; reading stops there, keeping what was found.

use super::{Distro, Found, purl};
use flate2::{Decompress, FlushDecompress, Status};

/// Nesting depth of archives read inside archives.
const MAX_DEPTH: usize = 3;
/// Largest `pom.properties` or `MANIFEST.MF` kept.
const MAX_SMALL_FILE: usize = 64 * 1024;
/// A prefixed archive (a launch script before the zip, as Spring Boot writes) must start
/// within this many bytes.
const MAX_PREFIX: u64 = 1 << 20;
/// Bytes inflated for one top-level archive and everything nested in it (a bomb guard).
const MAX_INFLATED: u64 = 1 << 30;
/// Packages reported from one top-level archive.
const MAX_FOUND: usize = 10_000;

const LOCAL: u64 = 0x0403_4b50;
const DESCRIPTOR: u64 = 0x0807_4b50;

/// Whether a file, by name, is a Java archive to read.
pub fn wants(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    ["jar", "war", "ear", "hpi", "jpi"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

enum Want {
    Skip,
    Pom(Vec<u8>, String),
    Manifest(Vec<u8>),
    Nested(Box<JarProbe>),
}

enum State {
    /// Looking for the first local header (archives may carry a prefix).
    Seek,
    /// Collecting a local header into `buf` (`need` bytes in all).
    Header {
        need: usize,
    },
    /// Member data of known length, not compressed (or dropped).
    Raw {
        left: u64,
    },
    /// A deflated member; compressed bytes left when known.
    Deflated {
        left: Option<u64>,
    },
    /// Bytes to drop (the rest of a data descriptor, garbage after a stream).
    Skip {
        left: u64,
    },
    /// The first four bytes after a descriptor-terminated stream: a signature or the CRC.
    Descriptor,
    Done,
}

/// Reads one archive fed chunk by chunk.
pub struct JarProbe {
    depth: usize,
    name: String,
    state: State,
    buf: Vec<u8>,
    seen: u64,
    want: Want,
    member_descriptor: bool,
    member_zip64: bool,
    inflater: Option<Decompress>,
    out: Vec<u8>,
    inflated: u64,
    poms: Vec<Found>,
    manifest: Option<Vec<u8>>,
    nested: Vec<Found>,
}

fn le16(b: &[u8], at: usize) -> u64 {
    u64::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn le32(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]))
}

impl JarProbe {
    /// A probe for the archive at `path` (its file name is the last resort for a name).
    pub fn new(path: &str) -> Self {
        Self::at_depth(path, 0)
    }

    fn at_depth(path: &str, depth: usize) -> Self {
        JarProbe {
            depth,
            name: path.rsplit('/').next().unwrap_or(path).to_string(),
            state: State::Seek,
            buf: Vec::new(),
            seen: 0,
            want: Want::Skip,
            member_descriptor: false,
            member_zip64: false,
            inflater: None,
            out: Vec::new(),
            inflated: 0,
            poms: Vec::new(),
            manifest: None,
            nested: Vec::new(),
        }
    }

    pub fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match self.state {
                State::Done => return,
                State::Seek => {
                    // Search the carried tail plus this chunk for the first local header.
                    self.buf.extend_from_slice(data);
                    self.seen += data.len() as u64;
                    match memchr::memmem::find(&self.buf, b"PK\x03\x04") {
                        Some(i) => {
                            let rest = self.buf.split_off(i);
                            self.buf.clear();
                            self.state = State::Header { need: 30 };
                            return self.feed(&rest);
                        }
                        None if self.seen > MAX_PREFIX => self.state = State::Done,
                        None => {
                            let cut = self.buf.len().saturating_sub(3);
                            self.buf.drain(..cut);
                        }
                    }
                    return;
                }
                State::Header { need } => {
                    let n = (need - self.buf.len()).min(data.len());
                    self.buf.extend_from_slice(&data[..n]);
                    data = &data[n..];
                    if self.buf.len() == need {
                        self.header();
                    }
                }
                State::Raw { left } => {
                    let n = (left.min(data.len() as u64)) as usize;
                    self.deliver_raw(n, data);
                    data = &data[n..];
                    let left = left - n as u64;
                    self.state = State::Raw { left };
                    if left == 0 {
                        self.end_member();
                        self.state = State::Header { need: 30 };
                    }
                }
                State::Deflated { left } => {
                    let avail = left.map_or(data.len(), |l| (l.min(data.len() as u64)) as usize);
                    let (used, ended, failed) = self.inflate(&data[..avail]);
                    data = &data[used..];
                    let left = left.map(|l| l - used as u64);
                    if failed {
                        self.end_member();
                        // Without a known size the next header cannot be found.
                        self.state = match left {
                            Some(l) => State::Skip { left: l },
                            None => State::Done,
                        };
                    } else if ended {
                        self.end_member();
                        self.state = if self.member_descriptor {
                            self.buf.clear();
                            State::Descriptor
                        } else {
                            State::Skip {
                                left: left.unwrap_or(0),
                            }
                        };
                    } else if left == Some(0) {
                        // The stream did not end within its stated size.
                        self.end_member();
                        self.state = State::Header { need: 30 };
                    } else {
                        self.state = State::Deflated { left };
                        if used == 0 {
                            return;
                        }
                    }
                }
                State::Skip { left } => {
                    let n = (left.min(data.len() as u64)) as usize;
                    data = &data[n..];
                    self.state = if left == n as u64 {
                        State::Header { need: 30 }
                    } else {
                        State::Skip { left: left - n as u64 }
                    };
                }
                State::Descriptor => {
                    let n = (4 - self.buf.len()).min(data.len());
                    self.buf.extend_from_slice(&data[..n]);
                    data = &data[n..];
                    if self.buf.len() == 4 {
                        // crc + two sizes (4 or 8 bytes each), optionally after a signature.
                        let body: u64 = if self.member_zip64 { 20 } else { 12 };
                        let rest = if le32(&self.buf, 0) == DESCRIPTOR {
                            body
                        } else {
                            body - 4
                        };
                        self.buf.clear();
                        self.state = State::Skip { left: rest };
                    }
                }
            }
        }
    }

    /// Parses a complete local header in `buf` (or asks for its name and extra field).
    fn header(&mut self) {
        let b = &self.buf;
        if le32(b, 0) != LOCAL {
            // The central directory (or anything else): no more members.
            self.state = State::Done;
            return;
        }
        let (name_len, extra_len) = (le16(b, 26) as usize, le16(b, 28) as usize);
        let full = 30 + name_len + extra_len;
        if b.len() < full {
            self.state = State::Header { need: full };
            return;
        }
        let flags = le16(b, 6);
        let method = le16(b, 8);
        let mut csize = le32(b, 18);
        let mut usize_ = le32(b, 22);
        let name = String::from_utf8_lossy(&b[30..30 + name_len]).into_owned();
        // Zip64: the sizes are in the extra field (id 1: uncompressed, then compressed).
        let mut zip64 = false;
        let extra = &b[30 + name_len..full];
        let mut at = 0;
        while at + 4 <= extra.len() {
            let (id, len) = (le16(extra, at), le16(extra, at + 2) as usize);
            let body = &extra[(at + 4).min(extra.len())..(at + 4 + len).min(extra.len())];
            if id == 1 {
                zip64 = true;
                if usize_ == 0xffff_ffff && body.len() >= 8 {
                    usize_ = le32(body, 0) | (le32(body, 4) << 32);
                }
                if csize == 0xffff_ffff && body.len() >= 16 {
                    csize = le32(body, 8) | (le32(body, 12) << 32);
                }
            }
            at += 4 + len;
        }
        let _ = usize_;
        self.buf.clear();
        let descriptor = flags & 0x8 != 0;
        self.member_descriptor = descriptor;
        self.member_zip64 = zip64;
        self.want = self.want_for(&name);
        self.state = match (method, descriptor) {
            (8, _) if !matches!(self.want, Want::Skip) || descriptor => {
                let d = self.inflater.get_or_insert_with(|| Decompress::new(false));
                d.reset(false);
                State::Deflated {
                    left: (!descriptor).then_some(csize),
                }
            }
            (0, false) => State::Raw { left: csize },
            (_, false) => {
                self.want = Want::Skip;
                State::Raw { left: csize }
            }
            // Stored (or unknown method) with sizes after the data: its end cannot be found.
            (_, true) => State::Done,
        };
        if let State::Raw { left: 0 } = self.state {
            self.end_member();
            self.state = State::Header { need: 30 };
        }
    }

    fn want_for(&self, name: &str) -> Want {
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            Want::Pom(Vec::new(), name.to_string())
        } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            Want::Manifest(Vec::new())
        } else if self.depth < MAX_DEPTH && !name.ends_with('/') && wants(name) {
            Want::Nested(Box::new(JarProbe::at_depth(name, self.depth + 1)))
        } else {
            Want::Skip
        }
    }

    fn deliver_raw(&mut self, n: usize, data: &[u8]) {
        let chunk = &data[..n];
        Self::deliver(&mut self.want, chunk);
    }

    fn deliver(want: &mut Want, chunk: &[u8]) {
        match want {
            Want::Skip => {}
            Want::Pom(b, _) | Want::Manifest(b) => {
                let room = MAX_SMALL_FILE.saturating_sub(b.len()).min(chunk.len());
                b.extend_from_slice(&chunk[..room]);
            }
            Want::Nested(p) => p.feed(chunk),
        }
    }

    /// Inflates from `input`; returns (bytes used, stream ended, stream broken).
    fn inflate(&mut self, input: &[u8]) -> (usize, bool, bool) {
        if self.out.len() < 32 * 1024 {
            self.out.resize(32 * 1024, 0);
        }
        let Some(d) = self.inflater.as_mut() else {
            return (0, false, true);
        };
        let mut used = 0;
        loop {
            let (in0, out0) = (d.total_in(), d.total_out());
            let status = d.decompress(&input[used..], &mut self.out, FlushDecompress::None);
            let consumed = (d.total_in() - in0) as usize;
            let produced = (d.total_out() - out0) as usize;
            used += consumed;
            self.inflated += produced as u64;
            Self::deliver(&mut self.want, &self.out[..produced]);
            match status {
                Err(_) => return (used, false, true),
                Ok(Status::StreamEnd) => return (used, true, false),
                Ok(_) if self.inflated > MAX_INFLATED => return (used, false, true),
                // No progress: either all input is used (wait for more) or the stream is stuck.
                Ok(_) if consumed == 0 && produced == 0 => return (used, false, used < input.len()),
                Ok(_) => {}
            }
        }
    }

    fn end_member(&mut self) {
        match std::mem::replace(&mut self.want, Want::Skip) {
            Want::Skip => {}
            Want::Pom(bytes, name) => self.poms.extend(pom(&String::from_utf8_lossy(&bytes), &name)),
            Want::Manifest(bytes) => self.manifest = Some(bytes),
            Want::Nested(p) => {
                self.inflated += p.inflated;
                let found = p.finish();
                let room = MAX_FOUND.saturating_sub(self.nested.len());
                self.nested.extend(found.into_iter().take(room));
            }
        }
    }

    /// The packages this archive and the ones nested in it describe.
    pub fn finish(mut self) -> Vec<Found> {
        if !matches!(self.state, State::Done) {
            self.end_member();
        }
        let mut out = std::mem::take(&mut self.poms);
        if out.is_empty() {
            out.extend(self.own_identity());
        }
        out.append(&mut self.nested);
        out.sort();
        out.dedup();
        out.truncate(MAX_FOUND);
        out
    }

    /// The archive's own identity when it carries no `pom.properties`: the manifest's
    /// title and version, else `name-version.jar`.
    fn own_identity(&self) -> Option<Found> {
        let text = self
            .manifest
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let fields = manifest_fields(&text);
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let (file_name, file_version) = split_file_name(&self.name);
        let name = get("Implementation-Title")
            .filter(|t| !t.contains(' '))
            .or_else(|| get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or("").trim().to_string()))
            .or(file_name)?;
        let version = get("Implementation-Version")
            .or_else(|| get("Bundle-Version"))
            .or(file_version)?;
        let group = get("Implementation-Vendor-Id").or_else(|| get("Automatic-Module-Name"));
        let name = match group {
            Some(g) if !name.contains(':') && g != name => format!("{g}:{name}"),
            _ => name,
        };
        Some(Found {
            name,
            version,
            licenses: Vec::new(),
            arch: None,
            source: None,
            source_version: None,
        })
    }
}

/// `MANIFEST.MF` main-section fields; continuation lines start with one space.
fn manifest_fields(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(more) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(more);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// `commons-io-2.15.1.jar` → (`commons-io`, `2.15.1`): the version starts at the first
/// `-digit`.
fn split_file_name(file: &str) -> (Option<String>, Option<String>) {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let bytes = stem.as_bytes();
    let at = (1..bytes.len()).find(|&i| bytes[i - 1] == b'-' && bytes[i].is_ascii_digit());
    match at {
        Some(i) => (Some(stem[..i - 1].to_string()), Some(stem[i..].to_string())),
        None => (Some(stem.to_string()).filter(|s| !s.is_empty()), None),
    }
}

/// A `pom.properties` file: `groupId`, `artifactId`, `version` (the path names group and
/// artifact too, for files that leave them out).
fn pom(text: &str, path: &str) -> Option<Found> {
    let get = |k: &str| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .find(|(key, _)| key.trim() == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut parts = path.trim_start_matches("META-INF/maven/").split('/');
    let (pg, pa) = (parts.next().map(str::to_string), parts.next().map(str::to_string));
    let group = get("groupId").or(pg)?;
    let artifact = get("artifactId").or(pa)?;
    let version = get("version")?;
    Some(Found {
        name: format!("{group}:{artifact}"),
        version,
        licenses: Vec::new(),
        arch: None,
        source: None,
        source_version: None,
    })
}

/// `pkg:maven/group/artifact@version`; a name without a group uses the name as the group.
pub fn purl(f: &Found, _: Option<&Distro>) -> String {
    let (group, artifact) = f.name.split_once(':').unwrap_or((&f.name, &f.name));
    purl::build("maven", Some(group), artifact, &f.version, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_fields() {
        assert_eq!(
            split_file_name("commons-io-2.15.1.jar"),
            (Some("commons-io".into()), Some("2.15.1".into()))
        );
        assert_eq!(split_file_name("app.jar"), (Some("app".into()), None));
        let f = manifest_fields(
            "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.very\r\n .long;singleton:=true\r\n\r\nName: x\r\n",
        );
        assert_eq!(
            f[1],
            (
                "Bundle-SymbolicName".into(),
                "org.example.very.long;singleton:=true".into()
            )
        );
        assert_eq!(f.len(), 2);
        let p = pom(
            "#Generated\nversion=2.15.1\ngroupId=commons-io\nartifactId=commons-io\n",
            "META-INF/maven/commons-io/commons-io/pom.properties",
        )
        .unwrap();
        assert_eq!(p.name, "commons-io:commons-io");
        assert_eq!(purl(&p, None), "pkg:maven/commons-io/commons-io@2.15.1");
        assert!(wants("/app/lib/x.JAR") && wants("/srv/a.war") && !wants("/jar") && !wants("/a.jar.txt"));
    }

    /// A local header and data for one member; `descriptor`: `Some(with_signature)`.
    fn member(name: &str, data: &[u8], deflate: bool, descriptor: Option<bool>, zip64: bool) -> Vec<u8> {
        let body = if deflate {
            let mut c = flate2::Compress::new(flate2::Compression::default(), false);
            let mut out = Vec::with_capacity(data.len() + 64);
            c.compress_vec(data, &mut out, flate2::FlushCompress::Finish).unwrap();
            out
        } else {
            data.to_vec()
        };
        let mut h = Vec::new();
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&(if descriptor.is_some() { 8u16 } else { 0 }).to_le_bytes());
        h.extend_from_slice(&(if deflate { 8u16 } else { 0 }).to_le_bytes());
        h.extend_from_slice(&[0; 8]); // time, date, crc (not checked)
        let (cs, us) = match (descriptor, zip64) {
            (Some(_), _) => (0u32, 0u32),
            (None, true) => (u32::MAX, u32::MAX),
            (None, false) => (body.len() as u32, data.len() as u32),
        };
        h.extend_from_slice(&cs.to_le_bytes());
        h.extend_from_slice(&us.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(if zip64 { 20u16 } else { 0 }).to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        if zip64 {
            h.extend_from_slice(&1u16.to_le_bytes());
            h.extend_from_slice(&16u16.to_le_bytes());
            h.extend_from_slice(&(data.len() as u64).to_le_bytes());
            h.extend_from_slice(&(body.len() as u64).to_le_bytes());
        }
        h.extend_from_slice(&body);
        if let Some(sig) = descriptor {
            if sig {
                h.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
            }
            h.extend_from_slice(&[0; 4]);
            if zip64 {
                h.extend_from_slice(&(body.len() as u64).to_le_bytes());
                h.extend_from_slice(&(data.len() as u64).to_le_bytes());
            } else {
                h.extend_from_slice(&(body.len() as u32).to_le_bytes());
                h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            }
        }
        h
    }

    fn pom_file(a: &str, v: &str) -> Vec<u8> {
        format!("groupId=org.example\nartifactId={a}\nversion={v}\n").into_bytes()
    }

    fn read(bytes: &[u8], chunk: usize) -> Vec<String> {
        let mut p = JarProbe::new("/x/app.jar");
        for c in bytes.chunks(chunk) {
            p.feed(c);
        }
        p.finish()
            .into_iter()
            .map(|f| format!("{} {}", f.name, f.version))
            .collect()
    }

    #[test]
    fn descriptors_zip64_and_nesting_in_any_chunking() {
        let filler: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let inner = [
            member("Big.class", &filler, true, Some(false), false),
            member(
                "META-INF/maven/org.example/inner/pom.properties",
                &pom_file("inner", "1.0"),
                true,
                Some(true),
                true,
            ),
        ]
        .concat();
        let zip = [
            member("a/Skipped.class", &filler, false, None, false),
            member("b/Deflated.class", &filler, true, None, true),
            member("c/NoSig.class", &filler, true, Some(false), false),
            member("d/Sig64.class", &filler, true, Some(true), true),
            member(
                "META-INF/maven/org.example/outer/pom.properties",
                &pom_file("outer", "2.0"),
                false,
                None,
                false,
            ),
            member("lib/inner.jar", &inner, true, Some(true), false),
            member("lib/stored.jar", &inner, false, None, false),
        ]
        .concat();
        let want = vec!["org.example:inner 1.0".to_string(), "org.example:outer 2.0".to_string()];
        for chunk in [1, 3, 29, 30, 31, 4096, 1 << 20] {
            assert_eq!(read(&zip, chunk), want, "chunk {chunk}");
        }
        // A stored member with a data descriptor has no findable end: what came before stays.
        let stuck = [
            member(
                "META-INF/maven/org.example/outer/pom.properties",
                &pom_file("outer", "2.0"),
                false,
                None,
                false,
            ),
            member("x.bin", b"data", false, Some(true), false),
            member(
                "META-INF/maven/org.example/late/pom.properties",
                &pom_file("late", "3.0"),
                false,
                None,
                false,
            ),
        ]
        .concat();
        assert_eq!(read(&stuck, 7), vec!["org.example:outer 2.0".to_string()]);
        // Nesting deeper than MAX_DEPTH is not read, and never recurses without bound.
        let mut nest = member(
            "META-INF/maven/org.example/d/pom.properties",
            &pom_file("d", "9"),
            false,
            None,
            false,
        );
        for i in 0..6 {
            nest = member(&format!("n{i}.jar"), &nest, false, None, false);
        }
        assert!(read(&nest, 100).is_empty());
    }
}

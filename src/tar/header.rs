//! One 512-byte tar header, and the metadata records (PAX, GNU long names) that modify the
//! header after them.

use crate::error::{Error, Result};

pub const BLOCK: usize = 512;

/// What a tar entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EntryKind {
    Regular,
    Hardlink,
    Symlink,
    CharDevice,
    BlockDevice,
    Directory,
    Fifo,
    /// Anything else (GNU sparse, volume labels, vendor types): body skipped.
    Other(u8),
}

impl EntryKind {
    fn from_flag(flag: u8) -> Self {
        match flag {
            b'0' | 0 | b'7' => EntryKind::Regular,
            b'1' => EntryKind::Hardlink,
            b'2' => EntryKind::Symlink,
            b'3' => EntryKind::CharDevice,
            b'4' => EntryKind::BlockDevice,
            b'5' => EntryKind::Directory,
            b'6' => EntryKind::Fifo,
            other => EntryKind::Other(other),
        }
    }

    /// The name used in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            EntryKind::Regular => "file",
            EntryKind::Hardlink => "hardlink",
            EntryKind::Symlink => "symlink",
            EntryKind::CharDevice => "char_device",
            EntryKind::BlockDevice => "block_device",
            EntryKind::Directory => "dir",
            EntryKind::Fifo => "fifo",
            EntryKind::Other(_) => "other",
        }
    }
}

/// A tar entry with PAX/GNU overrides applied. `size` is the number of body bytes that follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarEntry {
    pub path: Vec<u8>,
    pub link: Vec<u8>,
    pub kind: EntryKind,
    pub size: u64,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: i64,
    /// Offset of this entry's header in its stream.
    pub header_offset: u64,
}

impl TarEntry {
    pub fn path_lossy(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }
}

/// A parsed header block, before metadata records are applied.
pub enum Block {
    /// An all-zero block: end of archive.
    Zero,
    /// A metadata record whose body (of `size` bytes) modifies the next entry.
    Meta {
        flag: u8,
        size: u64,
    },
    Entry(TarEntry),
}

/// Parses a numeric field: octal ASCII (NUL/space padded) or GNU base-256.
fn number(field: &[u8], what: &str) -> Result<u64> {
    if let Some(&first) = field.first()
        && first & 0x80 != 0
    {
        if first == 0xff {
            return Err(Error::malformed(format!("tar header field {what} is negative")));
        }
        let mut v: u64 = u64::from(first & 0x7f);
        for &b in &field[1..] {
            v = v
                .checked_mul(256)
                .and_then(|v| v.checked_add(u64::from(b)))
                .ok_or_else(|| Error::malformed(format!("tar header field {what} overflows 64 bits")))?;
        }
        return Ok(v);
    }
    let mut v: u64 = 0;
    let mut seen = false;
    for &b in field {
        match b {
            b'0'..=b'7' => {
                seen = true;
                v = v
                    .checked_mul(8)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')))
                    .ok_or_else(|| Error::malformed(format!("tar header field {what} overflows")))?;
            }
            b' ' | 0 if !seen => {}
            b' ' | 0 => break,
            _ => {
                return Err(Error::malformed(format!(
                    "tar header field {what} is not a number ({:?})",
                    String::from_utf8_lossy(field)
                )));
            }
        }
    }
    Ok(v)
}

fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// Parses one header block. `offset` is only for error context.
pub fn parse(block: &[u8; BLOCK], offset: u64) -> Result<Block> {
    if block.iter().all(|&b| b == 0) {
        return Ok(Block::Zero);
    }
    let stored = number(&block[148..156], "checksum").map_err(|e| e.at_offset(offset))?;
    // The checksum field counts as eight spaces. Summed in two plain runs (no per-byte branch),
    // which the compiler turns into vector code: this runs once per entry.
    let (head, tail) = (&block[..148], &block[156..]);
    let sum = |s: &[u8]| s.iter().map(|&b| u32::from(b)).sum::<u32>();
    let sum_signed = |s: &[u8]| s.iter().map(|&b| i32::from(b as i8)).sum::<i32>();
    let unsigned = u64::from(sum(head) + sum(tail) + 8 * u32::from(b' '));
    let signed = i64::from(sum_signed(head) + sum_signed(tail) + 8 * i32::from(b' '));
    if stored != unsigned && stored as i64 != signed {
        return Err(Error::malformed(format!(
            "tar header checksum mismatch (stored {stored}, computed {unsigned}): not a tar header"
        ))
        .at_offset(offset));
    }
    let at = |e: Error| e.at_offset(offset);
    let flag = block[156];
    let size = number(&block[124..136], "size").map_err(at)?;
    match flag {
        b'x' | b'g' | b'L' | b'K' => return Ok(Block::Meta { flag, size }),
        _ => {}
    }
    let mut path = Vec::new();
    let ustar = &block[257..263] == b"ustar\0";
    if ustar {
        let prefix = cstr(&block[345..500]);
        if !prefix.is_empty() {
            path.extend_from_slice(prefix);
            path.push(b'/');
        }
    }
    path.extend_from_slice(cstr(&block[0..100]));
    let kind = EntryKind::from_flag(flag);
    // Directories, links and devices carry no body whatever their size field says.
    let size = match kind {
        EntryKind::Regular | EntryKind::Other(_) => size,
        _ => 0,
    };
    Ok(Block::Entry(TarEntry {
        path,
        link: cstr(&block[157..257]).to_vec(),
        kind,
        size,
        mode: number(&block[100..108], "mode").map_err(at)? as u32,
        uid: number(&block[108..116], "uid").map_err(at)?,
        gid: number(&block[116..124], "gid").map_err(at)?,
        mtime: number(&block[136..148], "mtime").map_err(at)? as i64,
        header_offset: offset,
    }))
}

/// Bytes of padding after a body of `size` bytes.
pub fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// Overrides collected from metadata records, applied to the next real entry.
#[derive(Default)]
pub struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax_path: Option<Vec<u8>>,
    pax_link: Option<Vec<u8>>,
    pax_size: Option<u64>,
    pax_uid: Option<u64>,
    pax_gid: Option<u64>,
    pax_mtime: Option<i64>,
}

impl Pending {
    /// Takes in the body of a metadata record.
    pub fn absorb(&mut self, flag: u8, body: &[u8]) {
        match flag {
            b'L' => self.long_name = Some(cstr(body).to_vec()),
            b'K' => self.long_link = Some(cstr(body).to_vec()),
            b'x' => self.pax(body),
            // Global PAX headers apply to all later entries; real image tools only put
            // comments there, so they are ignored.
            _ => {}
        }
    }

    fn pax(&mut self, mut body: &[u8]) {
        // Records are "<len> <key>=<value>\n", len counting the whole record.
        while !body.is_empty() {
            let Some(sp) = body.iter().position(|&b| b == b' ') else {
                break;
            };
            let Some(len) = std::str::from_utf8(&body[..sp])
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
            else {
                break;
            };
            if len <= sp + 1 || len > body.len() {
                break;
            }
            let record = &body[sp + 1..len];
            let record = record.strip_suffix(b"\n").unwrap_or(record);
            if let Some(eq) = record.iter().position(|&b| b == b'=') {
                let (key, value) = (&record[..eq], &record[eq + 1..]);
                let num = || std::str::from_utf8(value).ok().and_then(|s| s.parse::<u64>().ok());
                match key {
                    b"path" => self.pax_path = Some(value.to_vec()),
                    b"linkpath" => self.pax_link = Some(value.to_vec()),
                    b"size" => self.pax_size = num(),
                    b"uid" => self.pax_uid = num(),
                    b"gid" => self.pax_gid = num(),
                    b"mtime" => {
                        self.pax_mtime = std::str::from_utf8(value)
                            .ok()
                            .and_then(|s| s.split('.').next())
                            .and_then(|s| s.parse::<i64>().ok())
                    }
                    _ => {}
                }
            }
            body = &body[len..];
        }
    }

    /// Applies and clears the overrides.
    pub fn apply(&mut self, entry: &mut TarEntry) {
        let p = std::mem::take(self);
        if let Some(v) = p.pax_path.or(p.long_name) {
            entry.path = v;
        }
        if let Some(v) = p.pax_link.or(p.long_link) {
            entry.link = v;
        }
        if let Some(v) = p.pax_size
            && matches!(entry.kind, EntryKind::Regular | EntryKind::Other(_))
        {
            entry.size = v;
        }
        if let Some(v) = p.pax_uid {
            entry.uid = v;
        }
        if let Some(v) = p.pax_gid {
            entry.gid = v;
        }
        if let Some(v) = p.pax_mtime {
            entry.mtime = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(b"0000644\0", "m").unwrap(), 0o644);
        assert_eq!(number(b"  17 \0", "m").unwrap(), 0o17);
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 1, 0], "s").unwrap(), 256);
        assert!(number(&[0xff; 8], "s").is_err());
        assert!(
            number(
                &[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                "s"
            )
            .is_err()
        );
        assert!(number(b"12x4", "s").is_err());
    }

    #[test]
    fn pax_records() {
        let mut p = Pending::default();
        p.absorb(b'x', b"30 path=a/very/long/name/here\n20 size=12345678901\n9 bad=x\n");
        let mut e = TarEntry {
            path: b"short".to_vec(),
            link: vec![],
            kind: EntryKind::Regular,
            size: 1,
            mode: 0,
            uid: 0,
            gid: 0,
            mtime: 0,
            header_offset: 0,
        };
        p.apply(&mut e);
        assert_eq!(e.path, b"a/very/long/name/here");
        assert_eq!(e.size, 12345678901);
    }
}

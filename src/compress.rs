//! Compression: sniffed from magic bytes (never from names or media types alone), and decoded
//! push-style so the same pipeline serves pulled file slices and pushed network chunks.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// A layer's (or outer file's) compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    pub fn as_str(&self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// What the first bytes of a stream look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Gzip,
    Zstd,
    /// A tar header (ustar magic at 257, or a valid v7 checksum).
    Tar,
    /// A recognised format that is not an image layer (named for the error message).
    Foreign(&'static str),
    Unknown,
}

/// Bytes needed to tell formats apart.
pub const SNIFF_LEN: usize = 512;

pub fn sniff(head: &[u8]) -> Sniffed {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Sniffed::Gzip;
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Sniffed::Zstd;
    }
    if head.len() >= 263 && (&head[257..262] == b"ustar") {
        return Sniffed::Tar;
    }
    if head.len() >= 512 {
        let block: &[u8; 512] = head[..512].try_into().unwrap_or(&[0; 512]);
        if matches!(
            crate::tar::header::parse(block, 0),
            Ok(crate::tar::header::Block::Entry(_))
        ) {
            return Sniffed::Tar;
        }
    }
    const MAGICS: &[(&[u8], &str)] = &[
        (b"\x89PNG", "a PNG image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x7fELF", "an ELF executable"),
        (b"BZh", "bzip2 data"),
        (b"\xfd7zXZ\x00", "xz data"),
        (b"%PDF", "a PDF document"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
    ];
    for (magic, name) in MAGICS {
        if head.starts_with(magic) {
            return Sniffed::Foreign(name);
        }
    }
    Sniffed::Unknown
}

/// Turns an I/O error from a decoder back into our error: a sink error travels through the
/// decoder wrapped in `io::Error`, anything else is corrupt compressed data.
pub fn from_io(err: io::Error, what: &str) -> Error {
    if let Some(e) = err.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
        return e.clone();
    }
    Error::malformed(format!("{what} is corrupt: {err}"))
}

/// Wraps our error for travel through `io::Write`.
pub fn to_io(err: Error) -> io::Error {
    io::Error::other(err)
}

/// A push decoder writing decompressed bytes into `W`.
pub enum Decoder<W: Write> {
    None(W),
    Gzip(Box<GzPush<W>>),
    Zstd(Box<ZstdPush<W>>),
}

impl<W: Write> Decoder<W> {
    /// A decoder that checks everything the format carries (gzip CRCs and lengths, zstd
    /// checksums) and refuses zstd windows above `zstd_window` bytes.
    pub fn new(compression: Compression, out: W, zstd_window: u64) -> Self {
        match compression {
            Compression::None => Decoder::None(out),
            Compression::Gzip => Decoder::Gzip(Box::new(GzPush::new(out))),
            Compression::Zstd => Decoder::Zstd(Box::new(ZstdPush::new(out, zstd_window))),
        }
    }

    pub fn push(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Decoder::None(w) => w.write_all(data),
            Decoder::Gzip(d) => d.push(data),
            Decoder::Zstd(d) => d.push(data),
        }
    }

    /// Ends the stream: fails if it was truncated or (gzip) its CRC does not match.
    pub fn finish(&mut self) -> io::Result<()> {
        match self {
            Decoder::None(w) => w.flush(),
            Decoder::Gzip(d) => d.finish(),
            Decoder::Zstd(d) => d.finish(),
        }
    }

    pub fn get_mut(&mut self) -> &mut W {
        match self {
            Decoder::None(w) => w,
            Decoder::Gzip(d) => &mut d.out,
            Decoder::Zstd(d) => &mut d.out,
        }
    }
}

enum GzState {
    /// Collecting a member's header (in `GzPush::held`).
    Header,
    Body,
    /// Collecting a member's 8-byte trailer (in `GzPush::held`).
    Trailer,
}

/// Longest gzip header accepted: 10 fixed bytes, an extra field (at most 65 537), and a name and
/// comment, which the format does not bound (a hostile one could be endless).
const GZ_MAX_HEADER: usize = 256 * 1024;
const GZ_OUT: usize = 128 * 1024;

/// Push-mode gzip (RFC 1952): any number of members, each a header, raw deflate data and a
/// trailer (CRC-32 and length, both checked). The headers and trailers are parsed here (not by
/// a gzip reader) so that a stream can be pushed in any pieces and members follow one another.
/// Each push writes out all it decompressed, so nothing is held back between pushes.
pub struct GzPush<W: Write> {
    inflate: flate2::Decompress,
    state: GzState,
    /// Header or trailer bytes collected so far.
    held: Vec<u8>,
    crc: flate2::Crc,
    /// Bytes this member decompressed to (the trailer holds it modulo 2^32).
    member_len: u64,
    members: u64,
    buf: Vec<u8>,
    pub out: W,
}

impl<W: Write> GzPush<W> {
    pub fn new(out: W) -> Self {
        GzPush {
            inflate: flate2::Decompress::new(false),
            state: GzState::Header,
            held: Vec::new(),
            crc: flate2::Crc::new(),
            member_len: 0,
            members: 0,
            buf: vec![0; GZ_OUT],
            out,
        }
    }

    /// An error in the current member (named when the stream has several).
    fn corrupt(&self, msg: impl std::fmt::Display) -> io::Error {
        let msg = match self.members {
            0 => msg.to_string(),
            n => format!("{msg} (gzip member {})", n + 1),
        };
        io::Error::new(io::ErrorKind::InvalidData, msg)
    }

    pub fn push(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match self.state {
                GzState::Header => {
                    let room = GZ_MAX_HEADER.saturating_sub(self.held.len());
                    let take = data.len().min(room.max(1));
                    let before = self.held.len();
                    self.held.extend_from_slice(&data[..take]);
                    match gzip_header_len(&self.held).map_err(|e| self.corrupt(e))? {
                        Some(len) => {
                            data = &data[len - before..];
                            self.held.clear();
                            self.state = GzState::Body;
                        }
                        None if self.held.len() >= GZ_MAX_HEADER => {
                            return Err(self.corrupt(format!("header longer than {GZ_MAX_HEADER} bytes")));
                        }
                        None => data = &data[take..],
                    }
                }
                GzState::Body => data = self.inflate_some(data)?,
                GzState::Trailer => {
                    let take = data.len().min(8 - self.held.len());
                    self.held.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if self.held.len() == 8 {
                        self.end_member()?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Inflates from `data` until it is used up or the member's deflate data ends; returns
    /// what is left.
    fn inflate_some<'a>(&mut self, mut data: &'a [u8]) -> io::Result<&'a [u8]> {
        loop {
            let (in0, out0) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self
                .inflate
                .decompress(data, &mut self.buf, flate2::FlushDecompress::None)
                .map_err(|_| self.corrupt("corrupt deflate stream"))?;
            let used = (self.inflate.total_in() - in0) as usize;
            let made = (self.inflate.total_out() - out0) as usize;
            data = &data[used..];
            self.write_out(made)?;
            if status == flate2::Status::StreamEnd {
                self.state = GzState::Trailer;
                return Ok(data);
            }
            // The output buffer not filled: everything given was taken in.
            if made < self.buf.len() && (data.is_empty() || used == 0 && made == 0) {
                return Ok(data);
            }
        }
    }

    fn write_out(&mut self, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        let out = &self.buf[..n];
        self.crc.update(out);
        self.member_len += n as u64;
        self.out.write_all(out)
    }

    fn end_member(&mut self) -> io::Result<()> {
        let word = |i: usize| u32::from_le_bytes([self.held[i], self.held[i + 1], self.held[i + 2], self.held[i + 3]]);
        let (crc, isize) = (word(0), word(4));
        let sum = self.crc.sum();
        if sum != crc {
            return Err(self.corrupt(format!(
                "CRC mismatch: the trailer says {crc:08x}, the data is {sum:08x}"
            )));
        }
        self.crc.reset();
        if isize != self.member_len as u32 {
            return Err(self.corrupt(format!(
                "length mismatch: the trailer says {isize} bytes (mod 2^32), the data is {}",
                self.member_len
            )));
        }
        self.members += 1;
        self.member_len = 0;
        self.held.clear();
        self.inflate.reset(false);
        self.state = GzState::Header;
        Ok(())
    }

    /// Ends the stream: fails unless it held at least one member and ended with one.
    pub fn finish(&mut self) -> io::Result<()> {
        match self.state {
            GzState::Header if self.held.is_empty() && self.members > 0 => self.out.flush(),
            GzState::Header if self.members == 0 && self.held.is_empty() => Err(self.corrupt("no data")),
            GzState::Header => Err(self.corrupt("the stream ends inside a gzip header")),
            GzState::Body => Err(self.corrupt("the stream ends inside the compressed data (truncated)")),
            GzState::Trailer => Err(self.corrupt("the stream ends inside the trailer (truncated)")),
        }
    }
}

/// Whether `head`, the first bytes of a blob, starts with a whole gzip member header this
/// crate accepts: the condition for letting another inflater (the browser's) decompress the
/// blob, which must not accept a header that [`GzPush`] would refuse.
pub fn gzip_head_complete(head: &[u8]) -> bool {
    sniff(head) == Sniffed::Gzip && matches!(gzip_header_len(head), Ok(Some(_)))
}

/// The length of the gzip member header at the start of `h`: `None` if more bytes are needed.
fn gzip_header_len(h: &[u8]) -> std::result::Result<Option<usize>, String> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if h.len() >= 2 && h[..2] != [0x1f, 0x8b] {
        return Err(format!("not a gzip header (starts {:02x} {:02x})", h[0], h[1]));
    }
    if h.len() < 10 {
        return Ok(None);
    }
    if h[2] != 8 {
        return Err(format!("unknown compression method {}", h[2]));
    }
    let flags = h[3];
    if flags & 0xe0 != 0 {
        return Err(format!("reserved header flags set ({flags:#04x})"));
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(len) = h.get(at..at + 2) else { return Ok(None) };
        at += 2 + u16::from_le_bytes([len[0], len[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match h.get(at..).and_then(|rest| rest.iter().position(|&b| b == 0)) {
                Some(end) => at += end + 1,
                None => return Ok(None),
            }
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    Ok((h.len() >= at).then_some(at))
}

/// Push-mode zstd over the reference library (libzstd, through `zstd-safe`; built for wasm32
/// with clang): any number of frames, skippable ones included, each frame's checksum checked
/// when it has one, windows above the limit refused before anything is allocated for them.
/// Memory: the window plus one output buffer. (It replaced `ruzstd`: the page read a 124 MB zstd
/// image in 1.45 s where it took 2.19 s; docs/benchmarks.md.)
pub struct ZstdPush<W: Write> {
    dctx: zstd_safe::DCtx<'static>,
    buf: Vec<u8>,
    /// The decoder's hint after the last step that did anything: 0 between frames.
    pending: usize,
    /// Frames (skippable ones included) decoded to their end.
    frames: u64,
    /// Compressed bytes taken in.
    taken: u64,
    pub out: W,
}

impl<W: Write> ZstdPush<W> {
    /// `max_window`: the largest window accepted, rounded down to a power of two (the format's
    /// windows are at least 1 KiB).
    pub fn new(out: W, max_window: u64) -> Self {
        let mut dctx = zstd_safe::DCtx::create();
        let log = max_window.max(1 << 10).ilog2().min(31);
        // Only fails for a value out of the library's bounds, which `log` is not.
        let _ = dctx.set_parameter(zstd_safe::DParameter::WindowLogMax(log));
        ZstdPush {
            dctx,
            buf: vec![0; zstd_safe::DCtx::out_size()],
            pending: 1,
            frames: 0,
            taken: 0,
            out,
        }
    }

    fn corrupt(msg: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, msg.into())
    }

    pub fn push(&mut self, data: &[u8]) -> io::Result<()> {
        let mut input = zstd_safe::InBuffer::around(data);
        loop {
            let before = input.pos();
            let mut output = zstd_safe::OutBuffer::around(&mut self.buf[..]);
            let hint = self.dctx.decompress_stream(&mut output, &mut input).map_err(|code| {
                Self::corrupt(format!(
                    "zstd: {} (at byte {} of the stream)",
                    zstd_safe::get_error_name(code).to_lowercase(),
                    self.taken + before as u64
                ))
            })?;
            let made = output.pos();
            if made == 0 && input.pos() == before {
                break; // nothing left to do with what was given
            }
            self.pending = hint;
            if hint == 0 {
                self.frames += 1;
            }
            self.out.write_all(&self.buf[..made])?;
            if input.pos() == data.len() && made < self.buf.len() {
                break;
            }
        }
        self.taken += data.len() as u64;
        Ok(())
    }

    pub fn finish(&mut self) -> io::Result<()> {
        if self.taken == 0 {
            return Err(Self::corrupt("zstd stream holds no frame"));
        }
        if self.pending != 0 {
            return Err(Self::corrupt(format!(
                "zstd stream is truncated ({} bytes): it ends inside a frame",
                self.taken
            )));
        }
        Ok(())
    }
}

/// Compresses with gzip (fixtures and tests).
pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).map_err(|e| Error::io(e.to_string()))?;
    enc.finish().map_err(|e| Error::io(e.to_string()))
}

/// Compresses with zstd (fixtures and tests).
pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(c: Compression, data: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        let mut d = Decoder::new(c, Vec::new(), 1 << 24);
        for piece in data.chunks(chunk.max(1)) {
            d.push(piece)?;
        }
        d.finish()?;
        Ok(std::mem::take(d.get_mut()))
    }

    fn sample() -> Vec<u8> {
        (0..300_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect()
    }

    #[test]
    fn zstd_push_handles_any_chunking_frames_and_skippable_frames() {
        let data = sample();
        let mut stream = zstd(&data[..500_000]);
        // A skippable frame between two data frames.
        stream.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        stream.extend(zstd(&data[500_000..]));
        for chunk in [1, 3, 4096, 1 << 20] {
            assert_eq!(
                decode(Compression::Zstd, &stream, chunk).unwrap(),
                data,
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn gzip_push_handles_multiple_members() {
        let data = sample();
        let mut stream = gzip(&data[..100]).unwrap();
        stream.extend(gzip(&data[100..]).unwrap());
        assert_eq!(decode(Compression::Gzip, &stream, 7).unwrap(), data);
    }

    fn decode_gzip(data: &[u8], chunk: usize) -> io::Result<Vec<u8>> {
        let mut d = GzPush::new(Vec::new());
        for piece in data.chunks(chunk.max(1)) {
            d.push(piece)?;
        }
        d.finish()?;
        Ok(std::mem::take(&mut d.out))
    }

    /// A member with every optional header field (extra, name, comment, header CRC).
    fn gzip_full_header(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::GzBuilder::new()
            .extra(vec![7; 300])
            .filename("layer.tar")
            .comment("made by a test")
            .write(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        let mut v = enc.finish().unwrap();
        // GzBuilder does not write FHCRC: set the flag and insert two bytes after the header.
        let header_len = 10 + 2 + 300 + "layer.tar".len() + 1 + "made by a test".len() + 1;
        v[3] |= 2;
        v.splice(header_len..header_len, [0xab, 0xcd]);
        v
    }

    #[test]
    fn gzip_push_reads_optional_header_fields_in_any_chunking() {
        let data = sample();
        let mut stream = gzip_full_header(&data[..70_000]);
        stream.extend(gzip(&data[70_000..]).unwrap());
        stream.extend(gzip(b"").unwrap()); // an empty member
        for chunk in [1, 3, 11, 4096, 1 << 20] {
            assert_eq!(decode_gzip(&stream, chunk).unwrap(), data, "chunk {chunk}");
        }
    }

    #[test]
    fn gzip_crc_and_length_are_checked() {
        let data = sample();
        let good = gzip(&data).unwrap();
        let n = good.len();
        let mut bad_crc = good.clone();
        bad_crc[n - 8] ^= 1;
        let err = decode_gzip(&bad_crc, 4096).unwrap_err();
        assert!(err.to_string().contains("CRC mismatch"), "{err}");
        let mut bad_len = good.clone();
        bad_len[n - 1] ^= 1;
        let err = decode_gzip(&bad_len, 4096).unwrap_err();
        assert!(err.to_string().contains("length mismatch"), "{err}");
    }

    #[test]
    fn gzip_garbage_fails_with_a_reason() {
        let data = sample();
        let mut trailing = gzip(&data).unwrap();
        trailing.extend_from_slice(b"junk after the member");
        let err = decode_gzip(&trailing, 4096).unwrap_err();
        assert!(
            err.to_string()
                .contains("not a gzip header (starts 6a 75) (gzip member 2)"),
            "{err}"
        );
        let mut method = gzip(&data).unwrap();
        method[2] = 7;
        assert!(decode_gzip(&method, 4096).unwrap_err().to_string().contains("method 7"));
        let mut corrupt = gzip(&data).unwrap();
        corrupt[12] ^= 0xff;
        corrupt[13] ^= 0xff;
        assert!(decode_gzip(&corrupt, 4096).is_err());
        // A name that never ends: refused once the header is too long, not buffered for ever.
        let mut endless = vec![0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
        endless.extend(std::iter::repeat_n(b'a', GZ_MAX_HEADER + 10));
        let err = decode_gzip(&endless, 1000).unwrap_err();
        assert!(err.to_string().contains("header longer than"), "{err}");
        assert!(decode_gzip(b"", 1).unwrap_err().to_string().contains("no data"));
    }

    #[test]
    fn truncated_streams_fail_at_finish() {
        let data = sample();
        for (c, stream) in [
            (Compression::Zstd, zstd(&data)),
            (Compression::Gzip, gzip(&data).unwrap()),
        ] {
            for cut in [1, 5, stream.len() / 2, stream.len() - 1] {
                assert!(decode(c, &stream[..cut], 1000).is_err(), "{c:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(&gzip(b"x").unwrap()), Sniffed::Gzip);
        assert_eq!(sniff(&zstd(b"x")), Sniffed::Zstd);
        assert_eq!(sniff(b"\x89PNG\r\n"), Sniffed::Foreign("a PNG image"));
        assert_eq!(sniff(b"hello"), Sniffed::Unknown);
    }
}

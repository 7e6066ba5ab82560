//! Compression: sniffed from magic bytes (never from names or media types alone), and decoded
//! push-style so the same pipeline serves pulled file slices and pushed network chunks.

use crate::error::{Error, Result};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
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
    Gzip(Box<flate2::write::MultiGzDecoder<W>>),
    Zstd(Box<ZstdPush<W>>),
}

impl<W: Write> Decoder<W> {
    pub fn new(compression: Compression, out: W, zstd_window: u64) -> Self {
        match compression {
            Compression::None => Decoder::None(out),
            Compression::Gzip => Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(out))),
            Compression::Zstd => Decoder::Zstd(Box::new(ZstdPush::new(out, zstd_window))),
        }
    }

    pub fn push(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Decoder::None(w) => w.write_all(data),
            Decoder::Gzip(d) => d.write_all(data),
            Decoder::Zstd(d) => d.push(data),
        }
    }

    /// Writes out what is decompressed so far (the gzip decoder holds back up to 32 KiB).
    pub fn flush_output(&mut self) -> io::Result<()> {
        match self {
            Decoder::Gzip(d) => d.flush(),
            // zstd writes each block out as it is decoded, and all of a frame at its end.
            Decoder::None(_) | Decoder::Zstd(_) => Ok(()),
        }
    }

    /// Ends the stream: fails if it was truncated or (gzip) its CRC does not match.
    pub fn finish(&mut self) -> io::Result<()> {
        match self {
            Decoder::None(w) => w.flush(),
            Decoder::Gzip(d) => d.try_finish(),
            Decoder::Zstd(d) => d.finish(),
        }
    }

    pub fn get_mut(&mut self) -> &mut W {
        match self {
            Decoder::None(w) => w,
            Decoder::Gzip(d) => d.get_mut(),
            Decoder::Zstd(d) => &mut d.out,
        }
    }
}

enum ZState {
    FrameHeader,
    Blocks { checksum: bool },
    Skippable { remaining: u64 },
}

/// Push-mode zstd. `ruzstd` decodes from a reader; we cut the input at frame and block
/// boundaries (which the format makes cheap to find) and hand it one complete block at a time,
/// so partial input never reaches the decoder. Memory: one block (≤128 KiB) plus the window.
pub struct ZstdPush<W: Write> {
    decoder: FrameDecoder,
    buf: Vec<u8>,
    pos: usize,
    state: ZState,
    frames: u64,
    pub out: W,
}

const ZSTD_MAGIC: u32 = 0xFD2F_B528;
const MAX_BLOCK: usize = 128 * 1024;

impl<W: Write> ZstdPush<W> {
    pub fn new(out: W, max_window: u64) -> Self {
        let mut decoder = FrameDecoder::new();
        decoder.set_max_window_size(max_window);
        ZstdPush {
            decoder,
            buf: Vec::new(),
            pos: 0,
            state: ZState::FrameHeader,
            frames: 0,
            out,
        }
    }

    fn corrupt(msg: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, msg.into())
    }

    pub fn push(&mut self, data: &[u8]) -> io::Result<()> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
        loop {
            let avail = &self.buf[self.pos..];
            match self.state {
                ZState::Skippable { remaining } => {
                    let n = remaining.min(avail.len() as u64);
                    self.pos += n as usize;
                    if remaining == n {
                        self.state = ZState::FrameHeader;
                    } else {
                        self.state = ZState::Skippable {
                            remaining: remaining - n,
                        };
                        break;
                    }
                }
                ZState::FrameHeader => {
                    if avail.len() < 5 {
                        break;
                    }
                    let magic = u32::from_le_bytes([avail[0], avail[1], avail[2], avail[3]]);
                    if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                        if avail.len() < 8 {
                            break;
                        }
                        let len = u32::from_le_bytes([avail[4], avail[5], avail[6], avail[7]]);
                        self.pos += 8;
                        self.state = ZState::Skippable {
                            remaining: u64::from(len),
                        };
                        continue;
                    }
                    if magic != ZSTD_MAGIC {
                        return Err(Self::corrupt("zstd frame magic missing (trailing garbage?)"));
                    }
                    let desc = avail[4];
                    let single = desc & 0x20 != 0;
                    let dict = [0usize, 1, 2, 4][(desc & 3) as usize];
                    let fcs = match desc >> 6 {
                        0 => usize::from(single),
                        1 => 2,
                        2 => 4,
                        _ => 8,
                    };
                    let hlen = 5 + usize::from(!single) + dict + fcs;
                    if avail.len() < hlen {
                        break;
                    }
                    self.decoder
                        .reset(&avail[..hlen])
                        .map_err(|e| Self::corrupt(format!("zstd frame header: {e}")))?;
                    self.pos += hlen;
                    self.frames += 1;
                    self.state = ZState::Blocks {
                        checksum: desc & 0x04 != 0,
                    };
                }
                ZState::Blocks { checksum } => {
                    if avail.len() < 3 {
                        break;
                    }
                    let h = u32::from_le_bytes([avail[0], avail[1], avail[2], 0]);
                    let last = h & 1 != 0;
                    let size = (h >> 3) as usize;
                    let content = match (h >> 1) & 3 {
                        0 | 2 => size,
                        1 => 1,
                        _ => return Err(Self::corrupt("zstd block type is reserved")),
                    };
                    if size > MAX_BLOCK {
                        return Err(Self::corrupt(format!("zstd block claims {size} bytes (max 128 KiB)")));
                    }
                    let unit = 3 + content + if last && checksum { 4 } else { 0 };
                    if avail.len() < unit {
                        break;
                    }
                    self.decoder
                        .decode_blocks(&avail[..unit], BlockDecodingStrategy::UptoBlocks(1))
                        .map_err(|e| Self::corrupt(format!("zstd block: {e}")))?;
                    self.pos += unit;
                    self.decoder.collect_to_writer(&mut self.out)?;
                    if last {
                        // All bytes are collected now, so the running hash is complete.
                        if checksum && self.decoder.get_checksum_from_data() != self.decoder.get_calculated_checksum() {
                            return Err(Self::corrupt("zstd frame checksum does not match its content"));
                        }
                        self.state = ZState::FrameHeader;
                    }
                }
            }
        }
        // Keep the buffer small: drop what was consumed once it dominates.
        if self.pos > MAX_BLOCK && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        Ok(())
    }

    pub fn finish(&mut self) -> io::Result<()> {
        let left = self.buf.len() - self.pos;
        match self.state {
            ZState::FrameHeader if left == 0 && self.frames > 0 => Ok(()),
            ZState::FrameHeader if self.frames == 0 => Err(Self::corrupt("zstd stream holds no frame")),
            ZState::Skippable { .. } | ZState::FrameHeader => Err(Self::corrupt(format!(
                "zstd stream is truncated ({left} bytes of an incomplete frame header)"
            ))),
            ZState::Blocks { .. } => Err(Self::corrupt(format!(
                "zstd stream is truncated inside a frame ({left} bytes of an incomplete block)"
            ))),
        }
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

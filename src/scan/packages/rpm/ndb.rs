//! rpm's own "ndb" package database (`Packages.db`, SUSE): a 32-byte header and slot pages
//! (16-byte slots: magic, package index, block offset, block count) in 4 KiB pages, then the
//! blobs, each framed by a head (magic, package index, timestamp, length) and a tail (Adler-32
//! of head, blob and padding; length; magic), all in 16-byte blocks, little-endian.

const DB_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const HEAD_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const TAIL_MAGIC: u32 = u32::from_le_bytes(*b"BlbE");
const PAGE: usize = 4096;
const BLOCK: usize = 16;
const SLOT: usize = 16;
/// The header takes the first two slots of page 0.
const FIRST_SLOT: usize = 2;

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

/// Hands the header blob of every used slot, in slot order, to `sink`. Blobs whose frame or
/// checksum is wrong are skipped and reported in the error (after the sound ones are handed on).
pub fn blobs(bytes: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<(), String> {
    if bytes.len() < 32 || le32(bytes, 0) != DB_MAGIC {
        return Err("not an rpm ndb database".into());
    }
    if le32(bytes, 4) != 0 {
        return Err(format!("unknown ndb version {}", le32(bytes, 4)));
    }
    let slot_pages = le32(bytes, 12) as usize;
    let slot_end = slot_pages
        .checked_mul(PAGE)
        .filter(|&e| e <= bytes.len() && e > 0)
        .ok_or_else(|| format!("{slot_pages} slot pages do not fit in the file"))?;
    let (mut bad, mut first) = (0usize, None);
    for at in (FIRST_SLOT * SLOT..slot_end).step_by(SLOT) {
        if le32(bytes, at) != SLOT_MAGIC {
            return Err(format!("slot at byte {at} has no slot magic"));
        }
        let (pkgidx, blkoff, blkcnt) = (
            le32(bytes, at + 4),
            le32(bytes, at + 8) as usize,
            le32(bytes, at + 12) as usize,
        );
        if blkoff == 0 {
            continue;
        }
        match blob(bytes, pkgidx, blkoff, blkcnt) {
            Ok(b) => sink(b),
            Err(e) => {
                bad += 1;
                first.get_or_insert(format!("package {pkgidx}: {e}"));
            }
        }
    }
    match first {
        Some(e) => Err(format!("{bad} blob(s) unreadable, first {e}")),
        None => Ok(()),
    }
}

fn blob(bytes: &[u8], pkgidx: u32, blkoff: usize, blkcnt: usize) -> Result<&[u8], String> {
    let start = blkoff.checked_mul(BLOCK).ok_or("block offset overflows")?;
    let len = blkcnt.checked_mul(BLOCK).ok_or("block count overflows")?;
    let frame = bytes
        .get(start..start.checked_add(len).ok_or("blob overflows")?)
        .ok_or("blob lies outside the file")?;
    if frame.len() < 28 || le32(frame, 0) != HEAD_MAGIC {
        return Err("no blob head".into());
    }
    if le32(frame, 4) != pkgidx {
        return Err(format!("blob belongs to package {}", le32(frame, 4)));
    }
    let bloblen = le32(frame, 12) as usize;
    if (16 + bloblen + 12).div_ceil(BLOCK) != blkcnt {
        return Err(format!("blob of {bloblen} bytes does not fill {blkcnt} blocks"));
    }
    let tail = frame.len() - 12;
    if le32(frame, tail + 8) != TAIL_MAGIC || le32(frame, tail + 4) as usize != bloblen {
        return Err("blob tail is damaged".into());
    }
    if adler32(&frame[..tail]) != le32(frame, tail) {
        return Err("blob checksum mismatch".into());
    }
    Ok(&frame[16..16 + bloblen])
}

//! Berkeley DB hash databases, as rpm before 4.16 kept `/var/lib/rpm/Packages` (CentOS 7,
//! RHEL 8): a metadata page, then hash pages of key/data pairs. rpm's header blobs are too big
//! to sit on a hash page, so each data item points to a chain of overflow pages that hold it.
//! Every page is read in turn; the values of all pairs are returned (keys are header numbers,
//! not needed). Fields are in the writing host's byte order, which the magic number tells.

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

/// Hands the values stored in a hash database to `sink`, in page order. An error stops the
/// read; values already handed on stay handed on.
pub fn values(bytes: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<(), String> {
    if bytes.len() < 512 {
        return Err("too short for a Berkeley DB file".into());
    }
    let magic_le = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
    let magic_be = u32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
    let le = if magic_le == HASH_MAGIC {
        true
    } else if magic_be == HASH_MAGIC {
        false
    } else {
        return Err("not a Berkeley DB hash database".into());
    };
    let u32_at = |b: &[u8], at: usize| -> u32 {
        let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let u16_at = |b: &[u8], at: usize| -> usize {
        let a = [b[at], b[at + 1]];
        (if le {
            u16::from_le_bytes(a)
        } else {
            u16::from_be_bytes(a)
        }) as usize
    };
    let page_size = u32_at(bytes, 20) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("invalid page size {page_size}"));
    }
    if bytes[24] != 0 {
        return Err("the database is encrypted".into());
    }
    let pages = bytes.len() / page_size;
    let page = |n: u32| -> Option<&[u8]> {
        let n = n as usize;
        (n < pages).then(|| &bytes[n * page_size..(n + 1) * page_size])
    };
    // Each overflow page belongs to one chain in a sound file; reading more than the file
    // holds means chains are shared or loop.
    let mut budget = bytes.len();
    for n in 1..pages as u32 {
        let Some(p) = page(n) else { break };
        if !matches!(p[25], P_HASH | P_HASH_UNSORTED) {
            continue;
        }
        let entries = u16_at(p, 20);
        if PAGE_HEADER + entries * 2 > page_size {
            return Err(format!("page {n} claims {entries} entries"));
        }
        // Items alternate key, data; the data items are the odd ones.
        for i in (1..entries).step_by(2) {
            let at = u16_at(p, PAGE_HEADER + 2 * i);
            if at >= page_size {
                return Err(format!("page {n}: item {i} starts outside the page"));
            }
            match p[at] {
                H_OFFPAGE => {
                    if at + 12 > page_size {
                        return Err(format!("page {n}: item {i} is cut off"));
                    }
                    let first = u32_at(p, at + 4);
                    let total = u32_at(p, at + 8) as usize;
                    budget = budget
                        .checked_sub(total)
                        .ok_or_else(|| format!("page {n}: item {i}: values add up to more than the file holds"))?;
                    let mut value = Vec::with_capacity(total);
                    let mut next = first;
                    while value.len() < total {
                        let ov = page(next).filter(|o| o[25] == P_OVERFLOW).ok_or_else(|| {
                            format!("page {n}: item {i}: overflow page {next} is missing or not an overflow page")
                        })?;
                        let len = u16_at(ov, 22).min(page_size - PAGE_HEADER).min(total - value.len());
                        if len == 0 {
                            return Err(format!("overflow page {next} is empty"));
                        }
                        value.extend_from_slice(&ov[PAGE_HEADER..PAGE_HEADER + len]);
                        next = u32_at(ov, 16);
                        if next == 0 && value.len() < total {
                            return Err(format!("page {n}: item {i}: the overflow chain ends early"));
                        }
                    }
                    sink(&value);
                }
                H_KEYDATA => {
                    // Small values (rpm keeps none it needs here) end where the previous item starts.
                    let end = if i == 0 {
                        page_size
                    } else {
                        u16_at(p, PAGE_HEADER + 2 * (i - 1))
                    };
                    if let Some(v) = p.get(at + 1..end) {
                        sink(v);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

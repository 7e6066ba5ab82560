//! A read-only reader for one table of an SQLite 3 database file, enough for rpm's
//! `rpmdb.sqlite` (`Packages (hnum INTEGER PRIMARY KEY, blob BLOB)`): the schema table on
//! page 1 gives the table's root page; its table b-tree is walked (interior and leaf pages,
//! overflow chains) and each row's record decoded. The file is attacker-controlled: every
//! page number, offset and length is checked, and no page is visited twice.
//!
//! Not read: a `-wal` file's frames (changes not yet checkpointed into the database).

/// A column value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

/// An opened database image.
pub struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    usable: usize,
    pages: usize,
}

fn be16(b: &[u8], at: usize) -> usize {
    u16::from_be_bytes([b[at], b[at + 1]]) as usize
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// SQLite's big-endian varint (1–9 bytes). `None` if it runs past the end.
fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let byte = *b.get(at + i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

const LEAF_TABLE: u8 = 0x0d;
const INTERIOR_TABLE: u8 = 0x05;

impl<'a> Db<'a> {
    pub fn open(bytes: &'a [u8]) -> Result<Db<'a>, String> {
        if bytes.len() < 100 || !bytes.starts_with(b"SQLite format 3\0") {
            return Err("not an SQLite 3 database".into());
        }
        let page_size = match be16(bytes, 16) {
            1 => 65536,
            n if n >= 512 && n.is_power_of_two() => n,
            n => return Err(format!("invalid page size {n}")),
        };
        let reserved = bytes[20] as usize;
        let usable = page_size.saturating_sub(reserved);
        if usable < 480 {
            return Err(format!("usable page size {usable} is below SQLite's minimum"));
        }
        Ok(Db {
            bytes,
            page_size,
            usable,
            pages: bytes.len() / page_size,
        })
    }

    /// Whether the file is shorter than its header says (the header's page count is valid
    /// when its "version valid for" field matches the change counter).
    pub fn cut_short(&self) -> Option<String> {
        let declared = be32(self.bytes, 28) as usize;
        (be32(self.bytes, 92) == be32(self.bytes, 24) && declared > self.pages).then(|| {
            format!(
                "the file is cut short: its header says {declared} pages of {} bytes, it holds {}",
                self.page_size, self.pages
            )
        })
    }

    fn page(&self, n: u32) -> Result<&'a [u8], String> {
        let n = n as usize;
        if n == 0 || n > self.pages {
            return Err(format!("page {n} is outside the file ({} pages)", self.pages));
        }
        Ok(&self.bytes[(n - 1) * self.page_size..n * self.page_size])
    }

    /// The root page of a table, from the schema table.
    pub fn table_root(&self, name: &str) -> Result<u32, String> {
        let mut root = None;
        self.walk(1, &mut |_, rec| {
            // sqlite_schema(type, name, tbl_name, rootpage, sql)
            if let [Value::Text(ty), Value::Text(n), _, Value::Int(page), ..] = rec.as_slice()
                && ty == b"table"
                && n.eq_ignore_ascii_case(name.as_bytes())
            {
                root = u32::try_from(*page).ok();
            }
        })?;
        root.ok_or_else(|| format!("the database has no table {name:?}"))
    }

    /// Calls `row(rowid, columns)` for every row of the table b-tree at `root`. An error stops
    /// the walk; rows already visited stay visited.
    pub fn walk(&self, root: u32, row: &mut dyn FnMut(i64, Vec<Value>)) -> Result<(), String> {
        let mut seen = vec![false; self.pages + 1];
        let mut stack = vec![root];
        // Each payload byte is stored once in a sound file: reading more means cells share
        // overflow chains, which would make the walk quadratic.
        let mut budget = self.bytes.len();
        while let Some(n) = stack.pop() {
            let page = self.page(n)?;
            if std::mem::replace(&mut seen[n as usize], true) {
                return Err(format!("page {n} is reached twice (a loop in the b-tree)"));
            }
            let h = if n == 1 { 100 } else { 0 };
            let kind = page[h];
            let (head_len, interior) = match kind {
                LEAF_TABLE => (8, false),
                INTERIOR_TABLE => (12, true),
                k => return Err(format!("page {n} is not a table b-tree page (type {k:#04x})")),
            };
            let cells = be16(page, h + 3);
            let ptrs = h + head_len;
            if ptrs + cells * 2 > self.usable {
                return Err(format!("page {n} claims {cells} cells"));
            }
            let mut children = Vec::new();
            for c in 0..cells {
                let at = be16(page, ptrs + 2 * c);
                if at >= self.usable {
                    return Err(format!("page {n}: cell {c} starts outside the page"));
                }
                if interior {
                    if at + 4 > self.usable {
                        return Err(format!("page {n}: cell {c} is cut off"));
                    }
                    children.push(be32(page, at));
                } else {
                    let (rowid, rec) = self
                        .leaf_cell(page, at)
                        .map_err(|e| format!("page {n}, cell {c}: {e}"))?;
                    budget = budget
                        .checked_sub(rec.len())
                        .ok_or_else(|| format!("page {n}, cell {c}: rows add up to more bytes than the file holds"))?;
                    row(
                        rowid,
                        decode_record(&rec).map_err(|e| format!("page {n}, cell {c}: {e}"))?,
                    );
                }
            }
            if interior {
                children.push(be32(page, h + 8));
            }
            // Visit children left to right: rows come out in rowid order.
            stack.extend(children.into_iter().rev());
        }
        Ok(())
    }

    /// A table leaf cell: its rowid and whole payload (local part plus overflow chain).
    fn leaf_cell(&self, page: &[u8], at: usize) -> Result<(i64, Vec<u8>), String> {
        let local_area = &page[..self.usable];
        let (len, a) = varint(local_area, at).ok_or("cell header cut off")?;
        let (rowid, b) = varint(local_area, at + a).ok_or("cell header cut off")?;
        let start = at + a + b;
        let len = usize::try_from(len).map_err(|_| "payload length overflows")?;
        if len > self.bytes.len() {
            return Err(format!("payload of {len} bytes is larger than the file"));
        }
        // How much of the payload is on this page (the SQLite file format, section 1.6).
        let u = self.usable;
        let x = u - 35;
        let local = if len <= x {
            len
        } else {
            let m = ((u - 12) * 32 / 255) - 23;
            let k = m + ((len - m) % (u - 4));
            if k <= x { k } else { m }
        };
        let end = start + local;
        let mut payload = local_area.get(start..end).ok_or("payload runs off the page")?.to_vec();
        if local < len {
            let mut next = be32(local_area.get(end..end + 4).ok_or("overflow pointer cut off")?, 0);
            let mut hops = 0usize;
            while payload.len() < len {
                hops += 1;
                if hops > self.pages {
                    return Err("the overflow chain loops".into());
                }
                let p = self.page(next)?;
                let take = (len - payload.len()).min(u - 4);
                payload.extend_from_slice(&p[4..4 + take]);
                next = be32(p, 0);
            }
        }
        Ok((rowid as i64, payload))
    }
}

/// Decodes a record: a header of serial types, then the values.
fn decode_record(rec: &[u8]) -> Result<Vec<Value>, String> {
    let (head_len, mut at) = varint(rec, 0).ok_or("record header cut off")?;
    let head_len = usize::try_from(head_len).map_err(|_| "record header overflows")?;
    if head_len > rec.len() {
        return Err("record header is longer than the record".into());
    }
    let mut body = head_len;
    let mut out = Vec::new();
    while at < head_len {
        let (ty, n) = varint(rec, at).ok_or("serial type cut off")?;
        at += n;
        let size = match ty {
            0 | 8 | 9 => 0,
            1..=4 => ty as usize,
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return Err("reserved serial type".into()),
            t => usize::try_from((t - 12) / 2).map_err(|_| "value length overflows")?,
        };
        let v = rec
            .get(body..body.checked_add(size).ok_or("value length overflows")?)
            .ok_or("value runs past the record")?;
        body += size;
        out.push(match ty {
            0 => Value::Null,
            8 => Value::Int(0),
            9 => Value::Int(1),
            1..=6 => {
                // Big-endian two's complement of 1, 2, 3, 4, 6 or 8 bytes.
                let mut x: i64 = if v[0] & 0x80 != 0 { -1 } else { 0 };
                for &byte in v {
                    x = (x << 8) | i64::from(byte);
                }
                Value::Int(x)
            }
            7 => Value::Float(f64::from_bits(u64::from_be_bytes(
                v.try_into().map_err(|_| "bad float")?,
            ))),
            t if t % 2 == 0 => Value::Blob(v.to_vec()),
            _ => Value::Text(v.to_vec()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_records() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81], 0), None);
        // header len 4: NULL, int8, blob(2)
        let rec = [4u8, 0, 1, 16, 0xfe, 0xab, 0xcd];
        assert_eq!(
            decode_record(&rec).unwrap(),
            vec![Value::Null, Value::Int(-2), Value::Blob(vec![0xab, 0xcd])]
        );
        assert!(decode_record(&[4u8, 0, 1, 16, 0xfe, 0xab]).is_err());
        assert!(Db::open(b"not a database").is_err());
    }
}

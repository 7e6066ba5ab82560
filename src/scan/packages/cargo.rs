//! Rust executables built with `cargo auditable`: the dependency tree is embedded as
//! zlib-compressed JSON (`{"packages":[{"name","version","source","kind",...}]}`) in a
//! `.dep-v0` section. Section headers sit at the end of an ELF file, after the data, so a
//! streamed executable is searched instead: every zlib header is tried, and the one whose first
//! inflated bytes are `{"packages":[` is inflated (bounded) and parsed.

use super::{Distro, Found, purl};
use flate2::{Decompress, FlushDecompress, Status};

const START: &[u8] = b"{\"packages\":[";
/// Compressed bytes tried per candidate (enough to inflate `START`).
const LOOKAHEAD: usize = 64;
/// Largest dependency tree inflated.
const MAX_JSON: usize = 8 << 20;

/// Searches an executable fed chunk by chunk for the embedded dependency tree.
#[derive(Default)]
pub struct AuditableProbe {
    /// Bytes at the end of the previous chunk whose candidates were not tried yet.
    carry: Vec<u8>,
    /// Once found: the inflater and what it produced.
    found: Option<(Decompress, Vec<u8>)>,
    done: bool,
}

/// Whether a zlib stream starts at `b[0]` and begins with `START`.
fn starts_tree(b: &[u8]) -> bool {
    let mut d = Decompress::new(true);
    let mut out = [0u8; START.len()];
    let _ = d.decompress(b, &mut out, FlushDecompress::Sync);
    d.total_out() as usize == START.len() && out == *START
}

impl AuditableProbe {
    pub fn feed(&mut self, data: &[u8]) {
        if self.done {
            return;
        }
        if self.found.is_some() {
            self.inflate(data);
            return;
        }
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(data);
        // Candidates whose lookahead is not all here yet wait for the next chunk.
        let scan_end = buf.len().saturating_sub(LOOKAHEAD);
        let mut at = 0;
        while let Some(i) = memchr::memchr(0x78, &buf[at..scan_end.max(at)]) {
            let p = at + i;
            // CMF 0x78 (deflate, 32 KiB window); FLG makes the header a multiple of 31, no dictionary.
            let flg = buf[p + 1];
            if (0x7800u16 | u16::from(flg)).is_multiple_of(31) && flg & 0x20 == 0 && starts_tree(&buf[p..p + LOOKAHEAD])
            {
                self.found = Some((Decompress::new(true), Vec::new()));
                let rest = buf.split_off(p);
                self.inflate(&rest);
                return;
            }
            at = p + 1;
        }
        self.carry = buf.split_off(scan_end);
    }

    fn inflate(&mut self, mut input: &[u8]) {
        let Some((d, out)) = self.found.as_mut() else { return };
        let mut scratch = [0u8; 16 * 1024];
        while !input.is_empty() {
            let (in0, out0) = (d.total_in(), d.total_out());
            let status = d.decompress(input, &mut scratch, FlushDecompress::None);
            let used = (d.total_in() - in0) as usize;
            let made = (d.total_out() - out0) as usize;
            input = &input[used..];
            if out.len() + made > MAX_JSON {
                self.done = true;
                return;
            }
            out.extend_from_slice(&scratch[..made]);
            match status {
                Ok(Status::StreamEnd) | Err(_) => {
                    self.done = true;
                    return;
                }
                Ok(_) if used == 0 && made == 0 => return,
                Ok(_) => {}
            }
        }
    }

    /// The crates the executable was built from, if it carries a dependency tree.
    pub fn finish(mut self) -> Vec<Found> {
        // Candidates in the file's last bytes were waiting for lookahead that never came.
        if self.found.is_none() && !self.done {
            let carry = std::mem::take(&mut self.carry);
            if let Some(p) = (0..carry.len().saturating_sub(1)).find(|&p| carry[p] == 0x78 && starts_tree(&carry[p..]))
            {
                self.found = Some((Decompress::new(true), Vec::new()));
                self.inflate(&carry[p..]);
            }
        }
        match self.found {
            Some((_, json)) => parse(&json),
            None => Vec::new(),
        }
    }
}

/// Parses the dependency tree; build-time dependencies (`"kind":"build"`) are left out, as they
/// are not part of the executable.
pub fn parse(json: &[u8]) -> Vec<Found> {
    #[derive(serde::Deserialize)]
    struct Tree {
        packages: Vec<Crate>,
    }
    #[derive(serde::Deserialize)]
    struct Crate {
        name: String,
        version: String,
        #[serde(default)]
        kind: Option<String>,
    }
    let Ok(tree) = serde_json::from_slice::<Tree>(json) else {
        return Vec::new();
    };
    tree.packages
        .into_iter()
        .filter(|c| c.kind.as_deref() != Some("build"))
        .map(|c| Found {
            name: c.name,
            version: c.version,
            licenses: Vec::new(),
            arch: None,
            source: None,
            source_version: None,
        })
        .collect()
}

/// `pkg:cargo/name@version`.
pub fn purl(f: &Found, _: Option<&Distro>) -> String {
    purl::build("cargo", None, &f.name, &f.version, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut c = flate2::Compress::new(flate2::Compression::new(7), true);
        let mut out = Vec::with_capacity(data.len() + 64);
        c.compress_vec(data, &mut out, flate2::FlushCompress::Finish).unwrap();
        out
    }

    #[test]
    fn finds_the_tree_anywhere_in_any_chunking() {
        let json = br#"{"packages":[{"name":"app","version":"0.1.0","source":"local","dependencies":[1]},{"name":"itoa","version":"1.0.11","source":"crates.io"},{"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"}]}"#;
        // Decoys: 0x78 bytes, a zlib stream of something else.
        let mut elf = b"\x7fELF".to_vec();
        elf.extend((0..5000u32).map(|i| if i % 97 == 0 { 0x78 } else { (i * 13 % 251) as u8 }));
        elf.extend(zlib(b"{\"other\":1}"));
        elf.extend(zlib(json));
        elf.extend(std::iter::repeat_n(0x78u8, 300));
        for chunk in [1, 7, 63, 64, 65, 1000, 1 << 20] {
            let mut p = AuditableProbe::default();
            for c in elf.chunks(chunk) {
                p.feed(c);
            }
            let names: Vec<String> = p
                .finish()
                .into_iter()
                .map(|f| format!("{} {}", f.name, f.version))
                .collect();
            assert_eq!(names, ["app 0.1.0", "itoa 1.0.11"], "chunk {chunk}");
        }
        let f = &parse(json)[1];
        assert_eq!(purl(f, None), "pkg:cargo/itoa@1.0.11");
    }
}

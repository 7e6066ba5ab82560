//! Go binaries: the build information the Go linker embeds (Go 1.18+: a 32-byte header
//! starting `\xff Go buildinf:`, then the Go version and the module information inline as
//! length-prefixed strings). Binaries are streamed through a [`GoProbe`], which keeps only a
//! bounded window after the header; nothing else of the binary is held.

use super::{Distro, Found, purl};

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// Bytes kept after the header (module lists of large programs fit comfortably).
const KEEP: usize = 256 * 1024;

/// Finds the build info in a binary fed chunk by chunk.
#[derive(Default)]
pub struct GoProbe {
    /// The last bytes of the previous chunk, so a header split across chunks is found.
    tail: Vec<u8>,
    /// From the header on, once found (bounded by `KEEP`).
    blob: Option<Vec<u8>>,
}

impl GoProbe {
    pub fn feed(&mut self, data: &[u8]) {
        if let Some(b) = &mut self.blob {
            let n = (KEEP + 32).saturating_sub(b.len()).min(data.len());
            b.extend_from_slice(&data[..n]);
            return;
        }
        // A header that starts in the previous chunk's tail and ends in this one.
        if !self.tail.is_empty() {
            let mut joined = self.tail.clone();
            joined.extend_from_slice(&data[..data.len().min(MAGIC.len() - 1)]);
            if let Some(i) = memchr::memmem::find(&joined, MAGIC).filter(|&i| i < self.tail.len()) {
                let mut b = self.tail[i..].to_vec();
                b.extend_from_slice(&data[..data.len().min(KEEP + 32)]);
                b.truncate(KEEP + 32);
                self.blob = Some(b);
                self.tail.clear();
                return;
            }
        }
        if let Some(i) = memchr::memmem::find(data, MAGIC) {
            let end = data.len().min(i + KEEP + 32);
            self.blob = Some(data[i..end].to_vec());
            return;
        }
        let mut t = std::mem::take(&mut self.tail);
        t.extend_from_slice(&data[data.len().saturating_sub(MAGIC.len() - 1)..]);
        let keep = (MAGIC.len() - 1).min(t.len());
        self.tail = t[t.len() - keep..].to_vec();
    }

    /// The Go version and the modules, if the binary holds (inline) build info.
    pub fn finish(self) -> Option<BuildInfo> {
        parse(&self.blob?)
    }
}

/// What a Go binary says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    pub go_version: String,
    /// The main module first, then dependencies (replacements applied).
    pub modules: Vec<Found>,
}

fn uvarint(b: &[u8]) -> Option<(usize, usize)> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((usize::try_from(v).ok()?, i + 1));
        }
    }
    None
}

fn string_at(b: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let (len, n) = uvarint(b.get(at..)?)?;
    let start = at + n;
    Some((b.get(start..start.checked_add(len)?)?, start + len))
}

/// Parses a build-info blob starting at the header.
pub fn parse(b: &[u8]) -> Option<BuildInfo> {
    if !b.starts_with(MAGIC) || b.len() < 32 {
        return None;
    }
    // Flag 2: strings inline after the header (Go 1.18+). Older binaries point into the
    // data segment instead; those are not read.
    if b[15] & 0x2 == 0 {
        return None;
    }
    let (version, next) = string_at(b, 32)?;
    let (mut modinfo, _) = string_at(b, next)?;
    // The module info is wrapped in 16-byte sentinels.
    if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        modinfo = &modinfo[16..modinfo.len() - 16];
    }
    let go_version = String::from_utf8_lossy(version).into_owned();
    let mut modules = vec![Found {
        name: "stdlib".into(),
        version: go_version.clone(),
        licenses: Vec::new(),
        arch: None,
        source: None,
        source_version: None,
    }];
    let (mut main_path, mut ldflags_version) = (None, None);
    let text = String::from_utf8_lossy(modinfo);
    let lines_have_mod = text.lines().any(|l| l.starts_with("mod\t"));
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["mod", path, version, ..] | ["dep", path, version, ..] => modules.push(Found {
                name: (*path).to_string(),
                version: (*version).to_string(),
                licenses: Vec::new(),
                arch: None,
                source: None,
                source_version: None,
            }),
            ["=>", path, version, ..] => {
                if let Some(last) = modules.last_mut() {
                    last.name = (*path).to_string();
                    last.version = (*version).to_string();
                }
            }
            ["path", path, ..] => main_path = Some((*path).to_string()),
            ["build", setting, ..] => {
                if let Some(flags) = setting.strip_prefix("-ldflags=") {
                    ldflags_version = version_from_ldflags(flags);
                }
            }
            _ => {}
        }
    }
    // Built outside module mode (as Debian builds Go programs): no `mod` line, only `path`.
    let mut has_main = lines_have_mod;
    if !lines_have_mod && let Some(path) = main_path {
        modules.insert(
            1,
            Found {
                name: path,
                version: String::new(),
                licenses: Vec::new(),
                arch: None,
                source: None,
                source_version: None,
            },
        );
        has_main = true;
    }
    // A main module without a version: the one the build stamped with `-X …version=…`.
    if has_main
        && let Some(main) = modules.get_mut(1)
        && (main.version.is_empty() || main.version == "(devel)")
    {
        main.version = ldflags_version.unwrap_or_else(|| "(devel)".to_string());
    }
    Some(BuildInfo { go_version, modules })
}

/// The value of a `-X <package>.version=<value>` (or `Version`) in a build's `-ldflags`.
fn version_from_ldflags(flags: &str) -> Option<String> {
    let flags = flags.trim_matches(|c| c == '"' || c == '\'');
    let mut words = flags.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let def = match w {
            "-X" => words.next()?,
            _ => match w.strip_prefix("-X=") {
                Some(d) => d,
                None => continue,
            },
        };
        let (var, value) = def.trim_matches(|c| c == '"' || c == '\'').split_once('=')?;
        let name = var.rsplit('.').next().unwrap_or(var);
        if matches!(name, "version" | "Version" | "gitVersion" | "GitVersion") && !value.is_empty() {
            return Some(value.to_string());
        }
    }
    None
}

/// `pkg:golang/github.com/spf13/cobra@v1.8.0`.
pub fn purl(f: &Found, _: Option<&Distro>) -> String {
    match f.name.rsplit_once('/') {
        Some((ns, name)) => purl::build("golang", Some(ns), name, &f.version, &[]),
        None => purl::build("golang", None, &f.name, &f.version, &[]),
    }
}

/// Writes a build-info blob the way the Go linker lays it out (for tests and fixtures).
pub fn encode(go_version: &str, modinfo: &str) -> Vec<u8> {
    fn put(out: &mut Vec<u8>, s: &[u8]) {
        let mut n = s.len();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            out.push(if n > 0 { b | 0x80 } else { b });
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(s);
    }
    let mut out = MAGIC.to_vec();
    out.push(8); // pointer size
    out.push(0x2); // inline strings
    out.resize(32, 0);
    put(&mut out, go_version.as_bytes());
    let sentinel = b"0123456789abcdef";
    let wrapped = [sentinel.as_slice(), modinfo.as_bytes(), sentinel.as_slice()].concat();
    put(&mut out, &wrapped);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob() -> Vec<u8> {
        let modinfo = "path\tgithub.com/acme/tool\nmod\tgithub.com/acme/tool\tv1.2.3\th1:abc=\ndep\tgithub.com/spf13/cobra\tv1.8.0\th1:def=\ndep\tgolang.org/x/sys\tv0.15.0\n=>\tgolang.org/x/sys\tv0.16.0\th1:ghi=\nbuild\t-compiler=gc\n";
        let mut b = b"\x7fELF....padding....".to_vec();
        b.extend(encode("go1.21.5", modinfo));
        b.extend_from_slice(&[0u8; 100]);
        b
    }

    #[test]
    fn finds_build_info_across_any_chunking() {
        let b = blob();
        for chunk in [1, 5, 13, 14, 15, 64, 4096] {
            let mut p = GoProbe::default();
            for c in b.chunks(chunk) {
                p.feed(c);
            }
            let info = p.finish().unwrap_or_else(|| panic!("chunk {chunk}"));
            assert_eq!(info.go_version, "go1.21.5");
            let mods: Vec<(&str, &str)> = info
                .modules
                .iter()
                .map(|m| (m.name.as_str(), m.version.as_str()))
                .collect();
            assert_eq!(
                mods,
                vec![
                    ("stdlib", "go1.21.5"),
                    ("github.com/acme/tool", "v1.2.3"),
                    ("github.com/spf13/cobra", "v1.8.0"),
                    ("golang.org/x/sys", "v0.16.0")
                ],
                "chunk {chunk}"
            );
        }
        assert_eq!(
            purl(
                &Found {
                    name: "github.com/spf13/cobra".into(),
                    version: "v1.8.0".into(),
                    licenses: vec![],
                    arch: None,
                    source: None,
                    source_version: None
                },
                None
            ),
            "pkg:golang/github.com/spf13/cobra@v1.8.0"
        );
    }

    #[test]
    fn hostile_blobs_do_not_panic() {
        let mut b = encode("go1.21.5", "mod\tx\tv1\n");
        for cut in 0..b.len() {
            let _ = parse(&b[..cut]);
        }
        b[32] = 0xff; // a varint that never ends
        b.extend_from_slice(&[0xff; 20]);
        assert!(parse(&b).is_none());
    }

    #[test]
    fn main_module_outside_module_mode_and_ldflags_versions() {
        let gopath = encode(
            "go1.19.8",
            "path\tgithub.com/docker/distribution/cmd/registry\nbuild\t-compiler=gc\nbuild\tCGO_ENABLED=1\n",
        );
        let m: Vec<(String, String)> = parse(&gopath)
            .unwrap()
            .modules
            .into_iter()
            .map(|f| (f.name, f.version))
            .collect();
        assert_eq!(
            m[1],
            ("github.com/docker/distribution/cmd/registry".into(), "(devel)".into())
        );
        let stamped = encode(
            "go1.22.1",
            "path\texample.com/app\nmod\texample.com/app\t(devel)\t\nbuild\t-ldflags=\"-s -w -X example.com/app/internal/build.Version=v1.4.2\"\n",
        );
        let m = parse(&stamped).unwrap().modules;
        assert_eq!(
            (m[1].name.as_str(), m[1].version.as_str()),
            ("example.com/app", "v1.4.2")
        );
        assert_eq!(m.len(), 2);
    }
}

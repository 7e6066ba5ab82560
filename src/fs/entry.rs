//! Paths inside a layer, normalised, and the whiteout markers that delete them.

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

//! Package URLs (<https://github.com/package-url/purl-spec>): `pkg:type/namespace/name@version?qualifiers`.

/// Percent-encodes a purl component (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds a purl. Qualifiers with empty values are left out; they are sorted by key, as the
/// spec's canonical form wants.
pub fn build(kind: &str, namespace: Option<&str>, name: &str, version: &str, qualifiers: &[(&str, &str)]) -> String {
    let mut s = format!("pkg:{kind}/");
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        for part in ns.split('/') {
            s.push_str(&encode(part));
            s.push('/');
        }
    }
    s.push_str(&encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&encode(version));
    }
    let mut q: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort();
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&encode(v));
    }
    s
}

/// A parsed package URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type, lowercased (`deb`, `pypi`).
    pub kind: String,
    /// Namespace segments joined with `/`, decoded.
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// Qualifiers in the order written, keys lowercased, values decoded.
    pub qualifiers: Vec<(String, String)>,
}

impl Purl {
    /// A qualifier's value.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Decodes `%XX` escapes; a malformed escape is kept as written.
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            // ok: i < b.len()
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `pkg:type/namespace/name@version?qualifiers#subpath` (the subpath is dropped).
pub fn parse(text: &str) -> Result<Purl, String> {
    let bad = |why: &str| format!("{text:?} is not a package URL: {why}");
    let rest = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("pkg:"))
        .map(|_| &text[4..]) // ok: the first four bytes are ASCII
        .ok_or_else(|| bad("it does not start with pkg:"))?;
    let rest = rest.trim_start_matches('/');
    let rest = rest.split('#').next().unwrap_or(rest);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (kind, path) = path.split_once('/').ok_or_else(|| bad("no name"))?;
    if kind.is_empty() {
        return Err(bad("no type"));
    }
    // The version follows the last `@` of the last segment (an npm scope may be written `@x`).
    let (path, version) = match path
        .rfind('/')
        .map_or(path.rfind('@'), |s| path[s..].rfind('@').map(|i| s + i))
    {
        Some(at) => (&path[..at], Some(decode(&path[at + 1..]))), // ok: `@` is ASCII
        None => (path, None),
    };
    let mut segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(decode).collect();
    let name = segments.pop().filter(|n| !n.is_empty()).ok_or_else(|| bad("no name"))?;
    let qualifiers = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_ascii_lowercase(), decode(v)))
        .collect();
    Ok(Purl {
        kind: kind.to_ascii_lowercase(),
        namespace: (!segments.is_empty()).then(|| segments.join("/")),
        name,
        version,
        qualifiers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(
            build(
                "deb",
                Some("debian"),
                "adduser",
                "3.134",
                &[("distro", "debian-12"), ("arch", "all")]
            ),
            "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"
        );
        assert_eq!(
            build("deb", Some("debian"), "libc6", "2.36-9+deb12u4", &[]),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4"
        );
        assert_eq!(
            build("deb", Some("debian"), "perl", "1:5.36", &[]),
            "pkg:deb/debian/perl@1%3A5.36"
        );
        assert_eq!(
            build("npm", Some("@babel"), "core", "7.24.0", &[]),
            "pkg:npm/%40babel/core@7.24.0"
        );
    }

    #[test]
    fn parses_what_build_writes() {
        let text = build(
            "deb",
            Some("debian"),
            "libc6",
            "2.36-9+deb12u4",
            &[("distro", "debian-12"), ("upstream", "glibc")],
        );
        let p = parse(&text).unwrap();
        assert_eq!(
            (p.kind.as_str(), p.namespace.as_deref(), p.name.as_str()),
            ("deb", Some("debian"), "libc6")
        );
        assert_eq!(p.version.as_deref(), Some("2.36-9+deb12u4"));
        assert_eq!(p.qualifier("upstream"), Some("glibc"));
        let p = parse("pkg:npm/@babel/core@7.0.0#lib").unwrap();
        assert_eq!(
            (p.namespace.as_deref(), p.name.as_str(), p.version.as_deref()),
            (Some("@babel"), "core", Some("7.0.0"))
        );
        assert_eq!(parse("pkg:golang/golang.org/x/net").unwrap().version, None);
        assert!(parse("pkg:pypi").is_err());
        assert!(parse("npm/x@1").is_err());
        assert_eq!(decode("%zz%41"), "%zzA");
    }
}

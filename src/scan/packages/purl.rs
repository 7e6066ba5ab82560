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
}

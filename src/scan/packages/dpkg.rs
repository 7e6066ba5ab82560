//! Debian packages: `/var/lib/dpkg/status` and distroless `/var/lib/dpkg/status.d/*`
//! (deb822 stanzas: `Package`, `Status`, `Version`, `Architecture`, `Source`, `Maintainer`).

use super::{Cataloger, Distro, Found, purl};

pub struct Dpkg;

/// Splits deb822 text into stanzas of (field, value) with continuation lines joined.
pub fn stanzas(text: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        } else if line.starts_with([' ', '\t']) {
            if let Some(last) = cur.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            cur.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

impl Cataloger for Dpkg {
    fn id(&self) -> &'static str {
        "dpkg-db"
    }
    fn kind(&self) -> &'static str {
        "deb"
    }
    fn wants(&self, path: &str) -> bool {
        path == "/var/lib/dpkg/status"
            || (path.starts_with("/var/lib/dpkg/status.d/") && !path.ends_with(".md5sums") && !path.ends_with(".list"))
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let text = String::from_utf8_lossy(bytes);
        let mut out = Vec::new();
        for st in stanzas(&text) {
            let get = |k: &str| {
                st.iter()
                    .find(|(key, _)| key.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v.as_str())
            };
            let (Some(name), Some(version)) = (get("Package"), get("Version")) else {
                continue;
            };
            // A full status file lists removed packages too; distroless status.d has no Status.
            if let Some(status) = get("Status")
                && !status.ends_with(" installed")
            {
                continue;
            }
            // `Source: name` or, when the versions differ (binNMUs, epochs), `name (version)`.
            let (source, source_version) = match get("Source") {
                Some(s) => {
                    let (name, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
                    let version = rest
                        .trim()
                        .strip_prefix('(')
                        .and_then(|r| r.strip_suffix(')'))
                        .map(|v| v.trim().to_string());
                    (Some(name.to_string()), version)
                }
                None => (None, None),
            };
            out.push(Found {
                name: name.to_string(),
                version: version.to_string(),
                licenses: Vec::new(),
                arch: get("Architecture").map(str::to_string),
                source,
                source_version,
            });
        }
        out
    }
    fn purl(&self, f: &Found, distro: Option<&Distro>) -> String {
        let ns = distro.map(|d| d.id.as_str()).unwrap_or("debian");
        let dq = distro.map(Distro::qualifier).unwrap_or_default();
        let mut q: Vec<(&str, &str)> = vec![("arch", f.arch.as_deref().unwrap_or("")), ("distro", dq.as_str())];
        if let Some(s) = f.source.as_deref().filter(|s| *s != f.name) {
            q.push(("upstream", s));
        }
        purl::build("deb", Some(ns), &f.name, &f.version, &q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: adduser\nStatus: install ok installed\nPriority: important\nArchitecture: all\nVersion: 3.134\nDepends: passwd\nDescription: add and remove users\n long description\n .\n more\n\nPackage: old-thing\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc (2.36-9+deb12u4)\nVersion: 2.36-9+deb12u4\n";

    #[test]
    fn parses_installed_packages_only() {
        let f = Dpkg.parse("/var/lib/dpkg/status", STATUS.as_bytes());
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].name.as_str(), f[0].version.as_str(), f[0].arch.as_deref()),
            ("adduser", "3.134", Some("all"))
        );
        assert_eq!(f[1].source.as_deref(), Some("glibc"));
        assert_eq!(f[1].source_version.as_deref(), Some("2.36-9+deb12u4"));
        assert_eq!(f[0].source_version, None);
        let d = Distro {
            id: "debian".into(),
            version_id: Some("12".into()),
        };
        assert_eq!(
            Dpkg.purl(&f[0], Some(&d)),
            "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"
        );
        assert_eq!(
            Dpkg.purl(&f[1], Some(&d)),
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc"
        );
        assert!(Dpkg.wants("/var/lib/dpkg/status.d/base-files"));
        assert!(!Dpkg.wants("/var/lib/dpkg/status.d/base-files.md5sums"));
        assert!(!Dpkg.wants("/var/lib/dpkg/status-old"));
    }
}

//! Alpine packages: `/lib/apk/db/installed` (records of `X:value` lines: `P` name, `V`
//! version, `A` arch, `o` origin, `L` license).

use super::{Cataloger, Distro, Found, purl};

pub struct Apk;

impl Cataloger for Apk {
    fn id(&self) -> &'static str {
        "apk-db"
    }
    fn kind(&self) -> &'static str {
        "apk"
    }
    fn wants(&self, path: &str) -> bool {
        path == "/lib/apk/db/installed"
    }
    fn parse(&self, _path: &str, bytes: &[u8]) -> Vec<Found> {
        let text = String::from_utf8_lossy(bytes);
        let mut out = Vec::new();
        for record in text.split("\n\n") {
            let get = |k: char| {
                record
                    .lines()
                    .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix(':')))
                    .map(str::to_string)
            };
            let (Some(name), Some(version)) = (get('P'), get('V')) else {
                continue;
            };
            out.push(Found {
                name,
                version,
                licenses: get('L')
                    .map(|l| l.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                arch: get('A'),
                source: get('o'),
                source_version: None,
            });
        }
        out
    }
    fn purl(&self, f: &Found, distro: Option<&Distro>) -> String {
        let dq = distro.map(Distro::qualifier).unwrap_or_default();
        purl::build(
            "apk",
            Some("alpine"),
            &f.name,
            &f.version,
            &[("arch", f.arch.as_deref().unwrap_or("")), ("distro", &dq)],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let db = "C:Q1abc=\nP:musl\nV:1.2.4_git20230717-r4\nA:x86_64\nS:383152\nI:622592\nT:the musl c library\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Timo\n\nC:Q1def=\nP:busybox\nV:1.36.1-r15\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\n";
        let f = Apk.parse("/lib/apk/db/installed", db.as_bytes());
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].licenses, vec!["MIT"]);
        let d = Distro {
            id: "alpine".into(),
            version_id: Some("3.19.1".into()),
        };
        assert_eq!(
            Apk.purl(&f[0], Some(&d)),
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"
        );
    }
}

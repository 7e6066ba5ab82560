//! rpm packages (Fedora, RHEL and its rebuilds, SUSE, Amazon Linux): the package database in
//! any of its three formats, all read in pure Rust: SQLite (`rpmdb.sqlite`, rpm 4.16+),
//! Berkeley DB hash (`Packages`, older releases) and ndb (`Packages.db`, SUSE). Each holds one
//! header blob per installed package; the version is reported as rpm prints it,
//! `[epoch:]version-release`.

mod bdb;
mod header;
mod ndb;
mod sqlite;

use super::{Cataloger, Distro, Found, Parsed, purl};
use header::{Header, tag};

pub struct Rpm;

/// The directories rpm keeps its database in (`/var/lib/rpm` is often a symlink to the
/// second on Fedora 36+ and SUSE; the file is captured where it really is).
const DIRS: [&str; 2] = ["/var/lib/rpm/", "/usr/lib/sysimage/rpm/"];

enum Format {
    Sqlite,
    Bdb,
    Ndb,
}

fn format(path: &str) -> Option<Format> {
    let name = DIRS.iter().find_map(|d| path.strip_prefix(d))?;
    match name {
        "rpmdb.sqlite" => Some(Format::Sqlite),
        "Packages" => Some(Format::Bdb),
        "Packages.db" => Some(Format::Ndb),
        _ => None,
    }
}

/// One package from its header blob; `None` for blobs that are not package headers (a
/// database's bookkeeping records) and for the `gpg-pubkey` pseudo-packages (imported keys).
fn package(blob: &[u8]) -> Option<Found> {
    let h = Header::parse(blob).ok()?;
    let name = h.string(tag::NAME)?;
    if name == "gpg-pubkey" {
        return None;
    }
    let version = h.string(tag::VERSION)?;
    let release = h.string(tag::RELEASE).unwrap_or_default();
    let mut full = match h.int32(tag::EPOCH) {
        Some(e) => format!("{e}:{version}"),
        None => version,
    };
    if !release.is_empty() {
        full = format!("{full}-{release}");
    }
    Some(Found {
        name,
        version: full,
        licenses: h.string(tag::LICENSE).into_iter().filter(|l| !l.is_empty()).collect(),
        arch: h.string(tag::ARCH).filter(|a| !a.is_empty() && a != "(none)"),
        source: h.string(tag::SOURCERPM).filter(|s| !s.is_empty() && s != "(none)"),
        source_version: None,
    })
}

/// Reads every header blob of a database file.
pub fn read_db(path: &str, bytes: &[u8]) -> Parsed {
    let mut found = Vec::new();
    let mut keep = |blob: &[u8]| found.extend(package(blob));
    let result = match format(path) {
        Some(Format::Sqlite) => sqlite::Db::open(bytes).and_then(|db| {
            let root = db.table_root("Packages")?;
            db.walk(root, &mut |_, row| {
                if let Some(sqlite::Value::Blob(b)) = row.get(1) {
                    keep(b);
                }
            })?;
            db.cut_short().map_or(Ok(()), Err)
        }),
        Some(Format::Bdb) => bdb::values(bytes, &mut keep),
        Some(Format::Ndb) => ndb::blobs(bytes, &mut keep),
        None => Ok(()),
    };
    Parsed {
        found,
        problem: result.err(),
    }
}

impl Cataloger for Rpm {
    fn id(&self) -> &'static str {
        "rpm-db"
    }
    fn kind(&self) -> &'static str {
        "rpm"
    }
    fn wants(&self, path: &str) -> bool {
        format(path).is_some()
    }
    fn parse(&self, path: &str, bytes: &[u8]) -> Vec<Found> {
        read_db(path, bytes).found
    }
    fn read(&self, path: &str, bytes: &[u8]) -> Parsed {
        read_db(path, bytes)
    }
    fn purl(&self, f: &Found, distro: Option<&Distro>) -> String {
        let dq = distro.map(Distro::qualifier).unwrap_or_default();
        // The epoch is a qualifier in rpm purls, not part of the version.
        let (epoch, version) = match f.version.split_once(':') {
            Some((e, v)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (e, v),
            _ => ("", f.version.as_str()),
        };
        purl::build(
            "rpm",
            distro.map(|d| d.id.as_str()),
            &f.name,
            version,
            &[
                ("arch", f.arch.as_deref().unwrap_or("")),
                ("epoch", epoch),
                ("upstream", f.source.as_deref().unwrap_or("")),
                ("distro", &dq),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::header::tests::blob;
    use super::*;

    #[test]
    fn versions_and_purls() {
        let b = blob(&[
            (tag::NAME, "openssl-libs"),
            (tag::EPOCH, "1"),
            (tag::VERSION, "3.0.7"),
            (tag::RELEASE, "27.el9"),
            (tag::ARCH, "x86_64"),
            (tag::LICENSE, "ASL 2.0"),
            (tag::SOURCERPM, "openssl-3.0.7-27.el9.src.rpm"),
        ]);
        let f = package(&b).unwrap();
        assert_eq!(f.version, "1:3.0.7-27.el9");
        let d = Distro {
            id: "rhel".into(),
            version_id: Some("9.4".into()),
        };
        assert_eq!(
            Rpm.purl(&f, Some(&d)),
            "pkg:rpm/rhel/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"
        );
        assert!(package(&blob(&[(tag::NAME, "gpg-pubkey"), (tag::VERSION, "fd431d51")])).is_none());
        assert!(Rpm.wants("/usr/lib/sysimage/rpm/rpmdb.sqlite"));
        assert!(Rpm.wants("/var/lib/rpm/Packages"));
        assert!(!Rpm.wants("/var/lib/rpm/Name"));
        // Not a database of the format its name says: a problem, no packages, no panic.
        let p = read_db("/var/lib/rpm/Packages.db", b"garbage");
        assert!(p.found.is_empty() && p.problem.is_some());
    }
}

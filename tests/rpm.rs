//! rpm databases written by real tools: Debian's rpmbuild builds 152 packages, rpm 4.18
//! installs them (`--justdb`) into an SQLite database; the same header blobs go into a
//! Berkeley DB hash database written by `db5.3_load` and into an ndb database built here from
//! the format's documentation. Each, inside an image, must list exactly what `rpm -qa` says.

mod support;
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The rpm tools' output, built once per test run.
fn built() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        for tool in ["rpmbuild", "rpm", "sqlite3", "db5.3_load"] {
            support::need(tool);
        }
        let dir = std::env::temp_dir().join(format!("porthole-rpm-{}", std::process::id()));
        let st = Command::new("sh")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rpm/make-rpmdb.sh"))
            .arg(&dir)
            .status()
            .expect("run make-rpmdb.sh");
        assert!(st.success(), "make-rpmdb.sh failed");
        dir
    })
}

fn expected() -> BTreeSet<String> {
    std::fs::read_to_string(built().join("expected.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn blobs() -> Vec<(u32, Vec<u8>)> {
    fixture::rpm::parse_blob_list(&std::fs::read_to_string(built().join("blobs.txt")).unwrap()).unwrap()
}

/// An image whose one layer holds `files` (path, bytes) and `links` (path, target), with a
/// Fedora os-release.
fn image(files: &[(&str, Vec<u8>)], links: &[(&str, &str)]) -> porthole::Report {
    let mut l = TarBuilder::new();
    l.file("etc/os-release", b"ID=fedora\nVERSION_ID=40\n", 0o644);
    for (p, b) in files {
        l.file(p, b, 0o644);
    }
    for (p, t) in links {
        l.symlink(p, t);
    }
    support::inspect(&fixture::oci_archive(
        &[ImageSpec::new("rpm:1", vec![l.finish()]).compressed(Compress::Gzip)],
        false,
    ))
}

/// The report's rpm packages in `expected.txt`'s shape.
fn listed(r: &porthole::Report) -> BTreeSet<String> {
    r.images[0]
        .packages
        .iter()
        .filter(|p| p.kind == "rpm")
        .map(|p| {
            format!(
                "{} {} {} {} {}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or("(none)"),
                p.licenses.join(" "),
                p.source.as_deref().unwrap_or("(none)")
            )
        })
        .collect()
}

#[test]
fn sqlite_database_written_by_rpm_lists_what_rpm_lists() {
    let db = std::fs::read(built().join("sqlite/rpmdb.sqlite")).unwrap();
    // Fedora 36+: the database lives in /usr/lib/sysimage/rpm, /var/lib/rpm links to it.
    let r = image(
        &[("usr/lib/sysimage/rpm/rpmdb.sqlite", db)],
        &[("var/lib/rpm", "../../usr/lib/sysimage/rpm")],
    );
    assert!(r.images[0].errors.is_empty(), "{:?}", r.images[0].errors);
    assert_eq!(listed(&r), expected());
    let base = r.images[0].packages.iter().find(|p| p.name == "porthole-base").unwrap();
    assert_eq!(base.path, "/usr/lib/sysimage/rpm/rpmdb.sqlite");
    assert_eq!(
        base.purl,
        "pkg:rpm/fedora/porthole-base@4.18.0-7.fc40?arch=x86_64&distro=fedora-40&epoch=3&upstream=porthole-base-4.18.0-7.fc40.src.rpm"
    );
}

#[test]
fn berkeley_db_written_by_db_load_lists_what_rpm_lists() {
    // db5.3_load -T reads key and value lines, bytes as \XX escapes; keys are header numbers
    // in host order, as rpm wrote them.
    let dir = built();
    let mut input = String::new();
    for (n, blob) in blobs() {
        for b in n.to_le_bytes() {
            input.push_str(&format!("\\{b:02x}"));
        }
        input.push('\n');
        for b in blob {
            input.push_str(&format!("\\{b:02x}"));
        }
        input.push('\n');
    }
    let txt = dir.join("bdb-input.txt");
    std::fs::write(&txt, input).unwrap();
    let db = dir.join("Packages");
    let _ = std::fs::remove_file(&db);
    let st = Command::new("db5.3_load")
        .args(["-T", "-t", "hash", "-f"])
        .arg(&txt)
        .arg(&db)
        .status()
        .unwrap();
    assert!(st.success());
    let r = image(&[("var/lib/rpm/Packages", std::fs::read(&db).unwrap())], &[]);
    assert!(r.images[0].errors.is_empty(), "{:?}", r.images[0].errors);
    assert_eq!(listed(&r), expected());
}

#[test]
fn ndb_database_lists_what_rpm_lists_and_a_damaged_blob_is_named() {
    let blobs = blobs();
    let db = fixture::rpm::ndb(&blobs);
    let r = image(&[("usr/lib/sysimage/rpm/Packages.db", db.clone())], &[]);
    assert!(r.images[0].errors.is_empty(), "{:?}", r.images[0].errors);
    assert_eq!(listed(&r), expected());

    // Flip one byte inside the third blob: its checksum fails, the others are still listed.
    let mut bad = db;
    let slot = 32 + 16 * 2;
    let blkoff = u32::from_le_bytes(bad[slot + 8..slot + 12].try_into().unwrap()) as usize;
    bad[blkoff * 16 + 40] ^= 0x01;
    let r = image(&[("usr/lib/sysimage/rpm/Packages.db", bad)], &[]);
    assert_eq!(listed(&r).len(), expected().len() - 1);
    let e = &r.images[0].errors;
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].message.contains("Packages.db") && e[0].message.contains("checksum"),
        "{}",
        e[0].message
    );
    assert_eq!(e[0].path.as_deref(), Some("/usr/lib/sysimage/rpm/Packages.db"));
}

#[test]
fn a_damaged_sqlite_database_keeps_what_it_read_and_says_where_it_failed() {
    let db = std::fs::read(built().join("sqlite/rpmdb.sqlite")).unwrap();
    for cut in [db.len() / 3, db.len() / 2, db.len() - 4096] {
        let r = image(&[("var/lib/rpm/rpmdb.sqlite", db[..cut].to_vec())], &[]);
        let e = &r.images[0].errors;
        assert!(
            e.iter()
                .any(|e| e.message.contains("rpmdb.sqlite") && e.kind == porthole::error::ErrorKind::Malformed),
            "cut at {cut}: {e:?}"
        );
        assert!(listed(&r).is_subset(&expected()));
    }
    // Every page type byte of a leaf page overwritten: an error, no panic, no hang.
    let mut bad = db.clone();
    for p in (4096..bad.len()).step_by(4096) {
        if bad[p] == 0x0d {
            bad[p] = 0x77;
        }
    }
    let r = image(&[("var/lib/rpm/rpmdb.sqlite", bad)], &[]);
    assert!(
        r.images[0]
            .errors
            .iter()
            .any(|e| e.message.contains("not a table b-tree page"))
    );
}

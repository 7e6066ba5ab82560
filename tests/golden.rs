//! Golden reports: the JSON contract for fixed fixtures. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

use porthole::fixture::{self, Compress};
use porthole::inspect::{Options, Quiet};

fn check(name: &str, bytes: &[u8]) {
    check_with(
        name,
        bytes,
        Options {
            files: true,
            ..Default::default()
        },
    );
}

fn check_with(name: &str, bytes: &[u8], opts: Options) {
    let mut report = porthole::inspect_blob(bytes, &format!("{name}.tar"), &opts, &mut Quiet);
    report.porthole_version = "0.0.0-golden".into();
    let got = report.to_json() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        got == want,
        "{name}: report differs from {}; rerun with UPDATE_GOLDEN=1 and review",
        path.display()
    );
}

#[test]
fn golden_oci_gzip() {
    check(
        "oci-gzip",
        &fixture::oci_archive(&[fixture::sample("example.com/sample:1", Compress::Gzip)], false),
    );
}

#[test]
fn golden_docker_save() {
    check(
        "docker-save",
        &fixture::docker_archive(&[fixture::sample("example.com/sample:1", Compress::None)], true),
    );
}

#[test]
fn golden_multiplatform() {
    let s = fixture::sample("example.com/multi:1", Compress::Zstd);
    check(
        "multiplatform",
        &fixture::oci_multiplatform(
            "example.com/multi:1",
            &[s.clone(), s.platform("linux", "arm64", Some("v8"))],
        ),
    );
}

#[test]
fn golden_tampered() {
    let mut bytes = fixture::oci_archive(&[fixture::sample("example.com/sample:1", Compress::Gzip)], false);
    // Flip a byte in the middle of the largest blob (layer 0).
    let idx = porthole::tar::index::index(&bytes[..], 1 << 20, 1 << 20);
    let e = idx.entries.iter().max_by_key(|e| e.entry.size).unwrap();
    let at = (e.data_offset + e.entry.size / 2) as usize;
    bytes[at] ^= 0x01;
    check("tampered", &bytes);
}

/// Every ecosystem's packages matched against a small database: a Debian source package, a
/// PyPI advisory with a CVSS vector, a malicious npm package, an advisory with only GIT ranges.
#[test]
fn golden_vulnerabilities() {
    let records = br#"[
      {"id":"DEBIAN-CVE-2024-0001","aliases":["CVE-2024-0001"],"summary":"base-files: a flaw","modified":"2024-05-01T00:00:00Z",
       "affected":[{"package":{"ecosystem":"Debian:12","name":"base-files"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"12.4+deb12u6"}]}]},
                   {"package":{"ecosystem":"Debian:11","name":"base-files"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]},
      {"id":"GHSA-0000-0000-0001","summary":"requests leaks headers","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"}],
       "affected":[{"package":{"ecosystem":"PyPI","name":"requests"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.32.0"}]}]}]},
      {"id":"MAL-2024-0001","summary":"Malicious code in @types/node (npm)","affected":[{"package":{"ecosystem":"npm","name":"@types/node"},"versions":["20.11.5"]}]},
      {"id":"OSV-GIT-1","affected":[{"package":{"ecosystem":"crates.io","name":"nothing-here"}},{"package":{"ecosystem":"npm","name":"express"},"ranges":[{"type":"GIT","repo":"https://example.invalid/x","events":[{"introduced":"0"},{"fixed":"abc"}]}]}]}
    ]"#;
    let db = porthole::vuln::VulnDb::open(
        vec![porthole::vuln::DbFile {
            name: "golden-db.json".into(),
            source: Box::new(records.to_vec()),
        }],
        &mut |_, _, _| {},
    );
    let img =
        fixture::ImageSpec::new("example.com/packages:1", vec![fixture::packages_layer()]).compressed(Compress::Gzip);
    check_with(
        "vulnerabilities",
        &fixture::oci_archive(&[img], false),
        Options {
            vuln_db: Some(std::sync::Arc::new(db)),
            ..Default::default()
        },
    );
}

//! Golden reports: the JSON contract for fixed fixtures. Regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff.

use porthole::fixture::{self, Compress};
use porthole::inspect::{Options, Quiet};

fn check(name: &str, bytes: &[u8]) {
    let opts = Options {
        files: true,
        ..Default::default()
    };
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

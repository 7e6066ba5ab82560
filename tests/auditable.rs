//! A Rust executable built by `cargo auditable` (installed by `scripts/setup.sh --tests`) from
//! tests/auditable: the crates an image's copy lists must be the ones in that build's
//! Cargo.lock, found while the executable streams by.

mod support;
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

#[test]
fn an_auditable_rust_binary_lists_the_crates_of_its_lockfile() {
    support::need("cargo-auditable");
    let krate = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/auditable");
    let target = std::env::temp_dir().join(format!("porthole-auditable-{}", std::process::id()));
    let st = Command::new(env!("CARGO"))
        .args(["auditable", "build", "--release", "--locked", "--quiet", "--target-dir"])
        .arg(&target)
        .current_dir(&krate)
        .status()
        .expect("cargo auditable build");
    assert!(st.success(), "cargo auditable build failed");
    let bin = std::fs::read(target.join("release/porthole-auditable-fixture")).unwrap();

    // The oracle: every [[package]] of the lockfile cargo wrote.
    let lock: toml::Value = toml::from_str(&std::fs::read_to_string(krate.join("Cargo.lock")).unwrap()).unwrap();
    let expected: BTreeSet<String> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["name"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();

    let mut l = TarBuilder::new();
    l.file("usr/local/bin/fixture", &bin, 0o755);
    let r = support::inspect(&fixture::oci_archive(
        &[ImageSpec::new("rust:1", vec![l.finish()]).compressed(Compress::Gzip)],
        false,
    ));
    let got: BTreeSet<String> = r.images[0]
        .packages
        .iter()
        .filter(|p| p.kind == "cargo")
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    assert_eq!(got, expected);
    let itoa = r.images[0].packages.iter().find(|p| p.name == "itoa").unwrap();
    assert_eq!(itoa.purl, "pkg:cargo/itoa@1.0.11");
    assert_eq!(itoa.path, "/usr/local/bin/fixture");
}

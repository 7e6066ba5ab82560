//! Tampering is caught and named: blob digests, sizes, diff_ids, configs, manifests, pins.

mod support;
use porthole::digest::Digest;
use porthole::fixture::{self, Compress};
use porthole::inspect::Options;
use porthole::report::{CheckStatus, CheckWhat};
use support::*;

fn flip(bytes: &mut [u8], at: usize) {
    bytes[at] ^= 0x01;
}

fn layer_blob_name(bytes: &[u8], layer: usize) -> String {
    let r = inspect(bytes);
    let d = r.images[0].layers[layer].digest.clone().unwrap();
    format!("blobs/sha256/{}", &d[7..])
}

#[test]
fn flipped_byte_in_a_compressed_layer_names_that_layer() {
    for c in [Compress::Gzip, Compress::Zstd, Compress::None] {
        let mut bytes = fixture::oci_archive(&[fixture::sample("x", c)], false);
        let name = layer_blob_name(&bytes, 1);
        let (off, size) = entry_span(&bytes, &name);
        flip(&mut bytes, off + size / 2);
        let r = inspect(&bytes);
        assert_eq!(r.exit_code(), 3, "{c:?}");
        let img = &r.images[0];
        assert!(!img.verified);
        assert!(!img.layers[1].verified);
        assert!(
            img.layers[0].verified && img.layers[2].verified,
            "{c:?}: only layer 1 is bad"
        );
        let blob = img.layers[1]
            .checks
            .iter()
            .find(|c| c.what == CheckWhat::BlobDigest)
            .unwrap();
        assert_eq!(blob.status, CheckStatus::Mismatch);
        assert_ne!(blob.expected, blob.actual);
    }
}

#[test]
fn flipped_byte_in_an_uncompressed_docker_layer_fails_its_diff_id() {
    let mut bytes = fixture::docker_archive(&[fixture::sample("x", Compress::None)], false);
    let r = inspect(&bytes);
    let layer_name = entry_names(&bytes)
        .into_iter()
        .filter(|n| n.ends_with("/layer.tar"))
        .nth(2)
        .unwrap();
    let (off, _) = entry_span(&bytes, &layer_name);
    flip(&mut bytes, off + 600); // inside the first file's body
    let t = inspect(&bytes);
    assert_eq!(t.exit_code(), 3);
    let diff = t.images[0].layers[2]
        .checks
        .iter()
        .find(|c| c.what == CheckWhat::DiffId)
        .unwrap();
    assert_eq!(diff.status, CheckStatus::Mismatch);
    assert_eq!(diff.expected, r.images[0].layers[2].diff_id);
}

#[test]
fn tampered_config_fails_the_config_digest() {
    let mut bytes = fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false);
    let r = inspect(&bytes);
    let cfg = r.images[0].config_digest.clone().unwrap();
    let (off, size) = entry_span(&bytes, &format!("blobs/sha256/{}", &cfg[7..]));
    let text = String::from_utf8_lossy(&bytes[off..off + size]).to_string();
    let pos = text.find("\"app\"").unwrap() + 1;
    bytes[off + pos] = b'b'; // User "app" → "bpp"
    let t = inspect(&bytes);
    assert_eq!(t.exit_code(), 3);
    let c = t.images[0]
        .checks
        .iter()
        .find(|c| c.what == CheckWhat::ConfigDigest)
        .unwrap();
    assert_eq!(c.status, CheckStatus::Mismatch);
    assert_eq!(c.expected.as_deref(), Some(cfg.as_str()));
}

#[test]
fn wrong_layer_size_in_manifest_is_a_mismatch() {
    let mut bytes = fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false);
    let r = inspect(&bytes);
    let md = r.images[0].manifest_digest.clone().unwrap();
    let (off, size) = entry_span(&bytes, &format!("blobs/sha256/{}", &md[7..]));
    let text = String::from_utf8_lossy(&bytes[off..off + size]).to_string();
    let layer_size = r.images[0].layers[0].size.unwrap().to_string();
    let pos = text.find(&format!("\"size\":{layer_size}")).unwrap() + 7;
    bytes[off + pos] = if bytes[off + pos] == b'9' {
        b'1'
    } else {
        bytes[off + pos] + 1
    };
    let t = inspect(&bytes);
    assert_eq!(t.exit_code(), 3);
    // The manifest no longer matches index.json, and the layer size check fails.
    let m = t.images[0]
        .checks
        .iter()
        .find(|c| c.what == CheckWhat::ManifestDigest)
        .unwrap();
    assert_eq!(m.status, CheckStatus::Mismatch);
    let s = t.images[0].layers[0]
        .checks
        .iter()
        .find(|c| c.what == CheckWhat::BlobSize)
        .unwrap();
    assert_eq!(s.status, CheckStatus::Mismatch);
}

#[test]
fn expect_digest_pins_manifest_or_config() {
    let bytes = fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false);
    let r = inspect(&bytes);
    let md = Digest::parse(r.images[0].manifest_digest.as_deref().unwrap()).unwrap();
    let cd = Digest::parse(r.images[0].config_digest.as_deref().unwrap()).unwrap();
    for pin in [md, cd] {
        let r = inspect_with(
            &bytes,
            &Options {
                expect_digest: Some(pin),
                ..Default::default()
            },
        );
        assert_eq!(r.exit_code(), 0);
    }
    let other = Digest::of(b"something else");
    let r = inspect_with(
        &bytes,
        &Options {
            expect_digest: Some(other.clone()),
            ..Default::default()
        },
    );
    assert_eq!(r.exit_code(), 3);
    assert!(
        r.images[0]
            .checks
            .iter()
            .any(|c| c.status == CheckStatus::Mismatch && c.expected.as_deref() == Some(other.as_str()))
    );
}

#[test]
fn docker_layer_names_that_are_not_digests_are_not_checkable() {
    let bytes = fixture::docker_archive(&[fixture::sample("x", Compress::None)], false);
    let r = inspect(&bytes);
    let img = &r.images[0];
    assert!(img.verified);
    let m = img.checks.iter().find(|c| c.what == CheckWhat::ManifestDigest).unwrap();
    assert_eq!(m.status, CheckStatus::NotCheckable);
    assert!(m.reason.as_deref().unwrap().contains("manifest.json"));
    for l in &img.layers {
        assert_eq!(l.checks[0].status, CheckStatus::NotCheckable);
        assert_eq!(l.checks[2].status, CheckStatus::Verified);
    }
}

//! Hostile input: each case ends in a clear error or a bounded result, never a panic or hang,
//! and whatever could be read is kept.

mod support;
use porthole::ErrorKind;
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use porthole::inspect::Options;
use porthole::limits::Limits;
use support::*;

fn all_errors(r: &porthole::Report) -> Vec<porthole::Error> {
    r.errors
        .iter()
        .chain(r.images.iter().flat_map(|i| i.errors.iter()))
        .cloned()
        .collect()
}

fn one_layer(layer: Vec<u8>) -> Vec<u8> {
    fixture::docker_archive(&[ImageSpec::new("x", vec![layer]).compressed(Compress::None)], false)
}

#[test]
fn not_images_exit_2_with_a_clear_message() {
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 600]].concat();
    let mut random = vec![0u8; 4096];
    let mut s: u32 = 12345;
    for b in random.iter_mut() {
        s = s.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *b = (s >> 16) as u8;
    }
    let mut plain_tar = TarBuilder::new();
    plain_tar.file("hello.txt", b"hi", 0o644);
    for (bytes, needle) in [
        (vec![], "empty"),
        (png, "PNG"),
        (random, "not a tar"),
        (plain_tar.finish(), "neither manifest.json"),
        (b"{\"not\": \"a tar\"}".to_vec(), "not a tar"),
    ] {
        let r = inspect(&bytes);
        assert_eq!(r.exit_code(), 2, "{needle}");
        assert!(r.images.is_empty());
        assert!(
            r.errors[0].message.contains(needle),
            "{needle}: {}",
            r.errors[0].message
        );
    }
}

#[test]
fn manifest_naming_a_missing_layer_is_reported_and_the_rest_kept() {
    let bytes = fixture::docker_archive(&[fixture::sample("x", Compress::None)], true);
    // Drop the middle layer's file: rebuild the tar without it.
    let names = entry_names(&bytes);
    let victim = names
        .iter()
        .filter(|n| n.ends_with(".tar") && !n.contains('/'))
        .nth(1)
        .unwrap()
        .clone();
    let mut t = TarBuilder::new();
    for n in &names {
        if n == &victim {
            continue;
        }
        let idx = porthole::tar::index::index(&bytes[..], 1 << 20, 1 << 20);
        let e = idx.entries.iter().find(|e| &e.entry.path_lossy() == n).unwrap();
        match e.entry.kind {
            porthole::tar::EntryKind::Symlink => t.symlink(n, &String::from_utf8_lossy(&e.entry.link)),
            _ => {
                let s = e.data_offset as usize;
                t.file(n, &bytes[s..s + e.entry.size as usize], 0o644)
            }
        }
    }
    let r = inspect(&t.finish());
    assert_eq!(r.exit_code(), 4);
    let img = &r.images[0];
    let e = img
        .errors
        .iter()
        .find(|e| e.layer == Some(1))
        .expect("error for layer 1");
    assert!(e.message.contains("no such entry"), "{}", e.message);
    assert!(e.entry.is_some());
    assert!(!img.layers[1].verified);
    assert!(img.layers[0].verified && img.layers[2].verified);
    assert!(img.summary.regular_files > 0);
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let mut t = TarBuilder::new();
    let deep = "[".repeat(200_000);
    t.file("manifest.json", deep.as_bytes(), 0o644);
    let r = inspect(&t.finish());
    assert_eq!(r.exit_code(), 2);
    assert_eq!(r.errors[0].kind, ErrorKind::Malformed);
    assert_eq!(r.errors[0].entry.as_deref(), Some("manifest.json"));
}

#[test]
fn duplicate_manifest_entries_are_reported_and_the_last_used() {
    let good = fixture::docker_archive(&[fixture::sample("x", Compress::None)], false);
    let mut t = TarBuilder::new();
    t.file("manifest.json", b"[]", 0o644);
    t.raw(&good[..good.len() - 1024]);
    let bytes = t.finish();
    let r = inspect(&bytes);
    assert_eq!(r.images.len(), 1);
    assert_eq!(r.exit_code(), 4);
    assert!(
        r.errors
            .iter()
            .any(|e| e.message.contains("2 entries named \"manifest.json\"")),
        "{:?}",
        r.errors
    );
}

#[test]
fn decompression_bombs_hit_the_limit() {
    let mut inner = TarBuilder::new();
    inner.file("zeros", &vec![0u8; 8 << 20], 0o644);
    let layer = inner.finish();
    for c in [Compress::Gzip, Compress::Zstd] {
        let img = ImageSpec::new("bomb", vec![layer.clone()]).compressed(c);
        let bytes = fixture::oci_archive(&[img], false);
        assert!(bytes.len() < 100_000, "{c:?} bomb is small: {}", bytes.len());
        let opts = Options {
            limits: Limits {
                layer_uncompressed_bytes: 1 << 20,
                ..Default::default()
            },
            ..Default::default()
        };
        let r = inspect_with(&bytes, &opts);
        assert_eq!(r.exit_code(), 4, "{c:?}");
        let e = &r.images[0].errors[0];
        assert_eq!(e.kind, ErrorKind::Limit, "{c:?}: {e}");
        assert_eq!(e.layer, Some(0));
        // The compressed blob was still fully hashed and verified.
        assert_eq!(
            r.images[0].layers[0].checks[0].status,
            porthole::report::CheckStatus::Verified
        );
    }
}

#[test]
fn tar_size_fields_that_lie_are_caught() {
    // A header claiming 1 GB inside a small layer.
    let mut t = TarBuilder::new();
    t.file("ok.txt", b"fine", 0o644);
    t.header(b"liar.bin", b'0', 1 << 30, 0o644, 0, 0, b"");
    t.raw(b"short body");
    let r = inspect(&one_layer(t.finish()));
    assert_eq!(r.exit_code(), 4);
    let e = &r.images[0].errors[0];
    assert!(e.message.contains("truncated"), "{e}");
    assert_eq!(e.path.as_deref(), Some("liar.bin"));
    assert_eq!(r.images[0].layers[0].files_added, 2, "entries before the lie are kept");

    // A base-256 size near u64::MAX.
    let mut t = TarBuilder::new();
    t.header(b"huge", b'0', 0, 0o644, 0, 0, b"");
    let mut layer = t.finish();
    layer[124..136].copy_from_slice(&[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    fix_checksum(&mut layer[..512]);
    let r = inspect(&one_layer(layer));
    assert!(matches!(r.exit_code(), 3 | 4), "{:?}", all_errors(&r));
    assert!(!all_errors(&r).is_empty());
}

fn fix_checksum(h: &mut [u8]) {
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
}

#[test]
fn huge_pax_records_hit_the_limit() {
    let mut t = TarBuilder::new();
    t.header(b"PaxHeaders/x", b'x', 0, 0o644, 0, 0, b"");
    let mut layer = t.finish();
    // A size of 2^40 in base-256.
    layer[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    fix_checksum(&mut layer[..512]);
    let r = inspect(&one_layer(layer));
    let errs = all_errors(&r);
    assert!(errs.iter().any(|e| e.kind == ErrorKind::Limit), "{errs:?}");
}

#[test]
fn hostile_names_are_kept_as_text_and_never_escape_the_root() {
    let mut t = TarBuilder::new();
    t.file("../../etc/escape", b"x", 0o644);
    t.file("/abs/file", b"x", 0o644);
    t.file("dir/<script>alert(1)</script>", b"x", 0o644);
    t.file("new\nline\u{202e}rtl\u{1b}[31m", b"x", 0o644);
    t.pax_file(b"bad-\xff\xfe-utf8", b"x");
    t.symlink("loop-a", "loop-b");
    t.symlink("loop-b", "loop-a");
    t.hardlink("self", "self");
    t.hardlink("dangling", "nowhere");
    let r = inspect(&one_layer(t.finish()));
    assert_eq!(r.exit_code(), 0, "{:?}", all_errors(&r));
    let paths: Vec<&str> = r.images[0].files.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"/etc/escape"));
    assert!(paths.contains(&"/abs/file"));
    assert!(paths.contains(&"/dir/<script>alert(1)</script>"));
    assert!(paths.contains(&"/new\nline\u{202e}rtl\u{1b}[31m"));
    let bad = r.images[0]
        .files
        .iter()
        .find(|f| f.path_raw.is_some())
        .expect("non-UTF-8 name");
    assert_eq!(bad.path, "/bad-\u{fffd}\u{fffd}-utf8");
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(bad.path_raw.as_ref().unwrap())
        .unwrap();
    assert_eq!(raw, b"/bad-\xff\xfe-utf8");
}

#[test]
fn a_manifest_naming_one_layer_thousands_of_times_is_bounded() {
    let layer = {
        let mut t = TarBuilder::new();
        t.file("a", b"a", 0o644);
        t.finish()
    };
    let good = fixture::docker_archive(
        &[ImageSpec::new("x", vec![layer.clone()]).compressed(Compress::None)],
        false,
    );
    let names = entry_names(&good);
    let layer_name = names.iter().find(|n| n.ends_with("layer.tar")).unwrap().clone();
    let cfg_name = names
        .iter()
        .find(|n| n.ends_with(".json") && n.len() > 20)
        .unwrap()
        .clone();
    let manifest =
        serde_json::json!([{"Config": cfg_name, "RepoTags": ["x"], "Layers": vec![layer_name.clone(); 20_000]}]);
    let mut t = TarBuilder::new();
    let (off, size) = entry_span(&good, &layer_name);
    t.file(&layer_name, &good[off..off + size], 0o644);
    let (off, size) = entry_span(&good, &cfg_name);
    t.file(&cfg_name, &good[off..off + size], 0o644);
    t.file("manifest.json", &serde_json::to_vec(&manifest).unwrap(), 0o644);
    let start = std::time::Instant::now();
    let r = inspect(&t.finish());
    assert!(start.elapsed().as_secs() < 30);
    assert_eq!(r.exit_code(), 4);
    let errs = all_errors(&r);
    assert!(
        errs.iter()
            .any(|e| e.kind == ErrorKind::Limit && e.message.contains("20000 layers")),
        "{errs:?}"
    );
    assert_eq!(r.images[0].layers.len(), Limits::default().layers);
}

#[test]
fn outer_symlink_loops_do_not_hang() {
    let good = fixture::docker_archive(
        &[ImageSpec::new("x", vec![TarBuilder::new().finish()]).compressed(Compress::None)],
        false,
    );
    let names = entry_names(&good);
    let cfg_name = names
        .iter()
        .find(|n| n.ends_with(".json") && n.len() > 20)
        .unwrap()
        .clone();
    let mut t = TarBuilder::new();
    let (off, size) = entry_span(&good, &cfg_name);
    t.file(&cfg_name, &good[off..off + size], 0o644);
    t.symlink("a/layer.tar", "../b/layer.tar");
    t.symlink("b/layer.tar", "../a/layer.tar");
    let manifest = serde_json::json!([{"Config": cfg_name, "Layers": ["a/layer.tar"]}]);
    t.file("manifest.json", &serde_json::to_vec(&manifest).unwrap(), 0o644);
    let r = inspect(&t.finish());
    assert_eq!(r.exit_code(), 4);
    assert!(r.images[0].errors[0].message.contains("no such entry"));
}

#[test]
fn every_prefix_of_an_archive_is_handled() {
    for bytes in [
        fixture::docker_archive(&[fixture::sample("x", Compress::None)], true),
        fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
        fixture::oci_archive(&[fixture::sample("x", Compress::Zstd)], true),
    ] {
        let full = inspect(&bytes);
        let layers = |r: &porthole::Report| serde_json::to_value(&r.images[0].layers).unwrap();
        let step = (bytes.len() / 400).max(1);
        for cut in (0..bytes.len())
            .step_by(step)
            .chain([bytes.len() - 1, bytes.len() - 1024])
        {
            let r = inspect(&bytes[..cut]);
            let code = r.exit_code();
            // A cut at an entry boundary is a valid, shorter tar: exit 0 is right when
            // everything the image needs came before the cut (e.g. only manifest.json of a
            // Docker 25 archive, which repeats the OCI layout, is lost).
            if code == 0 {
                assert_eq!(layers(&r), layers(&full), "cut {cut}: exit 0 but the layers differ");
                assert_eq!(r.images[0].files.len(), full.images[0].files.len());
                continue;
            }
            assert!(matches!(code, 2..=4), "cut {cut}: exit {code}");
            if code == 2 {
                assert!(!r.errors.is_empty(), "cut {cut}: no image and no error");
            }
        }
    }
}

#[test]
fn every_prefix_of_a_gzipped_stream_is_handled() {
    let tar = fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], true);
    let gz = Compress::Gzip.apply(&tar);
    for cut in (1..gz.len()).step_by((gz.len() / 200).max(1)) {
        let r = inspect(&gz[..cut]);
        assert!(matches!(r.exit_code(), 2..=4), "cut {cut}");
        assert!(!all_errors(&r).is_empty(), "cut {cut}: truncation must be reported");
    }
}

#[test]
fn many_layers_hit_the_layer_limit() {
    let layers: Vec<Vec<u8>> = (0..40)
        .map(|i| {
            let mut t = TarBuilder::new();
            t.file(&format!("f{i}"), b"x", 0o644);
            t.finish()
        })
        .collect();
    let bytes = fixture::oci_archive(&[ImageSpec::new("x", layers)], false);
    let opts = Options {
        limits: Limits {
            layers: 16,
            ..Default::default()
        },
        ..Default::default()
    };
    let r = inspect_with(&bytes, &opts);
    assert_eq!(r.exit_code(), 4);
    assert_eq!(r.images[0].layers.len(), 16);
    assert!(all_errors(&r).iter().any(|e| e.kind == ErrorKind::Limit));
}

#[test]
fn schema1_manifests_are_unsupported_with_a_clear_message() {
    let m = br#"{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[{"blobSum":"sha256:00"}]}"#;
    let d = porthole::digest::Digest::of(m);
    let index = serde_json::json!({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":d.to_string(),"size":m.len()}]});
    let mut t = TarBuilder::new();
    t.file(&format!("blobs/sha256/{}", d.hex()), m, 0o644);
    t.file("index.json", &serde_json::to_vec(&index).unwrap(), 0o644);
    let r = inspect(&t.finish());
    assert_eq!(r.exit_code(), 2);
    let e = all_errors(&r)
        .into_iter()
        .find(|e| e.kind == ErrorKind::Unsupported)
        .expect("unsupported error");
    assert!(e.message.contains("schema1"), "{e}");
}

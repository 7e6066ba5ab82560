//! Every format porthole reads, written in code, gives the same filesystem and verifies.

mod support;
use porthole::fixture::{self, Compress, ImageSpec};
use porthole::image::Platform;
use porthole::inspect::Options;
use porthole::report::CheckStatus;
use support::*;

fn sample() -> ImageSpec {
    fixture::sample("example.com/sample:1", Compress::Gzip)
}

fn all_formats() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "docker",
            fixture::docker_archive(&[sample().compressed(Compress::None)], false),
        ),
        (
            "docker-symlinks",
            fixture::docker_archive(&[sample().compressed(Compress::None)], true),
        ),
        ("crane", fixture::crane_archive(&sample())),
        ("oci-gzip", fixture::oci_archive(&[sample()], false)),
        (
            "oci-zstd",
            fixture::oci_archive(&[sample().compressed(Compress::Zstd)], false),
        ),
        (
            "oci-plain",
            fixture::oci_archive(&[sample().compressed(Compress::None)], false),
        ),
        ("docker25", fixture::oci_archive(&[sample()], true)),
        (
            "multiplatform",
            fixture::oci_multiplatform("example.com/sample:1", &[sample()]),
        ),
    ]
}

#[test]
fn every_format_gives_the_same_filesystem_and_verifies() {
    let mut files_seen = None;
    for (name, bytes) in all_formats() {
        let r = inspect(&bytes);
        assert_eq!(
            r.exit_code(),
            0,
            "{name}: {:?} {:?}",
            r.errors,
            r.images.first().map(|i| &i.errors)
        );
        assert_eq!(r.images.len(), 1, "{name}");
        let img = &r.images[0];
        assert!(img.verified, "{name} not verified");
        assert_eq!(img.summary.regular_files, 8, "{name}");
        assert_eq!(img.summary.wasted_bytes, 10_077, "{name}");
        assert_eq!(img.layers.len(), 3, "{name}");
        assert_eq!(img.name.as_deref(), Some("example.com/sample:1"), "{name}");
        assert_eq!(
            img.os_release.as_ref().and_then(|o| o.id.as_deref()),
            Some("debian"),
            "{name}"
        );
        for l in &img.layers {
            let diff = l
                .checks
                .iter()
                .find(|c| c.what == porthole::report::CheckWhat::DiffId)
                .unwrap();
            assert_eq!(diff.status, CheckStatus::Verified, "{name} layer {}", l.index);
        }
        // The files (paths, types, layers, fates) agree across formats.
        let files: Vec<_> = img
            .files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    f.kind.clone(),
                    f.layer,
                    f.deleted_in,
                    f.overwritten_in,
                    f.size,
                )
            })
            .collect();
        match &files_seen {
            None => files_seen = Some(files),
            Some(prev) => assert_eq!(prev, &files, "{name} differs"),
        }
    }
}

#[test]
fn blob_digests_are_checked_where_the_format_names_them() {
    for (name, bytes) in all_formats() {
        let r = inspect(&bytes);
        let img = &r.images[0];
        let blob = &img.layers[0].checks[0];
        let expect = if name == "docker" {
            CheckStatus::NotCheckable
        } else {
            CheckStatus::Verified
        };
        assert_eq!(blob.status, expect, "{name}: {blob:?}");
        if expect == CheckStatus::NotCheckable {
            assert!(blob.reason.is_some());
        }
    }
}

#[test]
fn gzipped_and_zstd_tarballs_are_streamed() {
    let tar = fixture::oci_archive(&[sample()], false);
    for (c, label) in [(Compress::Gzip, "gzip"), (Compress::Zstd, "zstd")] {
        let outer = c.apply(&tar);
        let r = inspect(&outer);
        assert_eq!(r.exit_code(), 0, "{label}: {:?}", r.errors);
        assert!(r.source.streamed);
        assert_eq!(r.source.compression, label);
        assert_eq!(
            image_json(&r),
            image_json(&inspect(&tar)),
            "{label}: streamed report differs"
        );
    }
}

#[test]
fn stdin_stream_matches_random_access_for_any_chunking() {
    for bytes in [
        fixture::docker_archive(&[sample().compressed(Compress::None)], true),
        fixture::oci_archive(&[sample()], true),
    ] {
        let want = image_json(&inspect(&bytes));
        for chunk in [1, 7, 512, 513, 4096, 1 << 20] {
            let r = inspect_streamed(&bytes, chunk);
            assert!(r.source.streamed);
            assert_eq!(image_json(&r), want, "chunk {chunk}");
        }
    }
}

#[test]
fn short_reads_give_the_same_report() {
    let bytes = fixture::oci_archive(&[sample().compressed(Compress::Zstd)], true);
    let opts = Options {
        files: true,
        ..Default::default()
    };
    let a = porthole::inspect_blob(&ShortReads(&bytes), "test.tar", &opts, &mut porthole::inspect::Quiet);
    assert_eq!(image_json(&a), image_json(&inspect(&bytes)));
}

#[test]
fn multi_image_docker_save_shares_layers() {
    let a = sample();
    let mut b = ImageSpec::new("example.com/other:2", vec![a.layers[0].clone()]).compressed(Compress::None);
    b.env.push("B=1".into());
    let bytes = fixture::docker_archive(&[a.compressed(Compress::None), b], true);
    let r = inspect(&bytes);
    assert_eq!(r.exit_code(), 0, "{:?}", r.errors);
    assert_eq!(r.images.len(), 2);
    assert_eq!(r.images[1].name.as_deref(), Some("example.com/other:2"));
    assert_eq!(r.images[0].layers[0].diff_id, r.images[1].layers[0].diff_id);
    assert!(r.images[1].config.env.contains(&"B=1".to_string()));
    // The shared layer is stored once.
    assert_eq!(
        entry_names(&bytes)
            .iter()
            .filter(|n| n.ends_with(".tar") && !n.contains('/'))
            .count(),
        3
    );
}

#[test]
fn multiplatform_chooses_default_and_requested_platforms_and_skips_attestations() {
    let amd = sample();
    let arm = sample().platform("linux", "arm64", Some("v8"));
    let bytes = fixture::oci_multiplatform("example.com/multi:1", &[amd, arm]);
    let r = inspect(&bytes);
    let img = &r.images[0];
    assert_eq!(img.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(img.platforms_available, vec!["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(img.name.as_deref(), Some("example.com/multi:1"));

    let opts = Options {
        platform: Platform::parse("linux/arm64"),
        files: true,
        ..Default::default()
    };
    let r = inspect_with(&bytes, &opts);
    assert_eq!(r.images[0].platform.as_deref(), Some("linux/arm64/v8"));
    assert_eq!(r.exit_code(), 0);

    let opts = Options {
        platform: Platform::parse("linux/s390x"),
        ..Default::default()
    };
    let r = inspect_with(&bytes, &opts);
    assert_eq!(r.exit_code(), 2);
    assert!(r.errors[0].message.contains("linux/s390x"), "{}", r.errors[0].message);
    assert!(r.errors[0].message.contains("linux/arm64/v8"));
}

#[test]
fn only_platform_is_chosen_when_not_amd64() {
    let arm = sample().platform("linux", "arm64", None);
    let bytes = fixture::oci_multiplatform("x", &[arm]);
    let r = inspect(&bytes);
    assert_eq!(r.images[0].platform.as_deref(), Some("linux/arm64"));
}

#[test]
fn config_metadata_and_history_are_reported() {
    let r = inspect(&fixture::oci_archive(&[sample()], false));
    let img = &r.images[0];
    assert_eq!(img.config.user.as_deref(), Some("app"));
    assert_eq!(img.config.working_dir.as_deref(), Some("/srv"));
    assert_eq!(img.config.exposed_ports, vec!["8080/tcp"]);
    assert_eq!(img.config.cmd, vec!["/bin/sh"]);
    // The empty_layer history entry is skipped when aligning history to layers.
    assert_eq!(img.layers[0].created_by.as_deref(), Some("/bin/sh -c #(nop) layer 0"));
    assert_eq!(img.layers[2].created_by.as_deref(), Some("/bin/sh -c #(nop) layer 2"));
    assert_eq!(
        img.config
            .labels
            .get("org.opencontainers.image.source")
            .map(String::as_str),
        Some("https://example.invalid/<b>html</b>")
    );
}

#[test]
fn oci_layout_directory_is_read_natively() {
    let dir = std::env::temp_dir().join(format!("porthole-layout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let tar = fixture::oci_archive(&[sample()], false);
    let idx = porthole::tar::index::index(&tar[..], 1 << 20, 1 << 20);
    for e in &idx.entries {
        let p = dir.join(e.entry.path_lossy());
        if e.entry.kind == porthole::tar::EntryKind::Directory {
            std::fs::create_dir_all(&p).unwrap();
        } else {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let s = e.data_offset as usize;
            std::fs::write(&p, &tar[s..s + e.entry.size as usize]).unwrap();
        }
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(["inspect", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["source"]["kind"], "directory");
    assert_eq!(v["images"][0]["summary"]["regular_files"], 8);
}

#[test]
fn foreign_layers_are_reported_not_fatal() {
    let mut s = sample();
    s.foreign = vec![0];
    let r = inspect(&fixture::oci_archive(&[s], false));
    assert_eq!(r.exit_code(), 4);
    let img = &r.images[0];
    let e = &img.errors[0];
    assert_eq!(e.kind, porthole::ErrorKind::Unsupported);
    assert_eq!(e.layer, Some(0));
    assert!(e.message.contains("foreign"), "{e}");
    assert!(
        img.layers[0]
            .media_type
            .as_deref()
            .unwrap()
            .contains("nondistributable")
    );
    assert_eq!(img.layers[1].checks[0].status, CheckStatus::Verified);
    assert!(!img.verified);
}

#[test]
fn aufs_metadata_is_not_part_of_the_filesystem() {
    let mut t = fixture::TarBuilder::new();
    t.file("a.txt", b"a", 0o644);
    t.dir(".wh..wh.plnk");
    t.file(".wh..wh.plnk/123.456", b"x", 0o644);
    t.file(".wh..wh.aufs", b"", 0o644);
    let r = inspect(&fixture::oci_archive(&[ImageSpec::new("x", vec![t.finish()])], false));
    assert_eq!(r.exit_code(), 0);
    let paths: Vec<&str> = r.images[0].files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["/a.txt"]);
}

//! Exploring an inspected image: lazy directory listings, search, reading files back.

mod support;
use porthole::explore::{self, Filter};
use porthole::fixture::{self, Compress, ImageSpec, TarBuilder};
use porthole::inspect::{Inspection, Options, Quiet};

fn explore(bytes: &[u8]) -> Inspection {
    porthole::inspect::explore_blob(bytes, "t.tar", &Options::default(), &mut Quiet)
}

fn names(nodes: &[explore::Node]) -> Vec<&str> {
    nodes.iter().map(|n| n.name.as_str()).collect()
}

#[test]
fn lists_directories_lazily_with_deleted_and_changed_filters() {
    let ins = explore(&fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false));
    let st = &ins.images[0];
    let root = explore::list_dir(st, "/", Filter::default());
    assert_eq!(names(&root), vec!["etc", "srv", "tmp", "usr", "var"]);
    assert!(root.iter().all(|n| n.has_children && n.kind == "dir"));
    let srv = explore::list_dir(st, "/srv", Filter::default());
    assert!(!names(&srv).contains(&"secret.txt"));
    let srv = explore::list_dir(
        st,
        "/srv",
        Filter {
            show_deleted: true,
            ..Default::default()
        },
    );
    let secret = srv
        .iter()
        .find(|n| n.name == "secret.txt")
        .expect("deleted file listed");
    assert!(!secret.visible);
    assert_eq!(secret.deleted_in, Some(2));
    assert_eq!(secret.layer, Some(1));
    // Only what layer 1 touched: /etc (passwd), /srv, /var (the whiteout of big.bin).
    let changed = explore::list_dir(
        st,
        "/",
        Filter {
            show_deleted: true,
            changed_in: Some(1),
        },
    );
    assert_eq!(names(&changed), vec!["etc", "srv", "var"]);
    let etc = explore::list_dir(
        st,
        "/etc",
        Filter {
            changed_in: Some(1),
            ..Default::default()
        },
    );
    assert_eq!(names(&etc), vec!["passwd"]);
    assert_eq!(etc[0].versions, 2);
}

#[test]
fn siblings_that_extend_a_name_are_all_listed() {
    // `tool-link`, `tool.d` and `tool 2` sort between `tool` and `tool/…`.
    let mut t = TarBuilder::new();
    t.file("bin/tool", b"t", 0o755);
    t.file("bin/tool-link", b"l", 0o755);
    t.file("bin/tool.d/conf", b"c", 0o644);
    t.file("bin/tool 2", b"2", 0o644);
    t.file("bin/toolbox", b"b", 0o644);
    t.file("bin/python3/lib/x", b"x", 0o644);
    t.file("bin/python3.11", b"p", 0o755);
    let ins = explore(&fixture::oci_archive(&[ImageSpec::new("x", vec![t.finish()])], false));
    let bin = explore::list_dir(&ins.images[0], "/bin", Filter::default());
    assert_eq!(
        names(&bin),
        vec![
            "python3",
            "python3.11",
            "tool",
            "tool 2",
            "tool-link",
            "tool.d",
            "toolbox"
        ]
    );
}

#[test]
fn every_version_of_a_path_is_listed() {
    let ins = explore(&fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false));
    let v = explore::versions(&ins.images[0], "/etc/passwd");
    assert_eq!(
        v.iter()
            .map(|n| (n.layer, n.visible, n.overwritten_in))
            .collect::<Vec<_>>(),
        vec![(Some(0), false, Some(1)), (Some(1), true, None)]
    );
}

#[test]
fn directories_no_layer_lists_are_implied() {
    let mut t = TarBuilder::new();
    t.file("a/b/c.txt", b"c", 0o644);
    let ins = explore(&fixture::oci_archive(&[ImageSpec::new("x", vec![t.finish()])], false));
    let root = explore::list_dir(&ins.images[0], "/", Filter::default());
    assert_eq!(names(&root), vec!["a"]);
    assert_eq!(root[0].version, None);
    assert!(root[0].visible && root[0].has_children);
    assert_eq!(
        names(&explore::list_dir(&ins.images[0], "/a/b", Filter::default())),
        vec!["c.txt"]
    );
}

#[test]
fn search_finds_paths_case_insensitively() {
    let ins = explore(&fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false));
    let (hits, total) = explore::search(&ins.images[0], "OS-RELEASE", Filter::default(), 10);
    assert_eq!(total, 2);
    assert_eq!(
        hits.iter().map(|n| n.path.as_str()).collect::<Vec<_>>(),
        vec!["/etc/os-release", "/usr/lib/os-release"]
    );
    let (_, total) = explore::search(&ins.images[0], "secret", Filter::default(), 10);
    assert_eq!(total, 0);
    let (_, total) = explore::search(
        &ins.images[0],
        "secret",
        Filter {
            show_deleted: true,
            ..Default::default()
        },
        10,
    );
    assert_eq!(total, 1);
}

fn version_of(ins: &Inspection, path: &str, layer: usize) -> usize {
    let st = &ins.images[0];
    let lists = st.entry_lists();
    let view = st.tree.view(&lists);
    let v = view
        .versions_of(path)
        .iter()
        .find(|&&v| st.tree.versions()[v as usize].layer() == layer);
    *v.unwrap() as usize
}

#[test]
fn reads_files_back_from_every_kind_of_layer_and_tarball() {
    let limits = porthole::Limits::default();
    for (label, bytes) in [
        (
            "gzip layers",
            fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
        ),
        (
            "zstd layers",
            fixture::oci_archive(&[fixture::sample("x", Compress::Zstd)], false),
        ),
        (
            "docker save",
            fixture::docker_archive(&[fixture::sample("x", Compress::None)], true),
        ),
        (
            "gzipped tarball",
            Compress::Gzip.apply(&fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false)),
        ),
    ] {
        let ins = explore(&bytes);
        assert_eq!(ins.report.exit_code(), 0, "{label}");
        let read = |path: &str, layer: usize, off: u64, len: usize| {
            explore::read_file(&bytes[..], &ins, 0, version_of(&ins, path, layer), off, len, &limits)
                .unwrap_or_else(|e| panic!("{label} {path}: {e}"))
        };
        assert_eq!(
            read("/etc/passwd", 1, 0, 1 << 16),
            b"root:x:0:0:root:/root:/bin/sh\n",
            "{label}"
        );
        assert!(
            read("/etc/passwd", 0, 0, 1 << 16).ends_with(b"app:x:1000:1000::/srv:/bin/sh\n"),
            "{label}: old version"
        );
        assert_eq!(
            read("/srv/secret.txt", 1, 0, 100),
            b"to be removed",
            "{label}: deleted file still readable"
        );
        assert_eq!(read("/srv/secret.txt", 1, 3, 2), b"be", "{label}: window");
        assert_eq!(
            read("/usr/bin/tool-link", 0, 0, 4),
            b"\x7fELF",
            "{label}: hardlink reads its target"
        );
        assert_eq!(
            read("/var/cache/big.bin", 0, 9_990, 100),
            vec![7u8; 10],
            "{label}: tail of a file"
        );
        let dir = version_of(&ins, "/etc", 0);
        assert!(explore::read_file(&bytes[..], &ins, 0, dir, 0, 10, &limits).is_err());
    }
}

/// The page keeps the report without file lists and makes them on export: the result must be
/// the CLI's `--files` report byte for byte, for every format and for several images.
#[test]
fn file_lists_made_after_the_fact_equal_the_ones_made_during_the_inspection() {
    let sample = || fixture::sample("example.com/a:1", Compress::Gzip);
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("oci", fixture::oci_archive(&[sample()], false)),
        (
            "docker",
            fixture::docker_archive(&[sample().compressed(Compress::None)], true),
        ),
        ("docker25", fixture::oci_archive(&[sample()], true)),
        ("crane", fixture::crane_archive(&sample())),
        (
            "packages",
            fixture::oci_archive(
                &[ImageSpec::new("example.com/p:1", vec![fixture::packages_layer()])],
                false,
            ),
        ),
        (
            "two images",
            fixture::oci_archive(&[sample(), fixture::sample("example.com/b:1", Compress::Zstd)], false),
        ),
    ];
    for (label, bytes) in inputs {
        let with = |files| Options {
            files,
            ..Default::default()
        };
        let during = porthole::inspect::explore_blob(&bytes[..], "t.tar", &with(true), &mut Quiet);
        let after = porthole::inspect::explore_blob(&bytes[..], "t.tar", &with(false), &mut Quiet);
        assert!(after.report.images.iter().all(|i| i.files.is_empty()), "{label}");
        assert!(
            during.report.images.iter().any(|i| !i.files.is_empty()),
            "{label}: a file list to compare"
        );
        for (i, img) in during.report.images.iter().enumerate() {
            assert_eq!(after.file_count(i), img.files.len(), "{label}: image {i}");
        }
        assert_eq!(after.report_with_files().to_json(), during.report.to_json(), "{label}");
    }
}

/// The size picture's numbers: each directory's children add up to it, the root's to the
/// report's total and wasted bytes, and each layer's bytes to the same totals.
#[test]
fn sizes_add_up_to_the_reports_totals() {
    let ins = explore(&fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false));
    let (st, img) = (&ins.images[0], &ins.report.images[0]);
    let root = explore::sizes(st, "/");
    let sum = |nodes: &[explore::SizeNode]| {
        (
            nodes.iter().map(|n| n.size).sum::<u64>(),
            nodes.iter().map(|n| n.wasted).sum::<u64>(),
        )
    };
    assert_eq!(sum(&root), (img.summary.total_size, img.summary.wasted_bytes));
    assert!(
        img.summary.wasted_bytes >= 10_000,
        "big.bin is deleted by a later layer"
    );
    // Largest first; a directory's children add up to it.
    assert!(
        root.windows(2)
            .all(|w| w[0].size + w[0].wasted >= w[1].size + w[1].wasted)
    );
    for n in root.iter().filter(|n| n.kind == "dir") {
        assert_eq!(sum(&explore::sizes(st, &n.path)), (n.size, n.wasted), "{}", n.path);
    }
    // /var/cache keeps keep.txt visible and big.bin wasted; /srv/secret.txt is wasted only.
    let var = explore::sizes(st, "/var/cache");
    let big = var.iter().find(|n| n.name == "big.bin").unwrap();
    assert_eq!((big.size, big.wasted, big.deleted), (0, 10_000, true));
    // Per layer: what each adds and overwrites, less what the image hides, is what it shows.
    let written: u64 = img.layers.iter().map(|l| l.bytes_added + l.bytes_modified).sum();
    let wasted: u64 = img.layers.iter().map(|l| l.bytes_wasted).sum();
    assert_eq!(wasted, img.summary.wasted_bytes);
    assert_eq!(written - wasted, img.summary.total_size);
    assert!(
        img.layers[1].bytes_modified > 0,
        "layer 1 writes /etc/passwd over layer 0's"
    );
}

/// A file deleted and written again later counts as added (nothing was visible below it), as
/// the file counts say; a path written twice in one layer counts each write once.
#[test]
fn layer_bytes_follow_the_file_counts() {
    let mut l0 = TarBuilder::new();
    l0.file("a.txt", b"12345", 0o644);
    let mut l1 = TarBuilder::new();
    l1.whiteout("a.txt");
    let mut l2 = TarBuilder::new();
    l2.file("a.txt", b"abcde", 0o644);
    l2.file("b.txt", b"1", 0o644);
    l2.file("b.txt", b"22", 0o644);
    let img = ImageSpec::new("x", vec![l0.finish(), l1.finish(), l2.finish()]);
    let ins = explore(&fixture::docker_archive(&[img], false));
    let r = &ins.report.images[0];
    let l = &r.layers[2];
    assert_eq!((l.files_added, l.files_modified), (2, 0));
    assert_eq!((l.bytes_added, l.bytes_modified, l.bytes_wasted), (8, 0, 1));
    assert_eq!(r.layers[0].bytes_wasted, 5);
    let written: u64 = r.layers.iter().map(|l| l.bytes_added + l.bytes_modified).sum();
    assert_eq!(written - r.summary.wasted_bytes, r.summary.total_size);
}

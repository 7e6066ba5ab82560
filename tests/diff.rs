//! `porthole diff`: pairs of images built in code, one kind of change at a time, through the
//! real binary (exit codes as diff(1), the JSON of docs/diff.md), and the core's `compare`.

mod support;
use porthole::fixture::{self, Compress, ImageSpec};
use porthole::tar::write::TarBuilder;
use serde_json::{Value, json};
use std::process::Command;

fn dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("porthole-diff-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, bytes: &[u8]) -> String {
    let p = dir().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

/// Runs `porthole diff` and returns (exit code, JSON, stderr).
fn diff(a: &str, b: &str, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(["diff", a, b, "--json"])
        .args(extra)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    if json.is_object() {
        support::follows_schema(&json, "diff.schema.json");
    }
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn text_diff(a: &str, b: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(["diff", a, b])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
    )
}

/// The file change at `path`, if any.
fn file<'a>(d: &'a Value, path: &str) -> Option<&'a Value> {
    d["files"].as_array().unwrap().iter().find(|f| f["path"] == path)
}

fn layer(build: impl FnOnce(&mut TarBuilder)) -> Vec<u8> {
    let mut t = TarBuilder::new();
    build(&mut t);
    t.finish()
}

fn base_layer(t: &mut TarBuilder) {
    base_layer_named(t, b"box\n");
}

/// The base layer with `/etc/hostname` holding `hostname`.
fn base_layer_named(t: &mut TarBuilder, hostname: &[u8]) {
    t.dir("etc");
    t.file("etc/hostname", hostname, 0o644);
    t.file("etc/motd", b"welcome\n", 0o644);
    t.dir("usr");
    t.dir("usr/bin");
    t.file_with("usr/bin/app", b"#!/bin/sh\necho one\n", 0o755, 0, 0);
    t.symlink("usr/bin/run", "app");
    t.file("usr/bin/config.ini", b"level=1\n", 0o644);
}

fn spec(name: &str, layers: Vec<Vec<u8>>) -> ImageSpec {
    ImageSpec::new(name, layers)
}

#[test]
fn the_same_image_in_every_packaging_is_equal() {
    let s = fixture::sample("example.com/sample:1", Compress::Gzip);
    let docker = write("docker.tar", &fixture::docker_archive(std::slice::from_ref(&s), false));
    let oci_zstd = write(
        "oci-zstd.tar",
        &fixture::oci_archive(&[s.clone().compressed(Compress::Zstd)], false),
    );
    // Another name and tag: names never count.
    let renamed = ImageSpec {
        name: "other.example/renamed:2".into(),
        ..s.clone()
    }
    .compressed(Compress::None);
    let crane = write("crane.tar", &fixture::crane_archive(&renamed));
    for other in [&oci_zstd, &crane] {
        let (code, d, err) = diff(&docker, other, &[]);
        assert_eq!(code, 0, "{other}: {err}\n{d:#}");
        assert_eq!(d["equal"], true);
        assert_eq!(d["summary"]["layers_shared"], 3);
        assert!(d["files"].as_array().unwrap().is_empty());
        assert!(d["config"].as_array().unwrap().is_empty());
    }
    let (code, text) = text_diff(&docker, &oci_zstd);
    assert_eq!(code, 0);
    assert!(text.contains("\nequal\n"), "{text}");
}

#[test]
fn a_same_size_edit_is_a_content_change() {
    let a = spec("x", vec![layer(base_layer)]);
    // Same length, one byte differs: a name-and-size comparison would call these equal.
    let b = spec("x", vec![layer(|t| base_layer_named(t, b"bot\n"))]);
    let (pa, pb) = (
        write("same-a.tar", &fixture::docker_archive(&[a], false)),
        write("same-b.tar", &fixture::docker_archive(&[b], false)),
    );
    let (code, d, err) = diff(&pa, &pb, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(d["equal"], false);
    let f = file(&d, "/etc/hostname").expect("the edited file is listed");
    assert_eq!(f["change"], "changed");
    assert_eq!(f["what"], json!(["content"]));
    assert_ne!(f["a"]["sha256"], f["b"]["sha256"]);
    assert_eq!(f["a"]["size"], f["b"]["size"]);
    assert_eq!(d["summary"]["files_changed"], 1, "{d:#}");
    assert_eq!(d["summary"]["layers_added"], 1);
    assert_eq!(d["summary"]["layers_removed"], 1);
}

#[test]
fn every_kind_of_file_and_config_change_is_named() {
    let mut a = spec("x", vec![layer(base_layer)]);
    a.run_config = vec![
        ("Entrypoint".into(), json!(["/usr/bin/app"])),
        ("Volumes".into(), json!({"/data": {}})),
    ];
    a.env.push("API_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into());
    let mut b = spec(
        "x",
        vec![
            layer(base_layer),
            layer(|t| {
                t.dir("etc");
                t.whiteout("etc/motd");
                t.file("etc/added.conf", b"new\n", 0o644);
                t.dir("usr");
                t.dir("usr/bin");
                // Mode, owner, link target and kind, each alone.
                t.file_with("usr/bin/app", b"#!/bin/sh\necho one\n", 0o4755, 0, 0);
                t.file_with("usr/bin/config.ini", b"level=1\n", 0o644, 1000, 1000);
                t.symlink("usr/bin/run", "other");
                t.symlink("etc/hostname", "/proc/sys/kernel/hostname");
            }),
        ],
    );
    b.run_config = vec![
        ("User".into(), json!("root")),
        ("Entrypoint".into(), json!(["/usr/bin/app", "--serve"])),
        ("WorkingDir".into(), json!("/")),
        ("ExposedPorts".into(), json!({"22/tcp": {}})),
        ("Volumes".into(), Value::Null),
    ];
    b.env.push("API_TOKEN=ghp_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into());
    b.labels
        .push(("org.opencontainers.image.revision".into(), "abc123".into()));
    let (pa, pb) = (
        write("kinds-a.tar", &fixture::docker_archive(&[a], false)),
        write("kinds-b.tar", &fixture::oci_archive(&[b], false)),
    );
    let (code, d, err) = diff(&pa, &pb, &[]);
    assert_eq!(code, 1, "{err}");
    let what = |p: &str| file(&d, p).map(|f| f["what"].clone());
    assert_eq!(file(&d, "/etc/motd").unwrap()["change"], "removed");
    assert_eq!(file(&d, "/etc/added.conf").unwrap()["change"], "added");
    assert_eq!(what("/usr/bin/app"), Some(json!(["mode"])));
    assert_eq!(what("/usr/bin/config.ini"), Some(json!(["owner"])));
    assert_eq!(what("/usr/bin/run"), Some(json!(["link"])));
    assert_eq!(what("/etc/hostname"), Some(json!(["type", "link"])));
    // Unchanged paths are not listed (the layer is shared).
    assert!(file(&d, "/usr").is_none());
    assert_eq!(d["summary"]["layers_shared"], 1);
    assert_eq!(d["summary"]["layers_added"], 1);

    let config = d["config"].as_array().unwrap();
    let change = |field: &str, key: Option<&str>| {
        config
            .iter()
            .find(|c| c["field"] == field && c["key"].as_str() == key)
            .unwrap_or_else(|| panic!("no {field} {key:?} change in {config:#?}"))
    };
    assert_eq!(change("user", None)["b"], "root");
    assert_eq!(change("user", None)["a"], "app");
    assert_eq!(change("entrypoint", None)["b"], r#"["/usr/bin/app","--serve"]"#);
    assert_eq!(change("working_dir", None)["b"], "/");
    assert_eq!(change("exposed_ports", Some("22/tcp"))["b"], "22/tcp");
    assert_eq!(change("exposed_ports", Some("8080/tcp"))["b"], Value::Null);
    assert_eq!(change("volumes", Some("/data"))["a"], "/data");
    assert_eq!(
        change("labels", Some("org.opencontainers.image.revision"))["b"],
        "abc123"
    );
    // A secret-looking variable changed: listed, and neither value shown whole.
    let token = change("env", Some("API_TOKEN"));
    let shown = format!("{token}");
    assert!(
        !shown.contains("aaaaaaaaaaaaaaaaaaaa") && !shown.contains("bbbbbbbbbbbbbbbbbbbb"),
        "{shown}"
    );
    assert!(token["counted"].as_bool().unwrap());
}

#[test]
fn packages_are_added_removed_upgraded_and_downgraded_in_each_ecosystems_order() {
    let status = |entries: &[(&str, &str)]| {
        entries
            .iter()
            .map(|(n, v)| format!("Package: {n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n\n"))
            .collect::<String>()
    };
    let image = |deb: &[(&str, &str)], py: &str| {
        spec(
            "x",
            vec![layer(|t| {
                t.file(
                    "etc/os-release",
                    b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
                    0o644,
                );
                t.file("var/lib/dpkg/status", status(deb).as_bytes(), 0o644);
                t.file(
                    &format!("usr/lib/python3/dist-packages/requests-{py}.dist-info/METADATA"),
                    format!("Metadata-Version: 2.1\nName: requests\nVersion: {py}\n\n").as_bytes(),
                    0o644,
                );
            })],
        )
    };
    // 1.0~rc1 < 1.0 in dpkg's order (a plain string order says the opposite); 2.0 > 10.0 is
    // false in every numeric order.
    let a = image(&[("libfoo", "1.0~rc1"), ("libbar", "10.0"), ("gone", "1")], "2.31.0");
    let b = image(&[("libfoo", "1.0"), ("libbar", "2.0"), ("new", "1")], "2.31.0");
    let (pa, pb) = (
        write("pkg-a.tar", &fixture::docker_archive(&[a], false)),
        write("pkg-b.tar", &fixture::docker_archive(&[b], false)),
    );
    let (code, d, err) = diff(&pa, &pb, &[]);
    assert_eq!(code, 1, "{err}");
    let pkg = |n: &str| {
        d["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(pkg("libfoo")["change"], "upgraded", "{d:#}");
    assert_eq!(pkg("libbar")["change"], "downgraded");
    assert_eq!(pkg("gone")["change"], "removed");
    assert_eq!(pkg("new")["change"], "added");
    assert_eq!(pkg("requests"), Value::Null, "an unchanged package is not listed");
    assert_eq!(d["summary"]["packages_upgraded"], 1);
    let status_change = file(&d, "/var/lib/dpkg/status").unwrap();
    assert!(status_change["what"].as_array().unwrap().contains(&json!("content")));
}

/// Two builds of one source: the same files and config, but other timestamps in the tar
/// headers and the config, other history dates, and the files in another order.
#[test]
fn two_builds_of_one_source_differ_exactly_and_are_equal_under_semantic() {
    let build = |mtime: u64, created: &str, reversed: bool| {
        let mut t = TarBuilder::new().with_mtime(mtime);
        let mut files = vec![
            ("srv/a.txt", b"alpha\n".as_slice()),
            ("srv/b.txt", b"beta\n".as_slice()),
            ("srv/c.txt", b"gamma\n".as_slice()),
        ];
        if reversed {
            files.reverse();
        }
        t.dir("srv");
        for (p, body) in files {
            t.file(p, body, 0o644);
        }
        let mut s = spec("x", vec![t.finish()]);
        s.created = Some(created.to_string());
        s
    };
    let one = build(1_700_000_000, "2026-11-01T10:00:00Z", false);
    let two = build(1_764_000_000, "2026-12-01T10:00:00Z", true);
    let (pa, pb) = (
        write("build-1.tar", &fixture::docker_archive(&[one], false)),
        write("build-2.tar", &fixture::oci_archive(&[two], false)),
    );
    let (code, d, err) = diff(&pa, &pb, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(file(&d, "/srv/a.txt").unwrap()["what"], json!(["mtime"]));
    assert!(d["config"].as_array().unwrap().iter().any(|c| c["field"] == "created"));

    let (code, d, err) = diff(&pa, &pb, &["--semantic"]);
    assert_eq!(code, 0, "{err}\n{d:#}");
    assert_eq!(d["equal"], true);
    assert_eq!(d["mode"], "semantic");
    // What differs is still shown, marked as not counted.
    assert_eq!(d["layers"]["counted"], false);
    assert_eq!(d["summary"]["layers_added"], 1);
    assert!(d["config"].as_array().unwrap().iter().all(|c| c["counted"] == false));

    // A real change is still one under --semantic.
    let mut three = build(1_764_000_000, "2026-12-01T10:00:00Z", true);
    three.layers = vec![layer(|t| {
        t.dir("srv");
        t.file("srv/a.txt", b"alpha\n", 0o644);
        t.file("srv/b.txt", b"BETA\n", 0o644);
        t.file("srv/c.txt", b"gamma\n", 0o644);
    })];
    let pc = write("build-3.tar", &fixture::docker_archive(&[three], false));
    let (code, d, _) = diff(&pa, &pc, &["--semantic"]);
    assert_eq!(code, 1);
    assert_eq!(file(&d, "/srv/b.txt").unwrap()["what"], json!(["content"]));
}

#[test]
fn trouble_exits_2_and_still_compares() {
    let s = fixture::sample("x", Compress::Gzip);
    let good = fixture::docker_archive(std::slice::from_ref(&s), false);
    let pa = write("good.tar", &good);
    // One byte of a layer's compressed stream flipped near its end: the digest check fails.
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 3000] ^= 0x40;
    let pb = write("bad.tar", &bad);
    let (code, d, err) = diff(&pa, &pb, &[]);
    assert_eq!(code, 2, "{err}\n{d:#}");
    assert!(!d["trouble"].as_array().unwrap().is_empty(), "{d:#}");
    assert!(
        d["a"]["config_digest"].is_string(),
        "what could be read is still compared"
    );

    let (code, _, err) = diff(&pa, "/nonexistent/image.tar", &[]);
    assert_eq!(code, 2, "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(["diff", &pa])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error of diff exits 2, as diff(1)");
}

#[test]
fn a_plain_inspection_hashes_no_file() {
    use porthole::analyzer::FileDigest;
    let s = fixture::sample("x", Compress::Gzip);
    let bytes = fixture::docker_archive(&[s], false);
    let src = bytes;
    let mut opts = porthole::inspect::Options::default();
    let plain = porthole::inspect::explore_blob(&src, "x.tar", &opts, &mut porthole::inspect::Quiet);
    let count = |i: &porthole::inspect::Inspection| {
        i.images[0]
            .layers
            .iter()
            .map(|l| l.findings.of::<FileDigest>().count())
            .sum::<usize>()
    };
    assert_eq!(count(&plain), 0);
    opts.limits.file_digests = true;
    let hashed = porthole::inspect::explore_blob(&src, "x.tar", &opts, &mut porthole::inspect::Quiet);
    assert!(count(&hashed) >= 8, "every regular file hashed");
}

#[test]
fn vulnerabilities_introduced_and_fixed_with_a_database() {
    let old = fixture::sample("x", Compress::Gzip);
    let new = fixture::page_sample("x", Compress::Gzip);
    let db = write("advisory.json", fixture::SAMPLE_ADVISORY.as_bytes());
    let (pa, pb) = (
        write("vuln-a.tar", &fixture::docker_archive(&[old], false)),
        write("vuln-b.tar", &fixture::docker_archive(&[new], false)),
    );
    let (code, d, err) = diff(&pa, &pb, &["--vuln-db", &db]);
    assert_eq!(code, 1, "{err}");
    let introduced = d["vulnerabilities"]["introduced"].as_array().unwrap();
    assert_eq!(introduced.len(), 1, "{d:#}");
    assert_eq!(introduced[0]["package"]["name"], "PyYAML");
    assert_eq!(d["summary"]["vulnerabilities_introduced"], 1);
    let (_, back, _) = diff(&pb, &pa, &["--vuln-db", &db]);
    assert_eq!(back["vulnerabilities"]["fixed"].as_array().unwrap().len(), 1);
    // Without a database there is nothing to say about vulnerabilities.
    let (_, none, _) = diff(&pa, &pb, &[]);
    assert!(none["vulnerabilities"].is_null());
}

/// Review findings, each a pair that once compared wrongly.
#[test]
fn versioned_package_paths_layer_order_unnamed_config_fields_and_hardlinks() {
    // requests' dist-info directory names its version: still one package, upgraded.
    let py = |v: &str| {
        spec(
            "x",
            vec![layer(|t| {
                t.file(
                    &format!("usr/lib/python3/dist-packages/requests-{v}.dist-info/METADATA"),
                    format!("Metadata-Version: 2.1\nName: requests\nVersion: {v}\n\n").as_bytes(),
                    0o644,
                );
            })],
        )
    };
    let (pa, pb) = (
        write("py-a.tar", &fixture::docker_archive(&[py("2.31.0")], false)),
        write("py-b.tar", &fixture::docker_archive(&[py("2.32.0")], false)),
    );
    let (_, d, err) = diff(&pa, &pb, &[]);
    let pkgs = d["packages"].as_array().unwrap();
    assert_eq!(pkgs.len(), 1, "{err} {pkgs:#?}");
    assert_eq!(
        (&pkgs[0]["change"], &pkgs[0]["a"], &pkgs[0]["b"]),
        (&json!("upgraded"), &json!("2.31.0"), &json!("2.32.0"))
    );

    // The same two layers stacked the other way round: different, though no layer is new.
    let one = layer(|t| t.file("a.txt", b"one", 0o644));
    let two = layer(|t| t.file("b.txt", b"two", 0o644));
    let (pa, pb) = (
        write(
            "order-a.tar",
            &fixture::docker_archive(&[spec("x", vec![one.clone(), two.clone()])], false),
        ),
        write(
            "order-b.tar",
            &fixture::docker_archive(&[spec("x", vec![two, one])], false),
        ),
    );
    let (code, d, _) = diff(&pa, &pb, &[]);
    assert_eq!((code, &d["layers"]["reordered"]), (1, &json!(true)));

    // A config field porthole does not compare one by one still makes the images differ.
    let mut host = fixture::sample("x", Compress::Gzip);
    let plain = write(
        "host-a.tar",
        &fixture::docker_archive(std::slice::from_ref(&host), false),
    );
    host.run_config = vec![("Hostname".into(), json!("builder-7"))];
    let named = write("host-b.tar", &fixture::docker_archive(&[host], false));
    let (code, d, _) = diff(&plain, &named, &[]);
    assert_eq!(code, 1);
    assert_eq!(d["config"][0]["field"], "config", "{d:#}");

    // A hardlink and a copy of the same bytes: a change of type exactly, nothing under --semantic.
    let linked = layer(|t| {
        t.file("bin/tool", b"same bytes", 0o755);
        t.hardlink("bin/alias", "bin/tool");
    });
    let copied = layer(|t| {
        t.file("bin/tool", b"same bytes", 0o755);
        t.file("bin/alias", b"same bytes", 0o755);
    });
    let (pa, pb) = (
        write(
            "link-a.tar",
            &fixture::docker_archive(&[spec("x", vec![linked])], false),
        ),
        write(
            "link-b.tar",
            &fixture::docker_archive(&[spec("x", vec![copied])], false),
        ),
    );
    let (code, d, _) = diff(&pa, &pb, &[]);
    assert_eq!(code, 1);
    assert!(
        file(&d, "/bin/alias").unwrap()["what"]
            .as_array()
            .unwrap()
            .contains(&json!("type"))
    );
    assert_eq!(
        file(&d, "/bin/alias").unwrap()["a"]["sha256"],
        file(&d, "/bin/alias").unwrap()["b"]["sha256"]
    );
    let (code, d, _) = diff(&pa, &pb, &["--semantic"]);
    assert_eq!(code, 0, "{d:#}");
}

#[test]
fn the_text_form_escapes_what_the_image_names() {
    let a = spec("x", vec![layer(|t| t.file("plain.txt", b"x", 0o644))]);
    let b = spec(
        "x",
        vec![layer(|t| t.file("esc\x1b[31mred\n~ /etc/passwd", b"x", 0o644))],
    );
    let (pa, pb) = (
        write("esc-a.tar", &fixture::docker_archive(&[a], false)),
        write("esc-b.tar", &fixture::docker_archive(&[b], false)),
    );
    let (code, text) = text_diff(&pa, &pb);
    assert_eq!(code, 1);
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("+ /esc\\x{1b}[31mred\\n~ /etc/passwd"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("~ /etc/passwd")));
}

#[test]
fn options_that_name_one_image_are_refused() {
    let s = fixture::sample("x", Compress::Gzip);
    let p = write("one.tar", &fixture::docker_archive(&[s], false));
    let (code, _, err) = diff(&p, &p, &["--expect-digest", &format!("sha256:{}", "0".repeat(64))]);
    assert_eq!(code, 2);
    assert!(err.contains("--expect-digest"), "{err}");
    let (code, _, err) = diff(&p, &p, &["--password-stdin"]);
    assert_eq!(code, 2);
    assert!(err.contains("reference"), "{err}");
}

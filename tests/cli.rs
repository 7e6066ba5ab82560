//! The `porthole` binary: exit codes, JSON on stdout, one clear line per error on stderr.

mod support;
use porthole::fixture::{self, Compress};
use std::io::Write;
use std::process::{Command, Stdio};

fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("porthole-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_porthole"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        let mut si = c.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = si.write_all(&input);
        });
    }
    let out = c.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn usage_errors_exit_1() {
    assert_eq!(run(&[], None).0, 1);
    assert_eq!(run(&["inspect"], None).0, 1);
    assert_eq!(run(&["inspect", "x", "--bogus"], None).0, 1);
    let p = tmp("u.tar", b"");
    assert_eq!(run(&["inspect", p.to_str().unwrap(), "--platform", "linux"], None).0, 1);
    assert_eq!(
        run(&["inspect", p.to_str().unwrap(), "--expect-digest", "md5:abc"], None).0,
        1
    );
    assert_eq!(run(&["--help"], None).0, 0);
}

#[test]
fn ok_image_prints_summary_and_json() {
    let p = tmp(
        "ok.tar",
        &fixture::oci_archive(&[fixture::sample("example.com/a:1", Compress::Gzip)], true),
    );
    let (code, out, err) = run(&["inspect", p.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("example.com/a:1"));
    assert!(out.contains("verified, none mismatched"), "{out}");
    let (code, out, _) = run(&["inspect", p.to_str().unwrap(), "--json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"]["path"], "ok.tar");
    assert_eq!(v["images"][0]["files"], serde_json::json!([]));
    let (_, out, _) = run(&["inspect", p.to_str().unwrap(), "--json", "--files"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["images"][0]["files"].as_array().unwrap().len() > 10);
}

#[test]
fn integrity_failure_exits_3_with_json_and_a_line_naming_the_layer() {
    let mut bytes = fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false);
    let r = support::inspect(&bytes);
    let d = r.images[0].layers[2].digest.clone().unwrap();
    let (off, size) = support::entry_span(&bytes, &format!("blobs/sha256/{}", &d[7..]));
    bytes[off + size / 2] ^= 0x40;
    let p = tmp("bad.tar", &bytes);
    let (code, out, err) = run(&["inspect", p.to_str().unwrap(), "--json"], None);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["images"][0]["layers"][2]["checks"][0]["status"], "mismatch");
    assert!(err.contains("layer 2"), "{err}");
    let (code, out, _) = run(&["inspect", p.to_str().unwrap()], None);
    assert_eq!(code, 3);
    assert!(out.contains("INTEGRITY FAILURE") && out.contains("layer 2"), "{out}");
}

#[test]
fn no_image_exits_2_with_one_line_and_no_json() {
    let p = tmp("junk.tar", &[0x42; 5000]);
    let (code, out, err) = run(&["inspect", p.to_str().unwrap(), "--json"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not an image"));
    let (code, _, err) = run(&["inspect", "/nonexistent/file.tar"], None);
    assert_eq!(code, 2);
    assert!(err.contains("cannot open"));
}

#[test]
fn incomplete_report_exits_4_and_still_prints_json() {
    let mut t = fixture::TarBuilder::new();
    t.file("ok", b"1", 0o644);
    t.header(b"liar", b'0', 4096, 0o644, 0, 0, b"");
    let bytes = fixture::docker_archive(
        &[fixture::ImageSpec::new("x", vec![t.finish()]).compressed(Compress::None)],
        false,
    );
    let p = tmp("inc.tar", &bytes);
    let (code, out, err) = run(&["inspect", p.to_str().unwrap(), "--json"], None);
    assert_eq!(code, 4, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["images"][0]["errors"][0]["path"], "liar");
    assert!(err.contains("liar"));
}

#[test]
fn stdin_is_streamed() {
    let bytes = fixture::docker_archive(&[fixture::sample("x", Compress::None)], true);
    let gz = Compress::Gzip.apply(&bytes);
    let (code, out, err) = run(&["inspect", "-", "--json"], Some(&gz));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["source"]["kind"], "stdin");
    assert_eq!(v["source"]["streamed"], true);
    assert_eq!(v["source"]["compression"], "gzip");
    assert_eq!(v["images"][0]["summary"]["regular_files"], 8);
}

#[test]
fn max_layer_bytes_limit_exits_4() {
    let p = tmp(
        "lim.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    let (code, _, err) = run(&["inspect", p.to_str().unwrap(), "--max-layer-bytes", "1000"], None);
    assert_eq!(code, 4);
    assert!(err.contains("limit"), "{err}");
}

#[test]
fn every_limit_is_settable_by_name_and_a_limit_hit_exits_4() {
    let p = tmp(
        "limits.tar",
        &fixture::oci_archive(&[fixture::sample("x", Compress::Gzip)], false),
    );
    let p = p.to_str().unwrap();
    let (code, out, _) = run(&["inspect", p, "--limit", "help"], None);
    assert_eq!(code, 0);
    for (name, _) in porthole::limits::LIMITS {
        assert!(out.contains(name), "--limit help lists {name}: {out}");
    }
    // One layer allowed, the sample has more: kind `limit`, exit 4, and the JSON still printed.
    let (code, out, err) = run(&["inspect", p, "--json", "--limit", "layers=1"], None);
    assert_eq!(code, 4, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        json["images"][0]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "limit"),
        "{out}"
    );
    // Sizes take suffixes; a small decompression limit stops the layer walk.
    let (code, _, err) = run(&["inspect", p, "--limit", "layer_uncompressed_bytes=1K"], None);
    assert_eq!(code, 4);
    assert!(err.contains("limit"), "{err}");
    // Generous limits change nothing.
    let (code, _, _) = run(
        &["inspect", p, "--limit", "layers=64", "--limit", "json_bytes=1M"],
        None,
    );
    assert_eq!(code, 0);
    for bad in ["bogus=1", "layers", "layers=lots"] {
        let (code, _, err) = run(&["inspect", p, "--limit", bad], None);
        assert_eq!(code, 1, "{bad}");
        assert!(err.contains("--limit"), "{bad}: {err}");
    }
}

/// The text summary never passes an image's control characters to the terminal.
#[test]
fn the_summary_escapes_control_characters_from_the_image() {
    let s = fixture::sample("evil:\x1b]0;pwned\x07tag", Compress::Gzip);
    let p = tmp("escape.tar", &fixture::docker_archive(&[s], false));
    let (code, out, _) = run(&["inspect", p.to_str().unwrap()], None);
    assert_eq!(code, 0);
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out:?}");
    assert!(out.contains("evil:\\x{1b}]0;pwned\\x{07}tag"), "{out}");
}
